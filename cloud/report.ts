/**
 * What cloud commands print: readable progress lines on stderr while they work, and one JSON
 * object as the last line on stdout (Airflow's BashOperator pushes the last line to XCom; a shell
 * takes it with `$(duckml submit ...)`). Both streams are synchronous pipes on Linux, so where
 * they are merged the JSON still comes last.
 */
import type { ExitCode } from '../cli/exit-codes';
import type { JobStatus } from './job-status';

export interface Reporter {
  info(line: string): void;
  /** The final line. Call once. */
  result(obj: Record<string, unknown>): void;
}

export const consoleReporter: Reporter = {
  info: (line) => void process.stderr.write(`${line}\n`),
  result: (obj) => void process.stdout.write(`${JSON.stringify(obj)}\n`),
};

export function resultLine(status: JobStatus | undefined, exitCode: ExitCode, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (status) {
    out.target = status.target;
    out.name = status.name;
    out.id = status.id;
    if (status.displayName) out.displayName = status.displayName;
    out.state = status.state;
    out.serviceState = status.serviceState;
    if (status.url) out.url = status.url;
    if (status.error) out.error = status.error;
  }
  return { ...out, ...extra, exitCode };
}
