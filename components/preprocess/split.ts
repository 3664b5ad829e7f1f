/**
 * Stratified, seeded train/validation/test split. Within each label, ids are ordered by
 * md5(seed:id) — reproducible anywhere, independent of row order and of DuckDB's version — and
 * the first `test` share of them goes to test, the next `validation` share to validation. Rows
 * sharing an id (a user's days) land in the same split, so no user leaks across splits.
 */

export interface SplitFractions {
  readonly validation: number;
  readonly test: number;
}

export const SPLITS = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function checkFractions(f: SplitFractions): void {
  for (const [k, v] of Object.entries(f)) {
    if (!(typeof v === 'number' && v >= 0 && v < 1)) throw new Error(`${k}Fraction must be in [0, 1), got ${v}.`);
  }
  if (f.validation + f.test >= 0.9) {
    throw new Error(`validationFraction + testFraction = ${f.validation + f.test}; leave at least 10 % of the data for training.`);
  }
}

/** `sourceSql` plus a `__duckml_split` column ('train' | 'validation' | 'test'). */
export function splitSql(sourceSql: string, idColumn: string, labelColumn: string, f: SplitFractions, seed: number): string {
  const id = `CAST(${ident(idColumn)} AS VARCHAR)`;
  const label = ident(labelColumn);
  // Ranks are computed over the distinct (label, id) pairs — far fewer than rows — then joined back.
  const ids = `SELECT DISTINCT ${label} AS __duckml_l, ${id} AS __duckml_id FROM (${sourceSql})`;
  const ranked = `SELECT __duckml_l, __duckml_id,
      (row_number() OVER (PARTITION BY __duckml_l ORDER BY md5('${Math.trunc(seed)}:' || __duckml_id), __duckml_id) - 1)::DOUBLE
        / count(*) OVER (PARTITION BY __duckml_l) AS __duckml_u
    FROM (${ids})`;
  return `SELECT __duckml_s.*,
      CASE WHEN __duckml_r.__duckml_u < ${f.test} THEN 'test' WHEN __duckml_r.__duckml_u < ${f.test + f.validation} THEN 'validation' ELSE 'train' END AS __duckml_split
    FROM (${sourceSql}) AS __duckml_s
    JOIN (${ranked}) AS __duckml_r ON __duckml_r.__duckml_l = __duckml_s.${label} AND __duckml_r.__duckml_id = CAST(__duckml_s.${ident(idColumn)} AS VARCHAR)`;
}
