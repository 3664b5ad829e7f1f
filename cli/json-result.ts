/**
 * Cloud commands end with one JSON line on stdout, failures included: Airflow and CI read that
 * line, so a bad parameter or a missing login still yields {"error": ..., "exitCode": ...} after
 * the readable message on stderr.
 */
import { EXIT, CliError, type ExitCode } from './exit-codes';
import { consoleReporter, type Reporter } from '../cloud/report';

export async function withJsonResult(command: string, run: (report: Reporter) => Promise<ExitCode>, report: Reporter = consoleReporter): Promise<ExitCode> {
  try {
    return await run(report);
  } catch (e) {
    const known = e instanceof CliError;
    const code = known ? e.code : EXIT.error;
    const message = known ? e.message : `unexpected error (please report it): ${(e as Error)?.stack ?? String(e)}`;
    process.stderr.write(`duckml ${command}: ${message}\n`);
    // The usage text some errors carry is for people; the JSON keeps the error itself.
    report.result({ error: (known ? e.message : String((e as Error)?.message ?? e)).split('\n\nUsage:')[0], exitCode: code });
    return code;
  }
}
