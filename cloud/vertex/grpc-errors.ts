/** gRPC failures from the Vertex API: which to retry, and the message and exit code for the rest. */
import { CliError, EXIT } from '../../cli/exit-codes';
import { RetriesExhausted } from '../retry';

export const CODE = {
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

export function grpcCode(e: unknown): number | undefined {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'number' ? c : undefined;
}

/**
 * Unavailable (503), rate limited (429), internal (500) and timed out (504; our own request
 * deadline included — the create that follows meets the job by its id). Nothing else.
 */
export function isTransient(e: unknown): boolean {
  const c = grpcCode(e);
  return c === CODE.UNAVAILABLE || c === CODE.RESOURCE_EXHAUSTED || c === CODE.INTERNAL || c === CODE.DEADLINE_EXCEEDED;
}

/** The server's own words, without the "14 UNAVAILABLE: " prefix the client adds. */
export function grpcMessage(e: unknown): string {
  const err = e as { details?: unknown; message?: unknown };
  const text = typeof err?.details === 'string' && err.details ? err.details : String(err?.message ?? e);
  return text.replace(/^\d+ [A-Z_]+: /, '');
}

/** A readable CliError for a failed call; `what` says what was being done ("creating job x"). */
export function toCliError(e: unknown, what: string): CliError {
  if (e instanceof CliError) return e;
  const exhausted = e instanceof RetriesExhausted ? e : undefined;
  const err = exhausted ? exhausted.last : e;
  const c = grpcCode(err);
  const name = c !== undefined ? NAMES[c] ?? `code ${c}` : undefined;
  const msg = `${what} failed${name ? ` (${name})` : ''}: ${grpcMessage(err)}`;
  if (exhausted) return new CliError(`${msg}\nThe Vertex AI API kept failing after ${exhausted.attempts} attempts; try again later.`, EXIT.unavailable);
  switch (c) {
    case CODE.UNAUTHENTICATED:
      return new CliError(`${msg}\nThe credentials were not accepted; log in again (gcloud auth application-default login) or refresh DUCKML_ACCESS_TOKEN.`, EXIT.auth);
    case CODE.PERMISSION_DENIED:
      return new CliError(`${msg}\nThe account needs the Vertex AI User role (roles/aiplatform.user) on the project, and permission to act as the job's service account (roles/iam.serviceAccountUser).`, EXIT.auth);
    case 3: // INVALID_ARGUMENT
    case CODE.NOT_FOUND:
    case CODE.FAILED_PRECONDITION:
    case 11: // OUT_OF_RANGE
      return new CliError(msg, EXIT.usage);
    case CODE.UNAVAILABLE:
    case CODE.RESOURCE_EXHAUSTED:
    case CODE.INTERNAL:
    case CODE.DEADLINE_EXCEEDED:
      return new CliError(msg, EXIT.unavailable);
    default:
      return new CliError(msg, EXIT.error);
  }
}
