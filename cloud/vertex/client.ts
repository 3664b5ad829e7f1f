/**
 * Opens @google-cloud/aiplatform's service clients over gRPC. Loaded only by cloud commands, and
 * from the client's own module rather than the package index (which loads every Vertex service:
 * about a second, against ~0.2 s for one). gRPC rather than the REST fallback, whose JSON
 * transcoding corrupts lists nested in lists.
 */
import { VERSION } from '../../version';
import type { Credentials } from './credentials';

/** The slice of the generated clients duckml calls (structural, so tsc need not load their huge typings). */
export interface PipelineServiceApi {
  createPipelineJob(req: object, opts?: object): Promise<[RawJob, ...unknown[]]>;
  getPipelineJob(req: { name: string }, opts?: object): Promise<[RawJob, ...unknown[]]>;
  listPipelineJobs(req: object, opts?: object): Promise<[RawJob[], ...unknown[]]>;
  cancelPipelineJob(req: { name: string }, opts?: object): Promise<unknown>;
  close(): Promise<void>;
}

export interface ScheduleServiceApi {
  createSchedule(req: object, opts?: object): Promise<[RawSchedule, ...unknown[]]>;
  getSchedule(req: { name: string }, opts?: object): Promise<[RawSchedule, ...unknown[]]>;
  listSchedules(req: object, opts?: object): Promise<[RawSchedule[], ...unknown[]]>;
  pauseSchedule(req: { name: string }, opts?: object): Promise<unknown>;
  resumeSchedule(req: { name: string; catchUp?: boolean }, opts?: object): Promise<unknown>;
  deleteSchedule(req: { name: string }, opts?: object): Promise<[{ done?: boolean; name?: string; promise(): Promise<unknown> }, ...unknown[]]>;
  close(): Promise<void>;
}

/** A PipelineJob as the gRPC client decodes it (enums as names, int64 as strings). */
export interface RawJob {
  name?: string | null;
  displayName?: string | null;
  state?: string | number | null;
  createTime?: { seconds?: string | number | null; nanos?: number | null } | null;
  error?: { code?: number | null; message?: string | null } | null;
  pipelineSpec?: unknown;
  labels?: Record<string, string> | null;
  scheduleName?: string | null;
}

export interface RawSchedule {
  name?: string | null;
  displayName?: string | null;
  cron?: string | null;
  state?: string | number | null;
  nextRunTime?: { seconds?: string | number | null } | null;
  startedRunCount?: string | number | null;
  maxConcurrentRunCount?: string | number | null;
  createPipelineJobRequest?: { pipelineJob?: RawJob | null } | null;
}

export interface Connection {
  region: string;
  /** host[:port]; default <region>-aiplatform.googleapis.com:443. */
  endpoint?: string;
  credentials: Credentials;
  /** Per-request deadline (default 60 s). */
  requestTimeoutMs?: number;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

export function splitEndpoint(endpoint: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(endpoint);
  if (!m) throw new Error(`endpoint '${endpoint}' is not host[:port]`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 443 };
}

/** The options both clients take, and the call options every request carries. */
export function clientOptions(conn: Connection): { options: Record<string, unknown>; callOptions: (timeoutMs?: number) => Record<string, unknown> } {
  const { host, port } = splitEndpoint(conn.endpoint ?? `${conn.region}-aiplatform.googleapis.com`);
  // A loopback endpoint is an emulator or a test server: plain text, and since gRPC attaches no
  // call credentials to a plain-text channel, the token goes in a header of each call.
  const plain = LOOPBACK.test(host);
  const options: Record<string, unknown> = { apiEndpoint: host.replace(/^\[|\]$/g, ''), port, auth: conn.credentials.auth, fallback: false, libName: 'duckml', libVersion: VERSION };
  if (plain) {
    const gax = require('google-gax') as { grpc: { credentials: { createInsecure(): unknown } } };
    options.sslCreds = gax.grpc.credentials.createInsecure();
  }
  const headers = plain ? { authorization: `Bearer ${conn.credentials.token}` } : undefined;
  const callOptions = (timeoutMs?: number) => ({ timeout: timeoutMs ?? conn.requestTimeoutMs ?? 60_000, ...(headers ? { otherArgs: { headers } } : {}) });
  return { options, callOptions };
}

function load<T>(file: string, cls: string): new (opts: Record<string, unknown>) => T {
  let mod: Record<string, unknown>;
  try {
    mod = require(`@google-cloud/aiplatform/build/src/v1/${file}`) as Record<string, unknown>;
  } catch {
    mod = (require('@google-cloud/aiplatform') as { v1: Record<string, unknown> }).v1;
  }
  return mod[cls] as new (opts: Record<string, unknown>) => T;
}

export function openPipelineService(conn: Connection): { api: PipelineServiceApi; call: (timeoutMs?: number) => Record<string, unknown> } {
  const { options, callOptions } = clientOptions(conn);
  const Client = load<PipelineServiceApi>('pipeline_service_client', 'PipelineServiceClient');
  return { api: new Client(options), call: callOptions };
}

export function openScheduleService(conn: Connection): { api: ScheduleServiceApi; call: (timeoutMs?: number) => Record<string, unknown> } {
  const { options, callOptions } = clientOptions(conn);
  const Client = load<ScheduleServiceApi>('schedule_service_client', 'ScheduleServiceClient');
  return { api: new Client(options), call: callOptions };
}
