/**
 * Copies every object under a gs:// prefix into a local folder through the Cloud Storage JSON
 * API: what a serving container does with AIP_STORAGE_URI (Vertex copies the model's artifacts
 * there; no bucket is mounted in a serving container). Listing is paged, each object is written
 * to a temporary file and renamed when complete, and transient failures are retried, so a folder
 * is never left holding half an object. STORAGE_EMULATOR_HOST (the variable Google's own clients
 * honour) points it at another server, without credentials.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HttpError, NetworkError, isTransientHttp, Http } from '../http';
import { withRetry, type RetryOptions } from '../retry';

export interface GcsOptions {
  /** Default: $STORAGE_EMULATOR_HOST, else https://storage.googleapis.com. */
  readonly baseUrl?: string;
  /** A bearer token; default none with an emulator, else Application Default Credentials. */
  readonly token?: string;
  readonly retry?: RetryOptions;
  readonly requestTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export function parseGsUri(uri: string): { bucket: string; prefix: string } {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,221}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) throw new GcsNotFoundError(`'${uri}' is not a gs:// URI: expected gs://BUCKET/PATH, e.g. gs://my-bucket/models/scam-classifier/3.`);
  return { bucket: m[1]!, prefix: m[2] ?? '' };
}

export function gcsBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const emulator = env.STORAGE_EMULATOR_HOST?.trim();
  if (!emulator) return 'https://storage.googleapis.com';
  return (/^https?:\/\//.test(emulator) ? emulator : `http://${emulator}`).replace(/\/+$/, '');
}

async function defaultToken(baseUrl: string): Promise<string | undefined> {
  if (baseUrl !== 'https://storage.googleapis.com') return undefined;
  const { resolveCredentials } = require('../vertex/credentials') as typeof import('../vertex/credentials');
  return (await resolveCredentials()).token;
}

interface Listing {
  items?: { name: string; size?: string }[];
  nextPageToken?: string;
}

/** A gs:// URI that names nothing to download (a bad URI, or no objects under it). */
export class GcsNotFoundError extends Error {
  override name = 'GcsNotFoundError';
}

/** What went wrong reaching the objects, in words that say what to check, and which kind of failure it was. */
export function describeGcsError(e: unknown, uri: string): { message: string; reason: 'auth' | 'not-found' | 'unavailable' } {
  if (e instanceof GcsNotFoundError) return { message: e.message, reason: 'not-found' };
  const err = (e as { last?: unknown }).last ?? e;
  if (err instanceof HttpError) {
    if (err.status === 401 || err.status === 403) return { message: `Cloud Storage refused to read ${uri} (HTTP ${err.status}): the service account needs storage.objects.list and storage.objects.get on the bucket.`, reason: 'auth' };
    if (err.status === 404) return { message: `${uri}: the bucket does not exist (HTTP 404).`, reason: 'not-found' };
  }
  return { message: `could not read ${uri}: ${(err as Error)?.message ?? String(err)}`, reason: 'unavailable' };
}

/**
 * Downloads gs://BUCKET/PREFIX/** into `dir` (created), keeping the paths below the prefix.
 * Returns how many files and bytes came; an empty prefix is an error.
 */
export async function downloadPrefix(uri: string, dir: string, opts: GcsOptions = {}): Promise<{ files: number; bytes: number }> {
  const { bucket, prefix: rawPrefix } = parseGsUri(uri);
  const prefix = rawPrefix && !rawPrefix.endsWith('/') ? `${rawPrefix}/` : rawPrefix;
  const baseUrl = opts.baseUrl ?? gcsBaseUrl();
  const token = opts.token ?? (await defaultToken(baseUrl));
  const http = new Http({ baseUrl, token, requestTimeoutMs: opts.requestTimeoutMs, retry: opts.retry });
  const objects: { name: string; size: number }[] = [];
  let pageToken: string | undefined;
  do {
    const page = await http.request<Listing>('GET', `/storage/v1/b/${encodeURIComponent(bucket)}/o`, { query: { prefix, pageToken } });
    for (const o of page.items ?? []) if (!o.name.endsWith('/')) objects.push({ name: o.name, size: Number(o.size ?? 0) });
    pageToken = page.nextPageToken;
  } while (pageToken);
  if (!objects.length) throw new GcsNotFoundError(`there are no objects under ${uri}; check the path (Vertex sets AIP_STORAGE_URI to the copy of the model's artifactUri).`);
  fs.mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (const o of objects) {
    const rel = o.name.slice(prefix.length);
    const target = path.resolve(dir, rel);
    if (!target.startsWith(path.resolve(dir) + path.sep)) throw new Error(`object gs://${bucket}/${o.name} would land outside ${dir}; refusing it.`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const url = http.url(`/download/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(o.name)}`, { alt: 'media' });
    bytes += await withRetry(() => downloadTo(url, target, token, opts.requestTimeoutMs ?? 120_000), isTransientHttp, opts.retry);
    opts.log?.(`downloaded gs://${bucket}/${o.name}`);
  }
  return { files: objects.length, bytes };
}

/** One object into `target`, through a temporary file renamed when complete. */
async function downloadTo(url: string, target: string, token: string | undefined, timeoutMs: number): Promise<number> {
  let res: Response;
  try {
    res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    throw new NetworkError(`GET ${url}: ${err.name === 'TimeoutError' ? `no answer within ${Math.round(timeoutMs / 1000)}s` : (err.cause?.code ?? err.message)}`);
  }
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => '');
    throw new HttpError(res.status, text, `GET ${url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  }
  const tmp = `${target}.part-${process.pid}`;
  try {
    await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream), fs.createWriteStream(tmp));
    const size = fs.statSync(tmp).size;
    fs.renameSync(tmp, target);
    return size;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    // A connection cut mid-body is worth another try.
    throw e instanceof HttpError ? e : new NetworkError(`GET ${url}: ${(e as Error).message}`);
  }
}
