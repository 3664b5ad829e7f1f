/**
 * scam-classifier-train: extract labelled user activity → preprocess (split, fit the transform,
 * class weights) → train (TensorFlow.js; a GPU is requested for the Vertex run) → evaluate
 * (metrics, review threshold, gates, champion comparison) → if it passed, register the model
 * as the new champion. The steps are shared with scam-message-train (see classifier-train.ts).
 */
import { classifierTrainPipeline } from './classifier-train';

export { TRAIN_ACCELERATOR } from './classifier-train';

export const scamClassifierTrain = classifierTrainPipeline({
  name: 'scam-classifier-train',
  description: 'Trains, evaluates and (if it passes) registers the scam classifier as champion.',
  extractName: 'extract labelled activity',
  query: 'SELECT * FROM user_activity',
  idColumn: 'user_id',
  labelColumn: 'is_scammer',
  exclude: ['day'],
  defaults: {
    modelName: 'scam-classifier',
    hiddenLayers: [64, 32],
    epochs: 20,
    batchSize: 1024,
    learningRate: 0.001,
    patience: 3,
    // Moderators review at most 50 accounts per 10,000 scored.
    thresholdPolicy: 'capacity',
    reviewCapacity: 50,
    reviewPerRows: 10000,
    targetRecall: 0.8,
    gates: { minPrAuc: 0.1, minRocAuc: 0.7 },
  },
});
