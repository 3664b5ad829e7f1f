/** preprocess on real demo data (extracted by bigquery-extract), and its bad inputs. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bigqueryExtract } from '../../components/bigquery-extract/component';
import { preprocess } from '../../components/preprocess/component';
import { processedSplitSql } from '../../components/preprocess/processed';
import { applyTransform, readTransform, type Transform } from '../../components/preprocess/transform';
import { runComponent, type ComponentResult } from '../../executor';
import { openDuckDB, queryRows, type Db } from '../../warehouse/duckdb';
import { leftovers, smallWarehouse, type SmallWarehouse } from './fixtures/small-warehouse';

let wh: SmallWarehouse;
let db: Db;
let raw: string; // the extracted Dataset (Parquet)
let base: ComponentResult;

type Art = { path: string; metadata: Record<string, any> };
const art = (r: ComponentResult, name: string) => r.artifacts[name] as unknown as Art;
const outDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-pp-'));
const run = (args: Record<string, unknown>, outputDir = outDir()) =>
  runComponent(preprocess, { dataset: raw, idColumn: 'user_id', labelColumn: 'is_scammer', ...args }, { outputDir, log: () => {} });

async function failure(args: Record<string, unknown>): Promise<{ message: string; dir: string }> {
  const dir = outDir();
  try {
    await run(args, dir);
  } catch (e) {
    return { message: (e as Error).message, dir };
  }
  throw new Error('expected preprocess to fail');
}

/** A Parquet file from a SELECT, for bad inputs. */
async function parquet(name: string, select: string): Promise<string> {
  const file = path.join(wh.dir, `${name}.parquet`);
  await db.conn.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
  return file;
}

beforeAll(async () => {
  wh = await smallWarehouse(4000, 1, 3);
  db = await openDuckDB(':memory:');
  await db.conn.run(`ATTACH '${wh.path}' AS w (READ_ONLY)`);
  const ex = await runComponent(bigqueryExtract, { warehouse: wh.uri, query: 'SELECT * FROM user_activity' }, { log: () => {} });
  raw = (ex.artifacts.dataset as unknown as Art).path;
  base = await run({});
});
afterAll(() => {
  db?.close();
  fs.rmSync(wh.dir, { recursive: true, force: true });
});

describe('preprocess', () => {
  test('writes three processed splits and the transform, per the contract', async () => {
    const t = readTransform(art(base, 'transform').path);
    const k = t.featureNames.length;
    expect(base.outputs.featureCount).toBe(k);
    // 28 numeric features + one-hot country/signup_channel/device_type (with other buckets).
    expect(t.steps.filter((s) => s.kind === 'standard')).toHaveLength(28);
    expect(t.steps.filter((s) => s.kind === 'onehot').map((s) => s.column)).toEqual(['country', 'signup_channel', 'device_type']);
    let total = 0;
    let positives = 0;
    for (const name of ['train', 'validation', 'test']) {
      const a = art(base, name);
      const cols = await queryRows(db.conn, `SELECT column_name AS c, column_type AS t FROM (DESCRIBE SELECT * FROM read_parquet('${a.path}'))`);
      expect(cols).toEqual([
        { c: 'id', t: 'VARCHAR' },
        { c: 'label', t: 'INTEGER' },
        { c: 'weight', t: 'FLOAT' },
        // Parquet stores FLOAT[k] as a list; processedSplitSql casts it back.
        { c: 'features', t: 'FLOAT[]' },
      ]);
      const typed = await queryRows(db.conn, `SELECT typeof(features) AS t, count(*) FILTER (WHERE len(features::FLOAT[]) <> ${k}) AS bad FROM (${processedSplitSql(a.path, k)}) GROUP BY 1`);
      expect(typed).toEqual([{ t: `FLOAT[${k}]`, bad: 0 }]);
      const [s] = await queryRows(db.conn, `SELECT count(*) AS n, sum(label) AS pos, count(*) FILTER (WHERE NOT list_bool_and(list_transform(features::FLOAT[], x -> isfinite(x)))) AS nonfinite FROM read_parquet('${a.path}')`);
      expect(a.metadata).toMatchObject({ rows: s!.n, positives: s!.pos, featureNames: t.featureNames, format: 'parquet', split: name });
      expect(s!.nonfinite).toBe(0); // NULL reply_rate etc. were imputed
      total += Number(s!.n);
      positives += Number(s!.pos);
    }
    const [all] = await queryRows(db.conn, `SELECT count(*) AS n, sum(is_scammer) AS pos FROM w.user_activity`);
    expect(total).toBe(all!.n);
    expect(positives).toBe(all!.pos);
  });

  test('the split is stratified, disjoint by id, and ~70/15/15', async () => {
    const [r] = await queryRows(
      db.conn,
      `WITH s AS (SELECT 'train' AS split, id, label FROM read_parquet('${art(base, 'train').path}')
                  UNION ALL SELECT 'validation', id, label FROM read_parquet('${art(base, 'validation').path}')
                  UNION ALL SELECT 'test', id, label FROM read_parquet('${art(base, 'test').path}'))
       SELECT count(DISTINCT id) AS ids, count(*) AS n, (SELECT count(*) FROM (SELECT id FROM s GROUP BY id HAVING count(DISTINCT split) > 1)) AS shared,
              avg(label) FILTER (WHERE split = 'train') AS p_train, avg(label) FILTER (WHERE split = 'validation') AS p_val, avg(label) FILTER (WHERE split = 'test') AS p_test,
              count(*) FILTER (WHERE split = 'test') / count(*) AS f_test, count(*) FILTER (WHERE split = 'validation') / count(*) AS f_val
       FROM s`,
    );
    expect(r!.shared).toBe(0);
    expect(r!.ids).toBe(r!.n);
    for (const p of [r!.p_val, r!.p_test]) expect(Math.abs(Number(p) - Number(r!.p_train))).toBeLessThan(0.004);
    expect(r!.f_test).toBeCloseTo(0.15, 2);
    expect(r!.f_val).toBeCloseTo(0.15, 2);
  });

  test('statistics are fitted on the training split only', async () => {
    const t = readTransform(art(base, 'transform').path);
    const step = t.steps.find((s) => s.column === 'messages_sent')!;
    if (step.kind !== 'standard') throw new Error('expected standard scaling');
    const trainIds = `SELECT id FROM read_parquet('${art(base, 'train').path}')`;
    const [q] = await queryRows(db.conn, `SELECT quantile_cont(messages_sent::DOUBLE, [0.001, 0.5, 0.999]) AS q FROM w.user_activity WHERE user_id IN (${trainIds})`);
    const [lo, med, hi] = (q!.q as number[]).map(Number);
    expect(step.clip).toEqual([lo, hi]);
    expect(step.impute).toBe(med);
    const [m] = await queryRows(db.conn, `SELECT avg(least(greatest(messages_sent::DOUBLE, ${lo}), ${hi})) AS mean FROM w.user_activity WHERE user_id IN (${trainIds})`);
    expect(step.mean).toBeCloseTo(Number(m!.mean), 10);
    // The same statistics over all rows differ: the other splits did not leak in.
    const [allRows] = await queryRows(db.conn, `SELECT avg(messages_sent) AS mean FROM w.user_activity`);
    expect(step.mean).not.toBeCloseTo(Number(allRows!.mean), 10);
  });

  test('the saved transform applied to raw rows reproduces the split exactly (no train/serve skew)', async () => {
    const t: Transform = readTransform(art(base, 'transform').path);
    const testIds = `SELECT id FROM read_parquet('${art(base, 'test').path}')`;
    const rawRows = await db.conn.runAndReadAll(`SELECT * FROM w.user_activity WHERE user_id IN (${testIds}) ORDER BY user_id`);
    const mem = applyTransform(t, rawRows.getRowObjectsJS() as Record<string, unknown>[]);
    const reader = await db.conn.runAndReadAll(`SELECT id, features FROM (${processedSplitSql(art(base, 'test').path, t.featureNames.length)}) ORDER BY id`);
    const processed = reader.getRowObjectsJS() as { id: string; features: number[] | { items: number[] } }[];
    const values = (f: number[] | { items: number[] }) => (Array.isArray(f) ? f : [...f.items]);
    expect(processed.map((r) => r.id)).toEqual(mem.ids);
    const k = mem.featureCount;
    processed.forEach((r, i) => expect(values(r.features)).toEqual([...mem.features.subarray(i * k, (i + 1) * k)]));
  });

  test('class weights on the training split only (n / 2·n_class); 1 elsewhere', async () => {
    const tr = art(base, 'train');
    const w = await queryRows(db.conn, `SELECT label, min(weight) AS lo, max(weight) AS hi, count(*) AS n FROM read_parquet('${tr.path}') GROUP BY 1 ORDER BY 1`);
    const n = Number(w[0]!.n) + Number(w[1]!.n);
    expect(w[0]!.lo).toBeCloseTo(n / (2 * Number(w[0]!.n)), 5);
    expect(w[1]!.hi).toBeCloseTo(n / (2 * Number(w[1]!.n)), 5);
    expect(tr.metadata.balance).toBe('class-weights');
    const [v] = await queryRows(db.conn, `SELECT min(weight) AS lo, max(weight) AS hi FROM read_parquet('${art(base, 'validation').path}')`);
    expect(v).toEqual({ lo: 1, hi: 1 });
  });

  test('undersampling and oversampling reach the requested ratio in training only', async () => {
    const under = await run({ balance: 'undersample', balanceRatio: 0.5 });
    const over = await run({ balance: 'oversample', balanceRatio: 1 });
    const counts = async (r: ComponentResult, split: string) =>
      (await queryRows(db.conn, `SELECT count(*) FILTER (WHERE label = 1) AS pos, count(*) FILTER (WHERE label = 0) AS neg, max(weight) AS w FROM read_parquet('${art(r, split).path}')`))[0]!;
    const u = await counts(under, 'train');
    expect(u.neg).toBe(Math.round(Number(u.pos) / 0.5));
    expect(u.w).toBe(1);
    const o = await counts(over, 'train');
    expect(o.pos).toBe(o.neg);
    const baseTrain = await counts(base, 'train');
    expect(o.neg).toBe(baseTrain.neg);
    expect(await counts(under, 'test')).toEqual({ ...(await counts(base, 'test')), w: 1 });
  });

  test('the seed makes splits reproducible; another seed moves them', async () => {
    const again = await run({});
    const other = await run({ seed: 7 });
    const ids = async (r: ComponentResult) => (await queryRows(db.conn, `SELECT string_agg(id, ',' ORDER BY id) AS s FROM read_parquet('${art(r, 'test').path}')`))[0]!.s;
    expect(await ids(again)).toBe(await ids(base));
    expect(await ids(other)).not.toBe(await ids(base));
    expect(fs.readFileSync(path.join(art(again, 'transform').path, 'transform.json'), 'utf8')).toBe(fs.readFileSync(path.join(art(base, 'transform').path, 'transform.json'), 'utf8'));
  });

  test('robust scaling, explicit columns and hashing of high-cardinality text', async () => {
    const r = await run({ numericColumns: ['messages_sent', 'payment_amount_usd'], categoricalColumns: ['country', 'device_type'], scaling: 'robust', scalingByColumn: { messages_sent: 'standard' }, hashThreshold: 8, hashBuckets: 16 });
    const t = readTransform(art(r, 'transform').path);
    expect(t.steps.map((s) => [s.column, s.kind])).toEqual([
      ['messages_sent', 'standard'],
      ['payment_amount_usd', 'robust'],
      ['country', 'hash'],
      ['device_type', 'onehot'],
    ]);
    expect(r.outputs.featureCount).toBe(2 + 16 + t.featureNames.filter((n) => n.startsWith('device_type=')).length);
    const robust = t.steps[1]!;
    if (robust.kind !== 'robust') throw new Error('expected robust');
    expect(robust.iqr).toBeGreaterThan(0);
  });

  test('NULL and NaN feature values are imputed, not errors', async () => {
    const file = await parquet('nan', `SELECT user_id, is_scammer, CASE WHEN hash(user_id) % 5 = 0 THEN 'NaN'::DOUBLE WHEN hash(user_id) % 5 = 1 THEN NULL ELSE messages_sent END AS messages_sent, country FROM w.user_activity`);
    const r = await run({ dataset: file });
    const [s] = await queryRows(db.conn, `SELECT count(*) FILTER (WHERE NOT list_bool_and(list_transform(features::FLOAT[], x -> isfinite(x)))) AS bad FROM read_parquet('${art(r, 'train').path}')`);
    expect(s!.bad).toBe(0);
  });

  describe('bad inputs: a clear error and no output', () => {
    const cases: [string, () => Promise<Record<string, unknown>>, RegExp][] = [
      ['a missing label column', async () => ({ labelColumn: 'is_fraud' }), /no column 'is_fraud' \(the labelColumn\)\. Its columns: user_id VARCHAR, day DATE/],
      ['a missing feature column', async () => ({ numericColumns: ['messages_sent', 'karma'] }), /no column 'karma' \(the numeric column\)/],
      ['a text column listed as numeric', async () => ({ numericColumns: ['country'] }), /numeric column 'country' is VARCHAR; expected a numeric type/],
      ['a text label', async () => ({ dataset: await parquet('textlabel', `SELECT user_id, CASE WHEN is_scammer = 1 THEN 'scam' ELSE 'ok' END AS is_scammer, messages_sent FROM w.user_activity`) }), /label column 'is_scammer' is VARCHAR; it must hold 0\/1.*CAST\(is_scammer = 'spam' AS INTEGER\)/],
      ['an empty dataset', async () => ({ dataset: await parquet('empty', `SELECT * FROM w.user_activity WHERE FALSE`) }), /has no rows; nothing to fit/],
      ['null labels', async () => ({ dataset: await parquet('nulllabel', `SELECT user_id, CASE WHEN hash(user_id) % 50 = 0 THEN NULL ELSE is_scammer END AS is_scammer, messages_sent FROM w.user_activity`) }), /'is_scammer' is NULL or NaN in \d+ of 4000 rows/],
      ['NaN labels', async () => ({ dataset: await parquet('nanlabel', `SELECT user_id, CASE WHEN hash(user_id) % 50 = 0 THEN 'NaN'::DOUBLE ELSE is_scammer END AS is_scammer, messages_sent FROM w.user_activity`) }), /'is_scammer' is NULL or NaN/],
      ['labels other than 0/1', async () => ({ dataset: await parquet('threelabel', `SELECT user_id, is_scammer + (hash(user_id) % 2)::INT AS is_scammer, messages_sent FROM w.user_activity`) }), /must hold only 0 and 1; it also has 2/],
      ['a single class', async () => ({ dataset: await parquet('oneclass', `SELECT * FROM w.user_activity WHERE is_scammer = 0`) }), /single class \(all 0, \d+ rows\); a classifier needs both 0 and 1/],
      ['too few positives for the split', async () => ({ dataset: await parquet('fewpos', `SELECT * FROM w.user_activity WHERE is_scammer = 0 OR user_id = (SELECT min(user_id) FROM w.user_activity WHERE is_scammer = 1)`) }), /training split has a single class.*Lower the fractions/],
      ['a feature with no values in training', async () => ({ dataset: await parquet('allnull', `SELECT user_id, is_scammer, messages_sent, NULL::DOUBLE AS broken FROM w.user_activity`) }), /column 'broken' has no values \(only NULL\/NaN\) in the training split.*exclude: \['broken'\]/],
      ['null ids', async () => ({ dataset: await parquet('nullid', `SELECT CASE WHEN hash(user_id) % 100 = 0 THEN NULL ELSE user_id END AS user_id, is_scammer, messages_sent FROM w.user_activity`) }), /id column 'user_id' is NULL in \d+ rows/],
      ['a file that is not Parquet', async () => ({ dataset: (fs.writeFileSync(path.join(wh.dir, 'x.csv'), 'a,b\n1,2\n'), path.join(wh.dir, 'x.csv')) }), /cannot read .*x\.csv as Parquet/],
      ['bad options', async () => ({ validationFraction: 0.5, testFraction: 0.45 }), /leave at least 10 % of the data for training/],
      ['an unknown balance mode', async () => ({ balance: 'smote' }), /balance must be one of none, class-weights, undersample, oversample; got 'smote'/],
    ];
    test.each(cases)('%s', async (_name, args, expected) => {
      const { message, dir } = await failure(await args());
      expect(message).toMatch(/preprocess: /);
      expect(message).toMatch(expected);
      expect(leftovers(dir)).toEqual([]);
    });
  });
});
