export * as dsl from './dsl';
export { compile, compileToFile, serialize, testing, CompileError, type CompileOptions, type PipelineSpecIr } from './compiler';
export { VERSION } from './version';
