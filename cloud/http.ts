/**
 * JSON over HTTP for the cloud clients (KFP's REST API, Cloud Storage): a request deadline,
 * retries of transient failures (connection refused/reset, our deadline, 429, 5xx but 501), and
 * errors that say what failed with the server's own message.
 */
import { withRetry, type RetryOptions } from './retry';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly body: string,
    message: string,
  ) {
    super(message);
  }
}

/** Our own deadline or a network failure: the request may or may not have been done. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

export function isTransientHttp(e: unknown): boolean {
  if (e instanceof NetworkError) return true;
  return e instanceof HttpError && (e.status === 429 || (e.status >= 500 && e.status !== 501));
}

export interface HttpOptions {
  baseUrl: string;
  token?: string;
  requestTimeoutMs?: number;
  retry?: RetryOptions;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: FormData;
  /** false for creates whose retry the caller handles (to look for what the lost answer made). */
  retry?: boolean;
}

function serverMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: string; error?: string; error_message?: string };
    return j.message || j.error || j.error_message || text;
  } catch {
    return text.trim().slice(0, 500);
  }
}

export class Http {
  constructor(readonly opts: HttpOptions) {}

  url(path: string, query?: RequestOptions['query']): string {
    const u = new URL(`${this.opts.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u.toString();
  }

  async once<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let body: string | FormData | undefined;
    if (o.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.json);
    } else if (o.form) {
      body = o.form;
    }
    let res: Response;
    try {
      res = await fetch(this.url(path, o.query), { method, headers, body, signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 60_000) });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.name === 'TimeoutError' ? `no answer within ${Math.round((this.opts.requestTimeoutMs ?? 60_000) / 1000)}s` : err.cause?.code ?? err.cause?.message ?? err.message;
      throw new NetworkError(`${method} ${path}: ${why}`);
    }
    const text = await res.text();
    if (!res.ok) throw new HttpError(res.status, text, `${method} ${path}: HTTP ${res.status}: ${serverMessage(text)}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    if (o.retry === false) return this.once<T>(method, path, o);
    return withRetry(() => this.once<T>(method, path, o), isTransientHttp, this.opts.retry);
  }
}
