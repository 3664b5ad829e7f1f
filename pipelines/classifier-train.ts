/**
 * The shape both training pipelines share (scam-classifier-train on user activity,
 * scam-message-train on the SpamAssassin messages): extract labelled rows → preprocess (split,
 * fit the transform, class weights) → train (TensorFlow.js; a GPU is requested for the Vertex
 * run) → evaluate (metrics, decision threshold, gates, champion comparison) → if it passed,
 * register the model as the new champion. Each pipeline names its data (query, id, label, columns
 * that must never be features) and its defaults; the steps are built here once.
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

export interface ClassifierTrainOptions {
  readonly name: string;
  readonly description: string;
  /** Display name of the extract task, e.g. 'extract labelled activity'. */
  readonly extractName: string;
  /** Default extraction query (a pipeline parameter). */
  readonly query: string;
  readonly idColumn: string;
  readonly labelColumn: string;
  /** Columns of the query's result that must never be features (leaks, raw text, dates). */
  readonly exclude: readonly string[];
  /** Defaults of the pipeline parameters that differ between data sets. */
  readonly defaults: {
    readonly modelName: string;
    readonly hiddenLayers: readonly number[];
    readonly epochs: number;
    readonly batchSize: number;
    readonly learningRate: number;
    readonly patience: number;
    readonly thresholdPolicy: 'capacity' | 'recall';
    readonly reviewCapacity: number;
    readonly reviewPerRows: number;
    readonly targetRecall: number;
    readonly gates: Readonly<Record<string, number>>;
  };
}

export function classifierTrainPipeline(o: ClassifierTrainOptions) {
  const d = o.defaults;
  return dsl.pipeline(
    {
      name: o.name,
      description: o.description,
      params: {
        warehouse: dsl.string({ default: DEFAULT_WAREHOUSE_URI }),
        query: dsl.string({ default: o.query }),
        registry: dsl.string({ default: '', description: "'' (local), a folder, or vertex://PROJECT/REGION" }),
        modelName: dsl.string({ default: d.modelName }),
        modelKind: dsl.string({ default: 'mlp' }),
        hiddenLayers: dsl.list(dsl.int(), { default: [...d.hiddenLayers] }),
        epochs: dsl.int({ default: d.epochs }),
        batchSize: dsl.int({ default: d.batchSize }),
        learningRate: dsl.double({ default: d.learningRate }),
        patience: dsl.int({ default: d.patience }),
        seed: dsl.int({ default: 42 }),
        thresholdPolicy: dsl.string({ default: d.thresholdPolicy }),
        reviewCapacity: dsl.int({ default: d.reviewCapacity }),
        reviewPerRows: dsl.int({ default: d.reviewPerRows }),
        targetRecall: dsl.double({ default: d.targetRecall }),
        gates: dsl.struct({ default: { ...d.gates } }),
      },
    },
    (p, a) => {
      const extract = p.task(bigqueryExtract, { query: a.query, warehouse: a.warehouse }, { displayName: o.extractName });
      const prep = p.task(preprocess, { dataset: extract.outputs.dataset, labelColumn: o.labelColumn, idColumn: o.idColumn, exclude: [...o.exclude], seed: a.seed });
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
          labels: { pipeline: o.name },
        });
      }, { name: 'passed' });
      // The report is a pipeline output so that the run summary (and `duckml runs show`) names its file.
      return { passed: evaluation.outputs.passed, threshold: evaluation.outputs.threshold, report: evaluation.outputs.report };
    },
  );
}
