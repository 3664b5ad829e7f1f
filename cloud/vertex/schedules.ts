/**
 * Vertex AI Schedules: a PipelineJob run on a cron. A schedule is found again by its display
 * name, so creating one that exists reports it instead of adding a second.
 */
import { CliError, EXIT } from '../../cli/exit-codes';
import { withRetry, type RetryOptions } from '../retry';
import { openScheduleService, type Connection, type RawSchedule, type ScheduleServiceApi } from './client';
import { CODE, grpcCode, isTransient, toCliError } from './grpc-errors';
import type { PipelineJobMessage } from './pipeline-job';

export interface ScheduleInfo {
  name: string;
  id: string;
  displayName: string;
  state: string;
  cron: string;
  nextRunTime?: string;
  startedRunCount: number;
}

export interface ScheduleSpec {
  displayName: string;
  cron: string;
  pipelineJob: PipelineJobMessage;
  maxConcurrentRunCount?: number;
  maxRunCount?: number;
  startTime?: Date;
  endTime?: Date;
  allowQueueing?: boolean;
}

const FIELD = /^[\d*,/\-A-Za-z?LW#]+$/;

/** Five cron fields, optionally after TZ=Area/City (or CRON_TZ=...), as Vertex accepts. */
export function checkCron(cron: string): string | undefined {
  const m = /^(?:(?:CRON_)?TZ=([A-Za-z_+\-/0-9]+)\s+)?(.*)$/.exec(cron.trim())!;
  const fields = m[2]!.split(/\s+/).filter(Boolean);
  if (fields.length !== 5 || !fields.every((f) => FIELD.test(f))) {
    return `cron '${cron}' is not a cron expression: give five fields (minute hour day-of-month month day-of-week), optionally after TZ=Area/City, e.g. "TZ=Europe/Paris 0 6 * * 1-5".`;
  }
  return undefined;
}

function iso(t: RawSchedule['nextRunTime']): string | undefined {
  const s = Number(t?.seconds ?? 0);
  return s ? new Date(s * 1000).toISOString() : undefined;
}

const STATES = ['STATE_UNSPECIFIED', 'ACTIVE', 'PAUSED', 'COMPLETED'];

export function toScheduleInfo(raw: RawSchedule): ScheduleInfo {
  const name = raw.name ?? '';
  const info: ScheduleInfo = {
    name,
    id: name.split('/').pop() ?? name,
    displayName: raw.displayName ?? '',
    state: typeof raw.state === 'number' ? STATES[raw.state] ?? String(raw.state) : raw.state ?? 'STATE_UNSPECIFIED',
    cron: raw.cron ?? '',
    startedRunCount: Number(raw.startedRunCount ?? 0),
  };
  const next = iso(raw.nextRunTime);
  if (next) info.nextRunTime = next;
  return info;
}

function timestamp(d: Date): { seconds: number; nanos: number } {
  return { seconds: Math.floor(d.getTime() / 1000), nanos: (d.getTime() % 1000) * 1e6 };
}

export class VertexSchedules {
  private readonly api: ScheduleServiceApi;
  private readonly call: () => Record<string, unknown>;

  constructor(private readonly opts: { project: string; region: string; connection: Connection; retry?: RetryOptions }) {
    const { api, call } = openScheduleService(opts.connection);
    this.api = api;
    this.call = call;
  }

  get parent(): string {
    return `projects/${this.opts.project}/locations/${this.opts.region}`;
  }

  nameOf(idOrName: string): string {
    if (/^projects\/[^/]+\/locations\/[^/]+\/schedules\/[^/]+$/.test(idOrName)) return idOrName;
    if (/^[^/]+$/.test(idOrName)) return `${this.parent}/schedules/${idOrName}`;
    throw new CliError(`'${idOrName}' is neither a schedule id nor a schedule name (projects/P/locations/R/schedules/ID).`, EXIT.usage);
  }

  private retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, isTransient, this.opts.retry).catch((e) => {
      throw toCliError(e, what);
    });
  }

  /** The request CreateSchedule gets (pure; exported for tests and --dry-run style reading). */
  createRequest(s: ScheduleSpec): Record<string, unknown> {
    const schedule: Record<string, unknown> = {
      displayName: s.displayName,
      cron: s.cron,
      maxConcurrentRunCount: s.maxConcurrentRunCount ?? 1,
      createPipelineJobRequest: { parent: this.parent, pipelineJob: s.pipelineJob },
    };
    if (s.maxRunCount !== undefined) schedule.maxRunCount = s.maxRunCount;
    if (s.startTime) schedule.startTime = timestamp(s.startTime);
    if (s.endTime) schedule.endTime = timestamp(s.endTime);
    if (s.allowQueueing) schedule.allowQueueing = true;
    return { parent: this.parent, schedule };
  }

  async findByDisplayName(displayName: string): Promise<ScheduleInfo | undefined> {
    const [found] = await this.retrying('listing schedules', () =>
      this.api.listSchedules({ parent: this.parent, filter: `display_name="${displayName.replace(/["\\]/g, '\\$&')}"`, pageSize: 1 }, { ...this.call(), autoPaginate: false }),
    );
    return found[0] ? toScheduleInfo(found[0]) : undefined;
  }

  async create(s: ScheduleSpec): Promise<{ schedule: ScheduleInfo; existing: boolean }> {
    const before = await this.findByDisplayName(s.displayName);
    if (before) return { schedule: before, existing: true };
    const req = this.createRequest(s);
    const [raw] = await withRetry(
      async (attempt) => {
        if (attempt > 1) {
          // A lost answer may hide a schedule that was made.
          const made = await this.findByDisplayName(s.displayName);
          if (made) return [{ name: made.name, displayName: made.displayName, cron: made.cron, state: made.state } as RawSchedule];
        }
        return this.api.createSchedule(req, this.call());
      },
      isTransient,
      this.opts.retry,
    ).catch((e) => {
      throw toCliError(e, `creating schedule '${s.displayName}'`);
    });
    return { schedule: toScheduleInfo(raw), existing: false };
  }

  async get(idOrName: string): Promise<ScheduleInfo> {
    const name = this.nameOf(idOrName);
    const [raw] = await this.retrying(`getting ${name}`, () => this.api.getSchedule({ name }, this.call()));
    return toScheduleInfo(raw);
  }

  async list(limit: number): Promise<ScheduleInfo[]> {
    const [raws] = await this.retrying('listing schedules', () =>
      this.api.listSchedules({ parent: this.parent, pageSize: Math.min(limit, 100), orderBy: 'create_time desc' }, { ...this.call(), autoPaginate: false }),
    );
    return raws.slice(0, limit).map(toScheduleInfo);
  }

  async pause(idOrName: string): Promise<ScheduleInfo> {
    const name = this.nameOf(idOrName);
    await this.retrying(`pausing ${name}`, () => this.api.pauseSchedule({ name }, this.call()).catch((e) => (grpcCode(e) === CODE.FAILED_PRECONDITION ? undefined : Promise.reject(e))));
    return this.get(name);
  }

  async resume(idOrName: string, catchUp = false): Promise<ScheduleInfo> {
    const name = this.nameOf(idOrName);
    await this.retrying(`resuming ${name}`, () => this.api.resumeSchedule({ name, catchUp }, this.call()).catch((e) => (grpcCode(e) === CODE.FAILED_PRECONDITION ? undefined : Promise.reject(e))));
    return this.get(name);
  }

  /** Deletes and waits for the deletion to finish. */
  async delete(idOrName: string): Promise<string> {
    const name = this.nameOf(idOrName);
    const [op] = await this.retrying(`deleting ${name}`, () => this.api.deleteSchedule({ name }, this.call()));
    if (!op.done) await this.retrying(`deleting ${name}`, () => op.promise());
    return name;
  }

  async close(): Promise<void> {
    await this.api.close();
  }
}
