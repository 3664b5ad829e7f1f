import * as fs from 'node:fs';
import * as path from 'node:path';
import { runComponent } from '../../executor';
import { train } from '../../components/train/component';
import { evaluate } from '../../components/evaluate/component';
import { registryPush } from '../../components/registry-push/component';
import { averagePrecision, calibrationBins, countsAt, curve, expectedCalibrationError, rocAuc } from '../../components/evaluate/metrics';
import { chooseThreshold, parsePolicy } from '../../components/evaluate/threshold';
import { LocalRegistry } from '../../registry/local';
import { tmpDir, writeParquet, writeSplits, processedSql, type Splits } from './fixtures/splits';

const quiet = { log: () => undefined };
let splits: Splits;
let modelPath: string;

beforeAll(async () => {
  splits = await writeSplits();
  const r = await runComponent(train, { trainSplit: splits.train, validationSplit: splits.validation, transform: splits.transform, epochs: 4, batchSize: 256, learningRate: 0.01, threads: 1 }, quiet);
  modelPath = (r.artifacts.model as { path: string }).path;
});

describe('metrics', () => {
  test('ROC-AUC and PR-AUC agree with scikit-learn, ties included', () => {
    // sklearn: roc_auc_score([0,0,1,1],[.1,.4,.35,.8]) = 0.75; average_precision_score = 0.8333…
    const c = curve(Float32Array.from([0.1, 0.4, 0.35, 0.8]), Float32Array.from([0, 0, 1, 1]));
    expect(rocAuc(c)).toBeCloseTo(0.75, 10);
    expect(averagePrecision(c)).toBeCloseTo(0.8333333, 6);
    // Ties: sklearn gives roc_auc 0.8333… and AP 0.75 for these.
    const t = curve(Float32Array.from([0.5, 0.5, 0.5, 0.9, 0.1]), Float32Array.from([1, 0, 0, 1, 0]));
    expect(rocAuc(t)).toBeCloseTo(5 / 6, 10);
    expect(averagePrecision(t)).toBeCloseTo(0.5 * 1 + 0.5 * 0.5, 10);
    expect(countsAt(t, 0.5)).toEqual({ tp: 2, fp: 2, fn: 0, tn: 1 });
    expect(countsAt(t, 0.95)).toEqual({ tp: 0, fp: 0, fn: 2, tn: 3 });
    expect(() => rocAuc(curve(Float32Array.from([0.2, 0.3]), Float32Array.from([0, 0])))).toThrow(/needs both classes; the labels are all 0/);
    expect(() => curve(Float32Array.from([NaN]), Float32Array.from([1]))).toThrow(/score NaN at row 1 is not a probability/);
  });

  test('expected calibration error over equal-width bins', () => {
    const scores = Float32Array.from([0.05, 0.05, 0.95, 0.95]);
    const labels = Float32Array.from([0, 1, 1, 1]);
    const bins = calibrationBins(scores, labels, 10);
    expect(bins[0]).toMatchObject({ count: 2, positiveRate: 0.5 });
    expect(expectedCalibrationError(bins)).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.05, 6);
  });

  test('threshold by review capacity and by target recall', () => {
    // 10 rows, scores 0.95…0.05; positives at ranks 1, 2, 4, 7.
    const scores = Float32Array.from({ length: 10 }, (_, i) => 0.95 - i * 0.1);
    const labels = Float32Array.from([1, 1, 0, 1, 0, 0, 1, 0, 0, 0]);
    const c = curve(scores, labels);
    const cap = chooseThreshold(c, parsePolicy('capacity', 3, 10, 0));
    expect(cap.flagged).toBe(3);
    expect(cap.threshold).toBeCloseTo(0.75, 6);
    expect(cap.recall).toBeCloseTo(0.5, 10);
    const rec = chooseThreshold(c, parsePolicy('recall', 0, 0, 0.75));
    expect(rec.flagged).toBe(4);
    expect(rec.recall).toBe(0.75);
    // Ties at the cut never overflow the capacity.
    const tied = curve(Float32Array.from([0.9, 0.5, 0.5, 0.5, 0.1]), Float32Array.from([1, 1, 0, 0, 0]));
    expect(chooseThreshold(tied, parsePolicy('capacity', 2, 5, 0)).flagged).toBe(1);
    expect(chooseThreshold(tied, parsePolicy('capacity', 0, 5, 0)).flagged).toBe(0);
    expect(() => parsePolicy('capacity', 20, 10, 0)).toThrow(/reviewCapacity 20 must be a whole number from 0 to reviewPerRows \(10\)/);
    expect(() => parsePolicy('top-k', 1, 10, 0)).toThrow(/thresholdPolicy 'top-k' is not known/);
    expect(() => parsePolicy('recall', 1, 10, 1.5)).toThrow(/targetRecall 1.5 must be in \(0, 1\]/);
  });
});

describe('evaluate', () => {
  test('metrics, Vertex-renderable classification metrics, HTML report; no champion yet → passes gates alone', async () => {
    const home = tmpDir('duckml-eval-home-');
    const lines: string[] = [];
    const r = await runComponent(evaluate, { model: modelPath, testSplit: splits.test, registry: home, reviewCapacity: 100, reviewPerRows: 1000 }, { log: (l) => lines.push(l) });
    expect(r.outputs).toMatchObject({ passed: true, championVersion: '' });
    const m = (r.artifacts.metrics as { metadata: Record<string, number> }).metadata;
    expect(m.prAuc).toBeGreaterThan(0.8);
    expect(m.rocAuc).toBeGreaterThan(0.9);
    expect(m.flagged).toBeLessThanOrEqual(100);
    expect(m.threshold).toBe(r.outputs.threshold);
    expect(m.testRows).toBe(1000);
    const cm = (r.artifacts.classification as { metadata: Record<string, any> }).metadata;
    expect(cm.confusionMatrix.annotationSpecs).toEqual([{ displayName: 'legit' }, { displayName: 'scam' }]);
    const [[tn, fp], [fn, tp]] = cm.confusionMatrix.rows.map((x: { row: number[] }) => x.row);
    expect(tn + fp + fn + tp).toBe(1000);
    expect(tp + fp).toBe(m.flagged);
    expect(tp / (tp + fn)).toBeCloseTo(m.recall, 10);
    expect(cm.confidenceMetrics.length).toBeGreaterThan(10);
    for (const p of cm.confidenceMetrics) {
      expect(Object.keys(p).sort()).toEqual(['confidenceThreshold', 'f1Score', 'falsePositiveRate', 'precision', 'recall']);
      expect(p.confidenceThreshold).toBeLessThanOrEqual(1);
    }
    const html = fs.readFileSync((r.artifacts.report as { path: string }).path, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect((html.match(/<svg /g) ?? []).length).toBe(5); // ROC, PR, calibration, score histogram, training history
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // self-contained
    expect(html).toContain('PASSED');
    expect(lines.some((l) => /no champion to compare with/.test(l))).toBe(true);
  });

  test('gates that fail make passed false; a recall policy reaches its target', async () => {
    const r = await runComponent(evaluate, { model: modelPath, testSplit: splits.test, registry: tmpDir(), thresholdPolicy: 'recall', targetRecall: 0.9, gates: { minPrAuc: 0.999, maxEce: 0.5 } }, quiet);
    expect(r.outputs.passed).toBe(false);
    expect((r.artifacts.metrics as { metadata: Record<string, number> }).metadata.recall).toBeGreaterThanOrEqual(0.9);
    const html = fs.readFileSync((r.artifacts.report as { path: string }).path, 'utf8');
    expect(html).toMatch(/<tr class="fail"><td>minPrAuc<\/td>/);
    expect(html).toContain('FAILED');
  });

  test('against the registered champion on the same test rows, through its own transform when it differs', async () => {
    const home = tmpDir('duckml-eval-champ-');
    const pushed = await runComponent(registryPush, { model: modelPath, registry: home, threshold: 0.4, labels: { stage: 'test' } }, quiet);
    expect(pushed.outputs).toMatchObject({ version: '1', resourceName: 'local:scam-classifier@1' });
    const reg = (pushed.artifacts.registeredModel as { path: string; metadata: Record<string, unknown> });
    expect(reg.metadata).toMatchObject({ registry: 'local', model: 'scam-classifier', version: '1', aliases: ['champion', 'default'] });
    expect(JSON.parse(fs.readFileSync(reg.path, 'utf8'))).toMatchObject({ version: '1' });
    const v1 = await new LocalRegistry(home).resolve('scam-classifier', 'champion');
    expect(JSON.parse(fs.readFileSync(path.join(v1.uri, 'duckml-model.json'), 'utf8')).threshold).toBe(0.4);
    expect(v1.metadata).toMatchObject({ threshold: 0.4, kind: 'mlp' });

    // Same transform: the champion scores the test split as is — identical model, identical PR-AUC.
    const same = await runComponent(evaluate, { model: modelPath, testSplit: splits.test, registry: home }, quiet);
    const sm = (same.artifacts.metrics as { metadata: Record<string, number> }).metadata;
    expect(same.outputs).toMatchObject({ passed: true, championVersion: '1' });
    expect(sm.championPrAuc).toBeCloseTo(sm.prAuc!, 10);

    // A champion whose transform was fitted elsewhere: it needs the raw rows.
    const t = JSON.parse(fs.readFileSync(path.join(v1.uri, 'transform.json'), 'utf8'));
    t.steps[0].mean = 0.25;
    fs.writeFileSync(path.join(v1.uri, 'transform.json'), JSON.stringify(t));
    await expect(runComponent(evaluate, { model: modelPath, testSplit: splits.test, registry: home }, quiet)).rejects.toThrow(/its transform differs from this model's .* Connect the extract output to evaluate's 'rawData' input/);
    const viaRaw = await runComponent(evaluate, { model: modelPath, testSplit: splits.test, registry: home, rawData: splits.raw }, quiet);
    const vm = (viaRaw.artifacts.metrics as { metadata: Record<string, number> }).metadata;
    // Shifting feature 0 by 0.25 std moves the champion's scores a little, not its ranking much.
    expect(vm.championPrAuc).not.toBeCloseTo(vm.prAuc!, 6);
    expect(Math.abs(vm.championPrAuc! - vm.prAuc!)).toBeLessThan(0.1);
    const html = fs.readFileSync((viaRaw.artifacts.report as { path: string }).path, 'utf8');
    expect(html).toContain('Against the champion (version 1), same test rows');
  });

  test('bad inputs: single-class test split, wrong feature count, unknown gate, not a model', async () => {
    const dir = tmpDir('duckml-eval-bad-');
    const out = () => ({ outputDir: tmpDir('duckml-eval-out-'), ...quiet });
    const noReport = (o: { outputDir: string }) => expect(fs.existsSync(path.join(o.outputDir, 'report'))).toBe(false);
    const one = await writeParquet(path.join(dir, 'one.parquet'), `SELECT * REPLACE (1 AS label) FROM (${processedSql(40)})`);
    let o = out();
    await expect(runComponent(evaluate, { model: modelPath, testSplit: one, registry: dir }, o)).rejects.toThrow(/input 'testSplit' \(.*\) has a single class: all 40 labels are 1 \(positive\)/);
    noReport(o);
    const k4 = await writeParquet(path.join(dir, 'k4.parquet'), processedSql(40, 0, 4));
    o = out();
    await expect(runComponent(evaluate, { model: modelPath, testSplit: k4, registry: dir }, o)).rejects.toThrow(/features has 4 values per row but the model expects 6/);
    noReport(o);
    await expect(runComponent(evaluate, { model: modelPath, testSplit: splits.test, gates: { minAccuracy: 0.9 } }, out())).rejects.toThrow(/gate 'minAccuracy' is not known/);
    await expect(runComponent(evaluate, { model: splits.transform, testSplit: splits.test }, out())).rejects.toThrow(/input 'model' at .* is not a duckml model folder: duckml-model.json is missing/);
    await expect(runComponent(registryPush, { model: modelPath, registry: dir, aliases: ['Champion!'] }, out())).rejects.toThrow(/alias "Champion!" is not valid/);
  });
});
