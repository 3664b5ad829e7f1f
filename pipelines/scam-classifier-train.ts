/**
 * scam-classifier-train: extract labelled user activity → preprocess (split, fit the transform,
 * class weights) → train (TensorFlow.js; a GPU is requested for the Vertex run) → evaluate
 * (metrics, review threshold, gates, champion comparison) → if it passed, register the model
 * as the new champion.
 */
import * as dsl from '../dsl';
import { bigqueryExtract } from '../components/bigquery-extract/component';
import { preprocess } from '../components/preprocess/component';
import { train } from '../components/train/component';
import { evaluate } from '../components/evaluate/component';
import { registryPush } from '../components/registry-push/component';
import { DEFAULT_WAREHOUSE_URI } from '../warehouse/uri';

/** On Vertex the train task gets this GPU; tfjs-node-gpu is used when the image has it (see components/train/backend.ts). */
export const TRAIN_ACCELERATOR = { type: 'NVIDIA_TESLA_T4', count: 1 } as const;

export const scamClassifierTrain = dsl.pipeline(
  {
    name: 'scam-classifier-train',
    description: 'Trains, evaluates and (if it passes) registers the scam classifier as champion.',
    params: {
      warehouse: dsl.string({ default: DEFAULT_WAREHOUSE_URI }),
      query: dsl.string({ default: 'SELECT * FROM user_activity' }),
      registry: dsl.string({ default: '', description: "'' (local), a folder, or vertex://PROJECT/REGION" }),
      modelName: dsl.string({ default: 'scam-classifier' }),
      modelKind: dsl.string({ default: 'mlp' }),
      hiddenLayers: dsl.list(dsl.int(), { default: [64, 32] }),
      epochs: dsl.int({ default: 20 }),
      batchSize: dsl.int({ default: 1024 }),
      learningRate: dsl.double({ default: 0.001 }),
      patience: dsl.int({ default: 3 }),
      seed: dsl.int({ default: 42 }),
      thresholdPolicy: dsl.string({ default: 'capacity' }),
      reviewCapacity: dsl.int({ default: 50 }),
      reviewPerRows: dsl.int({ default: 10000 }),
      targetRecall: dsl.double({ default: 0.8 }),
      gates: dsl.struct({ default: { minPrAuc: 0.1, minRocAuc: 0.7 } }),
    },
  },
  (p, a) => {
    const extract = p.task(bigqueryExtract, { query: a.query, warehouse: a.warehouse }, { displayName: 'extract labelled activity' });
    const prep = p.task(preprocess, { dataset: extract.outputs.dataset, labelColumn: 'is_scammer', idColumn: 'user_id', exclude: ['day'], seed: a.seed });
    const model = p.task(
      train,
      {
        trainSplit: prep.outputs.train,
        validationSplit: prep.outputs.validation,
        transform: prep.outputs.transform,
        modelKind: a.modelKind,
        hiddenLayers: a.hiddenLayers,
        epochs: a.epochs,
        batchSize: a.batchSize,
        learningRate: a.learningRate,
        patience: a.patience,
        seed: a.seed,
      },
      { accelerator: TRAIN_ACCELERATOR, cpuRequest: '4', memoryRequest: '8G' },
    );
    const evaluation = p.task(evaluate, {
      model: model.outputs.model,
      testSplit: prep.outputs.test,
      rawData: extract.outputs.dataset,
      registry: a.registry,
      modelName: a.modelName,
      thresholdPolicy: a.thresholdPolicy,
      reviewCapacity: a.reviewCapacity,
      reviewPerRows: a.reviewPerRows,
      targetRecall: a.targetRecall,
      gates: a.gates,
    });
    p.if(evaluation.outputs.passed.eq(true), (s) => {
      s.task(registryPush, {
        model: model.outputs.model,
        metrics: evaluation.outputs.metrics,
        trainingData: extract.outputs.dataset,
        registry: a.registry,
        modelName: a.modelName,
        aliases: ['champion'],
        threshold: evaluation.outputs.threshold,
        labels: { pipeline: 'scam-classifier-train' },
      });
    }, { name: 'passed' });
    return { passed: evaluation.outputs.passed, threshold: evaluation.outputs.threshold };
  },
);
