/**
 * Vertex AI PipelineJobs: an idempotent create, get, list, cancel. Every call is retried on
 * transient failures only; a create that timed out or met a conflict returns the job that
 * already has its id instead of creating a second one.
 */
import { CliError, EXIT } from '../../cli/exit-codes';
import type { JobBackend, JobState, JobStatus } from '../job-status';
import { withRetry, type RetryOptions } from '../retry';
import { openPipelineService, type Connection, type PipelineServiceApi, type RawJob } from './client';
import { CODE, grpcCode, isTransient, toCliError } from './grpc-errors';
import type { CreatePipelineJobRequest } from './pipeline-job';
import { fromProtoStruct } from './struct';

const STATES = ['UNSPECIFIED', 'QUEUED', 'PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED', 'PAUSED'];

export function consoleUrl(project: string, region: string, id: string): string {
  return `https://console.cloud.google.com/vertex-ai/locations/${region}/pipelines/runs/${id}?project=${encodeURIComponent(project)}`;
}

function isoTime(t: RawJob['createTime']): string | undefined {
  const s = Number(t?.seconds ?? 0);
  return s ? new Date(s * 1000 + Math.round((t?.nanos ?? 0) / 1e6)).toISOString() : undefined;
}

export function toStatus(raw: RawJob, project: string, region: string): JobStatus {
  const name = raw.name ?? '';
  const id = name.split('/').pop() ?? name;
  const serviceState = typeof raw.state === 'number' ? `PIPELINE_STATE_${STATES[raw.state] ?? raw.state}` : raw.state ?? 'PIPELINE_STATE_UNSPECIFIED';
  const short = serviceState.replace(/^PIPELINE_STATE_/, '');
  const state: JobState = STATES.includes(short) && short !== 'UNSPECIFIED' ? (short as JobState) : 'UNKNOWN';
  const status: JobStatus = { target: 'vertex', name, id, state, serviceState, url: consoleUrl(project, region, id) };
  if (raw.displayName) status.displayName = raw.displayName;
  if (raw.error?.message || raw.error?.code) status.error = raw.error.message || `error code ${raw.error.code}`;
  const created = isoTime(raw.createTime);
  if (created) status.createTime = created;
  return status;
}

export interface VertexJobsOptions {
  project: string;
  region: string;
  connection: Connection;
  retry?: RetryOptions;
}

export interface SubmitResult {
  status: JobStatus;
  /** The id was taken before this command ran (an earlier try of the same Airflow task, or --job-id reused). */
  existing: boolean;
}

export class VertexJobs implements JobBackend {
  readonly target = 'vertex' as const;
  private readonly api: PipelineServiceApi;
  private readonly call: (timeoutMs?: number) => Record<string, unknown>;

  constructor(private readonly opts: VertexJobsOptions) {
    const { api, call } = openPipelineService(opts.connection);
    this.api = api;
    this.call = call;
  }

  get parent(): string {
    return `projects/${this.opts.project}/locations/${this.opts.region}`;
  }

  /** An id or a full resource name (which must be in this project and region) → the resource name. */
  nameOf(idOrName: string): string {
    if (!idOrName.includes('/')) return `${this.parent}/pipelineJobs/${idOrName}`;
    const m = /^projects\/[^/]+\/locations\/[^/]+\/pipelineJobs\/[^/]+$/.exec(idOrName);
    if (!m) throw new CliError(`'${idOrName}' is neither a job id nor a job name (projects/P/locations/R/pipelineJobs/ID).`, EXIT.usage);
    return idOrName;
  }

  private retrying<T>(what: string, fn: (attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(fn, isTransient, { ...this.opts.retry, signal: signal ?? this.opts.retry?.signal }).catch((e) => {
      throw toCliError(e, what);
    });
  }

  private status(raw: RawJob): JobStatus {
    return toStatus(raw, this.opts.project, this.opts.region);
  }

  async submit(req: CreatePipelineJobRequest): Promise<SubmitResult> {
    const name = `${req.parent}/pipelineJobs/${req.pipelineJobId}`;
    const pipelineName = (req.pipelineJob.pipelineSpec.fields.pipelineInfo as { structValue?: { fields?: { name?: { stringValue?: string } } } } | undefined)?.structValue?.fields?.name?.stringValue;
    return this.retrying(`creating pipeline job ${req.pipelineJobId}`, async (attempt) => {
      try {
        const [job] = await this.api.createPipelineJob(req, this.call());
        return { status: this.status(job), existing: false };
      } catch (e) {
        if (grpcCode(e) !== CODE.ALREADY_EXISTS) throw e;
      }
      // The id is taken: by an earlier attempt of ours whose answer was lost (attempt > 1), or by
      // an earlier run of the same command. Either way that job is the one to report.
      const [job] = await this.api.getPipelineJob({ name }, this.call());
      const theirs = (fromProtoStruct(job.pipelineSpec).pipelineInfo as { name?: string } | undefined)?.name;
      if (pipelineName && theirs && theirs !== pipelineName) {
        throw new CliError(`job id '${req.pipelineJobId}' is already used by a job of pipeline '${theirs}', not '${pipelineName}'. Pass another --job-id.`, EXIT.usage);
      }
      return { status: this.status(job), existing: attempt === 1 };
    });
  }

  async get(idOrName: string, signal?: AbortSignal): Promise<JobStatus> {
    const name = this.nameOf(idOrName);
    const [job] = await this.retrying(`getting ${name}`, () => this.api.getPipelineJob({ name }, this.call()), signal);
    return this.status(job);
  }

  /** Asks Vertex to cancel; a job that already ended is left as it is. */
  async cancel(idOrName: string): Promise<void> {
    const name = this.nameOf(idOrName);
    await this.retrying(`cancelling ${name}`, async () => {
      try {
        await this.api.cancelPipelineJob({ name }, this.call());
      } catch (e) {
        if (grpcCode(e) !== CODE.FAILED_PRECONDITION) throw e;
      }
    });
  }

  async list(opts: { limit: number; filter?: string }): Promise<JobStatus[]> {
    const out: JobStatus[] = [];
    let pageToken: string | undefined;
    do {
      const req = {
        parent: this.parent,
        pageSize: Math.min(100, opts.limit - out.length),
        orderBy: 'create_time desc',
        readMask: { paths: ['name', 'display_name', 'state', 'create_time', 'error'] },
        ...(opts.filter ? { filter: opts.filter } : {}),
        ...(pageToken ? { pageToken } : {}),
      };
      const [jobs, , resp] = await this.retrying('listing pipeline jobs', () => this.api.listPipelineJobs(req, { ...this.call(), autoPaginate: false }));
      out.push(...jobs.map((j) => this.status(j)));
      pageToken = (resp as { nextPageToken?: string } | undefined)?.nextPageToken || undefined;
    } while (pageToken && out.length < opts.limit);
    return out.slice(0, opts.limit);
  }

  async close(): Promise<void> {
    await this.api.close();
  }
}
