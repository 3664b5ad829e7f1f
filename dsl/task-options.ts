/** Per-task settings (KFP's `.set_*` methods), given once as the third argument of `scope.task`. */
export interface RetryOptions {
  /** Retries after the first failure. */
  maxRetryCount: number;
  /** Wait before the first retry: seconds, or a duration such as '30s', '5m', '1h'. Default 0s. */
  backoffDuration?: number | string;
  /** Multiplier applied to the wait after each retry. Default 2. */
  backoffFactor?: number;
  /** Upper bound of the wait between retries. Default (and maximum) 3600s. */
  backoffMaxDuration?: number | string;
}

export interface TaskOptions {
  /** Name shown in the UI (taskInfo.name); the task key stays derived from the component. */
  displayName?: string;
  /** Reuse an earlier identical execution. Default true. */
  caching?: boolean;
  /** Extra key that partitions the cache. */
  cacheKey?: string;
  retry?: RetryOptions;
  /** Kubernetes-style quantities: '500m', '2' for CPU; '512Mi', '4G' for memory. */
  cpuRequest?: string;
  cpuLimit?: string;
  memoryRequest?: string;
  memoryLimit?: string;
  /** e.g. { type: 'NVIDIA_TESLA_T4', count: 1 } on Vertex, { type: 'nvidia.com/gpu' } on KFP. */
  accelerator?: { type: string; count?: number };
  env?: Readonly<Record<string, string>>;
  /** Run after these tasks (or exit-handler groups) even without a data dependency. */
  after?: readonly { readonly name: string }[];
  /** Run even when an upstream task failed (KFP `.ignore_upstream_failure()`). */
  ignoreUpstreamFailure?: boolean;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds in a duration given as a number of seconds or a string like '90s', '5m'. */
export function durationSeconds(value: number | string, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error(`${what}: ${value} is not a non-negative number of seconds.`);
    return value;
  }
  const m = DURATION.exec(value.trim());
  if (!m) throw new Error(`${what}: '${value}' is not a duration. Use seconds (30) or a string such as '30s', '5m', '1h'.`);
  return Number(m[1]) * UNIT_SECONDS[m[2] ?? 's']!;
}
