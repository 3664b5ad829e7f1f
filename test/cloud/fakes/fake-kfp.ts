/**
 * A fake Kubeflow Pipelines API server (v2beta1 REST, snake_case JSON as the real one answers)
 * on 127.0.0.1: pipelines, versions uploaded as multipart, runs that step through scripted
 * states. It records every request and can fail or delay the next calls of a route.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface KfpRecorded {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, or for multipart uploads { file: <text>, filename }. */
  body?: any;
  authorization?: string;
}

type Fault = { status: number } | { delayMs: number };

interface Run {
  run: any;
  script: string[];
  step: number;
}

function parseMultipart(raw: Buffer, contentType: string): { file: string; filename?: string } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) throw new Error('multipart without boundary');
  const parts = raw.toString('utf8').split(`--${boundary[1] ?? boundary[2]}`);
  for (const part of parts) {
    const [head, ...rest] = part.split('\r\n\r\n');
    if (!head || !/name="uploadfile"/.test(head)) continue;
    return { file: rest.join('\r\n\r\n').replace(/\r\n$/, ''), filename: /filename="([^"]+)"/.exec(head)?.[1] };
  }
  throw new Error('no uploadfile part');
}

export class FakeKfp {
  readonly calls: KfpRecorded[] = [];
  readonly pipelines = new Map<string, any>();
  readonly versions = new Map<string, any>();
  readonly runs = new Map<string, Run>();
  script: string[] = ['PENDING', 'RUNNING', 'SUCCEEDED'];
  private readonly faults = new Map<string, Fault[]>();
  private server?: http.Server;
  private seq = 0;
  url = '';

  /** Routes: createPipeline, uploadVersion, createRun, getRun, listRuns, terminateRun, ... */
  fail(route: string, fault: Fault, n = 1): void {
    const q = this.faults.get(route) ?? [];
    for (let i = 0; i < n; i++) q.push(fault);
    this.faults.set(route, q);
  }

  callsOf(route: string): KfpRecorded[] {
    return this.calls.filter((c) => this.route(c.method, c.path)?.[0] === route);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => {
      this.server?.closeAllConnections();
      this.server?.close(() => r());
    });
  }

  private route(method: string, path: string): [string, ...string[]] | undefined {
    const table: [string, string, RegExp][] = [
      ['GET', 'pipelineByName', /^\/apis\/v2beta1\/pipelines\/names\/([^/]+)$/],
      ['POST', 'createPipeline', /^\/apis\/v2beta1\/pipelines$/],
      ['POST', 'uploadVersion', /^\/apis\/v2beta1\/pipelines\/upload_version$/],
      ['GET', 'listVersions', /^\/apis\/v2beta1\/pipelines\/([^/]+)\/versions$/],
      ['POST', 'createRun', /^\/apis\/v2beta1\/runs$/],
      ['GET', 'listRuns', /^\/apis\/v2beta1\/runs$/],
      ['GET', 'getRun', /^\/apis\/v2beta1\/runs\/([^/:]+)$/],
      ['POST', 'terminateRun', /^\/apis\/v2beta1\/runs\/([^/:]+):terminate$/],
    ];
    for (const [m, name, re] of table) {
      const hit = m === method ? re.exec(path) : null;
      if (hit) return [name, ...hit.slice(1).map(decodeURIComponent)];
    }
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const u = new URL(req.url!, this.url);
    const ct = req.headers['content-type'] ?? '';
    const body = !raw.length ? undefined : ct.startsWith('multipart/') ? parseMultipart(raw, ct) : JSON.parse(raw.toString('utf8'));
    this.calls.push({ method: req.method!, path: u.pathname, query: Object.fromEntries(u.searchParams), body, authorization: req.headers.authorization });
    const send = (status: number, obj: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const r = this.route(req.method!, u.pathname);
    if (!r) return send(404, { error: `no route ${req.method} ${u.pathname}`, code: 5 });
    const [name, ...args] = r;
    const fault = this.faults.get(name)?.shift();
    if (fault && 'status' in fault) return send(fault.status, { error: `injected ${fault.status}`, code: 14, message: `injected ${fault.status}` });
    let result: [number, unknown];
    try {
      result = this.answer(name, args, u.searchParams, body);
    } catch (e) {
      result = [500, { error: String(e) }];
    }
    if (fault && 'delayMs' in fault) setTimeout(() => send(...result), fault.delayMs).unref();
    else send(...result);
  }

  private filterValue(q: URLSearchParams): string | undefined {
    const f = q.get('filter');
    if (!f) return undefined;
    const p = (JSON.parse(f) as { predicates: { key: string; operation: string; string_value: string }[] }).predicates[0]!;
    if (p.key !== 'display_name' || p.operation !== 'EQUALS') throw new Error(`filter not supported by the fake: ${f}`);
    return p.string_value;
  }

  private answer(name: string, args: string[], q: URLSearchParams, body: any): [number, unknown] {
    switch (name) {
      case 'pipelineByName': {
        const p = [...this.pipelines.values()].find((x) => x.name === args[0]);
        return p ? [200, p] : [404, { error: `pipeline ${args[0]} not found`, code: 5, message: `pipeline ${args[0]} not found` }];
      }
      case 'createPipeline': {
        if ([...this.pipelines.values()].some((x) => x.name === body.name)) return [409, { error: 'exists', code: 6 }];
        const p = { ...body, pipeline_id: `pl-${++this.seq}`, created_at: '2024-05-01T00:00:00Z' };
        this.pipelines.set(p.pipeline_id, p);
        return [200, p];
      }
      case 'uploadVersion': {
        const pid = q.get('pipelineid')!;
        if (!this.pipelines.has(pid)) return [404, { error: 'no pipeline' }];
        const vname = q.get('name')!;
        if ([...this.versions.values()].some((v) => v.pipeline_id === pid && v.name === vname)) return [409, { error: 'version exists', code: 6 }];
        const v = { pipeline_id: pid, pipeline_version_id: `pv-${++this.seq}`, name: vname, display_name: q.get('display_name') || vname, pipeline_spec: JSON.parse(body.file) };
        this.versions.set(v.pipeline_version_id, v);
        return [200, v];
      }
      case 'listVersions': {
        const want = this.filterValue(q);
        const vs = [...this.versions.values()].filter((v) => v.pipeline_id === args[0] && (want === undefined || v.display_name === want));
        return [200, vs.length ? { pipeline_versions: vs, total_size: vs.length } : {}];
      }
      case 'createRun': {
        const run = { ...body, run_id: `run-${++this.seq}`, state: this.script[0], created_at: '2024-05-01T00:00:00Z' };
        this.runs.set(run.run_id, { run, script: [...this.script], step: 0 });
        return [200, run];
      }
      case 'listRuns': {
        const want = this.filterValue(q);
        const rs = [...this.runs.values()].map((x) => x.run).filter((x) => want === undefined || x.display_name === want).reverse();
        return [200, rs.length ? { runs: rs.slice(0, Number(q.get('page_size') || 100)), total_size: rs.length } : {}];
      }
      case 'getRun': {
        const r = this.runs.get(args[0]!);
        if (!r) return [404, { error: `run ${args[0]} not found`, code: 5 }];
        if (r.step < r.script.length - 1) r.run.state = r.script[++r.step];
        if (r.run.state === 'FAILED') r.run.error = { code: 2, message: 'task train failed' };
        return [200, r.run];
      }
      case 'terminateRun': {
        const r = this.runs.get(args[0]!);
        if (!r) return [404, { error: 'no run' }];
        r.run.state = 'CANCELING';
        r.script = ['CANCELING', 'CANCELED'];
        r.step = 0;
        return [200, {}];
      }
    }
    return [500, { error: 'unhandled' }];
  }
}
