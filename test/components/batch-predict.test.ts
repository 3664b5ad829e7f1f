import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runComponent } from '../../executor';
import { train } from '../../components/train/component';
import { batchPredict } from '../../components/batch-predict/component';
import { registryPush } from '../../components/registry-push/component';
import { loadBackend } from '../../components/train/backend';
import { Net } from '../../components/train/model';
import { readModelFolder } from '../../components/train/model-files';
import { readSplit } from '../../components/train/split-reader';
import { openDuckDB, queryRows, sqlString } from '../../warehouse/duckdb';
import { rawSql, tmpDir, writeParquet, writeSplits, type Splits } from './fixtures/splits';

const quiet = { log: () => undefined };
let splits: Splits;
let modelPath: string;

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const db = await openDuckDB(':memory:');
  try {
    return await queryRows(db.conn, sql);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  splits = await writeSplits();
  const r = await runComponent(train, { trainSplit: splits.train, validationSplit: splits.validation, transform: splits.transform, epochs: 3, batchSize: 256, learningRate: 0.01, threads: 1 }, quiet);
  modelPath = (r.artifacts.model as { path: string }).path;
});

describe('batch-predict', () => {
  test('scores raw rows through the saved transform; ids, scores, labels and version line up', async () => {
    const lines: string[] = [];
    const r = await runComponent(batchPredict, { data: splits.raw, model: modelPath, threshold: 0.6, batchRows: 700, threads: 2, keepColumns: ['is_scammer'] }, { log: (l) => lines.push(l) });
    const out = r.artifacts.predictions as { path: string; uri: string; metadata: Record<string, unknown> };
    expect(r.outputs.rows).toBe(5000);
    const cols = await rows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(out.path)})`);
    expect(cols.map((c) => [c.column_name, c.column_type])).toEqual([
      ['id', 'VARCHAR'],
      ['score', 'FLOAT'],
      ['label', 'INTEGER'],
      ['model_version', 'VARCHAR'],
      ['is_scammer', 'INTEGER'],
    ]);
    // The scores match the model applied to the processed test split, id by id.
    const test = await readSplit(splits.test, { what: 'test', needLabel: true });
    const { tf } = await loadBackend();
    const folder = readModelFolder(modelPath);
    const net = new Net(tf, folder.spec, folder.weights);
    const expected = net.predict(test.features, test.rows);
    net.dispose();
    const ids = (await rows(`SELECT id FROM read_parquet(${sqlString(splits.test)})`)).map((x) => String(x.id));
    const got = new Map((await rows(`SELECT id, score, label FROM read_parquet(${sqlString(out.path)})`)).map((x) => [String(x.id), x]));
    ids.forEach((id, i) => {
      const g = got.get(id)!;
      expect(Number(g.score)).toBeCloseTo(expected[i]!, 5);
      expect(g.label).toBe(Number(g.score) >= 0.6 ? 1 : 0);
    });
    const flagged = Number((await rows(`SELECT count(*) AS n FROM read_parquet(${sqlString(out.path)}) WHERE label = 1`))[0]!.n);
    expect(r.outputs.flagged).toBe(flagged);
    expect(out.metadata).toMatchObject({ rows: 5000, flagged, threshold: 0.6, format: 'parquet' });
    expect(out.metadata.scorer).toMatch(/^onnxruntime \d/);
    expect(lines.some((l) => /rows \(\d+%\), [\d,]+ rows\/s/.test(l))).toBe(true);
  });

  test('batch size, window size and worker count do not change the scores (order is kept)', async () => {
    const a = await runComponent(batchPredict, { data: splits.raw, model: modelPath, batchRows: 333, windowRows: 700, threads: 2 }, quiet);
    const b = await runComponent(batchPredict, { data: splits.raw, model: modelPath, batchRows: 65536, threads: 1 }, quiet);
    const pa = (a.artifacts.predictions as { path: string }).path;
    const pb = (b.artifacts.predictions as { path: string }).path;
    const diff = await rows(`SELECT count(*) AS n FROM read_parquet(${sqlString(pa)}) a POSITIONAL JOIN read_parquet(${sqlString(pb)}) b WHERE a.id <> b.id OR a.score <> b.score`);
    expect(Number(diff[0]!.n)).toBe(0);
  });

  test("ONNX Runtime ('auto') and tfjs wasm give the same scores to 1e-6 and the same labels", async () => {
    const a = await runComponent(batchPredict, { data: splits.raw, model: modelPath, threshold: 0.5 }, quiet);
    const b = await runComponent(batchPredict, { data: splits.raw, model: modelPath, threshold: 0.5, backend: 'wasm' }, quiet);
    const [pa, pb] = [a, b].map((r) => r.artifacts.predictions as { path: string; metadata: Record<string, unknown> });
    expect(pa!.metadata.scorer).toMatch(/^onnxruntime /);
    expect(pb!.metadata.scorer).toBe('tfjs wasm');
    const d = await rows(
      `SELECT max(abs(a.score - b.score)) AS maxdiff, count(*) FILTER (WHERE a.id <> b.id) AS ids, count(*) FILTER (WHERE a.label <> b.label AND abs(a.score - 0.5) > 1e-6) AS labels
         FROM read_parquet(${sqlString(pa!.path)}) a POSITIONAL JOIN read_parquet(${sqlString(pb!.path)}) b`,
    );
    expect(Number(d[0]!.maxdiff)).toBeLessThan(1e-6);
    expect(Number(d[0]!.ids)).toBe(0);
    expect(Number(d[0]!.labels)).toBe(0);
  });

  test("without ONNX Runtime installed, 'auto' scores with tfjs and says why; 'onnxruntime' is an error", () => {
    const script = path.join(__dirname, 'fixtures', 'predict-with-backend.ts');
    const hide = path.join(__dirname, 'fixtures', 'hide-onnxruntime.js');
    const register = path.join(__dirname, '..', '..', 'cli', 'register.js');
    const predict = (backend: string) =>
      spawnSync(process.execPath, ['-r', register, '-r', hide, script, splits.raw, modelPath, tmpDir('duckml-bp-noort-'), backend], { encoding: 'utf8' });
    const auto = predict('auto');
    expect(auto.stderr).toBe('');
    expect(JSON.parse(auto.stdout).scorer).toBe('tfjs wasm (onnxruntime-node: not installed)');
    const ort = predict('onnxruntime');
    expect(ort.status).toBe(1);
    expect(ort.stderr).toContain("backend 'onnxruntime' is not available: onnxruntime-node: not installed. Install it (npm install onnxruntime-node) or leave 'backend' at 'auto'.");
  });

  test('by registry alias, from a warehouse query, into a warehouse table', async () => {
    const home = tmpDir('duckml-bp-home-');
    await runComponent(registryPush, { model: modelPath, registry: home, threshold: 0.3 }, quiet);
    const wh = path.join(tmpDir('duckml-bp-wh-'), 'warehouse.duckdb');
    const db = await openDuckDB(wh);
    await db.conn.run(`CREATE TABLE user_activity AS ${rawSql(2000)}`);
    db.close();
    const r = await runComponent(
      batchPredict,
      { registry: home, modelRef: 'scam-classifier@champion', warehouse: `duckdb://${wh}`, query: 'SELECT * FROM user_activity WHERE f3 > 0', outputTable: 'predictions_today' },
      quiet,
    );
    expect(r.outputs.modelVersion).toBe('scam-classifier@1');
    const meta = (r.artifacts.predictions as { metadata: Record<string, unknown> }).metadata;
    expect(meta.threshold).toBe(0.3);
    const db2 = await openDuckDB(wh, { readOnly: true });
    const t = await queryRows(db2.conn, `SELECT count(*) AS n, min(model_version) AS v, count(*) FILTER (WHERE label = 1) AS flagged FROM predictions_today`);
    const src = await queryRows(db2.conn, `SELECT count(*) AS n FROM user_activity WHERE f3 > 0`);
    db2.close();
    expect(t[0]).toEqual({ n: src[0]!.n, v: 'scam-classifier@1', flagged: r.outputs.flagged });
    // A query source read in several windows gives the same table.
    const w = await runComponent(batchPredict, { registry: home, warehouse: `duckdb://${wh}`, query: 'SELECT * FROM user_activity WHERE f3 > 0', windowRows: 123 }, quiet);
    const diff = await rows(
      `SELECT count(*) AS n FROM read_parquet(${sqlString((r.artifacts.predictions as { path: string }).path)}) a POSITIONAL JOIN read_parquet(${sqlString((w.artifacts.predictions as { path: string }).path)}) b WHERE a.id <> b.id OR a.score <> b.score`,
    );
    expect(Number(diff[0]!.n)).toBe(0);
  });

  test('NULL and NaN raw values are imputed by the transform, not errors', async () => {
    const f = await writeParquet(path.join(tmpDir(), 'nulls.parquet'), `SELECT * REPLACE (CASE WHEN user_id = 'u1' THEN NULL WHEN user_id = 'u2' THEN 'nan'::DOUBLE ELSE f0 END AS f0) FROM (${rawSql(50)})`);
    const r = await runComponent(batchPredict, { data: f, model: modelPath }, quiet);
    const s = await rows(`SELECT count(*) AS n FROM read_parquet(${sqlString((r.artifacts.predictions as { path: string }).path)}) WHERE isfinite(score)`);
    expect(Number(s[0]!.n)).toBe(50);
  });

  test('bad inputs: unknown alias, missing or mistyped columns, data and query together — no predictions left', async () => {
    const home = tmpDir('duckml-bp-bad-');
    await runComponent(registryPush, { model: modelPath, registry: home }, quiet);
    const expectNone = async (args: Record<string, unknown>, message: RegExp) => {
      const outputDir = tmpDir('duckml-bp-out-');
      await expect(runComponent(batchPredict, args, { outputDir, ...quiet })).rejects.toThrow(message);
      expect(fs.readdirSync(outputDir).filter((f) => f !== '.params')).toEqual([]);
    };
    await expectNone({ data: splits.raw, registry: home, modelRef: 'scam-classifier@golden' }, /model 'scam-classifier' has no alias 'golden'; its aliases are champion → 1, default → 1/);
    await expectNone({ data: splits.raw, registry: home, modelRef: 'fraud-model@champion' }, /model 'fraud-model' is not in the local registry/);
    const noCol = await writeParquet(path.join(home, 'nocol.parquet'), `SELECT * EXCLUDE (f2) FROM (${rawSql(20)})`);
    await expectNone({ data: noCol, model: modelPath }, /lack column\(s\) f2 that the model's transform/);
    const text = await writeParquet(path.join(home, 'text.parquet'), `SELECT * REPLACE ('abc' AS f1) FROM (${rawSql(20)})`);
    await expectNone({ data: text, model: modelPath }, /the model's transform could not be applied to the rows: Conversion Error/);
    // A feature beyond FLOAT's range (transformSql's cast to FLOAT[k] refuses it too), row named.
    const tiny = path.join(home, 'tiny-std-model');
    fs.cpSync(modelPath, tiny, { recursive: true });
    const tj = JSON.parse(fs.readFileSync(path.join(tiny, 'transform.json'), 'utf8'));
    tj.steps[1] = { ...tj.steps[1], std: 1e-300 };
    fs.writeFileSync(path.join(tiny, 'transform.json'), JSON.stringify(tj));
    await expectNone({ data: splits.raw, model: tiny, batchRows: 1000 }, /the model's transform could not be applied to the rows: row 1 has feature 'f1' out of the FLOAT range after the transform/);
    await expectNone({ data: splits.raw, model: modelPath, query: 'SELECT 1' }, /either a Dataset \('data'\) or a warehouse query \('query'\); both were given/);
    await expectNone({ model: modelPath, query: 'SELECT * FROM nowhere', warehouse: `duckdb://${path.join(home, 'missing.duckdb')}` }, /warehouse duckdb:\/\/.*missing\.duckdb does not exist/);
    await expectNone({ data: splits.raw, model: modelPath, outputTable: 'drop table x' }, /outputTable 'drop table x' is not a table name/);
    await expectNone({ data: splits.raw, model: modelPath, backend: 'cuda' }, /backend 'cuda' is not known; use one of: auto, onnxruntime, tensorflow-gpu/);
  });
});
