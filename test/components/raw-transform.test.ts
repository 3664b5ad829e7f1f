/**
 * Batch prediction's split transform (DuckDB reads each step's raw input, JS computes the
 * features: components/batch-predict/raw-transform.ts) against transformSql and applyTransform,
 * bit for bit, on real demo data with a transform fitted by preprocess — NULLs, NaN and ±∞,
 * -0.0, values beyond the clip bounds, unseen and empty categories, hashed columns.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bigqueryExtract } from '../../components/bigquery-extract/component';
import { preprocess } from '../../components/preprocess/component';
import { applyTransform, featureNamesOf, readTransform, transformSql, type Step, type Transform } from '../../components/preprocess/transform';
import { applyRaw, copyRawChunk, rawInputsSql, rawPlan, rawRowBytes, rawViews, type RawVector } from '../../components/batch-predict/raw-transform';
import { runComponent } from '../../executor';
import { openDuckDB, sqlString, type Db } from '../../warehouse/duckdb';
import { smallWarehouse, type SmallWarehouse } from './fixtures/small-warehouse';

let wh: SmallWarehouse;
let db: Db;
let fitted: Transform;
let types: Map<string, string>;
const SRC = 'SELECT * FROM src ORDER BY n';

/** `fitted` plus steps preprocess does not write but transform.json allows. */
function withExtras(t: Transform): Transform {
  const steps: Step[] = [
    ...t.steps,
    // centre 0 and a clip bound of 0: -0.0 must stay -0.0 (DuckDB's greatest keeps its first argument)
    { column: 'sentiment_score', kind: 'robust', median: 0, iqr: 0.75, impute: 0.25, clip: [0, 1] },
    { column: 'country', kind: 'onehot', categories: ['US', 'DE', 'US'], other: true }, // listed twice: both set
    { column: 'device_type', kind: 'onehot', categories: [], other: true },
    { column: 'user_id', kind: 'hash', buckets: 13 },
    { column: 'account_age_days', kind: 'hash', buckets: 5 }, // a number, hashed as text
  ];
  return { ...t, steps, featureNames: featureNamesOf(steps) };
}

/** Numbers of every column type: passed to JS as they are (FLOAT, SMALLINT…) or cast in SQL. */
function withTypes(t: Transform): Transform {
  const step = (column: string): Step => ({ column, kind: 'standard', mean: 0.3, std: 0.7, impute: 0.5, clip: [-2, 40] });
  const steps = [...t.steps, ...['t_float', 't_smallint', 't_utinyint', 't_bigint', 't_decimal', 't_text'].map(step)];
  return { ...t, steps, featureNames: featureNamesOf(steps) };
}

beforeAll(async () => {
  wh = await smallWarehouse(3000, 1, 11);
  const ex = await runComponent(bigqueryExtract, { warehouse: wh.uri, query: 'SELECT * FROM user_activity' }, { log: () => {} });
  const raw = (ex.artifacts.dataset as { path: string }).path;
  // hashThreshold 10: country (16 values) is hashed; device_type and signup_channel are one-hot.
  const pp = await runComponent(
    preprocess,
    { dataset: raw, idColumn: 'user_id', labelColumn: 'is_scammer', exclude: ['day'], hashThreshold: 10, hashBuckets: 8, scalingByColumn: { payment_amount_usd: 'robust', followers_count: 'robust' } },
    { outputDir: fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-rt-')), log: () => {} },
  );
  fitted = readTransform((pp.artifacts.transform as { path: string }).path);
  db = await openDuckDB(':memory:');
  await db.conn.run('SET threads = 1'); // one scan order for every query below
  await db.conn.run(`CREATE TABLE src AS SELECT * REPLACE (
      CASE WHEN n % 17 = 0 THEN NULL ELSE account_age_days END AS account_age_days,
      CASE n % 13 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN '-inf'::DOUBLE WHEN 3 THEN NULL
        WHEN 4 THEN 1e300 WHEN 5 THEN -1e300 WHEN 6 THEN '-0.0'::DOUBLE ELSE avg_session_min END AS avg_session_min,
      CASE n % 11 WHEN 0 THEN '-0.0'::DOUBLE WHEN 1 THEN 0.0 WHEN 2 THEN -3.5 WHEN 3 THEN NULL ELSE sentiment_score END AS sentiment_score,
      CASE n % 9 WHEN 0 THEN NULL WHEN 1 THEN 'ZZ' WHEN 2 THEN '' WHEN 3 THEN 'us' ELSE country END AS country,
      CASE n % 7 WHEN 0 THEN NULL WHEN 1 THEN 'ünïcødé' WHEN 2 THEN '' ELSE device_type END AS device_type,
      CASE n % 5 WHEN 0 THEN NULL ELSE signup_channel END AS signup_channel
    ), CAST(reply_rate AS FLOAT) AS t_float, CAST(sessions AS SMALLINT) AS t_smallint, CAST(sessions AS UTINYINT) AS t_utinyint,
       CAST(followers_count AS BIGINT) AS t_bigint, CAST(reply_rate AS DECIMAL(6, 3)) AS t_decimal,
       CASE WHEN n % 19 = 0 THEN NULL ELSE CAST(messages_sent AS VARCHAR) END AS t_text
    FROM (SELECT row_number() OVER () AS n, * FROM read_parquet(${sqlString(raw)})) ORDER BY n`);
  types = new Map((await db.conn.runAndReadAll('DESCRIBE src')).getRowObjectsJS().map((r) => [String(r.column_name), String(r.column_type)]));
}, 60_000);
afterAll(() => {
  db?.close();
  if (wh) fs.rmSync(wh.dir, { recursive: true, force: true });
});

async function viaSql(t: Transform): Promise<Float32Array> {
  const r = await db.conn.runAndReadAll(`SELECT features FROM (${transformSql(t, SRC, { label: false })})`);
  const rows = r.getRowObjectsJS() as { features: number[] | { items: number[] } }[];
  return Float32Array.from(rows.flatMap((x) => (Array.isArray(x.features) ? x.features : x.features.items)));
}

/** The batch-predict path: chunks copied into batches of `stride` rows, transformed in slices of `slice`. */
async function viaRaw(t: Transform, stride: number, slice: number, sourceTypes?: Map<string, string>): Promise<Float32Array> {
  const plan = rawPlan(t);
  const result = await db.conn.stream(rawInputsSql(t, SRC, sourceTypes));
  const out = new Float32Array(3000 * plan.k);
  let rows = 0;
  const buffer = rawViews(plan, new ArrayBuffer(stride * rawRowBytes(plan)), stride);
  const x = new Float32Array(slice * plan.k);
  let filled = 0;
  const flush = () => {
    for (let s = 0; s < filled; s += slice) {
      const n = Math.min(slice, filled - s);
      expect(applyRaw(plan, buffer, stride, s, n, x)).toBe(-1);
      out.set(x.subarray(0, n * plan.k), rows * plan.k);
      rows += n;
    }
    filled = 0;
  };
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const vectors = Array.from({ length: chunk.columnCount }, (_, j) => chunk.getColumnVector(j) as unknown as RawVector);
    for (let off = 0; off < chunk.rowCount; ) {
      const n = Math.min(chunk.rowCount - off, stride - filled);
      copyRawChunk(plan, vectors, off, n, buffer, stride, filled);
      filled += n;
      off += n;
      if (filled === stride) flush();
    }
  }
  flush();
  expect(rows).toBe(3000);
  return out;
}

/** Same float32 bits everywhere (so -0 ≠ +0, and NaN would be caught). */
function expectSameBits(got: Float32Array, want: Float32Array, t: Transform): void {
  expect(got.length).toBe(want.length);
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  const k = t.featureNames.length;
  const bad = a.findIndex((v, i) => v !== b[i]);
  if (bad >= 0) throw new Error(`row ${Math.floor(bad / k)}, feature ${t.featureNames[bad % k]}: got ${got[bad]}, transformSql gives ${want[bad]}`);
}

describe('raw transform (batch predict)', () => {
  test('the fitted transform has every kind of step, and the data every edge case', async () => {
    const kinds = new Set(fitted.steps.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(['hash', 'onehot', 'robust', 'standard']);
    const counts = (await db.conn.runAndReadAll(
      `SELECT count(*) FILTER (WHERE account_age_days IS NULL) AS a, count(*) FILTER (WHERE isnan(avg_session_min)) AS b,
              count(*) FILTER (WHERE country = 'ZZ') AS c, count(*) FILTER (WHERE sentiment_score = 0 AND sign(1 / sentiment_score) < 0) AS d FROM src`,
    )).getRowObjectsJS()[0]!;
    for (const v of Object.values(counts)) expect(Number(v)).toBeGreaterThan(10);
  });

  test('equals transformSql bit for bit on demo data, whatever the batch and slice sizes', async () => {
    for (const t of [fitted, withExtras(fitted), withTypes(withExtras(fitted))]) {
      const want = await viaSql(t);
      expect(want.length).toBe(3000 * t.featureNames.length);
      expectSameBits(await viaRaw(t, 65536, 2048, types), want, t);
      expectSameBits(await viaRaw(t, 333, 100, types), want, t);
      expectSameBits(await viaRaw(t, 4096, 2048), want, t); // no types: every number cast in SQL
    }
    // -0.0 really occurs (so the comparison above covers it).
    const t = withExtras(fitted);
    const want = await viaSql(t);
    const col = t.featureNames.lastIndexOf('sentiment_score');
    expect(want.some((v, i) => i % t.featureNames.length === col && Object.is(v, -0))).toBe(true);
  });

  test('applyTransform agrees too', async () => {
    const t = withExtras(fitted);
    const rows = (await db.conn.runAndReadAll(SRC)).getRowObjectsJS() as Record<string, unknown>[];
    expectSameBits(applyTransform(t, rows, { label: false }).features, await viaSql(t), t);
  });

  test('a feature beyond FLOAT: DuckDB refuses the cast, applyRaw names the row and feature', async () => {
    const steps: Step[] = [{ column: 'reply_rate', kind: 'standard', mean: 0, std: 1e-300, impute: 0, clip: [-1, 1] }];
    const t: Transform = { ...fitted, steps, featureNames: featureNamesOf(steps) };
    await expect(viaSql(t)).rejects.toThrow(/Conversion Error/);
    const plan = rawPlan(t);
    const buffer = rawViews(plan, new ArrayBuffer(4 * rawRowBytes(plan)), 4);
    buffer.doubles.set([0, -0, 0.5, Number.NaN]);
    const x = new Float32Array(4);
    expect(applyRaw(plan, buffer, 4, 0, 2, x)).toBe(-1); // ±0 stays in range
    expect(applyRaw(plan, buffer, 4, 0, 4, x)).toBe(2); // 0.5 / 1e-300 does not
  });

  test('rawPlan and rawInputsSql: one input per step, codes for categories', () => {
    const t = withExtras(fitted);
    const plan = rawPlan(t);
    expect(plan.k).toBe(t.featureNames.length);
    expect(plan.doubles).toBe(t.steps.filter((s) => s.kind === 'standard' || s.kind === 'robust').length);
    expect(plan.doubles + plan.ints).toBe(t.steps.length);
    expect(rawInputsSql(t, 'SELECT 1')).toContain(`CASE CAST("country" AS VARCHAR) WHEN 'US' THEN 0 WHEN 'DE' THEN 1 WHEN 'US' THEN 2 ELSE 3 END`);
    // Numbers that convert exactly in JS come as they are; the rest are cast in SQL.
    const sql = rawInputsSql(withTypes(t), 'SELECT 1', types);
    for (const c of ['account_age_days', 't_float', 't_smallint', 't_utinyint']) expect(sql).toMatch(new RegExp(`(SELECT |, )"${c}" AS`));
    for (const c of ['t_bigint', 't_decimal', 't_text']) expect(sql).toContain(`CAST("${c}" AS DOUBLE)`);
  });
});
