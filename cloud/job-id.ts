/**
 * Job ids. Vertex takes the id from the client ([a-z][-a-z0-9]{0,127}), which is what makes a
 * submit idempotent: a retried create with the same id meets the job the first one made.
 * Under Airflow the id comes from the task instance, so an Airflow retry of the same task run
 * finds its job instead of starting a second one.
 */
import { createHash } from 'node:crypto';

export const JOB_ID_RE = /^[a-z][-a-z0-9]{0,127}$/;
const MAX = 128;

/** Lower case, runs of other characters → '-', no leading/trailing '-' (as the Vertex SDK does). */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^-a-z0-9]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function checkJobId(id: string): string | undefined {
  if (JOB_ID_RE.test(id)) return undefined;
  return `job id '${id}' is not valid for Vertex AI: it must start with a lower-case letter and contain only a-z, 0-9 and '-', 128 characters at most (e.g. ${slug(id).replace(/^[^a-z]+/, '') || 'my-run-1'}).`;
}

/** Fits `base` into the id alphabet and length; a hash of the unsquashed input keeps distinct inputs distinct. */
function fit(base: string, exact: string, withHash: boolean): string {
  let s = slug(base);
  if (!/^[a-z]/.test(s)) s = `run-${s}`.replace(/-$/, '');
  const hash = createHash('sha256').update(exact).digest('hex').slice(0, 8);
  const room = withHash ? MAX - hash.length - 1 : MAX;
  s = s.slice(0, room).replace(/-+$/, '');
  return withHash ? `${s}-${hash}` : s;
}

export interface AirflowContext {
  dagId: string;
  taskId: string;
  runId: string;
}

export function airflowContext(env: NodeJS.ProcessEnv = process.env): AirflowContext | undefined {
  const dagId = env.AIRFLOW_CTX_DAG_ID;
  const taskId = env.AIRFLOW_CTX_TASK_ID;
  const runId = env.AIRFLOW_CTX_DAG_RUN_ID;
  return dagId && taskId && runId ? { dagId, taskId, runId } : undefined;
}

/** `20240131235959` in UTC, the timestamp format of the KFP and Vertex SDKs' default job ids. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * The id for a new job: deterministic under Airflow (dag, task, run id: the same for every try of a
 * task run), otherwise the pipeline name and the time, as the Vertex SDK names jobs.
 */
export function deriveJobId(pipelineName: string, opts: { env?: NodeJS.ProcessEnv; now?: Date } = {}): string {
  const af = airflowContext(opts.env ?? process.env);
  if (af) return fit(`${af.dagId}-${af.taskId}-${af.runId}`, `${af.dagId}\0${af.taskId}\0${af.runId}`, true);
  const ts = timestamp(opts.now ?? new Date());
  return `${fit(pipelineName || 'pipeline', pipelineName, false).slice(0, MAX - ts.length - 1).replace(/-+$/, '')}-${ts}`;
}
