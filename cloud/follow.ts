/**
 * `--wait` for submit and `duckml jobs wait`: follow a job to its end, telling state changes;
 * on SIGTERM/SIGINT (Airflow killing the task, Ctrl-C) either cancel the job first
 * (--cancel-on-interrupt) or leave it running; and choose the exit code.
 */
import { EXIT, type ExitCode } from '../cli/exit-codes';
import { formatDuration } from './duration';
import { exitCodeForState, TERMINAL, type JobBackend, type JobStatus } from './job-status';
import type { Reporter } from './report';
import { sleep } from './retry';
import { describeChange, waitForJob } from './wait';

export interface FollowOptions {
  timeoutMs?: number;
  pollMs?: number;
  cancelOnInterrupt?: boolean;
  /** How long to watch a cancelled job settle before exiting (default 20 s). */
  cancelGraceMs?: number;
  initial?: JobStatus;
  /** Signals to handle (default SIGTERM and SIGINT). */
  signals?: NodeJS.Signals[];
}

export interface FollowResult {
  status: JobStatus;
  exitCode: ExitCode;
  extra: Record<string, unknown>;
}

export async function follow(backend: JobBackend, id: string, report: Reporter, opts: FollowOptions = {}): Promise<FollowResult> {
  const ac = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (received) {
      // A second signal while cancelling: the caller insists.
      report.info(`${sig} again: exiting now; the job may still be running.`);
      process.exit(EXIT.interrupted);
    }
    received = sig;
    report.info(`${sig} received${opts.cancelOnInterrupt ? ': cancelling the job' : ''}.`);
    ac.abort(sig);
  };
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  for (const s of signals) process.on(s, onSignal);
  try {
    if (opts.initial && !TERMINAL.has(opts.initial.state)) report.info(`waiting for ${opts.initial.id}${opts.timeoutMs ? ` (up to ${formatDuration(opts.timeoutMs)})` : ''}; it is ${opts.initial.state}.`);
    const outcome = await waitForJob(backend, id, {
      timeoutMs: opts.timeoutMs,
      pollMs: opts.pollMs,
      signal: ac.signal,
      initial: opts.initial,
      onChange: (s, ms) => report.info(describeChange(s, ms)),
    });
    if (outcome.kind === 'done') return { status: outcome.status, exitCode: exitCodeForState(outcome.status.state), extra: {} };
    if (outcome.kind === 'timeout') {
      report.info(`gave up waiting after ${formatDuration(opts.timeoutMs ?? 0)}; ${outcome.status.id} is still ${outcome.status.state} (left running).`);
      return { status: outcome.status, exitCode: EXIT.timeout, extra: { timedOut: true } };
    }
    if (!opts.cancelOnInterrupt) {
      report.info(`stopped waiting; ${outcome.status.id} is left ${outcome.status.state}.`);
      return { status: outcome.status, exitCode: EXIT.interrupted, extra: { interrupted: received ?? true } };
    }
    await backend.cancel(id);
    const status = await settle(backend, id, opts.cancelGraceMs ?? 20_000, Math.min(opts.pollMs ?? 1000, 1000));
    report.info(`${status.id} is ${status.state}.`);
    const exitCode = status.state === 'SUCCEEDED' || status.state === 'FAILED' ? exitCodeForState(status.state) : EXIT.cancelled;
    return { status, exitCode, extra: { interrupted: received ?? true, cancelRequested: true } };
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

/** After a cancel: poll briefly for the end state (Airflow allows a grace period before SIGKILL). */
async function settle(backend: JobBackend, id: string, graceMs: number, pollMs: number): Promise<JobStatus> {
  const end = Date.now() + graceMs;
  let s = await backend.get(id);
  while (!TERMINAL.has(s.state) && Date.now() < end) {
    await sleep(pollMs);
    s = await backend.get(id);
  }
  return s;
}
