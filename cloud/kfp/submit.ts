/**
 * Submitting to Kubeflow Pipelines: upload the spec as a version of the pipeline of the same name
 * (creating the pipeline the first time), then create a run of that version.
 *
 * Idempotent in the same way as on Vertex, though KFP takes no client-chosen ids: a version is
 * named by a hash of its spec, so an unchanged spec is uploaded once; a run is found again by its
 * display name (the job id), so a retry after a lost answer, or a second try of the same Airflow
 * task, reports the run that exists instead of starting another.
 */
import { createHash } from 'node:crypto';
import { toJson } from '../../compiler/emit';
import type { PipelineSpecIr } from '../../compiler/ir';
import { applyCachingSwitch } from '../caching';
import type { JobStatus } from '../job-status';
import type { Reporter } from '../report';
import { withRetry } from '../retry';
import { HttpError, httpCliError, isTransientHttp } from './http';
import type { KfpClient, KfpVersion } from './client';

export function versionName(spec: PipelineSpecIr): string {
  const hash = createHash('sha256').update(toJson(spec)).digest('hex').slice(0, 12);
  return `${spec.pipelineInfo.name}-${hash}`;
}

export async function ensureVersion(client: KfpClient, spec: PipelineSpecIr, report?: Reporter): Promise<KfpVersion & { display_name: string }> {
  const name = spec.pipelineInfo.name;
  const vname = versionName(spec);
  let pipeline = await client.pipelineByName(name);
  if (!pipeline) {
    try {
      pipeline = await client.createPipeline(name, spec.pipelineInfo.description);
      report?.info(`created pipeline '${name}' (${pipeline.pipeline_id})`);
    } catch (e) {
      // Created meanwhile by another submit: use that one.
      if (!(e instanceof HttpError && e.status === 409)) throw httpCliError(e, `creating pipeline '${name}'`);
      pipeline = await client.pipelineByName(name);
      if (!pipeline) throw httpCliError(e, `creating pipeline '${name}'`);
    }
  }
  const pipelineId = pipeline.pipeline_id;
  const found = await client.versionByName(pipelineId, vname);
  if (found) return { ...found, display_name: vname };
  try {
    const v = await client.uploadVersion(pipelineId, vname, toJson(spec), spec.pipelineInfo.description);
    report?.info(`uploaded version '${vname}' of pipeline '${name}'`);
    return { ...v, display_name: vname };
  } catch (e) {
    if (!(e instanceof HttpError && e.status === 409)) throw httpCliError(e, `uploading version '${vname}' of pipeline '${name}'`);
    const again = await client.versionByName(pipelineId, vname);
    if (!again) throw httpCliError(e, `uploading version '${vname}' of pipeline '${name}'`);
    return { ...again, display_name: vname };
  }
}

export interface KfpSubmitInput {
  spec: PipelineSpecIr;
  params: Readonly<Record<string, unknown>>;
  /** The run's display name, and the key it is found again by. */
  runName: string;
  enableCaching?: boolean;
  report?: Reporter;
}

/** The body of POST /apis/v2beta1/runs. */
export function runRequest(client: KfpClient, version: KfpVersion, input: KfpSubmitInput): Record<string, unknown> {
  const runtime: Record<string, unknown> = { parameters: { ...input.params } };
  if (client.settings.pipelineRoot) runtime.pipeline_root = client.settings.pipelineRoot;
  const run: Record<string, unknown> = {
    display_name: input.runName,
    pipeline_version_reference: { pipeline_id: version.pipeline_id, pipeline_version_id: version.pipeline_version_id },
    runtime_config: runtime,
  };
  if (client.settings.serviceAccount) run.service_account = client.settings.serviceAccount;
  return run;
}

export async function submitRun(client: KfpClient, input: KfpSubmitInput): Promise<{ status: JobStatus; existing: boolean; version: string }> {
  const spec = applyCachingSwitch(input.spec, input.enableCaching);
  const version = await ensureVersion(client, spec, input.report);
  const before = await client.runByName(input.runName);
  if (before) return { status: client.status(before), existing: true, version: version.display_name };
  const body = runRequest(client, version, input);
  try {
    return await withRetry(
      async (attempt) => {
        if (attempt > 1) {
          // The last attempt may have created the run and lost only the answer.
          const made = await client.runByName(input.runName);
          if (made) return { status: client.status(made), existing: false, version: version.display_name };
        }
        const run = await client.createRunOnce(body);
        return { status: client.status(run), existing: false, version: version.display_name };
      },
      isTransientHttp,
      client.settings.retry,
    );
  } catch (e) {
    throw httpCliError(e, `creating run '${input.runName}'`);
  }
}
