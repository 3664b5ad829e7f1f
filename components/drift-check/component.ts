/**
 * drift-check: compares a new batch's feature distributions with the training data, per
 * feature: PSI (numbers binned at the reference's deciles, text by category, missing values as a
 * bin of their own) and the two-sample KS statistic. A feature drifts when PSI exceeds
 * psiThreshold or KS exceeds ksThreshold, in either case significantly (p < pValue) so a small
 * batch's sampling noise is not reported as drift. Outputs the per-feature
 * metrics (Metrics artifact + a Markdown table) and `drifted` to gate the pipeline on.
 */
import * as fs from 'node:fs';
import * as dsl from '../../dsl';
import { commit, removeQuietly, tempBeside } from '../../warehouse/atomic';
import { describeQuery, isFile, openDuckDB, queryRows, sqlString, type ColumnInfo } from '../../warehouse/duckdb';
import { isNumericType } from '../preprocess/columns';
import { readTransform } from '../preprocess/transform';
import { computeDrift, type DriftColumn, type FeatureDrift } from './drift';

const INPUTS = {
  reference: dsl.Dataset.describe('The training data (a Dataset from bigquery-extract).'),
  current: dsl.Dataset.describe('The new batch, with the same columns.'),
  transform: dsl.Artifact.optional().describe("preprocess's Transform: check exactly the columns it uses."),
  columns: dsl.list(dsl.string(), { optional: true, description: 'Columns to check (default: the transform’s, else every numeric/text column).' }),
  exclude: dsl.list(dsl.string(), { default: [], description: 'Columns never checked (ids, labels, dates).' }),
  psiThreshold: dsl.double({ default: 0.2 }),
  ksThreshold: dsl.double({ default: 0.1 }),
  pValue: dsl.double({ default: 0.01 }),
  bins: dsl.int({ default: 10 }),
  maxCategories: dsl.int({ default: 50 }),
} as const;

const OUTPUTS = {
  metrics: dsl.Metrics,
  report: dsl.Markdown,
  drifted: dsl.bool(),
  driftedFeatures: dsl.list(dsl.string()),
} as const;

export const driftCheck = dsl.component({
  name: 'drift-check',
  description: "Compares a batch's feature distributions with the training data (PSI and KS per feature) and flags drift.",
  inputs: INPUTS,
  outputs: OUTPUTS,
  async run(inputs, outputs, ctx) {
    try {
      return await runDriftCheck(inputs, outputs, (m) => ctx.log(m));
    } catch (e) {
      throw new Error(`drift-check: ${(e as Error).message}`);
    }
  },
});

type Inputs = dsl.RunInputs<typeof INPUTS>;
type Outputs = dsl.RunOutputs<typeof OUTPUTS>;

function chooseColumns(i: Inputs, ref: ColumnInfo[], cur: ColumnInfo[]): DriftColumn[] {
  const refTypes = new Map(ref.map((c) => [c.name, c.type]));
  const curTypes = new Map(cur.map((c) => [c.name, c.type]));
  let names: string[];
  if (i.columns) names = [...i.columns];
  else if (i.transform) names = [...new Set(readTransform(i.transform.path).steps.map((s) => s.column))];
  else names = ref.filter((c) => isNumericType(c.type) || /^(VARCHAR|BOOLEAN)$/.test(c.type)).map((c) => c.name);
  names = names.filter((n) => !i.exclude.includes(n));
  if (names.length === 0) throw new Error('no columns to check; pass columns or a transform.');
  return names.map((name) => {
    const rt = refTypes.get(name);
    const ct = curTypes.get(name);
    if (!rt) throw new Error(`the reference dataset has no column '${name}'. Its columns: ${ref.map((c) => c.name).join(', ')}.`);
    if (!ct) throw new Error(`the current batch has no column '${name}', which the reference has; extract it with the same query as the training data.`);
    const kind = (t: string) => (isNumericType(t) ? 'numeric' : 'categorical');
    if (kind(rt) !== kind(ct)) throw new Error(`column '${name}' is ${rt} in the reference but ${ct} in the current batch; extract both with the same query.`);
    if (!isNumericType(rt) && !/^(VARCHAR|BOOLEAN)$/.test(rt)) throw new Error(`column '${name}' is ${rt}; drift-check compares numbers and text. Leave it out (exclude).`);
    return { name, kind: kind(rt) };
  });
}

function markdown(rows: FeatureDrift[], i: Inputs, n: { ref: number; cur: number }): string {
  const f = (x: number | undefined, d = 3) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));
  const lines = [
    `# Drift check`,
    '',
    `Reference: ${n.ref} rows · current batch: ${n.cur} rows · PSI threshold ${i.psiThreshold} · KS threshold ${i.ksThreshold} at p < ${i.pValue}`,
    '',
    `**${rows.filter((r) => r.drifted).length} of ${rows.length} features drifted.**`,
    '',
    '| feature | kind | PSI | KS | KS p-value | missing ref → cur | drifted |',
    '|---|---|---:|---:|---:|---|---|',
    ...[...rows]
      .sort((a, b) => Number(b.drifted) - Number(a.drifted) || b.psi - a.psi)
      .map((r) => `| ${r.column} | ${r.kind} | ${f(r.psi)} | ${f(r.ks)} | ${r.ksPValue === undefined ? '—' : r.ksPValue.toPrecision(2)} | ${(r.referenceMissing * 100).toFixed(1)} % → ${(r.currentMissing * 100).toFixed(1)} % | ${r.drifted ? `**yes** (${r.reasons.join('; ')})` : 'no'} |`),
  ];
  return `${lines.join('\n')}\n`;
}

async function runDriftCheck(i: Inputs, out: Outputs, log: (m: string) => void): Promise<{ drifted: boolean; driftedFeatures: string[] }> {
  if (!(i.bins >= 2 && Number.isInteger(i.bins))) throw new Error(`bins must be an integer ≥ 2, got ${i.bins}.`);
  if (!(i.psiThreshold > 0)) throw new Error(`psiThreshold must be > 0, got ${i.psiThreshold}.`);
  if (!(i.ksThreshold > 0 && i.ksThreshold < 1)) throw new Error(`ksThreshold must be in (0, 1), got ${i.ksThreshold}.`);
  if (!(i.pValue > 0 && i.pValue <= 1)) throw new Error(`pValue must be in (0, 1], got ${i.pValue}.`);
  for (const [role, a] of [['reference', i.reference], ['current', i.current]] as const) {
    if (!isFile(a.path)) throw new Error(`the ${role} dataset ${a.uri} has no file at ${a.path}; pass a Dataset written by bigquery-extract (Parquet).`);
  }
  const db = await openDuckDB(':memory:');
  const reportTmp = tempBeside(out.report.path, '.md');
  try {
    const refSql = `SELECT * FROM read_parquet(${sqlString(i.reference.path)})`;
    const curSql = `SELECT * FROM read_parquet(${sqlString(i.current.path)})`;
    const describe = async (sql: string, role: string) => {
      try {
        return await describeQuery(db.conn, sql);
      } catch (e) {
        throw new Error(`cannot read the ${role} dataset as Parquet (${(e as Error).message}).`);
      }
    };
    const columns = chooseColumns(i, await describe(refSql, 'reference'), await describe(curSql, 'current'));
    const [counts] = await queryRows(db.conn, `SELECT (SELECT count(*) FROM (${refSql})) AS ref, (SELECT count(*) FROM (${curSql})) AS cur`);
    const n = { ref: Number(counts!.ref), cur: Number(counts!.cur) };
    if (n.ref === 0) throw new Error('the reference dataset has no rows; there is nothing to compare with.');
    if (n.cur === 0) throw new Error('the current batch has no rows; there is nothing to check.');
    const rows = await computeDrift(db.conn, refSql, curSql, {
      columns,
      bins: i.bins,
      maxCategories: i.maxCategories,
      psiThreshold: i.psiThreshold,
      ksThreshold: i.ksThreshold,
      pValue: i.pValue,
    });
    const drifted = rows.filter((r) => r.drifted).map((r) => r.column);
    const m = out.metrics.metadata;
    for (const r of rows) {
      m[`psi.${r.column}`] = r.psi;
      if (Number.isFinite(r.psiPValue)) m[`psiPValue.${r.column}`] = r.psiPValue;
      if (r.ks !== undefined) m[`ks.${r.column}`] = r.ks;
      if (r.ksPValue !== undefined) m[`ksPValue.${r.column}`] = r.ksPValue;
    }
    m.driftedFeatures = drifted.length;
    m.checkedFeatures = rows.length;
    m.maxPsi = Math.max(...rows.map((r) => r.psi));
    fs.writeFileSync(reportTmp, markdown(rows, i, n));
    out.report.metadata.driftedFeatures = drifted;
    commit(reportTmp, out.report.path);
    log(`${drifted.length} of ${rows.length} features drifted${drifted.length ? `: ${drifted.join(', ')}` : ''}`);
    return { drifted: drifted.length > 0, driftedFeatures: drifted };
  } catch (e) {
    removeQuietly(reportTmp);
    throw e;
  } finally {
    db.close();
  }
}
