/**
 * Reading the run history: `duckml runs list` and `duckml runs show`. Before reading, the store
 * catches up with journals it has not seen in full (a run killed before its last batch was
 * written), and runs whose process is gone are marked interrupted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JsonValue } from '../executor/protocol';
import { Journal, foldJournal } from './journal';
import type { ArtifactRef, IoValues, RunEvent, RunRecord, RunState, TaskRecord } from './model';
import { MetadataStore } from './store';
import { storeFile } from './run';
import { processAlive } from '../util/process';


/** Brings the store up to date with run journals under `root`. */
export async function syncRuns(root: string): Promise<void> {
  let dirs: string[];
  try {
    dirs = fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, '.duckml', 'journal.jsonl')));
  } catch {
    return;
  }
  if (dirs.length === 0) return;
  const store = new MetadataStore(storeFile(root));
  const known = new Map((await store.query('SELECT id, state FROM runs')).map((r) => [String(r.id), String(r.state)]));
  const events: RunEvent[] = [];
  for (const id of dirs) {
    const state = known.get(id);
    if (state && state !== 'running') continue;
    const journal = Journal.read(path.join(root, id, '.duckml', 'journal.jsonl'));
    const folded = foldJournal(journal);
    const run = folded.run;
    if (!run) continue;
    const gone = run.state === 'running' && run.host === os.hostname() && !processAlive(run.pid);
    if (state === 'running' && !gone && run.state === 'running') continue;
    events.push(...journal);
    if (gone) events.push({ type: 'run', run: { ...run, state: 'interrupted' } });
  }
  if (events.length) await store.write(events);
}

export interface RunSummary {
  readonly id: string;
  readonly pipeline: string;
  readonly state: RunState;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly tasks: number;
  readonly cached: number;
  readonly failed: number;
}

export async function listRuns(root: string, limit = 20): Promise<RunSummary[]> {
  if (!fs.existsSync(storeFile(root)) && !fs.existsSync(root)) return [];
  await syncRuns(root);
  if (!fs.existsSync(storeFile(root))) return [];
  const rows = await new MetadataStore(storeFile(root)).query(
    `SELECT r.id, r.pipeline, r.state, r.started_at, r.finished_at,
            count(t.path) FILTER (WHERE t.kind IN ('container', 'importer')) AS tasks,
            count(t.path) FILTER (WHERE t.cached) AS cached,
            count(t.path) FILTER (WHERE t.state = 'failed' AND t.kind IN ('container', 'importer')) AS failed
     FROM runs r LEFT JOIN tasks t ON t.run_id = r.id
     GROUP BY ALL ORDER BY r.started_at DESC LIMIT ?`,
    [limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    pipeline: String(r.pipeline),
    state: r.state as RunState,
    startedAt: Number(r.started_at),
    finishedAt: r.finished_at === null ? undefined : Number(r.finished_at),
    tasks: Number(r.tasks),
    cached: Number(r.cached),
    failed: Number(r.failed),
  }));
}

export interface TaskDetail extends TaskRecord {
  readonly outputs?: IoValues;
  readonly log?: string;
  readonly cachedFrom?: string;
}

export interface RunDetails {
  readonly run: RunRecord;
  readonly tasks: TaskDetail[];
}

export async function runDetails(root: string, id: string): Promise<RunDetails | undefined> {
  await syncRuns(root);
  if (!fs.existsSync(storeFile(root))) return undefined;
  const store = new MetadataStore(storeFile(root));
  const [runRows, taskRows] = await store.with(async (c) => {
    const q = async (sql: string) => (await c.runAndReadAll(sql, [id])).getRowObjectsJson();
    return [
      await q('SELECT * FROM runs WHERE id = ?'),
      await q(`SELECT t.*, x.outputs, x.log, x.cached_from FROM tasks t LEFT JOIN executions x ON x.id = t.execution_id
               WHERE t.run_id = ? ORDER BY coalesce(t.started_at, t.finished_at, 1e15), t.path`),
    ];
  });
  const r = runRows[0] as Record<string, JsonValue> | undefined;
  if (!r) return undefined;
  const parse = (v: JsonValue | undefined) => (typeof v === 'string' ? JSON.parse(v) : undefined);
  const num = (v: JsonValue | undefined) => (v === null || v === undefined ? undefined : Number(v));
  const run: RunRecord = {
    id: String(r.id),
    pipeline: String(r.pipeline),
    state: r.state as RunState,
    startedAt: Number(r.started_at),
    finishedAt: num(r.finished_at),
    params: parse(r.params) ?? {},
    outputs: parse(r.outputs),
    root: String(r.root),
    projectRoot: String(r.project_root),
    specFile: String(r.spec_file),
    pid: Number(r.pid),
    host: String(r.host),
    error: (r.error as string | null) ?? undefined,
  };
  if (run.state === 'running') {
    // A live run writes its store records in batches; its journal is current.
    const live = liveDetails(path.join(root, id, '.duckml', 'journal.jsonl'));
    if (live) return live;
  }
  const tasks = (taskRows as Record<string, JsonValue>[]).map(
    (t): TaskDetail => ({
      runId: id,
      path: String(t.path),
      name: String(t.name),
      parent: String(t.parent),
      kind: t.kind as TaskRecord['kind'],
      state: t.state as TaskRecord['state'],
      startedAt: num(t.started_at),
      finishedAt: num(t.finished_at),
      cached: t.cached === true,
      executionId: (t.execution_id as string | null) ?? undefined,
      error: (t.error as string | null) ?? undefined,
      attempt: num(t.attempt),
      outputs: parse(t.outputs),
      log: (t.log as string | null) ?? undefined,
      cachedFrom: (t.cached_from as string | null) ?? undefined,
    }),
  );
  return { run, tasks };
}

function liveDetails(journalFile: string): RunDetails | undefined {
  const j = foldJournal(Journal.read(journalFile));
  if (!j.run) return undefined;
  const tasks = [...j.tasks.values()].map((t): TaskDetail => {
    const x = t.executionId ? j.executions.get(t.executionId) : undefined;
    return { ...t, outputs: x?.outputs, log: x?.log, cachedFrom: x?.cachedFrom };
  });
  tasks.sort((a, b) => (a.startedAt ?? a.finishedAt ?? 1e15) - (b.startedAt ?? b.finishedAt ?? 1e15) || a.path.localeCompare(b.path));
  return { run: j.run, tasks };
}

function fmtNumber(v: JsonValue): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(4))) : JSON.stringify(v);
}

/** Metrics of a task's outputs, as one short text (scalar metrics, confusion matrix, ROC points). */
export function metricsText(outputs: IoValues | undefined): string {
  const parts: string[] = [];
  for (const list of Object.values(outputs?.artifacts ?? {})) {
    for (const a of list as ArtifactRef[]) {
      if (a.schemaTitle === 'system.Metrics') {
        parts.push(Object.entries(a.metadata).filter(([k]) => k !== 'display_name').map(([k, v]) => `${k}=${fmtNumber(v)}`).join(' '));
      } else if (a.schemaTitle === 'system.ClassificationMetrics') {
        const cm = a.metadata.confusionMatrix as { annotationSpecs?: unknown[] } | undefined;
        const roc = a.metadata.confidenceMetrics as unknown[] | undefined;
        if (cm?.annotationSpecs) parts.push(`confusion ${cm.annotationSpecs.length}x${cm.annotationSpecs.length}`);
        if (roc) parts.push(`ROC ${roc.length} points`);
      }
    }
  }
  return parts.filter(Boolean).join('; ');
}
