/**
 * evaluate: scores the test split with the candidate model; PR-AUC, ROC-AUC, calibration, and a
 * decision threshold chosen by the review policy (capacity K per N rows, or a target recall) with
 * precision/recall/F1 and the confusion matrix at it. Writes system.Metrics,
 * system.ClassificationMetrics (the forms Vertex and KFP render) and an HTML report; `passed`
 * says whether the gates hold and the candidate is at least as good as the champion.
 */
import * as fs from 'node:fs';
import * as dsl from '../../dsl';
import { loadBackend } from '../train/backend';
import { Net } from '../train/model';
import { readModelFolder, type LoadedModelFolder } from '../train/model-files';
import { readSplit, requireBothClasses, type SplitData } from '../train/split-reader';
import { averagePrecision, calibrationBins, countsAt, curve, curvePoints, expectedCalibrationError, precisionRecallF1, rocAuc, type Curve } from './metrics';
import { chooseThreshold, parsePolicy } from './threshold';
import { checkGates, parseGates } from './gates';
import { championTestSet, findChampion } from './champion';
import { buildReport } from './report';
import type { Tf } from '../train/backend';
import { openDuckDB } from '../../warehouse/duckdb';
import { commit, removeQuietly, tempBeside } from '../../warehouse/atomic';

export const CLASS_NAMES = ['legit', 'scam'] as const;

function score(tf: Tf, folder: LoadedModelFolder, set: SplitData): Float32Array {
  const net = new Net(tf, folder.spec, folder.weights);
  try {
    return net.predict(set.features, set.rows);
  } finally {
    net.dispose();
  }
}

export interface Scored {
  readonly curve: Curve;
  readonly prAuc: number;
  readonly rocAuc: number;
  readonly ece: number;
}

function summarize(scores: Float32Array, labels: Float32Array): Scored {
  const c = curve(scores, labels);
  return { curve: c, prAuc: averagePrecision(c), rocAuc: rocAuc(c), ece: expectedCalibrationError(calibrationBins(scores, labels)) };
}

export const evaluate = dsl.component({
  name: 'evaluate',
  description: 'Evaluates a scam classifier on the test split: metrics, review threshold, gates and champion comparison.',
  inputs: {
    model: dsl.Model,
    testSplit: dsl.Dataset.describe('processed test split (id, label, weight, features)'),
    rawData: dsl.Dataset.optional().describe('raw rows the splits came from, to score a champion whose transform differs'),
    registry: dsl.string({ default: '', description: "where the champion is: '' (local), a folder, or vertex://PROJECT/REGION" }),
    modelName: dsl.string({ default: 'scam-classifier' }),
    championAlias: dsl.string({ default: 'champion' }),
    thresholdPolicy: dsl.string({ default: 'capacity', description: "'capacity' (at most reviewCapacity per reviewPerRows) or 'recall' (reach targetRecall)" }),
    reviewCapacity: dsl.int({ default: 50 }),
    reviewPerRows: dsl.int({ default: 10000 }),
    targetRecall: dsl.double({ default: 0.8 }),
    gates: dsl.struct({ default: { minPrAuc: 0.1, minRocAuc: 0.7 }, description: 'minPrAuc, minRocAuc, minRecall, minPrecision, minF1, maxEce' }),
    championMargin: dsl.double({ default: 0, description: 'the candidate passes if its PR-AUC ≥ champion PR-AUC − margin' }),
  },
  outputs: {
    metrics: dsl.Metrics,
    classification: dsl.ClassificationMetrics,
    report: dsl.HTML,
    passed: dsl.bool(),
    threshold: dsl.double(),
    championVersion: dsl.string(),
  },
  run: async (inputs, { metrics, classification, report }, ctx) => {
    const policy = parsePolicy(inputs.thresholdPolicy, inputs.reviewCapacity, inputs.reviewPerRows, inputs.targetRecall);
    const gates = parseGates(inputs.gates);
    if (!(inputs.championMargin >= 0)) throw new Error(`championMargin ${inputs.championMargin} must be ≥ 0.`);
    const folder = readModelFolder(inputs.model.path, "input 'model'");
    const db = await openDuckDB(':memory:');
    let test: SplitData;
    try {
      test = await readSplit(inputs.testSplit.path, { what: "input 'testSplit'", needLabel: true, expectK: folder.spec.layers[0], conn: db.conn });
    } finally {
      db.close();
    }
    requireBothClasses(test, "input 'testSplit'", 'PR-AUC and ROC-AUC need positives and negatives: use a larger test fraction or more days of data.');
    const { tf, info } = await loadBackend();
    const scores = score(tf, folder, test);
    const cand = summarize(scores, test.labels!);
    const choice = chooseThreshold(cand.curve, policy);
    const k = countsAt(cand.curve, choice.threshold);
    const prf = precisionRecallF1(k);
    const values: Record<string, number> = {
      prAuc: cand.prAuc,
      rocAuc: cand.rocAuc,
      ece: cand.ece,
      threshold: choice.threshold,
      precision: prf.precision,
      recall: prf.recall,
      f1: prf.f1,
      falsePositiveRate: prf.falsePositiveRate,
      flagged: choice.flagged,
      flaggedPer10k: (choice.flagged / test.rows) * 10000,
      testRows: test.rows,
      testPositives: test.positives,
    };
    ctx.log(`evaluate: ${test.rows} test rows (${test.positives} positive) on ${info.name}: PR-AUC ${cand.prAuc.toFixed(4)}, ROC-AUC ${cand.rocAuc.toFixed(4)}, ECE ${cand.ece.toFixed(4)}`);
    ctx.log(`evaluate: threshold: ${choice.explanation}`);

    const gateResults = checkGates(gates, values);
    const champion = await findChampion(inputs.registry, inputs.modelName, inputs.championAlias, ctx.log);
    let champ: (Scored & { version: string }) | undefined;
    if (champion) {
      const set = await championTestSet(champion, folder, test, inputs.rawData?.path);
      champ = { ...summarize(score(tf, champion.folder, set), set.labels!), version: champion.version.version };
      ctx.log(`evaluate: champion ${inputs.modelName}@${inputs.championAlias} (version ${champ.version}) on the same rows: PR-AUC ${champ.prAuc.toFixed(4)}, ROC-AUC ${champ.rocAuc.toFixed(4)}`);
      values.championPrAuc = champ.prAuc;
      values.championRocAuc = champ.rocAuc;
      values.prAucGain = cand.prAuc - champ.prAuc;
    }
    const beatsChampion = !champ || cand.prAuc >= champ.prAuc - inputs.championMargin;
    const passed = gateResults.every((g) => g.passed) && beatsChampion;
    for (const g of gateResults) ctx.log(`evaluate: gate ${g.gate} ${g.required}: ${g.metric} ${g.actual.toFixed(4)} ${g.passed ? 'passed' : 'FAILED'}`);
    if (champ) ctx.log(`evaluate: ${beatsChampion ? 'at least as good as' : 'WORSE than'} the champion (PR-AUC ${cand.prAuc.toFixed(4)} vs ${champ.prAuc.toFixed(4)}, margin ${inputs.championMargin})`);
    ctx.log(`evaluate: ${passed ? 'PASSED' : 'FAILED'}`);

    const html = buildReport({ folder, test, scores, cand, champ, choice, counts: k, values, gateResults, beatsChampion, passed, margin: inputs.championMargin, modelName: inputs.modelName });
    // Metrics go into metadata (the executor checks them); the report file is written atomically.
    const tmp = tempBeside(report.path, '.html');
    try {
      fs.writeFileSync(tmp, html);
      for (const [name, v] of Object.entries(values)) dsl.metrics.log(metrics, name, v);
      dsl.metrics.confusionMatrix(classification, [...CLASS_NAMES], [
        [k.tn, k.fp],
        [k.fn, k.tp],
      ]);
      const points = curvePoints(cand.curve, 200);
      dsl.metrics.roc(classification, {
        fpr: points.map((p) => p.falsePositiveRate),
        tpr: points.map((p) => p.recall),
        thresholds: points.map((p) => Math.min(1, p.threshold)),
      });
      // Vertex also draws precision–recall from the same points.
      (classification.metadata.confidenceMetrics as Record<string, number>[]).forEach((p, i) => {
        const pt = points[i]!;
        p.precision = pt.precision;
        p.f1Score = pt.precision + pt.recall ? (2 * pt.precision * pt.recall) / (pt.precision + pt.recall) : 0;
      });
      commit(tmp, report.path);
    } catch (e) {
      removeQuietly(tmp);
      throw e;
    }
    report.metadata.passed = passed;
    return { passed, threshold: choice.threshold, championVersion: champ?.version ?? '' };
  },
});
