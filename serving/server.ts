/**
 * The HTTP server of a Vertex AI custom serving container (and of `duckml serve` on a laptop):
 * GET the health route answers 200 once the model is loaded; POST the predict route takes
 * {"instances": [...], "parameters"?: {...}} and answers {"predictions": [...]}, one per instance,
 * in order. Routes and port come from AIP_HEALTH_ROUTE, AIP_PREDICT_ROUTE and AIP_HTTP_PORT as
 * Vertex sets them. Request mistakes are 4xx with a message that says what to send instead.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InstanceError, type Predictor } from './predictor';

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly healthRoute: string;
  readonly predictRoute: string;
  /** Largest request body accepted (default 10 MiB). */
  readonly maxBodyBytes?: number;
  /** Server-side failures (answered 500); request mistakes are the caller's to read. */
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  /** Stops taking connections and waits for the requests in flight. */
  close(): Promise<void>;
}

/** Routes from Vertex's variables (defaults as Vertex documents them for custom containers). */
export function routesFromEnv(env: NodeJS.ProcessEnv = process.env): { port: number; healthRoute: string; predictRoute: string } {
  const port = env.AIP_HTTP_PORT ? Number(env.AIP_HTTP_PORT) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`AIP_HTTP_PORT '${env.AIP_HTTP_PORT}' is not a port number (0–65535).`);
  const route = (v: string | undefined, dflt: string) => (v && v.trim() ? (v.startsWith('/') ? v : `/${v}`) : dflt);
  return { port, healthRoute: route(env.AIP_HEALTH_ROUTE, '/health'), predictRoute: route(env.AIP_PREDICT_ROUTE, '/predict') };
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // A body refused half-way may still be arriving: answer, then close the connection.
  const close = status === 413 ? { connection: 'close' } : {};
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...close });
  res.end(text);
}

function readBody(req: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) return reject(new RequestError(413, `the request body is ${declared} bytes; at most ${max} are accepted. Send fewer instances per request.`));
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (b: Buffer) => {
      size += b.length;
      if (size > max) {
        // Stop keeping it; the answer says why and closes the connection (see send's callers).
        req.off('data', onData);
        req.resume();
        reject(new RequestError(413, `the request body is over ${max} bytes; send fewer instances per request.`));
        return;
      }
      parts.push(b);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export function startServer(predictor: Predictor, opts: ServerOptions): Promise<RunningServer> {
  const max = opts.maxBodyBytes ?? 10 * 1024 * 1024;
  const log = opts.log ?? (() => undefined);
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const route = (req.url ?? '/').split('?')[0];
    if (route === opts.healthRoute) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new RequestError(405, `${opts.healthRoute} takes GET.`);
      return send(res, 200, { status: 'ok', ...predictor.info });
    }
    if (route !== opts.predictRoute) throw new RequestError(404, `no route ${route}: POST ${opts.predictRoute} with {"instances": [...]}, GET ${opts.healthRoute}.`);
    if (req.method !== 'POST') throw new RequestError(405, `${opts.predictRoute} takes POST with {"instances": [...]}.`);
    const text = await readBody(req, max);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new RequestError(400, `the request body is not JSON (${(e as Error).message}); send {"instances": [...]}.`);
    }
    if (body === null || typeof body !== 'object' || !('instances' in body)) throw new RequestError(400, 'the request body needs an "instances" array: {"instances": [{...}, ...]}.');
    const predictions = await predictor.predict((body as { instances: unknown }).instances);
    send(res, 200, { predictions, model: predictor.info.model });
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (res.headersSent) return res.destroy();
      if (e instanceof RequestError) return send(res, e.status, { error: e.message });
      if (e instanceof InstanceError) return send(res, 400, { error: e.message });
      log(`error: ${(e as Error)?.stack ?? e}`);
      send(res, 500, { error: `prediction failed: ${(e as Error)?.message ?? e}` });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${host}:${a.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
