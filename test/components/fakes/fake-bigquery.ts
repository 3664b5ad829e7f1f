/**
 * A fake BigQuery REST server on 127.0.0.1 (node:http) for the bq:// extraction path: it speaks
 * the parts of BigQuery v2 the client uses (jobs.insert, jobs.getQueryResults with paging and
 * long-running jobs; datasets.get, multipart load-job uploads and jobs.get for loads), records
 * every request, and can fail or be slow on demand.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeField {
  name: string;
  type: string;
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
}

/** The result a job produces: a schema and rows of REST-encoded cell values. */
export interface FakeResult {
  schema: FakeField[];
  rows: (string | null)[][];
}

export interface FakeFailure {
  status: number;
  reason: string;
  message: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body?: any;
}

export interface FakeBigQueryOptions {
  /** What a job returns (default: no rows). */
  result?: (config: any) => FakeResult | FakeFailure;
  /** Fail jobs.insert itself (e.g. a syntax error BigQuery rejects up front). */
  insertFailure?: FakeFailure;
  /** getQueryResults answers jobComplete: false this many times before the result. */
  pendingPolls?: number;
  /** Datasets that exist, by id, with their location (datasets.get answers 404 for others). */
  datasets?: Record<string, { location: string }>;
  /** What a load job ends with, given its configuration and the uploaded bytes (default: 0 rows). */
  loadResult?: (config: any, payload: Buffer) => { outputRows: number } | FakeFailure;
  /** jobs.get answers RUNNING this many times before a load job is DONE. */
  loadPolls?: number;
}

/** A multipart upload as received: the job resource, then the file's bytes. */
export interface FakeUpload {
  metadata: any;
  payload: Buffer;
}

/** Splits a multipart/related body into its parts (headers dropped), bytes intact. */
function multipartParts(body: Buffer, contentType: string): Buffer[] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new Error(`fake BigQuery: no multipart boundary in '${contentType}'`);
  const delim = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let at = body.indexOf(delim);
  while (at >= 0) {
    const start = at + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    const part = body.subarray(start, next < 0 ? body.length : next);
    const headerEnd = part.indexOf('\r\n\r\n');
    // Content between the blank line and the CRLF before the next delimiter.
    parts.push(part.subarray(headerEnd + 4, part.length - 2));
    at = next;
  }
  return parts;
}

export interface FakeBigQuery {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The jobs.insert bodies. */
  inserts(): any[];
  /** The getQueryResults calls. */
  resultCalls(): RecordedRequest[];
  /** The load-job uploads. */
  uploads(): FakeUpload[];
  close(): Promise<void>;
}

function isFailure<T extends object>(r: T | FakeFailure): r is FakeFailure {
  return (r as FakeFailure).status !== undefined;
}

function sendError(res: http.ServerResponse, f: FakeFailure): void {
  res.writeHead(f.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: f.status, message: f.message, errors: [{ reason: f.reason, message: f.message, domain: 'global' }], status: 'INVALID_ARGUMENT' } }));
}

export async function startFakeBigQuery(opts: FakeBigQueryOptions = {}): Promise<FakeBigQuery> {
  const requests: RecordedRequest[] = [];
  const jobs = new Map<string, { project: string; location: string; config: any; polls: number; payload?: Buffer }>();
  const uploads: FakeUpload[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const raw = Buffer.concat(chunks);
      const json = String(req.headers['content-type'] ?? 'application/json').includes('json');
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: raw.length && json ? JSON.parse(raw.toString('utf8')) : undefined,
      };
      requests.push(rec);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      let m = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(url.pathname);
      if (m && req.method === 'POST') {
        if (opts.insertFailure) return sendError(res, opts.insertFailure);
        const project = decodeURIComponent(m[1]!);
        const ref = rec.body.jobReference ?? {};
        const location = ref.location ?? 'US';
        jobs.set(ref.jobId, { project, location, config: rec.body.configuration, polls: 0 });
        return send(200, {
          kind: 'bigquery#job',
          id: `${project}:${location}.${ref.jobId}`,
          selfLink: `${base}/bigquery/v2/projects/${project}/jobs/${ref.jobId}?location=${location}`,
          jobReference: { projectId: project, jobId: ref.jobId, location },
          configuration: rec.body.configuration,
          status: { state: 'RUNNING' },
        });
      }
      m = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(url.pathname);
      if (m && req.method === 'GET') {
        const job = jobs.get(decodeURIComponent(m[2]!));
        if (!job) return sendError(res, { status: 404, reason: 'notFound', message: `Not found: Job ${m[2]}` });
        const jobReference = { projectId: job.project, jobId: m[2], location: job.location };
        if (job.polls++ < (opts.pendingPolls ?? 0)) return send(200, { kind: 'bigquery#getQueryResultsResponse', jobReference, jobComplete: false });
        const result = opts.result?.(job.config) ?? { schema: [{ name: 'x', type: 'INTEGER' }], rows: [] };
        if (isFailure(result)) return sendError(res, result);
        const start = Number(url.searchParams.get('pageToken') ?? 0);
        const size = Number(url.searchParams.get('maxResults') ?? 100_000);
        const page = result.rows.slice(start, start + size);
        const more = start + size < result.rows.length;
        return send(200, {
          kind: 'bigquery#getQueryResultsResponse',
          jobReference,
          schema: { fields: result.schema.map((f) => ({ mode: 'NULLABLE', ...f })) },
          totalRows: String(result.rows.length),
          ...(page.length ? { rows: page.map((r) => ({ f: r.map((v) => ({ v })) })) } : {}),
          ...(more ? { pageToken: String(start + size) } : {}),
          jobComplete: true,
          cacheHit: false,
        });
      }
      m = /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)$/.exec(url.pathname);
      if (m && req.method === 'GET') {
        const project = decodeURIComponent(m[1]!);
        const id = decodeURIComponent(m[2]!);
        const ds = opts.datasets?.[id];
        if (!ds) return sendError(res, { status: 404, reason: 'notFound', message: `Not found: Dataset ${project}:${id}` });
        return send(200, { kind: 'bigquery#dataset', id: `${project}:${id}`, datasetReference: { projectId: project, datasetId: id }, location: ds.location });
      }
      m = /^\/upload\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(url.pathname);
      if (m && req.method === 'POST') {
        const project = decodeURIComponent(m[1]!);
        const [meta, payload] = multipartParts(raw, String(req.headers['content-type']));
        const metadata = JSON.parse(meta!.toString('utf8'));
        uploads.push({ metadata, payload: payload! });
        const ref = metadata.jobReference ?? {};
        const location = ref.location ?? 'US';
        if (jobs.has(ref.jobId)) return sendError(res, { status: 409, reason: 'duplicate', message: `Already Exists: Job ${project}:${location}.${ref.jobId}` });
        jobs.set(ref.jobId, { project, location, config: metadata.configuration, polls: 0, payload });
        return send(200, { kind: 'bigquery#job', id: `${project}:${location}.${ref.jobId}`, jobReference: { projectId: project, jobId: ref.jobId, location }, configuration: metadata.configuration, status: { state: 'RUNNING' } });
      }
      m = /^\/bigquery\/v2\/projects\/([^/]+)\/jobs\/([^/]+)$/.exec(url.pathname);
      if (m && req.method === 'GET') {
        const job = jobs.get(decodeURIComponent(m[2]!));
        if (!job) return sendError(res, { status: 404, reason: 'notFound', message: `Not found: Job ${m[2]}` });
        const resource = { kind: 'bigquery#job', id: `${job.project}:${job.location}.${m[2]}`, jobReference: { projectId: job.project, jobId: m[2], location: job.location }, configuration: job.config };
        if (job.polls++ < (opts.loadPolls ?? 0)) return send(200, { ...resource, status: { state: 'RUNNING' } });
        const result = opts.loadResult?.(job.config, job.payload ?? Buffer.alloc(0)) ?? { outputRows: 0 };
        if (isFailure(result)) {
          const err = { reason: result.reason, message: result.message };
          return send(200, { ...resource, status: { state: 'DONE', errorResult: err, errors: [err] } });
        }
        return send(200, { ...resource, status: { state: 'DONE' }, statistics: { load: { outputRows: String(result.outputRows) } } });
      }
      sendError(res, { status: 404, reason: 'notFound', message: `fake BigQuery: no route for ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    inserts: () => requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs')).map((r) => r.body),
    resultCalls: () => requests.filter((r) => r.path.includes('/queries/')),
    uploads: () => uploads,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
