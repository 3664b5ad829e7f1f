/** What an extraction is asked to do and what it reports, whichever warehouse runs it. */
import type { ColumnInfo } from '../../warehouse/duckdb';

export interface ExtractRequest {
  /** Standard SQL with `@name` placeholders. */
  readonly query: string;
  readonly params?: Readonly<Record<string, unknown>>;
  /** BigQuery types for parameters whose type the value does not say (DATE, TIMESTAMP, nulls…). */
  readonly paramTypes?: Readonly<Record<string, unknown>>;
  /** BigQuery job location (US, EU, europe-west4…); ignored by DuckDB. */
  readonly location?: string;
  /** BigQuery job labels; ignored by DuckDB. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Accept a result with no rows (default: an error, as a silent empty dataset breaks training later). */
  readonly allowEmpty?: boolean;
  readonly log?: (message: string) => void;
}

export interface ExtractResult {
  readonly rows: number;
  readonly columns: ColumnInfo[];
  /** Google's GcpResources JSON: the BigQuery job, or no resources for DuckDB. */
  readonly gcpResources: string;
}

/** The query without surrounding space and trailing semicolons (it is wrapped in COPY on DuckDB). */
export function singleStatement(query: string): string {
  if (typeof query !== 'string' || query.trim() === '') throw new Error('query is empty; pass a SELECT statement.');
  return query.trim().replace(/(;\s*)+$/, '').trimEnd();
}

export function emptyResultError(where: string): Error {
  return new Error(
    `the query on ${where} returned no rows, so no dataset was written. Check its WHERE clause and parameter values, ` +
      'or pass allowEmpty: true if an empty dataset is expected.',
  );
}

/** Label keys and values as BigQuery accepts them (lower case, digits, _ and -; keys start with a letter). */
export function checkLabels(labels: Readonly<Record<string, unknown>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(k)) throw new Error(`label key '${k}' is invalid: use up to 63 lower-case letters, digits, '_' or '-', starting with a letter.`);
    const s = String(v);
    if (!/^[a-z0-9_-]{0,63}$/.test(s)) throw new Error(`label '${k}' has value '${s}': use up to 63 lower-case letters, digits, '_' or '-'.`);
    out[k] = s;
  }
  return out;
}
