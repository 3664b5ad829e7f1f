/** The subset of the PipelineSpec IR (pipeline_spec.proto, proto3 JSON names) duckml writes. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface ArtifactTypeSchema {
  schemaTitle: string;
  schemaVersion: string;
}
export interface ParameterSpecIr {
  parameterType: string;
  defaultValue?: Json;
  isOptional?: boolean;
  description?: string;
}
export interface ArtifactSpecIr {
  artifactType: ArtifactTypeSchema;
  isArtifactList?: boolean;
  isOptional?: boolean;
  description?: string;
}
export interface InterfaceIr {
  parameters?: Record<string, ParameterSpecIr>;
  artifacts?: Record<string, ArtifactSpecIr>;
}
export interface ComponentSpecIr {
  inputDefinitions?: InterfaceIr;
  outputDefinitions?: InterfaceIr;
  dag?: DagSpecIr;
  executorLabel?: string;
}
export interface DagSpecIr {
  tasks: Record<string, TaskSpecIr>;
  outputs?: { parameters?: Record<string, Json>; artifacts?: Record<string, Json> };
}
export interface TaskSpecIr {
  taskInfo: { name: string };
  componentRef: { name: string };
  inputs?: { parameters?: Record<string, Record<string, Json>>; artifacts?: Record<string, Record<string, Json>> };
  dependentTasks?: string[];
  cachingOptions?: { enableCache?: boolean; cacheKey?: string };
  triggerPolicy?: { condition?: string; strategy?: string };
  parameterIterator?: { items: { raw?: string; inputParameter?: string }; itemInput: string };
  artifactIterator?: { items: { inputArtifact: string }; itemInput: string };
  iteratorPolicy?: { parallelismLimit: number };
  retryPolicy?: { maxRetryCount: number; backoffDuration: string; backoffFactor: number; backoffMaxDuration: string };
}
export interface ContainerIr {
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
  resources?: Record<string, Json>;
}
export interface ExecutorIr {
  container?: ContainerIr;
  importer?: Record<string, Json>;
}
export interface PipelineSpecIr {
  pipelineInfo: { name: string; displayName?: string; description?: string };
  deploymentSpec: { executors: Record<string, ExecutorIr> };
  sdkVersion: string;
  schemaVersion: string;
  components: Record<string, ComponentSpecIr>;
  root: ComponentSpecIr;
  defaultPipelineRoot?: string;
}
