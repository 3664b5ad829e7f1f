/**
 * train: a logistic regression or an MLP on a processed split, with TensorFlow.js on the best
 * backend this machine has (tfjs-node-gpu → tfjs-node → wasm → cpu). Adam, class weights from the
 * split's weight column, early stopping on validation PR-AUC, seeded. Writes the model folder
 * (tfjs format + the transform + duckml-model.json) and the training metrics.
 */
import * as os from 'node:os';
import * as dsl from '../../dsl';
import { loadBackend, type BackendName } from './backend';
import { netSpec, type Net } from './model';
import { readTransform, saveModelFolder, type DuckmlModelInfo } from './model-files';
import { readSplit, requireBothClasses } from './split-reader';
import { trainNetwork, checkTrainOptions, type GradientEngine } from './trainer';
import { openDuckDB } from '../../warehouse/duckdb';

/** Threads for gradient work: wasm runs one per thread, so use the cores; native TF threads itself. */
export function trainingThreads(asked: number, backend: BackendName): number {
  if (!Number.isInteger(asked) || asked < 0 || asked > 64) throw new Error(`threads ${asked} must be a whole number from 0 (auto) to 64.`);
  if (backend !== 'wasm') return 1;
  if (asked > 0) return asked;
  return Math.max(1, Math.min(2, os.availableParallelism()));
}

export const train = dsl.component({
  name: 'train',
  description: 'Trains a logistic regression or MLP scam classifier with TensorFlow.js; early stopping on validation PR-AUC.',
  inputs: {
    trainSplit: dsl.Dataset.describe('processed training split: id, label, weight, features FLOAT[k]'),
    validationSplit: dsl.Dataset.describe('processed validation split, for early stopping'),
    transform: dsl.Artifact.describe('the transform preprocess fitted (saved with the model)'),
    modelKind: dsl.string({ default: 'mlp', description: "'logistic' or 'mlp'" }),
    hiddenLayers: dsl.list(dsl.int(), { default: [64, 32], description: 'MLP hidden layer widths' }),
    epochs: dsl.int({ default: 20 }),
    batchSize: dsl.int({ default: 1024 }),
    learningRate: dsl.double({ default: 0.001 }),
    patience: dsl.int({ default: 3, description: 'epochs without a validation PR-AUC gain before stopping' }),
    seed: dsl.int({ default: 42 }),
    classWeights: dsl.bool({ default: true, description: "weight rows by the split's weight column" }),
    threads: dsl.int({ default: 0, description: 'gradient threads on the wasm backend; 0 = one per core (at most 2)' }),
    backend: dsl.string({ default: 'auto', description: 'auto, tensorflow-gpu, tensorflow, wasm or cpu' }),
  },
  outputs: { model: dsl.Model, metrics: dsl.Metrics },
  run: async (inputs, { model, metrics }, ctx) => {
    checkTrainOptions(inputs);
    const transform = readTransform(inputs.transform.path, "input 'transform'");
    // Check the cheap things before reading any data.
    netSpec(inputs.modelKind, Math.max(1, transform.featureNames.length), inputs.hiddenLayers);
    const { tf, info } = await loadBackend(inputs.backend as BackendName | 'auto');
    const threads = trainingThreads(inputs.threads, info.name);
    const db = await openDuckDB(':memory:');
    let trainSet;
    let valSet;
    try {
      trainSet = await readSplit(inputs.trainSplit.path, { what: "input 'trainSplit'", needLabel: true, conn: db.conn, shared: threads > 1 });
      requireBothClasses(trainSet, "input 'trainSplit'", 'A classifier needs positive and negative examples: widen the extract (more days) or check the label column.');
      valSet = await readSplit(inputs.validationSplit.path, { what: "input 'validationSplit'", needLabel: true, expectK: trainSet.k, conn: db.conn });
      requireBothClasses(valSet, "input 'validationSplit'", 'Early stopping measures PR-AUC, which needs both classes: use a larger validation fraction.');
    } finally {
      db.close();
    }
    if (transform.featureNames.length !== trainSet.k) {
      throw new Error(`input 'transform' lists ${transform.featureNames.length} features but the training split has ${trainSet.k}; pass the transform from the same preprocess run.`);
    }
    const spec = netSpec(inputs.modelKind, trainSet.k, inputs.hiddenLayers);
    ctx.log(
      `train: ${spec.kind} ${spec.layers.join('→')} on ${trainSet.rows.toLocaleString('en-US')} rows (${trainSet.positives} positive), ` +
        `validation ${valSet.rows.toLocaleString('en-US')} rows; backend ${info.name} (${info.package} ${info.version})${info.skipped.length ? ` [skipped: ${info.skipped.join('; ')}]` : ''}, ${threads} thread(s)`,
    );
    let engine: ((net: Net, w: readonly Float32Array[]) => Promise<GradientEngine>) | undefined;
    if (threads > 1) {
      // require, not import(): the executor's .ts hook serves require only.
      const { startParallelEngine } = require('./parallel-engine') as typeof import('./parallel-engine');
      engine = (net, w) => startParallelEngine({ net, set: asSet(trainSet), spec, weights: w, threads, maxBatch: Math.min(inputs.batchSize, trainSet.rows), useWeights: inputs.classWeights });
    }
    const result = await trainNetwork(tf, asSet(trainSet), asSet(valSet), {
      spec,
      epochs: inputs.epochs,
      batchSize: inputs.batchSize,
      learningRate: inputs.learningRate,
      patience: inputs.patience,
      seed: inputs.seed,
      useWeights: inputs.classWeights,
      engine,
      log: ctx.log,
    });
    const best = result.history.find((h) => h.epoch === result.bestEpoch)!;
    const modelInfo: DuckmlModelInfo = {
      format: 'duckml-model/1',
      kind: spec.kind,
      layers: [...spec.layers],
      featureNames: [...transform.featureNames],
      backend: { ...info, skipped: [...info.skipped], threads: result.threads },
      trainedAt: new Date().toISOString(),
      metrics: { valPrAuc: best.valPrAuc, valRocAuc: best.valRocAuc },
      training: {
        epochs: inputs.epochs,
        epochsRun: result.history.length,
        bestEpoch: result.bestEpoch,
        stoppedEarly: result.stoppedEarly,
        batchSize: inputs.batchSize,
        learningRate: inputs.learningRate,
        patience: inputs.patience,
        seed: inputs.seed,
        classWeights: inputs.classWeights,
        trainRows: trainSet.rows,
        trainPositives: trainSet.positives,
        history: result.history,
        trainData: inputs.trainSplit.uri,
      },
    };
    await saveModelFolder(tf, model.path, spec, result.weights, transform, modelInfo);
    Object.assign(model.metadata, {
      framework: 'tensorflow.js',
      kind: spec.kind,
      layers: [...spec.layers],
      backend: info.name,
      backendPackage: `${info.package}@${info.version}`,
      backendSkipped: [...info.skipped],
      threads: result.threads,
      bestEpoch: result.bestEpoch,
      epochsRun: result.history.length,
      valPrAuc: best.valPrAuc,
      valRocAuc: best.valRocAuc,
      featureCount: spec.layers[0],
    });
    dsl.metrics.log(metrics, 'valPrAuc', best.valPrAuc);
    dsl.metrics.log(metrics, 'valRocAuc', best.valRocAuc);
    dsl.metrics.log(metrics, 'trainLoss', best.loss);
    dsl.metrics.log(metrics, 'bestEpoch', result.bestEpoch);
    dsl.metrics.log(metrics, 'epochsRun', result.history.length);
    dsl.metrics.log(metrics, 'trainRowsPerSecond', Math.round(result.rowsPerSecond));
    dsl.metrics.log(metrics, 'trainSeconds', Number(result.seconds.toFixed(3)));
    dsl.metrics.log(metrics, 'threads', result.threads);
    ctx.log(`train: best epoch ${result.bestEpoch} (val PR-AUC ${best.valPrAuc.toFixed(4)}); ${Math.round(result.rowsPerSecond).toLocaleString('en-US')} rows/s over ${result.history.length} epochs`);
  },
});

function asSet(s: { features: Float32Array; labels?: Float32Array; weights: Float32Array; rows: number; k: number }) {
  return { x: s.features, y: s.labels!, w: s.weights, rows: s.rows, k: s.k };
}
