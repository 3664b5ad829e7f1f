/**
 * The CreatePipelineJobRequest for a spec, its parameter values and the settings: a pure function,
 * so what is sent can be read (and tested) without a server. The spec travels as a protobuf Struct
 * and each parameter value as a protobuf Value (see struct.ts for why).
 */
import { CliError, EXIT } from '../../cli/exit-codes';
import type { PipelineSpecIr } from '../../compiler/ir';
import { applyCachingSwitch } from '../caching';
import { checkJobId } from '../job-id';
import { toProtoStruct, toProtoValue, type ProtoStruct, type ProtoValue } from './struct';
import type { VertexSettings } from './settings';

export interface PipelineJobMessage {
  displayName: string;
  pipelineSpec: ProtoStruct;
  runtimeConfig: {
    gcsOutputDirectory: string;
    parameterValues: Record<string, ProtoValue>;
    failurePolicy?: 'PIPELINE_FAILURE_POLICY_FAIL_FAST' | 'PIPELINE_FAILURE_POLICY_FAIL_SLOW';
  };
  labels?: Record<string, string>;
  serviceAccount?: string;
  network?: string;
  encryptionSpec?: { kmsKeyName: string };
}

export interface CreatePipelineJobRequest {
  parent: string;
  pipelineJob: PipelineJobMessage;
  pipelineJobId: string;
}

export interface JobInput {
  spec: PipelineSpecIr;
  /** Typed values (parseParams), by root input name. */
  params: Readonly<Record<string, unknown>>;
  settings: VertexSettings;
  displayName?: string;
}

export function parentOf(project: string, region: string): string {
  return `projects/${project}/locations/${region}`;
}

export function buildPipelineJob(input: JobInput): PipelineJobMessage {
  const { spec, settings: s } = input;
  const root = s.pipelineRoot ?? spec.defaultPipelineRoot;
  if (!root) {
    throw new CliError(
      'no pipeline root: Vertex AI needs a Cloud Storage folder for the pipeline\'s outputs. Pass --pipeline-root gs://BUCKET/PATH, set DUCKML_PIPELINE_ROOT, or add "vertex": {"pipelineRoot": "gs://..."} to duckml.config.json.',
      EXIT.usage,
    );
  }
  const parameterValues: Record<string, ProtoValue> = {};
  for (const [k, v] of Object.entries(input.params)) parameterValues[k] = toProtoValue(v, `parameter '${k}'`);
  const job: PipelineJobMessage = {
    displayName: input.displayName ?? spec.pipelineInfo.displayName ?? spec.pipelineInfo.name,
    pipelineSpec: toProtoStruct(applyCachingSwitch(spec, s.enableCaching) as unknown as Record<string, unknown>, 'pipelineSpec'),
    runtimeConfig: { gcsOutputDirectory: root, parameterValues },
  };
  if (s.failurePolicy) job.runtimeConfig.failurePolicy = s.failurePolicy === 'fast' ? 'PIPELINE_FAILURE_POLICY_FAIL_FAST' : 'PIPELINE_FAILURE_POLICY_FAIL_SLOW';
  if (Object.keys(s.labels).length) job.labels = { ...s.labels };
  if (s.serviceAccount) job.serviceAccount = s.serviceAccount;
  if (s.network) job.network = s.network;
  if (s.kmsKey) job.encryptionSpec = { kmsKeyName: s.kmsKey };
  return job;
}

export function buildCreateRequest(input: JobInput & { project: string; jobId: string }): CreatePipelineJobRequest {
  const bad = checkJobId(input.jobId);
  if (bad) throw new CliError(bad, EXIT.usage);
  return { parent: parentOf(input.project, input.settings.region), pipelineJob: buildPipelineJob(input), pipelineJobId: input.jobId };
}
