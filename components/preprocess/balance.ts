/**
 * Class balancing of the training split (validation and test keep the natural distribution):
 * class weights (n / (2·n_class), as scikit-learn's 'balanced'), or resampling to a target
 * minority:majority ratio — undersampling the majority or oversampling (repeating) the minority,
 * choosing rows by a seeded md5 order so the result is reproducible.
 */

export const BALANCE_MODES = ['none', 'class-weights', 'undersample', 'oversample'] as const;
export type BalanceMode = (typeof BALANCE_MODES)[number];

export interface ClassCounts {
  readonly negatives: number;
  readonly positives: number;
}

export interface Balanced {
  /** SELECT over the training rows with a `__duckml_weight` column (and rows dropped or repeated). */
  readonly sql: string;
  readonly weights: { readonly negative: number; readonly positive: number };
  /** Class counts after resampling. */
  readonly counts: ClassCounts;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function checkBalance(mode: string, ratio: number): BalanceMode {
  if (!(BALANCE_MODES as readonly string[]).includes(mode)) throw new Error(`balance must be one of ${BALANCE_MODES.join(', ')}; got '${mode}'.`);
  if (!(ratio > 0 && ratio <= 1)) throw new Error(`balanceRatio (minority ÷ majority after resampling) must be in (0, 1], got ${ratio}.`);
  return mode as BalanceMode;
}

/**
 * `trainSql` rows must carry `rowColumn`, a unique row number (used to order rows for sampling).
 */
export function balanceSql(trainSql: string, labelColumn: string, rowColumn: string, mode: BalanceMode, c: ClassCounts, ratio: number, seed: number): Balanced {
  const label = ident(labelColumn);
  const n = c.negatives + c.positives;
  if (mode === 'none') return { sql: `SELECT *, 1.0 AS __duckml_weight FROM (${trainSql})`, weights: { negative: 1, positive: 1 }, counts: c };
  if (mode === 'class-weights') {
    const wNeg = n / (2 * c.negatives);
    const wPos = n / (2 * c.positives);
    return {
      sql: `SELECT *, CASE WHEN ${label} = 1 THEN CAST('${wPos}' AS DOUBLE) ELSE CAST('${wNeg}' AS DOUBLE) END AS __duckml_weight FROM (${trainSql})`,
      weights: { negative: wNeg, positive: wPos },
      counts: c,
    };
  }
  const minorityLabel = c.positives <= c.negatives ? 1 : 0;
  const nMin = Math.min(c.positives, c.negatives);
  const nMaj = Math.max(c.positives, c.negatives);
  const order = (tag: string) => `md5('${Math.trunc(seed)}:${tag}:' || CAST(${ident(rowColumn)} AS VARCHAR))`;
  const ranked = `SELECT *, row_number() OVER (PARTITION BY ${label} ORDER BY ${order(mode)}) AS __duckml_pick FROM (${trainSql})`;
  if (mode === 'undersample') {
    const keep = Math.max(1, Math.min(nMaj, Math.round(nMin / ratio)));
    return {
      sql: `SELECT * EXCLUDE (__duckml_pick), 1.0 AS __duckml_weight FROM (${ranked}) WHERE ${label} = ${minorityLabel} OR __duckml_pick <= ${keep}`,
      weights: { negative: 1, positive: 1 },
      counts: minorityLabel === 1 ? { positives: nMin, negatives: keep } : { positives: keep, negatives: nMin },
    };
  }
  // Oversample: every minority row `base` times, the first `extra` (in seeded order) once more.
  const target = Math.max(nMin, Math.round(nMaj * ratio));
  const base = Math.floor(target / nMin);
  const extra = target - base * nMin;
  const copies = `CASE WHEN ${label} <> ${minorityLabel} THEN 1 WHEN __duckml_pick <= ${extra} THEN ${base + 1} ELSE ${base} END`;
  return {
    sql: `SELECT * EXCLUDE (__duckml_pick, __duckml_copy), 1.0 AS __duckml_weight FROM (SELECT *, unnest(range(${copies})) AS __duckml_copy FROM (${ranked}))`,
    weights: { negative: 1, positive: 1 },
    counts: minorityLabel === 1 ? { positives: target, negatives: nMaj } : { positives: nMaj, negatives: target },
  };
}
