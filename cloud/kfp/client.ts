/** The Kubeflow Pipelines v2beta1 REST API calls duckml makes: pipelines, versions, runs. */
import type { JobBackend, JobState, JobStatus } from '../job-status';
import type { RetryOptions } from '../retry';
import { Http, HttpError, httpCliError } from './http';
import type { KfpSettings } from './settings';

export interface KfpPipeline {
  pipeline_id: string;
  name?: string;
  display_name?: string;
}
export interface KfpVersion {
  pipeline_id: string;
  pipeline_version_id: string;
  name?: string;
  display_name?: string;
}
export interface KfpRun {
  run_id: string;
  display_name?: string;
  state?: string;
  error?: { code?: number; message?: string };
  created_at?: string;
}

const STATE: Record<string, JobState> = {
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  SKIPPED: 'SKIPPED',
  FAILED: 'FAILED',
  CANCELING: 'CANCELLING',
  CANCELED: 'CANCELLED',
  PAUSED: 'PAUSED',
};

/** A filter on one field, as v2beta1 list calls take it (a JSON-encoded Filter message). */
export function equalsFilter(key: string, value: string): string {
  return JSON.stringify({ predicates: [{ key, operation: 'EQUALS', string_value: value }] });
}

export interface KfpClientOptions extends KfpSettings {
  requestTimeoutMs?: number;
  retry?: RetryOptions;
}

export class KfpClient implements JobBackend {
  readonly target = 'kfp' as const;
  readonly http: Http;

  constructor(readonly settings: KfpClientOptions) {
    this.http = new Http({ baseUrl: settings.host, token: settings.token, requestTimeoutMs: settings.requestTimeoutMs, retry: settings.retry });
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw httpCliError(e, what);
    }
  }

  runUrl(runId: string): string {
    return `${this.settings.host}/#/runs/details/${runId}`;
  }

  status(run: KfpRun): JobStatus {
    const serviceState = run.state || 'RUNTIME_STATE_UNSPECIFIED';
    const s: JobStatus = { target: 'kfp', name: run.run_id, id: run.run_id, state: STATE[serviceState] ?? 'UNKNOWN', serviceState, url: this.runUrl(run.run_id) };
    if (run.display_name) s.displayName = run.display_name;
    if (run.error?.message) s.error = run.error.message;
    if (run.created_at) s.createTime = run.created_at;
    return s;
  }

  // ---------------------------------------------------------------- pipelines

  /** undefined when there is none of that name. */
  async pipelineByName(name: string): Promise<KfpPipeline | undefined> {
    try {
      return await this.http.request<KfpPipeline>('GET', `/apis/v2beta1/pipelines/names/${encodeURIComponent(name)}`, { query: { namespace: this.settings.namespace } });
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return undefined;
      throw httpCliError(e, `looking up pipeline '${name}'`);
    }
  }

  createPipeline(name: string, description?: string): Promise<KfpPipeline> {
    const pipeline: Record<string, string> = { name, display_name: name };
    if (description) pipeline.description = description;
    if (this.settings.namespace) pipeline.namespace = this.settings.namespace;
    return this.http.request<KfpPipeline>('POST', '/apis/v2beta1/pipelines', { json: pipeline });
  }

  async versionByName(pipelineId: string, name: string): Promise<KfpVersion | undefined> {
    const r = await this.call(`listing versions of pipeline ${pipelineId}`, () =>
      this.http.request<{ pipeline_versions?: KfpVersion[] }>('GET', `/apis/v2beta1/pipelines/${pipelineId}/versions`, { query: { filter: equalsFilter('display_name', name), page_size: 1 } }),
    );
    return r.pipeline_versions?.[0];
  }

  /** The multipart upload the KFP UI and SDK use (uploadfile=<spec>). */
  uploadVersion(pipelineId: string, name: string, specJson: string, description?: string): Promise<KfpVersion> {
    const form = new FormData();
    form.append('uploadfile', new Blob([specJson], { type: 'application/json' }), 'pipeline.json');
    return this.http.request<KfpVersion>('POST', '/apis/v2beta1/pipelines/upload_version', {
      query: { pipelineid: pipelineId, name, display_name: name, description },
      form,
    });
  }

  // ---------------------------------------------------------------- runs

  async runByName(displayName: string): Promise<KfpRun | undefined> {
    const r = await this.call(`looking for run '${displayName}'`, () =>
      this.http.request<{ runs?: KfpRun[] }>('GET', '/apis/v2beta1/runs', {
        query: { namespace: this.settings.namespace, filter: equalsFilter('display_name', displayName), page_size: 1, sort_by: 'created_at desc' },
      }),
    );
    return r.runs?.[0];
  }

  /** One attempt, not retried here: the caller looks for the run before trying again. */
  createRunOnce(run: Record<string, unknown>): Promise<KfpRun> {
    return this.http.request<KfpRun>('POST', '/apis/v2beta1/runs', { json: run, retry: false });
  }

  async get(runId: string): Promise<JobStatus> {
    const run = await this.call(`getting run ${runId}`, () => this.http.request<KfpRun>('GET', `/apis/v2beta1/runs/${encodeURIComponent(runId)}`));
    return this.status(run);
  }

  async cancel(runId: string): Promise<void> {
    await this.call(`terminating run ${runId}`, () => this.http.request('POST', `/apis/v2beta1/runs/${encodeURIComponent(runId)}:terminate`, { json: {} }));
  }

  async list(opts: { limit: number; filter?: string }): Promise<JobStatus[]> {
    const r = await this.call('listing runs', () =>
      this.http.request<{ runs?: KfpRun[] }>('GET', '/apis/v2beta1/runs', {
        query: { namespace: this.settings.namespace, page_size: Math.min(opts.limit, 200), sort_by: 'created_at desc', filter: opts.filter },
      }),
    );
    return (r.runs ?? []).map((x) => this.status(x));
  }

  async close(): Promise<void> {
    /* fetch keeps no state of ours to release */
  }
}
