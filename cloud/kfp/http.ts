/**
 * KFP REST API (v2beta1, grpc-gateway JSON with snake_case names) errors as CLI errors; the
 * requests themselves go through cloud/http.ts.
 */
import { CliError, EXIT } from '../../cli/exit-codes';
import { RetriesExhausted } from '../retry';
import { HttpError, NetworkError } from '../http';

export { Http, HttpError, NetworkError, isTransientHttp, type HttpOptions, type RequestOptions } from '../http';

/** A readable CliError with the exit code of the failure. */
export function httpCliError(e: unknown, what: string): CliError {
  if (e instanceof CliError) return e;
  const exhausted = e instanceof RetriesExhausted ? e : undefined;
  const err = exhausted ? exhausted.last : e;
  const msg = `${what} failed: ${(err as Error)?.message ?? String(err)}`;
  if (exhausted) return new CliError(`${msg}\nThe KFP API kept failing after ${exhausted.attempts} attempts; check --host and try again later.`, EXIT.unavailable);
  if (err instanceof HttpError) {
    if (err.status === 401 || err.status === 403) return new CliError(`${msg}\nThe KFP API refused the request: set DUCKML_KFP_TOKEN to a token it accepts, or check --namespace.`, EXIT.auth);
    if (err.status >= 400 && err.status < 500 && err.status !== 429) return new CliError(msg, EXIT.usage);
    return new CliError(msg, EXIT.unavailable);
  }
  if (err instanceof NetworkError) return new CliError(msg, EXIT.unavailable);
  return new CliError(msg, EXIT.error);
}
