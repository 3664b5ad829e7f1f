/**
 * Fits the transform's statistics on the training split only (DuckDB aggregates): clip bounds
 * at quantiles, scaling (standard: mean/std; robust: median/IQR) of the clipped values,
 * imputation values, and for categorical columns one-hot categories with an "other" bucket, or
 * hashing when the column has too many distinct values.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../warehouse/duckdb';
import { featureNamesOf, type Step, type Transform } from './transform';

export type Scaling = 'standard' | 'robust';

export interface FitOptions {
  readonly idColumn: string;
  readonly labelColumn: string;
  readonly numeric: readonly string[];
  readonly categorical: readonly string[];
  readonly scaling: Scaling;
  /** Per-column scaling that differs from `scaling`. */
  readonly scalingByColumn?: Readonly<Record<string, Scaling>>;
  /** Lower and upper clip quantiles, fitted on the training split. */
  readonly clipQuantiles: readonly [number, number];
  /** Value for missing numbers (NULL, NaN, ±Infinity). */
  readonly impute: 'median' | 'mean';
  /** One-hot keeps at most this many categories (the most frequent)… */
  readonly maxCategories: number;
  /** …each seen at least this many times; the rest fall in `other`. */
  readonly minCategoryCount: number;
  /** Columns with more distinct values than this are hashed instead. */
  readonly hashThreshold: number;
  readonly hashBuckets: number;
  readonly log?: (message: string) => void;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const finiteSql = (c: string) => `CASE WHEN isfinite(CAST(${ident(c)} AS DOUBLE)) THEN CAST(${ident(c)} AS DOUBLE) END`;

/** Fits on `trainSql` (a SELECT over the training split). */
export async function fitTransform(conn: DuckDBConnection, trainSql: string, o: FitOptions): Promise<Transform> {
  const log = o.log ?? (() => {});
  const [qlo, qhi] = o.clipQuantiles;
  const numericSteps = new Map<string, Step>();
  if (o.numeric.length) {
    // Pass 1: quantiles of the finite values.
    const q = o.numeric.map((c, i) => `quantile_cont(${finiteSql(c)}, [${qlo}, 0.25, 0.5, 0.75, ${qhi}]) AS q${i}, count(${finiteSql(c)}) AS n${i}`);
    const [qs] = await queryRows(conn, `SELECT ${q.join(', ')} FROM (${trainSql})`);
    const bounds = o.numeric.map((c, i) => {
      if (Number(qs![`n${i}`]) === 0) {
        throw new Error(`column '${c}' has no values (only NULL/NaN) in the training split, so nothing can be fitted for it. Leave it out (exclude: ['${c}']) or fix the query.`);
      }
      const [lo, q25, q50, q75, hi] = (qs![`q${i}`] as (number | string)[]).map(Number) as [number, number, number, number, number];
      return { lo, q25, q50, q75, hi };
    });
    // Pass 2: mean and spread of the clipped values (what the model will actually see).
    const m = o.numeric.map((c, i) => {
      const v = `least(greatest(${finiteSql(c)}, CAST('${bounds[i]!.lo}' AS DOUBLE)), CAST('${bounds[i]!.hi}' AS DOUBLE))`;
      return `avg(${v}) AS mean${i}, stddev_pop(${v}) AS std${i}`;
    });
    const [ms] = await queryRows(conn, `SELECT ${m.join(', ')} FROM (${trainSql})`);
    o.numeric.forEach((c, i) => {
      const b = bounds[i]!;
      const mean = Number(ms![`mean${i}`]);
      let std = Number(ms![`std${i}`]);
      if (!(std > 0)) {
        log(`preprocess: '${c}' is constant in the training split; it will be a constant 0 feature.`);
        std = 1;
      }
      const impute = o.impute === 'median' ? b.q50 : mean;
      const kind = o.scalingByColumn?.[c] ?? o.scaling;
      if (kind === 'robust') {
        // A zero IQR (mostly-zero counts) falls back to the standard deviation, then 1.
        const iqr = b.q75 - b.q25 > 0 ? b.q75 - b.q25 : std;
        numericSteps.set(c, { column: c, kind: 'robust', median: b.q50, iqr, impute, clip: [b.lo, b.hi] });
      } else {
        numericSteps.set(c, { column: c, kind: 'standard', mean, std, impute, clip: [b.lo, b.hi] });
      }
    });
  }
  const categoricalSteps = new Map<string, Step>();
  for (const c of o.categorical) {
    const v = `CAST(${ident(c)} AS VARCHAR)`;
    const [{ distinct }] = (await queryRows(conn, `SELECT count(DISTINCT ${v}) AS distinct FROM (${trainSql})`)) as [{ distinct: number }];
    if (distinct > o.hashThreshold) {
      log(`preprocess: '${c}' has ${distinct} distinct values (> ${o.hashThreshold}); hashing it into ${o.hashBuckets} buckets.`);
      categoricalSteps.set(c, { column: c, kind: 'hash', buckets: o.hashBuckets });
      continue;
    }
    const top = await queryRows(
      conn,
      `SELECT ${v} AS value, count(*) AS n FROM (${trainSql}) WHERE ${ident(c)} IS NOT NULL GROUP BY 1 HAVING count(*) >= ${o.minCategoryCount} ORDER BY n DESC, value LIMIT ${o.maxCategories}`,
    );
    categoricalSteps.set(c, { column: c, kind: 'onehot', categories: top.map((r) => String(r.value)), other: true });
  }
  // Steps follow the order the columns were given in.
  const steps: Step[] = [...o.numeric.map((c) => numericSteps.get(c)!), ...o.categorical.map((c) => categoricalSteps.get(c)!)];
  return { version: 1, idColumn: o.idColumn, labelColumn: o.labelColumn, featureNames: featureNamesOf(steps), steps };
}
