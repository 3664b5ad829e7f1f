import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runComponent } from '../../executor';
import { train } from '../../components/train/component';
import { loadBackend } from '../../components/train/backend';
import { Net } from '../../components/train/model';
import { loadLayersModel, readModelFolder } from '../../components/train/model-files';
import { onnxModel } from '../../components/train/onnx-model';
import { EarlyStopping } from '../../components/train/early-stopping';
import { tmpDir, writeParquet, writeSplits, processedSql, type Splits } from './fixtures/splits';

let splits: Splits;
beforeAll(async () => {
  splits = await writeSplits();
});

const args = (over: Record<string, unknown> = {}) => ({
  trainSplit: splits.train,
  validationSplit: splits.validation,
  transform: splits.transform,
  epochs: 6,
  batchSize: 256,
  learningRate: 0.01,
  threads: 1,
  ...over,
});

/** Runs train expecting failure; checks the message and that no model folder was left behind. */
async function expectFailure(over: Record<string, unknown>, message: RegExp): Promise<void> {
  const outputDir = tmpDir('duckml-train-fail-');
  await expect(runComponent(train, args(over), { outputDir, log: () => undefined })).rejects.toThrow(message);
  expect(fs.existsSync(path.join(outputDir, 'model'))).toBe(false);
  expect(fs.readdirSync(outputDir).filter((f) => !f.startsWith('.') || f.endsWith('.tmp'))).toEqual([]);
}

describe('train', () => {
  test('an MLP: tfjs model folder, transform, duckml-model.json, metrics, backend recorded', async () => {
    const lines: string[] = [];
    const r = await runComponent(train, args({ hiddenLayers: [16, 8] }), { log: (l) => lines.push(l) });
    const model = r.artifacts.model as { path: string; metadata: Record<string, unknown> };
    expect(fs.readdirSync(model.path).sort()).toEqual(['duckml-model.json', 'model.json', 'model.onnx', 'transform.json', 'weights.bin']);
    // model.onnx is the saved network as read back from the tfjs files (what ONNX Runtime scores).
    const saved = readModelFolder(model.path);
    expect(Buffer.from(fs.readFileSync(path.join(model.path, 'model.onnx'))).equals(Buffer.from(onnxModel(saved.spec, saved.weights)))).toBe(true);
    expect(model.metadata).toMatchObject({ framework: 'tensorflow.js', kind: 'mlp', layers: [6, 16, 8, 1], backend: 'wasm', threads: 1 });
    expect(model.metadata.backendSkipped).toEqual(['@tensorflow/tfjs-node-gpu: not installed', '@tensorflow/tfjs-node: not installed']);
    const info = JSON.parse(fs.readFileSync(path.join(model.path, 'duckml-model.json'), 'utf8'));
    expect(info).toMatchObject({ kind: 'mlp', layers: [6, 16, 8, 1], featureNames: ['f0', 'f1', 'f2', 'f3', 'f4', 'f5'], backend: { name: 'wasm' } });
    expect(info.training.history.length).toBeGreaterThan(0);
    const metrics = (r.artifacts.metrics as { metadata: Record<string, number> }).metadata;
    expect(metrics.valPrAuc).toBeGreaterThan(0.85);
    expect(metrics.valRocAuc).toBeGreaterThan(0.95);
    // Per-epoch lines in the log.
    expect(lines.filter((l) => /^epoch \d+\/6: loss [\d.]+ {2}val PR-AUC/.test(l)).length).toBe(info.training.epochsRun);
    expect(lines[0]).toMatch(/backend wasm/);

    // The saved tfjs model loads with tf.loadLayersModel and scores like the training network.
    const { tf } = await loadBackend();
    const layers = await loadLayersModel(tf, model.path);
    const folder = readModelFolder(model.path);
    const x = Float32Array.from({ length: 5 * 6 }, (_, i) => Math.sin(i));
    const fromLayers = (layers.predict(tf.tensor2d(x, [5, 6])) as import('@tensorflow/tfjs').Tensor).dataSync();
    const net = new Net(tf, folder.spec, folder.weights);
    const fromNet = net.predict(x, 5);
    net.dispose();
    for (let i = 0; i < 5; i++) expect(fromLayers[i]).toBeCloseTo(fromNet[i]!, 5);
  });

  test('seeded: the same seed gives the same weights; another seed does not', async () => {
    const a = await runComponent(train, args({ modelKind: 'logistic', epochs: 2, seed: 7 }), { log: () => undefined });
    const b = await runComponent(train, args({ modelKind: 'logistic', epochs: 2, seed: 7 }), { log: () => undefined });
    const c = await runComponent(train, args({ modelKind: 'logistic', epochs: 2, seed: 8 }), { log: () => undefined });
    const weights = (r: typeof a) => fs.readFileSync(path.join((r.artifacts.model as { path: string }).path, 'weights.bin'));
    expect(weights(a).equals(weights(b))).toBe(true);
    expect(weights(a).equals(weights(c))).toBe(false);
    expect((a.artifacts.model as { metadata: Record<string, unknown> }).metadata.layers).toEqual([6, 1]);
  });

  test('two gradient threads train the same network as one (same seed, same losses)', async () => {
    const one = await runComponent(train, args({ epochs: 2, threads: 1 }), { log: () => undefined });
    const two = await runComponent(train, args({ epochs: 2, threads: 2 }), { log: () => undefined });
    const hist = (r: typeof one) => JSON.parse(fs.readFileSync(path.join((r.artifacts.model as { path: string }).path, 'duckml-model.json'), 'utf8')).training.history as { loss: number; valPrAuc: number }[];
    expect((two.artifacts.model as { metadata: Record<string, unknown> }).metadata.threads).toBe(2);
    const [h1, h2] = [hist(one), hist(two)];
    expect(h2.length).toBe(h1.length);
    // The batch is split in two and the gradients summed: equal up to float rounding.
    h1.forEach((e, i) => {
      expect(h2[i]!.loss).toBeCloseTo(e.loss, 4);
      expect(h2[i]!.valPrAuc).toBeCloseTo(e.valPrAuc, 3);
    });
  });

  test('the pure-JS cpu backend is the last fallback, and the choice is recorded', () => {
    const script = path.join(__dirname, 'fixtures', 'train-with-backend.ts');
    const out = tmpDir('duckml-train-cpu-');
    const r = spawnSync(process.execPath, ['-r', path.resolve(__dirname, '../../cli/register.js'), script, splits.transform, splits.train, splits.validation, out], {
      encoding: 'utf8',
      env: { ...process.env, DUCKML_TFJS_BACKEND: 'cpu' },
    });
    expect(r.stderr).toBe('');
    const md = JSON.parse(r.stdout);
    expect(md).toMatchObject({ backend: 'cpu', backendPackage: expect.stringMatching(/^@tensorflow\/tfjs@/), threads: 1 });
    expect(md.valPrAuc).toBeGreaterThan(0.8);
  });

  test('early stopping keeps the best epoch and stops after `patience` epochs without a gain', () => {
    const s = new EarlyStopping(2);
    expect(s.update(1, 0.5)).toEqual({ improved: true, stop: false });
    expect(s.update(2, 0.6)).toEqual({ improved: true, stop: false });
    expect(s.update(3, 0.59)).toEqual({ improved: false, stop: false });
    expect(s.update(4, 0.6)).toEqual({ improved: false, stop: true });
    expect(s.state).toEqual({ best: 0.6, bestEpoch: 2, stale: 2 });
    expect(new EarlyStopping(0).update(1, NaN)).toEqual({ improved: false, stop: true });
    expect(() => new EarlyStopping(-1)).toThrow(/patience -1 must be a whole number/);
  });

  test('with patience 0 a long run stops early and reports the best epoch', async () => {
    const r = await runComponent(train, args({ modelKind: 'logistic', epochs: 200, learningRate: 0.05, patience: 0 }), { log: () => undefined });
    const m = (r.artifacts.metrics as { metadata: Record<string, number> }).metadata;
    expect(m.epochsRun).toBeLessThan(200);
    expect(m.bestEpoch).toBe(m.epochsRun - 1);
  });
});

describe('train: bad inputs are clear errors and leave no model', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmpDir('duckml-train-bad-');
  });

  test('features of the wrong type', async () => {
    const f = await writeParquet(path.join(dir, 'text.parquet'), `SELECT 'u1' AS id, 1 AS label, 1.0 AS weight, 'a,b' AS features`);
    await expectFailure({ trainSplit: f }, /input 'trainSplit' \(.*text\.parquet\): column 'features' is VARCHAR; expected an array of floats/);
  });

  test('a NaN inside the features names the row and feature', async () => {
    const f = await writeParquet(path.join(dir, 'nan.parquet'), `SELECT * REPLACE (CASE WHEN id = 'u3' THEN [1, 2, 'nan'::FLOAT, 4, 5, 6]::FLOAT[] ELSE features::FLOAT[] END AS features) FROM (${processedSql(50)})`);
    await expectFailure({ trainSplit: f }, /features has a NULL, NaN or infinite value at row \d+, feature 2/);
  });

  test('a NULL label and a label that is not 0/1', async () => {
    const nul = await writeParquet(path.join(dir, 'null-label.parquet'), `SELECT * REPLACE (CASE WHEN id = 'u4' THEN NULL ELSE label END AS label) FROM (${processedSql(50)})`);
    await expectFailure({ trainSplit: nul }, /1 rows have a NULL label, first at row \d+ \(id 'u4'\)/);
    const two = await writeParquet(path.join(dir, 'two.parquet'), `SELECT * REPLACE (CASE WHEN id = 'u5' THEN 2 ELSE label END AS label) FROM (${processedSql(50)})`);
    await expectFailure({ trainSplit: two }, /a label other than 0 or 1, first at row \d+ \(id 'u5'\)/);
  });

  test('a label with a single class', async () => {
    const f = await writeParquet(path.join(dir, 'one-class.parquet'), `SELECT * REPLACE (0 AS label) FROM (${processedSql(50)})`);
    await expectFailure({ trainSplit: f }, /input 'trainSplit' \(.*\) has a single class: all 50 labels are 0 \(negative\)/);
  });

  test('a label of the wrong type', async () => {
    const f = await writeParquet(path.join(dir, 'str-label.parquet'), `SELECT * REPLACE (label::VARCHAR AS label) FROM (${processedSql(50)})`);
    await expectFailure({ trainSplit: f }, /column 'label' is VARCHAR; expected an integer 0\/1/);
  });

  test('validation with another feature count than training', async () => {
    const f = await writeParquet(path.join(dir, 'k4.parquet'), processedSql(50, 0, 4));
    await expectFailure({ validationSplit: f }, /features has 4 values per row but the model expects 6/);
  });

  test('bad hyper-parameters and an unknown model kind or backend', async () => {
    await expectFailure({ modelKind: 'forest' }, /model kind 'forest' is not known; use 'logistic' or 'mlp'/);
    await expectFailure({ hiddenLayers: [64, 0] }, /hidden layer width 0 is not valid/);
    await expectFailure({ epochs: 0 }, /epochs 0 must be a whole number from 1/);
    await expectFailure({ backend: 'tpu' }, /tfjs backend 'tpu' is not known/);
    await expectFailure({ backend: 'tensorflow' }, /tfjs backend 'tensorflow' is not available: @tensorflow\/tfjs-node: not installed/);
  });

  test('a missing split file and a transform that is not one', async () => {
    await expectFailure({ trainSplit: path.join(dir, 'nope.parquet') }, /input 'trainSplit' \(.*nope\.parquet\) is not a readable Parquet file/);
    const t = path.join(dir, 'bad-transform');
    fs.mkdirSync(t);
    fs.writeFileSync(path.join(t, 'transform.json'), '{"steps": 1}');
    await expectFailure({ transform: t }, /input 'transform': .*transform\.json: has version undefined; this duckml reads version 1/);
  });
});
