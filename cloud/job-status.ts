/**
 * What every target reports about a job, in one shape: the final JSON line of `duckml submit`
 * and `duckml jobs`, and the exit code a terminal state maps to.
 */
import { EXIT, type ExitCode } from '../cli/exit-codes';

export type JobState = 'QUEUED' | 'PENDING' | 'RUNNING' | 'PAUSED' | 'CANCELLING' | 'SUCCEEDED' | 'SKIPPED' | 'FAILED' | 'CANCELLED' | 'UNKNOWN';

export const TERMINAL: ReadonlySet<JobState> = new Set(['SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELLED']);

export interface JobStatus {
  target: 'vertex' | 'kfp';
  /** The full resource name (Vertex) or the run id (KFP). */
  name: string;
  id: string;
  displayName?: string;
  state: JobState;
  /** The state as the service spells it (PIPELINE_STATE_RUNNING, CANCELED, ...). */
  serviceState: string;
  /** Where to look at it in a browser. */
  url?: string;
  error?: string;
  createTime?: string;
}

export function exitCodeForState(state: JobState): ExitCode {
  switch (state) {
    case 'FAILED':
      return EXIT.failed;
    case 'CANCELLED':
    case 'CANCELLING':
      return EXIT.cancelled;
    default:
      return EXIT.ok;
  }
}

/** Operations `duckml jobs` and `--wait` need from a target. */
export interface JobBackend {
  readonly target: JobStatus['target'];
  get(id: string, signal?: AbortSignal): Promise<JobStatus>;
  cancel(id: string): Promise<void>;
  list(opts: { limit: number; filter?: string }): Promise<JobStatus[]>;
  close(): Promise<void>;
}
