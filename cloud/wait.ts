/**
 * `--wait`: polls a job until it ends, with backoff, telling each state change. Stops early on
 * the timeout or when the signal aborts (SIGTERM/SIGINT); the caller decides what to do then.
 */
import { formatDuration } from './duration';
import { TERMINAL, type JobBackend, type JobStatus } from './job-status';
import { sleep } from './retry';

export interface WaitOptions {
  /** Give up after this long (default: never). */
  timeoutMs?: number;
  /** First poll interval (default 5 s); grows ×1.5 while nothing changes, up to 60 s. */
  pollMs?: number;
  signal?: AbortSignal;
  onChange?: (status: JobStatus, elapsedMs: number) => void;
  /** The status already known (e.g. from the create call), so its state is not told twice. */
  initial?: JobStatus;
}

export type WaitOutcome = { kind: 'done'; status: JobStatus } | { kind: 'timeout'; status: JobStatus } | { kind: 'interrupted'; status: JobStatus };

export async function waitForJob(backend: JobBackend, id: string, opts: WaitOptions = {}): Promise<WaitOutcome> {
  const start = Date.now();
  const first = opts.pollMs ?? 5000;
  const cap = Math.max(first, Math.min(60_000, first * 12));
  let interval = first;
  let last = opts.initial;
  const deadline = opts.timeoutMs === undefined ? Infinity : start + opts.timeoutMs;
  for (;;) {
    if (opts.signal?.aborted) return { kind: 'interrupted', status: last ?? (await backend.get(id)) };
    let status: JobStatus;
    try {
      status = await backend.get(id, opts.signal);
    } catch (e) {
      if (opts.signal?.aborted && last) return { kind: 'interrupted', status: last };
      throw e;
    }
    if (status.state !== last?.state) {
      opts.onChange?.(status, Date.now() - start);
      interval = first;
    } else {
      interval = Math.min(cap, Math.round(interval * 1.5));
    }
    last = status;
    if (TERMINAL.has(status.state)) return { kind: 'done', status };
    const left = deadline - Date.now();
    if (left <= 0) return { kind: 'timeout', status };
    try {
      await sleep(Math.min(interval, left), opts.signal);
    } catch {
      return { kind: 'interrupted', status };
    }
  }
}

export function describeChange(s: JobStatus, elapsedMs: number): string {
  return `${s.id}: ${s.state}${s.serviceState && s.serviceState !== s.state ? ` (${s.serviceState})` : ''} after ${formatDuration(elapsedMs)}${s.error ? ` — ${s.error}` : ''}`;
}
