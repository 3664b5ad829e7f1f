/**
 * A fake Vertex AI API: a real gRPC server on 127.0.0.1 built from the protos shipped in
 * @google-cloud/aiplatform, so the production client talks to it unchanged. It records every
 * request (decoded, without defaults, as the client encoded it) and can misbehave on demand:
 * fail the next calls of a method with a status code, or answer late.
 */
import * as path from 'node:path';

// The same @grpc/grpc-js the client uses (google-gax re-exports it) and its proto loader.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpc = require('google-gax').grpc as typeof import('@grpc/grpc-js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protoLoader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');

const PROTOS = path.dirname(require.resolve('@google-cloud/aiplatform/build/protos/protos.json'));
const GAX_PROTOS = path.resolve(path.dirname(require.resolve('google-gax')), '..', 'protos');

export const STATUS = grpc.status;

export interface Recorded {
  method: string;
  request: any;
  authorization?: string;
}

type Fault = { code: number; message?: string } | { delayMs: number };

interface Job {
  raw: any;
  script: string[];
  step: number;
}

let definition: any;
function services(): any {
  definition ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(['google/cloud/aiplatform/v1/pipeline_service.proto', 'google/cloud/aiplatform/v1/schedule_service.proto'], {
      includeDirs: [PROTOS, GAX_PROTOS],
      keepCase: false,
      longs: String,
      enums: String,
      defaults: false,
      oneofs: false,
    }),
  );
  return definition.google.cloud.aiplatform.v1;
}

export class FakeVertex {
  readonly calls: Recorded[] = [];
  readonly jobs = new Map<string, Job>();
  readonly schedules = new Map<string, any>();
  /** States a new job goes through, one step per GetPipelineJob; it stays in the last. */
  script: string[] = ['PIPELINE_STATE_PENDING', 'PIPELINE_STATE_RUNNING', 'PIPELINE_STATE_SUCCEEDED'];
  /** When set, calls without `authorization: Bearer <token>` are refused as UNAUTHENTICATED. */
  token?: string;
  private readonly faults = new Map<string, Fault[]>();
  /** More services (e.g. test/registry's ModelService), added by addService() before start(). */
  private readonly extra: [any, Record<string, (req: any) => any>][] = [];
  private server?: import('@grpc/grpc-js').Server;
  private seq = 0;
  port = 0;

  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The next `n` calls of `method` fail with `code` (or each is answered after `delayMs`). */
  fail(method: string, fault: Fault, n = 1): void {
    const q = this.faults.get(method) ?? [];
    for (let i = 0; i < n; i++) q.push(fault);
    this.faults.set(method, q);
  }

  /** Serves another service on the same server, recorded and faultable like the others; call before start(). */
  addService(service: any, handlers: Record<string, (req: any) => any>): this {
    if (this.server) throw new Error('FakeVertex.addService() must be called before start().');
    this.extra.push([service, handlers]);
    return this;
  }

  callsOf(method: string): Recorded[] {
    return this.calls.filter((c) => c.method === method);
  }

  async start(): Promise<this> {
    const v1 = services();
    this.server = new grpc.Server();
    this.server.addService(v1.PipelineService.service, this.wrap({
      CreatePipelineJob: (req: any) => this.createJob(req),
      GetPipelineJob: (req: any) => this.job(req.name, true),
      ListPipelineJobs: (req: any) => ({ pipelineJobs: [...this.jobs.values()].filter((j) => j.raw.name.startsWith(`${req.parent}/`)).map((j) => j.raw).reverse().slice(0, req.pageSize || 100) }),
      CancelPipelineJob: (req: any) => this.cancelJob(req.name),
    }));
    this.server.addService(v1.ScheduleService.service, this.wrap({
      CreateSchedule: (req: any) => this.createSchedule(req),
      GetSchedule: (req: any) => this.schedule(req.name),
      ListSchedules: (req: any) => ({ schedules: [...this.schedules.values()].filter((s) => s.name.startsWith(`${req.parent}/`) && (!req.filter || req.filter === `display_name="${s.displayName}"`)) }),
      PauseSchedule: (req: any) => ((this.schedule(req.name).state = 'PAUSED'), {}),
      ResumeSchedule: (req: any) => ((this.schedule(req.name).state = 'ACTIVE'), {}),
      DeleteSchedule: (req: any) => (this.schedule(req.name), this.schedules.delete(req.name), { name: `${req.name}/operations/1`, done: true }),
    }));
    for (const [service, handlers] of this.extra) this.server.addService(service, this.wrap(handlers));
    this.port = await new Promise<number>((resolve, reject) =>
      this.server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => s.tryShutdown(() => resolve()));
    s.forceShutdown();
  }

  private wrap(handlers: Record<string, (req: any) => any>): Record<string, import('@grpc/grpc-js').handleUnaryCall<any, any>> {
    const out: Record<string, import('@grpc/grpc-js').handleUnaryCall<any, any>> = {};
    for (const [method, handle] of Object.entries(handlers)) {
      out[method] = (call, callback) => {
        const authorization = call.metadata.get('authorization')[0]?.toString();
        this.calls.push({ method, request: call.request, authorization });
        const fault = this.faults.get(method)?.shift();
        const answer = () => {
          if (this.token && authorization !== `Bearer ${this.token}`) {
            return callback({ code: grpc.status.UNAUTHENTICATED, details: 'Request had invalid authentication credentials.' });
          }
          try {
            callback(null, handle(call.request));
          } catch (e) {
            callback(e as any);
          }
        };
        if (fault && 'code' in fault) return callback({ code: fault.code, details: fault.message ?? `injected ${fault.code}` });
        if (fault && 'delayMs' in fault) {
          // The work is done now; only the answer is late (a create that "timed out" did create).
          const result = (() => {
            try {
              return { ok: handle(call.request) };
            } catch (e) {
              return { err: e };
            }
          })();
          setTimeout(() => ('ok' in result ? callback(null, result.ok) : callback(result.err as any)), fault.delayMs).unref();
          return;
        }
        answer();
      };
    }
    return out;
  }

  private createJob(req: any): any {
    const name = `${req.parent}/pipelineJobs/${req.pipelineJobId || `job-${++this.seq}`}`;
    if (this.jobs.has(name)) throw { code: grpc.status.ALREADY_EXISTS, details: `PipelineJob ${name} already exists.` };
    const raw = { ...req.pipelineJob, name, state: this.script[0], createTime: { seconds: String(1_700_000_000 + this.jobs.size), nanos: 0 } };
    this.jobs.set(name, { raw, script: [...this.script], step: 0 });
    return raw;
  }

  private job(name: string, advance = false): any {
    const j = this.jobs.get(name);
    if (!j) throw { code: grpc.status.NOT_FOUND, details: `PipelineJob ${name} not found.` };
    if (advance && j.step < j.script.length - 1) {
      j.step++;
      j.raw.state = j.script[j.step];
    }
    if (j.raw.state === 'PIPELINE_STATE_FAILED') j.raw.error = { code: 9, message: 'The DAG failed because some tasks failed. The failed tasks are: [train].' };
    return j.raw;
  }

  private cancelJob(name: string): any {
    const j = this.jobs.get(name);
    if (!j) throw { code: grpc.status.NOT_FOUND, details: `PipelineJob ${name} not found.` };
    if (/SUCCEEDED|FAILED|CANCELLED$/.test(j.raw.state)) throw { code: grpc.status.FAILED_PRECONDITION, details: `PipelineJob ${name} has already ended.` };
    j.raw.state = 'PIPELINE_STATE_CANCELLING';
    j.script = ['PIPELINE_STATE_CANCELLING', 'PIPELINE_STATE_CANCELLED'];
    j.step = 0;
    return {};
  }

  private createSchedule(req: any): any {
    const name = `${req.parent}/schedules/${1000 + ++this.seq}`;
    const s = { ...req.schedule, name, state: 'ACTIVE', startedRunCount: '0' };
    this.schedules.set(name, s);
    return s;
  }

  private schedule(name: string): any {
    const s = this.schedules.get(name);
    if (!s) throw { code: grpc.status.NOT_FOUND, details: `Schedule ${name} not found.` };
    return s;
  }
}
