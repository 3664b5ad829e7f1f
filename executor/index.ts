/** duckml's component executor: what `duckml execute` runs inside the component image. */
export { executeComponent, ExecutionError, METADATA_ONLY_TYPES, type ExecuteOptions } from './execute';
export { findComponent } from './find-component';
export { runComponent, type ComponentResult, type RunComponentOptions, type ArtifactArg } from './run-component';
export { parseExecutorInput, type ExecutorInputJson, type ExecutorOutputJson, type RuntimeArtifactJson, type JsonValue } from './protocol';
export { uriToPath, pathToUri } from './uri';
export { coerceParam, parseParamFile, paramFileText, ValueError } from './values';
