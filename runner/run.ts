/**
 * `duckml run`: executes a compiled PipelineSpec on this machine. Everything a run writes lives
 * under its folder in the pipeline root (<root>/<run-id>/): task outputs at their task paths, and
 * duckml's own files under .duckml/ (the spec, the journal, logs, staging). The shared metadata
 * store (<root>/metadata.duckdb) is updated in batches; the journal makes a killed run resumable.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PipelineSpecIr } from '../compiler/ir';
import { writeFileAtomic } from '../compiler';
import { projectRootOf } from '../dsl/caller';
import type { JsonValue } from '../executor/protocol';
import { CacheIndex } from './cache';
import { Journal, foldJournal } from './journal';
import { type ExecutionRecord, type IoValues, type RunRecord, type RunState, type TaskRecord } from './model';
import { createDisplay, duration, type Display, type DisplayMode } from './progress';
import { checkEngines, rootParams, RunRefused } from './preflight';
import { WarmPool } from './prewarm';
import { Scheduler } from './scheduler';
import { Semaphore } from './semaphore';
import { MetadataStore, StoreWriter } from './store';
import { processAlive } from '../util/process';

export interface RunOptions {
  /** Pipeline root: where runs write (default .duckml/runs in the current folder). */
  readonly root?: string;
  /** Pipeline parameter values (strings are typed by the spec). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Run every task even when an earlier identical execution exists. */
  readonly noCache?: boolean;
  /** Most containers running at once (default: the number of CPUs). */
  readonly parallelism?: number;
  /** Stop starting new tasks after a failure (default true); false runs everything that can. */
  readonly failFast?: boolean;
  /** Folder TypeScript components' module paths are relative to (default: nearest package.json up from cwd). */
  readonly projectRoot?: string;
  /** Continue this earlier run instead of starting one: finished tasks are not run again. */
  readonly resume?: string;
  readonly display?: DisplayMode;
  readonly out?: NodeJS.WriteStream;
  readonly verbose?: boolean;
  /** Start executor processes ahead of time (default true; DUCKML_PREWARM=0 turns it off). */
  readonly prewarm?: boolean;
  readonly signal?: AbortSignal;
}

export interface RunResult {
  readonly runId: string;
  readonly runDir: string;
  readonly state: Exclude<RunState, 'running' | 'interrupted'>;
  readonly outputs: IoValues;
  readonly tasks: TaskRecord[];
  readonly durationMs: number;
  readonly error?: string;
}

export const DEFAULT_ROOT = path.join('.duckml', 'runs');

export function storeFile(root: string): string {
  return path.join(root, 'metadata.duckdb');
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** A stable UUID-shaped id for a run (the `{{$.pipeline_job_uuid}}` value). */
function uuidOf(runId: string): string {
  const h = crypto.createHash('sha256').update(runId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}


/** Claims a run folder for this process (a second process resuming the same run is refused). */
function lock(runDir: string, runId: string): () => void {
  const file = path.join(runDir, '.duckml', 'lock');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let i = 0; i < 2; i++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch {
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && processAlive(pid)) throw new RunRefused(`run ${runId} is being run by process ${pid}; wait for it or stop it first.`, 'busy');
      fs.rmSync(file, { force: true });
    }
  }
  throw new RunRefused(`could not lock run ${runId} (${file}).`, 'busy');
}

/** Finished leaf executions of an earlier attempt at a run, by task path (what resume reuses). */
function finishedLeaves(journalFile: string): Map<string, ExecutionRecord> {
  const state = foldJournal(Journal.read(journalFile));
  const out = new Map<string, ExecutionRecord>();
  for (const x of state.executions.values()) {
    if ((x.state !== 'succeeded' && x.state !== 'cached') || !x.outputs) continue;
    const intact = Object.values(x.outputs.artifacts).every((l) => l.every((a) => !path.isAbsolute(a.uri) || fs.existsSync(a.uri)));
    if (intact) out.set(x.taskPath, x);
  }
  return out;
}

export async function runPipeline(specArg: PipelineSpecIr | undefined, opts: RunOptions = {}): Promise<RunResult> {
  const root = path.resolve(opts.root ?? DEFAULT_ROOT);
  const store = new MetadataStore(storeFile(root));
  let spec: PipelineSpecIr;
  let runId: string;
  let params: Record<string, JsonValue>;
  let projectRoot: string;
  let startedAt = Date.now();
  let resumed = new Map<string, ExecutionRecord>();
  if (opts.resume) {
    runId = opts.resume;
    const journalFile = path.join(root, runId, '.duckml', 'journal.jsonl');
    const earlier = foldJournal(Journal.read(journalFile)).run;
    if (!earlier) throw new RunRefused(`no run '${runId}' under ${root} (no journal at ${journalFile}). See 'duckml runs list --root ${root}'.`, 'usage');
    if (earlier.state === 'succeeded') throw new RunRefused(`run ${runId} already succeeded; nothing to resume.`, 'usage');
    spec = JSON.parse(fs.readFileSync(earlier.specFile, 'utf8')) as PipelineSpecIr;
    params = earlier.params;
    projectRoot = earlier.projectRoot;
    startedAt = earlier.startedAt;
    resumed = finishedLeaves(journalFile);
  } else {
    if (!specArg) throw new RunRefused('runPipeline: a spec (or resume) is required.', 'usage');
    spec = specArg;
    checkEngines(spec);
    params = rootParams(spec, opts.params ?? {});
    projectRoot = path.resolve(opts.projectRoot ?? projectRootOf(process.cwd()));
    runId = `${spec.pipelineInfo.name}-${stamp(new Date(startedAt))}-${crypto.randomBytes(2).toString('hex')}`;
  }
  checkEngines(spec);
  const runDir = path.join(root, runId);
  const unlock = lock(runDir, runId);
  const display: Display = createDisplay(opts.display ?? 'auto', opts.out ?? process.stdout, { verbose: opts.verbose });
  const journal = new Journal(path.join(runDir, '.duckml', 'journal.jsonl'));
  const writer = new StoreWriter(store);
  let warm: WarmPool | undefined;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) stop.abort();
  try {
    const specFile = path.join(runDir, '.duckml', 'pipeline.json');
    if (!opts.resume) writeFileAtomic(specFile, JSON.stringify(spec));
    // Leftovers of attempts killed mid-write are never valid outputs.
    fs.rmSync(path.join(runDir, '.duckml', 'staging'), { recursive: true, force: true });
    const run: RunRecord = { id: runId, pipeline: spec.pipelineInfo.name, state: 'running', startedAt, params, root, projectRoot, specFile, pid: process.pid, host: os.hostname() };
    const runEvent = { type: 'run' as const, run: { ...run } };
    journal.append(runEvent);
    const cacheEntries = await store.cacheIndex([runEvent]);
    display.print(`${opts.resume ? 'resuming' : 'run'} ${runId}  (${spec.pipelineInfo.name}; ${resumed.size ? `${resumed.size} task${resumed.size > 1 ? 's' : ''} already done; ` : ''}outputs in ${path.relative(process.cwd(), runDir) || runDir})`);

    const hasTs = Object.values(spec.deploymentSpec.executors).some((e) => e.container?.command?.[0] === 'duckml' && e.container.command[1] === 'execute');
    const parallelism = Math.max(1, opts.parallelism ?? os.availableParallelism());
    // DUCKML_PREWARM=N: how many executor processes to keep started (0: none). Default: one more than can run at once, at most 3.
    const poolSize = process.env.DUCKML_PREWARM !== undefined ? Number(process.env.DUCKML_PREWARM) || 0 : Math.min(parallelism + 1, 3);
    if ((opts.prewarm ?? true) && hasTs && poolSize > 0) warm = new WarmPool(projectRoot, { ...process.env, DUCKML_RUN_ID: runId }, poolSize);
    const jobResourceName = runId;
    const createTime = new Date(startedAt).toISOString();
    const tasks = new Map<string, TaskRecord>();
    const scheduler = new Scheduler({
      spec,
      runId,
      runDir,
      root,
      projectRoot,
      cache: new CacheIndex(cacheEntries),
      noCache: !!opts.noCache,
      slots: new Semaphore(parallelism),
      warm,
      signal: stop.signal,
      failFast: opts.failFast !== false,
      jobResourceName,
      resumed,
      runtime: (taskName, taskId) => ({ jobName: runId, jobResourceName, jobId: uuidOf(runId), taskName, taskId, pipelineRoot: root, createTime, scheduleTime: createTime }),
      recordExecution: (x) => {
        const ev = { type: 'execution' as const, execution: { ...x } };
        journal.append(ev);
        writer.push(ev);
      },
      taskChanged: (t) => {
        tasks.set(t.path, t);
        const ev = { type: 'task' as const, task: { ...t } };
        journal.append(ev);
        writer.push(ev);
        display.taskChanged(t);
      },
      onOutput: (p, text) => display.output(p, text),
    });
    const result = await scheduler.runDag('', spec.root, { params, artifacts: {} });
    const finishedAt = Date.now();
    const state = result.state;
    Object.assign(run, { state, finishedAt, outputs: result.io, error: result.error });
    const endEvent = { type: 'run' as const, run: { ...run } };
    journal.append(endEvent);
    writer.push(endEvent);
    const all = [...tasks.values()];
    display.close();
    summarize(display, runId, state, all, finishedAt - startedAt, result.io, root);
    await writer.close();
    if (writer.lastError) display.print(`warning: the metadata store was not updated (${writer.lastError.message}); the run's journal has everything and the next 'duckml runs' command catches up.`);
    return { runId, runDir, state, outputs: result.io, tasks: all, durationMs: finishedAt - startedAt, error: result.error };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    display.close();
    warm?.close();
    journal.close();
    fs.rmSync(path.join(runDir, '.duckml', 'staging'), { recursive: true, force: true });
    unlock();
  }
}

/**
 * Artifact files have no extension (the platforms name them after the output), so a browser would
 * show an HTML report as text: give a local copy the right extension and point the reader there.
 */
function openableReport(file: string, schemaTitle: string): string {
  const ext = schemaTitle === 'system.HTML' ? '.html' : '.md';
  if (path.extname(file) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return file;
  const named = `${file}${ext}`;
  try {
    if (!fs.existsSync(named)) fs.copyFileSync(file, named);
    return named;
  } catch {
    return file;
  }
}

function summarize(display: Display, runId: string, state: string, tasks: TaskRecord[], ms: number, outputs: IoValues, root: string): void {
  const leaves = tasks.filter((t) => t.kind === 'container' || t.kind === 'importer');
  const n = (s: string) => leaves.filter((t) => t.state === s).length;
  const parts = [`${leaves.length} task${leaves.length === 1 ? '' : 's'}`, n('cached') && `${n('cached')} cached`, n('skipped') && `${n('skipped')} skipped`, n('failed') && `${n('failed')} failed`].filter(Boolean);
  display.print(`\n${state === 'succeeded' ? '✓' : '✗'} run ${runId} ${state} in ${duration({ startedAt: 0, finishedAt: ms })} (${parts.join(', ')})`);
  for (const t of tasks.filter((x) => x.state === 'failed' && (x.kind === 'container' || x.kind === 'importer'))) {
    display.print(`  ✗ ${t.path}: ${t.error ?? 'failed'}`);
  }
  const outs = [...Object.entries(outputs.params).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`), ...Object.entries(outputs.artifacts).map(([k, l]) => `  ${k} → ${l.map((a) => a.uri).join(', ')}`)];
  if (outs.length && state === 'succeeded') display.print(`outputs:\n${outs.join('\n')}`);
  const rootArg = path.resolve(root) === path.resolve(DEFAULT_ROOT) ? '' : ` --root ${path.relative(process.cwd(), root) || root}`;
  display.print(`details: duckml runs show ${runId}${rootArg}${state === 'succeeded' ? '' : `\n resume: duckml run --resume ${runId}${rootArg}`}`);
  // Reports (HTML, Markdown) the pipeline outputs come last, where a reader looks for them.
  if (state !== 'succeeded') return;
  for (const [name, list] of Object.entries(outputs.artifacts)) {
    for (const a of list.filter((x) => x.schemaTitle === 'system.HTML' || x.schemaTitle === 'system.Markdown')) {
      const where = openableReport(path.isAbsolute(a.uri) ? path.relative(process.cwd(), a.uri) || a.uri : a.uri, a.schemaTitle);
      display.print(`${name === 'report' ? 'report' : `report (${name})`}: ${where}`);
    }
  }
}
