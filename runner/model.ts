/** The local runner's records: tasks, executions and artifacts, as the journal and store hold them. */
import type { JsonValue } from '../executor/protocol';

/**
 * Task states. `skipped`: its trigger condition was false (KFP NOT_TRIGGERED). `upstream_failed`:
 * not run because a task it depends on failed. `cancelled`: not started because the run stopped
 * (fail-fast or Ctrl-C).
 */
export type TaskState = 'pending' | 'running' | 'succeeded' | 'cached' | 'failed' | 'skipped' | 'upstream_failed' | 'cancelled';
export type RunState = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export const DONE_OK: ReadonlySet<TaskState> = new Set(['succeeded', 'cached']);
export const FAILED: ReadonlySet<TaskState> = new Set(['failed', 'upstream_failed']);
export function isTerminal(s: TaskState): boolean {
  return s !== 'pending' && s !== 'running';
}

export type TaskKind = 'container' | 'importer' | 'dag' | 'loop' | 'iteration';

export interface ArtifactRef {
  readonly id: string;
  readonly name: string;
  readonly uri: string;
  readonly schemaTitle: string;
  readonly schemaVersion: string;
  readonly metadata: Record<string, JsonValue>;
}

export interface IoValues {
  params: Record<string, JsonValue>;
  artifacts: Record<string, ArtifactRef[]>;
}

export function emptyIo(): IoValues {
  return { params: {}, artifacts: {} };
}

export interface TaskRecord {
  readonly runId: string;
  /** Unique in the run: DAG task names joined by '/', loop iterations as their index. */
  readonly path: string;
  readonly name: string;
  readonly parent: string;
  readonly kind: TaskKind;
  state: TaskState;
  startedAt?: number;
  finishedAt?: number;
  cached: boolean;
  executionId?: string;
  error?: string;
  /** Attempts so far (containers), for display of retries. */
  attempt?: number;
}

export interface ExecutionRecord {
  readonly id: string;
  readonly runId: string;
  readonly taskPath: string;
  readonly attempt: number;
  state: 'running' | 'succeeded' | 'failed' | 'cached';
  readonly cacheKey?: string;
  /** For a cache hit: the execution whose outputs were reused. */
  readonly cachedFrom?: string;
  readonly startedAt: number;
  finishedAt?: number;
  readonly inputs: IoValues;
  outputs?: IoValues;
  error?: string;
  /** The log file of this attempt (containers). */
  readonly log?: string;
}

export interface RunRecord {
  readonly id: string;
  readonly pipeline: string;
  state: RunState;
  readonly startedAt: number;
  finishedAt?: number;
  readonly params: Record<string, JsonValue>;
  outputs?: IoValues;
  readonly root: string;
  readonly projectRoot: string;
  readonly specFile: string;
  readonly pid: number;
  readonly host: string;
  error?: string;
}

/** One line of a run's journal, and one unit of a store write. */
export type RunEvent =
  | { readonly type: 'run'; readonly run: RunRecord }
  | { readonly type: 'task'; readonly task: TaskRecord }
  | { readonly type: 'execution'; readonly execution: ExecutionRecord };
