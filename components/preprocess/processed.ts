/**
 * Reading a processed split back. Parquet has no fixed-size array type, so `features`, written
 * as FLOAT[k], reads back as a FLOAT[] list; casting to FLOAT[k] (k = featureNames.length in the
 * split's metadata) restores the fixed-size array that DuckDB hands out flat and row-major.
 */

const str = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** SELECT id, label, weight, features::FLOAT[k] from a processed split's Parquet file. */
export function processedSplitSql(file: string, featureCount: number, opts: { label?: boolean } = {}): string {
  if (!Number.isInteger(featureCount) || featureCount < 1) throw new Error(`processedSplitSql: featureCount must be a positive integer, got ${featureCount}.`);
  const label = opts.label === false ? '' : 'label, ';
  return `SELECT id, ${label}weight, features::FLOAT[${featureCount}] AS features FROM read_parquet(${str(file)})`;
}
