/**
 * BigQuery Standard SQL types and their DuckDB equivalents: used to cast named query parameters
 * on DuckDB and to give BigQuery results their Parquet column types.
 */

const SCALARS: Readonly<Record<string, string>> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  INTEGER: 'BIGINT',
  FLOAT64: 'DOUBLE',
  FLOAT: 'DOUBLE',
  NUMERIC: 'DECIMAL(38,9)',
  BIGNUMERIC: 'VARCHAR', // up to 76 digits: wider than any DuckDB DECIMAL, kept exact as text
  BIGDECIMAL: 'VARCHAR',
  BOOL: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  DATETIME: 'TIMESTAMP',
  TIMESTAMP: 'TIMESTAMPTZ',
  TIME: 'TIME',
  BYTES: 'BLOB',
  JSON: 'VARCHAR',
  GEOGRAPHY: 'VARCHAR',
};

export const BIGQUERY_PARAM_TYPES = ['STRING', 'INT64', 'FLOAT64', 'NUMERIC', 'BOOL', 'DATE', 'DATETIME', 'TIMESTAMP', 'TIME', 'BYTES'];

/** Normalizes 'int64', 'ARRAY<date>' etc.; throws for a type duckml does not bind. */
export function normalizeBigQueryType(type: string, where: string): string {
  const t = String(type).trim().toUpperCase().replace(/\s+/g, '');
  const inner = /^ARRAY<(.+)>$/.exec(t)?.[1];
  const base = inner ?? t;
  if (!(base in SCALARS) || base.startsWith('ARRAY')) {
    throw new Error(
      `${where}: unknown BigQuery type '${type}'. Use one of ${BIGQUERY_PARAM_TYPES.join(', ')}, or ARRAY<…> of one of them.`,
    );
  }
  return inner ? `ARRAY<${base}>` : base;
}

/** The DuckDB type for a (normalized or not) BigQuery type. */
export function duckdbTypeFor(bqType: string): string {
  const t = bqType.trim().toUpperCase();
  const inner = /^ARRAY<(.+)>$/.exec(t)?.[1];
  if (inner) return `${duckdbTypeFor(inner)}[]`;
  const d = SCALARS[t];
  if (!d) throw new Error(`no DuckDB type for BigQuery type '${bqType}'.`);
  return d;
}
