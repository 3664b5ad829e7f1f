/** duckml's authoring API. `import * as dsl from 'duckml/dsl'`. */
export { string, int, double, bool, list, struct, taskFinalStatus } from './params';
export {
  artifactType,
  Artifact,
  Dataset,
  Model,
  Metrics,
  ClassificationMetrics,
  SlicedClassificationMetrics,
  HTML,
  Markdown,
  google,
  type ArtifactType,
} from './artifacts';
export { container, component } from './component';
export type {
  Component,
  ContainerIo,
  InputArtifact,
  OutputArtifact,
  RunContext,
  RunInputs,
  RunOutputs,
  RunResult,
  TsComponent,
} from './component';
export { pipeline, type Pipeline, type PipelineOptions } from './pipeline';
export type { Scope, Task, IfChain, Branches, Loop, Orderable, ImporterOptions } from './scope';
export { fmt } from './template';
export { runtime, concat, ifPresent } from './placeholders';
export type { ParamRef, ArtifactRef, Condition, InputArgs, OutputRefs, Template, StructItemRef, UntypedItemRef } from './refs';
export type { TaskOptions, RetryOptions } from './task-options';
export type { ParamSpec, ArtifactSpec, InputsSpec, OutputsSpec, TaskFinalStatus } from './types';
export { loadComponent, loadComponentFile } from './load-component';
export * as metrics from './metrics';
