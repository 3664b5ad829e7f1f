/**
 * One leaf task: a container (with caching and retries) or an importer. A container's outputs
 * are written under a staging folder and moved into place only after the process succeeded and
 * every declared output was checked, so a failed or killed attempt never leaves an artifact that
 * a later task or a cache lookup could take as valid.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ComponentSpecIr, ContainerIr, TaskSpecIr } from '../compiler/ir';
import { METADATA_ONLY_TYPES } from '../executor/execute';
import type { ExecutorInputJson, ExecutorOutputJson, JsonValue, RuntimeArtifactJson } from '../executor/protocol';
import { coerceParam, parseParamFile } from '../executor/values';
import { cacheKey as computeCacheKey, type CacheIndex } from './cache';
import { moduleClosureHash } from './module-closure';
import { launch } from './launcher';
import { resolveCommandLine, substituteInputParams, substituteRuntime, type RuntimeContext } from './placeholders';
import type { ArtifactRef, ExecutionRecord, IoValues, TaskRecord } from './model';
import type { Semaphore } from './semaphore';
import type { WarmPool } from './prewarm';

/** What executions need from the run. */
export interface ExecutionEnv {
  readonly runId: string;
  readonly runDir: string;
  readonly root: string;
  readonly projectRoot: string;
  readonly cache: CacheIndex;
  readonly noCache: boolean;
  readonly slots: Semaphore;
  readonly warm?: WarmPool;
  readonly signal: AbortSignal;
  runtime(taskName: string, taskId: string): RuntimeContext;
  recordExecution(x: ExecutionRecord): void;
  /** A task's visible state changed (attempt counter, retry wait). */
  taskChanged(t: TaskRecord): void;
  onOutput?(taskPath: string, text: string): void;
}

export interface LeafResult {
  readonly state: 'succeeded' | 'cached' | 'failed' | 'cancelled';
  readonly outputs?: IoValues;
  readonly error?: string;
  readonly executionId?: string;
}

export const newId = (): string => crypto.randomUUID();

function runtimeArtifact(a: ArtifactRef): RuntimeArtifactJson {
  return { name: a.id, type: { schemaTitle: a.schemaTitle, schemaVersion: a.schemaVersion }, uri: a.uri, metadata: a.metadata };
}

/** Seconds in an IR duration ("30s", "1.5s"). */
function seconds(d: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(d ?? '');
  return m ? Number(m[1]) : 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

class OutputError extends Error {}

/** Reads back what the process wrote: the ExecutorOutput file, or the output parameter files. */
function collectOutputs(component: ComponentSpecIr, ei: ExecutorInputJson): { params: Record<string, JsonValue>; metadata: Record<string, Record<string, JsonValue>[]> } {
  let eo: ExecutorOutputJson | undefined;
  const file = ei.outputs!.outputFile!;
  if (fs.existsSync(file)) {
    try {
      eo = JSON.parse(fs.readFileSync(file, 'utf8')) as ExecutorOutputJson;
    } catch (e) {
      throw new OutputError(`the executor output file ${file} is not JSON: ${(e as Error).message}`);
    }
  }
  const params: Record<string, JsonValue> = {};
  for (const [name, def] of Object.entries(component.outputDefinitions?.parameters ?? {})) {
    const what = `output parameter '${name}'`;
    let v = eo?.parameterValues?.[name] as JsonValue | undefined;
    if (v === undefined) {
      const f = ei.outputs!.parameters![name]!.outputFile;
      if (!fs.existsSync(f)) throw new OutputError(`${what} (${def.parameterType}) was not written: nothing at ${f} and no value in the executor output.`);
      v = parseParamFile(fs.readFileSync(f, 'utf8'), def.parameterType, what);
    }
    params[name] = coerceParam(v, def.parameterType, what);
  }
  const metadata: Record<string, Record<string, JsonValue>[]> = {};
  for (const [name, def] of Object.entries(component.outputDefinitions?.artifacts ?? {})) {
    const list = ei.outputs!.artifacts![name]!.artifacts!;
    metadata[name] = list.map((a, i) => {
      if (!fs.existsSync(a.uri!) && !METADATA_ONLY_TYPES.has(def.artifactType.schemaTitle)) {
        throw new OutputError(`output artifact '${name}' (${def.artifactType.schemaTitle}) was not written: nothing at ${a.uri}.`);
      }
      return (eo?.artifacts?.[name]?.artifacts?.[i]?.metadata ?? {}) as Record<string, JsonValue>;
    });
  }
  return { params, metadata };
}

function moveIntoPlace(stage: string, final: string): void {
  fs.mkdirSync(path.dirname(final), { recursive: true });
  fs.rmSync(final, { recursive: true, force: true });
  fs.renameSync(stage, final);
}

/** The cache key of a container task (undefined when caching is off for it) and an earlier execution to reuse. */
export function cacheLookup(
  env: ExecutionEnv,
  task: TaskRecord,
  spec: TaskSpecIr,
  component: ComponentSpecIr,
  container: ContainerIr,
  inputs: IoValues,
): { key?: string; hit?: LeafResult } {
  if (!spec.cachingOptions?.enableCache) return {};
  const modIdx = container.command?.[0] === 'duckml' ? (container.args ?? []).indexOf('--module') : -1;
  const modHash = modIdx >= 0 ? moduleClosureHash(path.resolve(env.projectRoot, container.args![modIdx + 1]!)) : undefined;
  const key = computeCacheKey({ componentName: spec.componentRef.name, component, container, inputs, customKey: spec.cachingOptions.cacheKey, moduleHash: modHash });
  const found = env.noCache ? undefined : env.cache.lookup(key);
  if (!found) return { key };
  const now = Date.now();
  const id = newId();
  env.recordExecution({ id, runId: env.runId, taskPath: task.path, attempt: 1, state: 'cached', cacheKey: key, cachedFrom: found.executionId, startedAt: now, finishedAt: now, inputs, outputs: found.outputs });
  return { key, hit: { state: 'cached', outputs: found.outputs, executionId: id } };
}

/** Runs a container task with its retry policy; `key` (from cacheLookup) records the result for later runs. */
export async function runContainer(
  env: ExecutionEnv,
  task: TaskRecord,
  spec: TaskSpecIr,
  component: ComponentSpecIr,
  container: ContainerIr,
  inputs: IoValues,
  key: string | undefined,
): Promise<LeafResult> {
  const retry = spec.retryPolicy;
  const attempts = 1 + Math.max(0, retry?.maxRetryCount ?? 0);
  let delay = seconds(retry?.backoffDuration);
  const maxDelay = retry?.backoffMaxDuration ? seconds(retry.backoffMaxDuration) : 3600;
  let lastError = '';
  let lastId: string | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (env.signal.aborted) return { state: 'cancelled', error: 'the run was stopped', executionId: lastId };
    const id = newId();
    lastId = id;
    task.attempt = attempt;
    task.executionId = id;
    if (attempt > 1) {
      task.error = undefined;
      env.taskChanged(task);
    }
    const r = await attemptOnce(env, task, spec, component, container, inputs, id, attempt, key);
    if (r.state !== 'failed') return r;
    lastError = r.error!;
    if (attempt < attempts && !env.signal.aborted) {
      task.error = `attempt ${attempt} of ${attempts} failed; retrying in ${delay}s: ${lastError.split('\n')[0]}`;
      env.taskChanged(task);
      await sleep(delay * 1000, env.signal);
      delay = Math.min(delay * (retry?.backoffFactor ?? 2), maxDelay);
    }
  }
  return { state: env.signal.aborted ? 'cancelled' : 'failed', error: attempts > 1 ? `failed after ${attempts} attempts: ${lastError}` : lastError, executionId: lastId };
}

async function attemptOnce(
  env: ExecutionEnv,
  task: TaskRecord,
  spec: TaskSpecIr,
  component: ComponentSpecIr,
  container: ContainerIr,
  inputs: IoValues,
  id: string,
  attempt: number,
  key: string | undefined,
): Promise<LeafResult> {
  const stage = path.join(env.runDir, '.duckml', 'staging', id);
  const final = path.join(env.runDir, task.path);
  const log = path.join(env.runDir, '.duckml', 'logs', `${task.path}.${attempt}.log`);
  const ei: ExecutorInputJson = {
    inputs: { parameterValues: inputs.params, artifacts: {} },
    outputs: { parameters: {}, artifacts: {}, outputFile: path.join(stage, '.executor_output.json') },
  };
  for (const [name, list] of Object.entries(inputs.artifacts)) ei.inputs!.artifacts![name] = { artifacts: list.map(runtimeArtifact) };
  for (const name of Object.keys(component.outputDefinitions?.parameters ?? {})) {
    ei.outputs!.parameters![name] = { outputFile: path.join(stage, '.params', name) };
  }
  for (const [name, def] of Object.entries(component.outputDefinitions?.artifacts ?? {})) {
    const { schemaTitle, schemaVersion } = def.artifactType;
    ei.outputs!.artifacts![name] = { artifacts: [{ name, type: { schemaTitle, schemaVersion }, uri: path.join(stage, name), metadata: {} }] };
  }
  const startedAt = Date.now();
  const record: ExecutionRecord = { id, runId: env.runId, taskPath: task.path, attempt, state: 'running', cacheKey: key, startedAt, inputs, log };
  env.recordExecution(record);
  const fail = (error: string): LeafResult => {
    fs.rmSync(stage, { recursive: true, force: true });
    Object.assign(record, { state: 'failed', finishedAt: Date.now(), error });
    env.recordExecution(record);
    return { state: 'failed', error, executionId: id };
  };
  let command: string[];
  let args: string[];
  const runtime = env.runtime(spec.taskInfo.name, id);
  try {
    command = resolveCommandLine(container.command ?? [], ei, runtime, `task '${task.path}' command`);
    args = resolveCommandLine(container.args ?? [], ei, runtime, `task '${task.path}' args`);
  } catch (e) {
    return fail((e as Error).message);
  }
  fs.mkdirSync(path.join(stage, '.params'), { recursive: true });
  const taskEnv: Record<string, string> = { DUCKML_TASK_NAME: spec.taskInfo.name, DUCKML_JOB_NAME: runtime.jobName, DUCKML_RUN_ID: env.runId };
  for (const e of container.env ?? []) taskEnv[e.name] = substituteInputParams(substituteRuntime(e.value, runtime), inputs.params, `env ${e.name}`);
  const result = await env.slots.run(() =>
    launch({
      container,
      command,
      args,
      cwd: env.projectRoot,
      env: taskEnv,
      logFile: log,
      mounts: [env.root],
      signal: env.signal,
      warm: env.warm,
      onOutput: env.onOutput ? (t) => env.onOutput!(task.path, t) : undefined,
    }),
  );
  if (result.code !== 0) {
    if (env.signal.aborted) {
      fail('cancelled: the run was stopped');
      return { state: 'cancelled', error: 'the run was stopped', executionId: id };
    }
    const how = result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`;
    const lines = result.tail.filter((l) => l.trim() !== '');
    // duckml's executor states the failure on one line; other programs usually end with it.
    const headline = lines.find((l) => l.startsWith('duckml execute: '))?.slice('duckml execute: '.length) ?? lines[lines.length - 1] ?? 'the container failed';
    const tail = lines.slice(-8).join('\n    ');
    return fail(`${headline} (${how})${tail ? `\n    ${tail}` : ''}\n    (log: ${path.relative(process.cwd(), log) || log})`);
  }
  let collected;
  try {
    collected = collectOutputs(component, ei);
  } catch (e) {
    return fail((e as Error).message);
  }
  try {
    moveIntoPlace(stage, final);
  } catch (e) {
    return fail(`could not move outputs into ${final}: ${(e as Error).message}`);
  }
  const outputs: IoValues = { params: collected.params, artifacts: {} };
  for (const [name, def] of Object.entries(component.outputDefinitions?.artifacts ?? {})) {
    outputs.artifacts[name] = collected.metadata[name]!.map((metadata, i) => ({
      id: i === 0 ? `${id}/${name}` : `${id}/${name}/${i}`,
      name,
      uri: path.join(final, name),
      schemaTitle: def.artifactType.schemaTitle,
      schemaVersion: def.artifactType.schemaVersion,
      metadata,
    }));
  }
  Object.assign(record, { state: 'succeeded', finishedAt: Date.now(), outputs });
  env.recordExecution(record);
  if (key) env.cache.add(key, { executionId: id, outputs });
  return { state: 'succeeded', outputs, executionId: id };
}

/** An importer: registers an existing URI as an artifact of the declared type. */
export function runImporter(env: ExecutionEnv, task: TaskRecord, spec: TaskSpecIr, component: ComponentSpecIr, importer: Record<string, unknown>, inputs: IoValues): LeafResult {
  const id = newId();
  const runtime = env.runtime(spec.taskInfo.name, id);
  const src = importer.artifactUri as { constant?: string; runtimeParameter?: string } | undefined;
  let uri: unknown = src?.constant;
  if (src?.runtimeParameter) uri = inputs.params[src.runtimeParameter];
  if (typeof uri !== 'string' || uri === '') {
    return { state: 'failed', error: `importer: no artifact URI (got ${JSON.stringify(uri)}); pass a string URI.` };
  }
  uri = substituteRuntime(uri as string, runtime);
  const fill = (v: unknown): JsonValue =>
    typeof v === 'string' ? substituteInputParams(substituteRuntime(v, runtime), inputs.params, 'importer metadata') : Array.isArray(v) ? v.map(fill) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)])) : (v as JsonValue);
  const type = importer.typeSchema as { schemaTitle: string; schemaVersion?: string };
  const outKey = Object.keys(component.outputDefinitions?.artifacts ?? { artifact: 0 })[0]!;
  const artifactId = importer.reimport ? `import/${id}` : `import/${crypto.createHash('sha256').update(uri as string).digest('hex').slice(0, 32)}`;
  const art: ArtifactRef = { id: artifactId, name: outKey, uri: uri as string, schemaTitle: type.schemaTitle, schemaVersion: type.schemaVersion ?? '0.0.1', metadata: (fill(importer.metadata ?? {}) as Record<string, JsonValue>) };
  const outputs: IoValues = { params: {}, artifacts: { [outKey]: [art] } };
  const now = Date.now();
  env.recordExecution({ id, runId: env.runId, taskPath: task.path, attempt: 1, state: 'succeeded', startedAt: now, finishedAt: now, inputs, outputs });
  return { state: 'succeeded', outputs, executionId: id };
}
