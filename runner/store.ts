/**
 * The metadata store: runs, tasks, executions, artifacts and lineage events in an embedded DuckDB
 * file. DuckDB lets one process hold a database file at a time, so every access opens the file,
 * does its work in one transaction and closes it again, retrying while another process holds it:
 * two runs (or a run and `duckml runs list`) share the store without waiting on each other for
 * more than a write. Runs batch their writes (StoreWriter); their journals carry the rest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ArtifactRef, ExecutionRecord, IoValues, RunEvent, RunRecord, TaskRecord } from './model';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS runs (id VARCHAR PRIMARY KEY, pipeline VARCHAR, state VARCHAR, started_at DOUBLE, finished_at DOUBLE,
     params VARCHAR, outputs VARCHAR, root VARCHAR, project_root VARCHAR, spec_file VARCHAR, pid INTEGER, host VARCHAR, error VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS tasks (run_id VARCHAR, path VARCHAR, name VARCHAR, parent VARCHAR, kind VARCHAR, state VARCHAR,
     started_at DOUBLE, finished_at DOUBLE, cached BOOLEAN, execution_id VARCHAR, error VARCHAR, attempt INTEGER, PRIMARY KEY (run_id, path))`,
  `CREATE TABLE IF NOT EXISTS executions (id VARCHAR PRIMARY KEY, run_id VARCHAR, task_path VARCHAR, attempt INTEGER, state VARCHAR,
     cache_key VARCHAR, cached_from VARCHAR, started_at DOUBLE, finished_at DOUBLE, inputs VARCHAR, outputs VARCHAR, error VARCHAR, log VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS artifacts (id VARCHAR PRIMARY KEY, name VARCHAR, uri VARCHAR, schema_title VARCHAR, schema_version VARCHAR, metadata VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS events (execution_id VARCHAR, artifact_id VARCHAR, kind VARCHAR, name VARCHAR, idx INTEGER,
     PRIMARY KEY (execution_id, kind, name, idx))`,
];

export class StoreBusyError extends Error {
  override name = 'StoreBusyError';
}

function isLockError(e: unknown): boolean {
  return /Could not set lock|Conflicting lock|database is locked/i.test((e as Error)?.message ?? '');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Row = Record<string, unknown>;
type Val = string | number | boolean | null;

function j(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

export class MetadataStore {
  private schemaReady = false;

  constructor(
    readonly file: string,
    /** How long to keep retrying while another process holds the file. */
    private readonly waitMs = 120_000,
  ) {}

  /** Opens the file, runs `fn` in a transaction, closes it; retries while another process holds it. */
  async with<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    // File locks are per process, so accesses from this process are queued here.
    const key = path.resolve(this.file);
    const before = inProcess.get(key) ?? Promise.resolve();
    const mine = before.then(() => this.open(fn));
    const settled = mine.then(() => undefined, () => undefined);
    inProcess.set(key, settled);
    try {
      return await mine;
    } finally {
      if (inProcess.get(key) === settled) inProcess.delete(key);
    }
  }

  private async open<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const { DuckDBInstance } = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const deadline = Date.now() + this.waitMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      let instance;
      try {
        instance = await DuckDBInstance.create(this.file);
      } catch (e) {
        if (!isLockError(e)) throw e;
        if (Date.now() > deadline) throw new StoreBusyError(`the metadata store ${this.file} stayed locked by another process for ${this.waitMs / 1000}s: ${(e as Error).message}`);
        await sleep(delay + Math.random() * delay);
        continue;
      }
      const c = await instance.connect();
      try {
        if (!this.schemaReady) {
          for (const s of SCHEMA) await c.run(s);
          this.schemaReady = true;
        }
        await c.run('BEGIN TRANSACTION');
        try {
          const r = await fn(c);
          await c.run('COMMIT');
          return r;
        } catch (e) {
          await c.run('ROLLBACK').catch(() => undefined);
          throw e;
        }
      } finally {
        c.closeSync();
        instance.closeSync();
      }
    }
  }

  /** Writes events (latest state wins), in one transaction. */
  async write(events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.with((c) => writeEvents(c, events));
  }

  async query(sql: string, params: Val[] = []): Promise<Row[]> {
    return this.with((c) => rows(c, sql, params));
  }

  /** Successful executions by cache key (the latest of each); with `events` written first, in one go. */
  async cacheIndex(events: readonly RunEvent[] = []): Promise<Map<string, { executionId: string; outputs: IoValues }>> {
    if (!fs.existsSync(this.file) && events.length === 0) return new Map();
    const found = await this.with(async (c) => {
      await writeEvents(c, events);
      return rows(
        c,
        `SELECT cache_key, arg_max(id, finished_at) AS id, arg_max(outputs, finished_at) AS outputs FROM executions
         WHERE state = 'succeeded' AND cache_key IS NOT NULL GROUP BY cache_key`,
      );
    });
    return new Map(found.map((r) => [String(r.cache_key), { executionId: String(r.id), outputs: JSON.parse(String(r.outputs)) as IoValues }]));
  }
}

const inProcess = new Map<string, Promise<void>>();

async function rows(c: DuckDBConnection, sql: string, params: Val[] = []): Promise<Row[]> {
  return (await c.runAndReadAll(sql, params as never)).getRowObjectsJson() as Row[];
}

async function writeEvents(c: DuckDBConnection, events: readonly RunEvent[]): Promise<void> {
  if (events.length === 0) return;
  const runs = new Map<string, RunRecord>();
  const tasks = new Map<string, TaskRecord>();
  const execs = new Map<string, ExecutionRecord>();
  for (const e of events) {
    if (e.type === 'run') runs.set(e.run.id, e.run);
    else if (e.type === 'task') tasks.set(`${e.task.runId}\n${e.task.path}`, e.task);
    else execs.set(e.execution.id, e.execution);
  }
  const artifacts = new Map<string, ArtifactRef>();
  const lineage: Val[][] = [];
  for (const x of execs.values()) {
    const add = (io: IoValues | undefined, kind: 'input' | 'output') => {
      for (const [name, list] of Object.entries(io?.artifacts ?? {})) {
        list.forEach((a, idx) => {
          artifacts.set(a.id, a);
          lineage.push([x.id, a.id, kind, name, idx]);
        });
      }
    };
    add(x.inputs, 'input');
    if (x.state === 'succeeded' || x.state === 'cached') add(x.outputs, 'output');
  }
  await insert(c, 'runs', [...runs.values()].map((r) => [r.id, r.pipeline, r.state, r.startedAt, r.finishedAt ?? null, j(r.params), j(r.outputs), r.root, r.projectRoot, r.specFile, r.pid, r.host, r.error ?? null]));
  await insert(c, 'tasks', [...tasks.values()].map((t) => [t.runId, t.path, t.name, t.parent, t.kind, t.state, t.startedAt ?? null, t.finishedAt ?? null, t.cached, t.executionId ?? null, t.error ?? null, t.attempt ?? null]));
  await insert(c, 'executions', [...execs.values()].map((x) => [x.id, x.runId, x.taskPath, x.attempt, x.state, x.cacheKey ?? null, x.cachedFrom ?? null, x.startedAt, x.finishedAt ?? null, j(x.inputs), j(x.outputs), x.error ?? null, x.log ?? null]));
  await insert(c, 'artifacts', [...artifacts.values()].map((a) => [a.id, a.name, a.uri, a.schemaTitle, a.schemaVersion, j(a.metadata)]));
  await insert(c, 'events', lineage);
}

async function insert(c: DuckDBConnection, table: string, rows: Val[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    const width = chunk[0]!.length;
    const one = `(${Array(width).fill('?').join(', ')})`;
    await c.run(`INSERT OR REPLACE INTO ${table} VALUES ${chunk.map(() => one).join(', ')}`, chunk.flat() as never);
  }
}

/** Batches a run's writes: a flush at most every `intervalMs`, one at a time, and a last one on close. */
export class StoreWriter {
  private pending: RunEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly store: MetadataStore,
    /** Seconds apart: each write closes the file, and DuckDB checkpoints (blocking) on close. */
    private readonly intervalMs = 5000,
  ) {}

  push(event: RunEvent): void {
    this.pending.push(event);
    if (!this.timer && !this.flushing) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.intervalMs);
      this.timer.unref();
    }
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.flushing = this.store.write(batch).then(
      () => undefined,
      (e: Error) => {
        // Keep the events for the next flush; the journal holds them either way.
        this.pending = [...batch, ...this.pending];
        this.failure = e;
      },
    );
    await this.flushing;
    this.flushing = undefined;
    if (this.pending.length && !this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.intervalMs);
      this.timer.unref();
    }
  }

  /** The last write error, if the store could not be written (the run goes on; its journal has everything). */
  get lastError(): Error | undefined {
    return this.failure;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
