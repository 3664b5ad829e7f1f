/**
 * Per-feature drift between a reference dataset (the training data) and a current batch, in
 * DuckDB: PSI over reference-decile bins (numbers) or reference categories (text), each with a
 * "missing" bin; and the two-sample Kolmogorov–Smirnov statistic over the finite values. Each
 * comes with a p-value, and drift needs both the effect (threshold) and significance.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../warehouse/duckdb';
import { ksPValue, psi, psiPValue } from './stats';

export interface DriftColumn {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
}

export interface DriftOptions {
  readonly columns: readonly DriftColumn[];
  /** Quantile bins for numbers (deciles by default). */
  readonly bins: number;
  /** Categories kept by reference frequency; the rest share an "other" bin. */
  readonly maxCategories: number;
  readonly psiThreshold: number;
  readonly ksThreshold: number;
  /** PSI and KS flag drift only when also significant at this level (small batches are noisy). */
  readonly pValue: number;
}

export interface FeatureDrift {
  readonly column: string;
  readonly kind: 'numeric' | 'categorical';
  readonly psi: number;
  /** Chance of a PSI this large between samples of one distribution. */
  readonly psiPValue: number;
  /** KS statistic (numbers with finite values on both sides only). */
  readonly ks?: number;
  readonly ksPValue?: number;
  readonly referenceMissing: number;
  readonly currentMissing: number;
  readonly drifted: boolean;
  /** Why it drifted, e.g. ['psi 0.31 > 0.2']. */
  readonly reasons: string[];
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const str = (s: string) => `'${s.replace(/'/g, "''")}'`;
const finite = (c: string) => `CASE WHEN isfinite(CAST(${ident(c)} AS DOUBLE)) THEN CAST(${ident(c)} AS DOUBLE) END`;
const MISSING = '__missing__';
const OTHER = '__other__';

async function binExpressions(conn: DuckDBConnection, refSql: string, o: DriftOptions): Promise<string[]> {
  const numeric = o.columns.filter((c) => c.kind === 'numeric');
  const probs = Array.from({ length: o.bins - 1 }, (_, i) => (i + 1) / o.bins);
  const edges = new Map<string, number[]>();
  if (numeric.length && probs.length) {
    const [q] = await queryRows(conn, `SELECT ${numeric.map((c, i) => `quantile_cont(${finite(c.name)}, [${probs.join(', ')}]) AS q${i}`).join(', ')} FROM (${refSql})`);
    numeric.forEach((c, i) => {
      const list = (q![`q${i}`] as (number | string)[] | null) ?? [];
      edges.set(c.name, [...new Set(list.map(Number))].sort((a, b) => a - b));
    });
  }
  const out: string[] = [];
  for (const c of o.columns) {
    if (c.kind === 'numeric') {
      const x = finite(c.name);
      const e = edges.get(c.name) ?? [];
      const arms = e.map((edge, i) => `WHEN ${x} < CAST('${edge}' AS DOUBLE) THEN '${i}'`).join(' ');
      out.push(`CASE WHEN ${x} IS NULL THEN '${MISSING}' ${arms} ELSE '${e.length}' END`);
    } else {
      const v = `CAST(${ident(c.name)} AS VARCHAR)`;
      const top = await queryRows(conn, `SELECT ${v} AS v, count(*) AS n FROM (${refSql}) WHERE ${ident(c.name)} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT ${o.maxCategories}`);
      const keep = top.map((r) => str(String(r.v)));
      out.push(`CASE WHEN ${v} IS NULL THEN '${MISSING}' ${keep.length ? `WHEN ${v} IN (${keep.join(', ')}) THEN ${v}` : ''} ELSE '${OTHER}' END`);
    }
  }
  return out;
}

async function histograms(conn: DuckDBConnection, sql: string, exprs: string[]): Promise<Map<string, number>[]> {
  const [row] = await queryRows(conn, `SELECT ${exprs.map((e, i) => `map_entries(histogram(${e})) AS h${i}`).join(', ')} FROM (${sql})`);
  return exprs.map((_, i) => new Map(((row![`h${i}`] as { key: string; value: string | number }[] | null) ?? []).map((kv) => [kv.key, Number(kv.value)])));
}

/** Exact two-sample KS statistic over the finite values, and the sample sizes. */
async function ks(conn: DuckDBConnection, refSql: string, curSql: string, column: string): Promise<{ d: number; n: number; m: number }> {
  const x = finite(column);
  const [r] = await queryRows(
    conn,
    `WITH v AS (SELECT ${x} AS x, 1 AS r FROM (${refSql}) WHERE ${x} IS NOT NULL UNION ALL SELECT ${x}, 0 FROM (${curSql}) WHERE ${x} IS NOT NULL),
          g AS (SELECT x, sum(r) AS nr, count(*) - sum(r) AS nc FROM v GROUP BY x),
          t AS (SELECT sum(nr) OVER () AS n, sum(nc) OVER () AS m, sum(nr) OVER (ORDER BY x) AS cr, sum(nc) OVER (ORDER BY x) AS cc FROM g)
     SELECT coalesce(max(abs(cr / n - cc / m)), 0) AS d, coalesce(max(n), 0) AS n, coalesce(max(m), 0) AS m FROM t`,
  );
  return { d: Number(r!.d), n: Number(r!.n), m: Number(r!.m) };
}

export async function computeDrift(conn: DuckDBConnection, refSql: string, curSql: string, o: DriftOptions): Promise<FeatureDrift[]> {
  const exprs = await binExpressions(conn, refSql, o);
  const [ref, cur] = [await histograms(conn, refSql, exprs), await histograms(conn, curSql, exprs)];
  const result: FeatureDrift[] = [];
  for (const [i, c] of o.columns.entries()) {
    const r = ref[i]!;
    const k = cur[i]!;
    const share = (h: Map<string, number>) => {
      const total = [...h.values()].reduce((a, b) => a + b, 0);
      return total ? (h.get(MISSING) ?? 0) / total : 0;
    };
    const p = psi(r, k);
    const total = (h: Map<string, number>) => [...h.values()].reduce((a, b) => a + b, 0);
    const bins = new Set([...r.keys(), ...k.keys()]).size;
    const pp = psiPValue(p, bins, total(r), total(k));
    const reasons: string[] = [];
    if (p > o.psiThreshold && pp < o.pValue) reasons.push(`psi ${p.toFixed(3)} > ${o.psiThreshold} (p = ${pp.toPrecision(2)})`);
    let stat: { ks?: number; ksPValue?: number } = {};
    if (c.kind === 'numeric') {
      const s = await ks(conn, refSql, curSql, c.name);
      if (s.n > 0 && s.m > 0) {
        const pv = ksPValue(s.d, s.n, s.m);
        stat = { ks: s.d, ksPValue: pv };
        if (s.d > o.ksThreshold && pv < o.pValue) reasons.push(`ks ${s.d.toFixed(3)} > ${o.ksThreshold} (p = ${pv.toPrecision(2)})`);
      }
    }
    result.push({ column: c.name, kind: c.kind, psi: p, psiPValue: pp, ...stat, referenceMissing: share(r), currentMissing: share(k), drifted: reasons.length > 0, reasons });
  }
  return result;
}
