/**
 * Retries of calls to a cloud API. Only failures that say "try again" (unavailable, rate limited,
 * server errors, our own request timeout) are retried; the caller decides which those are, so a
 * bad request or a permission error fails at once.
 */

export interface RetryOptions {
  /** Attempts in all, the first included (default 6). */
  attempts?: number;
  /** First backoff (default 500 ms); doubles each time, with full jitter. */
  baseMs?: number;
  /** Longest single backoff (default 20 s). */
  maxMs?: number;
  /** Told before each wait, e.g. to print "retrying in 2s". */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Stops waiting between attempts. */
  signal?: AbortSignal;
  /** For tests of the policy itself. */
  random?: () => number;
}

export const DEFAULT_RETRY: Required<Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs'>> = { attempts: 6, baseMs: 500, maxMs: 20_000 };

/** The error after the last attempt, marked so callers can say "kept failing after N attempts". */
export class RetriesExhausted extends Error {
  override name = 'RetriesExhausted';
  constructor(
    readonly last: unknown,
    readonly attempts: number,
  ) {
    super(`${(last as Error)?.message ?? String(last)} (after ${attempts} attempts)`);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const t = setTimeout(done, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function withRetry<T>(call: (attempt: number) => Promise<T>, isTransient: (err: unknown) => boolean, opts: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? DEFAULT_RETRY.attempts);
  const base = opts.baseMs ?? DEFAULT_RETRY.baseMs;
  const max = opts.maxMs ?? DEFAULT_RETRY.maxMs;
  const random = opts.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (e) {
      if (!isTransient(e)) throw e;
      if (attempt >= attempts) throw new RetriesExhausted(e, attempt);
      // Jitter spreads the retries of many clients that hit the same outage.
      const cap = Math.min(max, base * 2 ** (attempt - 1));
      const delay = Math.round(cap / 2 + (random() * cap) / 2);
      opts.onRetry?.(e, attempt, delay);
      await sleep(delay, opts.signal);
    }
  }
}
