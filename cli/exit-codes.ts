/**
 * Exit codes, stable for CI and Airflow (documented in the README). Never 99: Airflow's
 * BashOperator reads 99 as "skip".
 */
export const EXIT = {
  ok: 0,
  /** Unexpected failure (a bug, or an environment problem such as a full disk). */
  error: 1,
  /** Bad command line or input: unknown flag, missing file, bad parameter value. */
  usage: 2,
  /** The pipeline file does not load or does not compile (syntax, type or DSL errors). */
  compile: 3,
  /** A local run or a remote job failed. */
  failed: 4,
  /** The job was cancelled. */
  cancelled: 5,
  /** --wait gave up after --timeout. */
  timeout: 6,
  /** No credentials, or the credentials lack permission. */
  auth: 7,
  /** The service was unreachable or kept failing after retries. */
  unavailable: 8,
  /** SIGTERM/SIGINT while waiting for a remote job, which was left running (with --cancel-on-interrupt it is cancelled: 5). */
  interrupted: 9,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one readable message and a specific exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly code: ExitCode = EXIT.usage,
  ) {
    super(message);
  }
}
