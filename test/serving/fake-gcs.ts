/**
 * A fake Cloud Storage JSON API on 127.0.0.1 (real HTTP), for the serving tests: object listing
 * (paged, two per page, so clients must follow nextPageToken) and media downloads, every request
 * recorded, and failures on demand (the next N requests answer a given status).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGcs {
  readonly host: string;
  readonly requests: { method: string; url: string; authorization?: string }[];
  put(bucket: string, name: string, body: Buffer | string): void;
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

const PAGE = 2;

export async function startFakeGcs(): Promise<FakeGcs> {
  const buckets = new Map<string, Map<string, Buffer>>();
  const requests: FakeGcs['requests'] = [];
  let failures = 0;
  let failStatus = 503;
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (failures > 0) {
      failures--;
      return send(failStatus, { error: { code: failStatus, message: 'injected failure' } });
    }
    const u = new URL(req.url!, 'http://x');
    const list = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(u.pathname);
    const media = /^\/download\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(u.pathname);
    const bucket = buckets.get(decodeURIComponent((list ?? media)?.[1] ?? ''));
    if ((list || media) && !bucket) return send(404, { error: { code: 404, message: 'The specified bucket does not exist.' } });
    if (list) {
      const prefix = u.searchParams.get('prefix') ?? '';
      const names = [...bucket!.keys()].filter((n) => n.startsWith(prefix)).sort();
      const start = Number(u.searchParams.get('pageToken') ?? 0);
      const page = names.slice(start, start + PAGE);
      return send(200, {
        kind: 'storage#objects',
        items: page.length ? page.map((name) => ({ name, size: String(bucket!.get(name)!.length) })) : undefined,
        nextPageToken: start + PAGE < names.length ? String(start + PAGE) : undefined,
      });
    }
    if (media && u.searchParams.get('alt') === 'media') {
      const body = bucket!.get(decodeURIComponent(media[2]!));
      if (!body) return send(404, { error: { code: 404, message: 'No such object.' } });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      return res.end(body);
    }
    send(400, { error: { code: 400, message: `fake GCS does not know ${req.method} ${req.url}` } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${a.port}`,
    requests,
    put(bucket, name, body) {
      if (!buckets.has(bucket)) buckets.set(bucket, new Map());
      buckets.get(bucket)!.set(name, Buffer.isBuffer(body) ? body : Buffer.from(body));
    },
    failNext(count, status) {
      failures = count;
      failStatus = status;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
