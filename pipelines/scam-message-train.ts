/**
 * scam-message-train: the scam-message variant of the training pipeline, on the `messages` table
 * of the demo warehouse (the SpamAssassin public corpus with features computed in SQL, see
 * warehouse/spam-assassin.ts). Same steps as scam-classifier-train (classifier-train.ts); what
 * differs is the data and the threshold policy: a spam filter must catch a set share of the spam
 * (a target recall), not fill a fixed review capacity, since about a third of the mail is spam.
 */
import { classifierTrainPipeline } from './classifier-train';

export const scamMessageTrain = classifierTrainPipeline({
  name: 'scam-message-train',
  description: 'Trains, evaluates and (if it passes) registers the scam-message classifier (SpamAssassin corpus) as champion.',
  extractName: 'extract labelled messages',
  query: 'SELECT * FROM messages',
  idColumn: 'message_id',
  labelColumn: 'is_spam',
  // `group` names the corpus part (spam-1, easy-ham-2, …) and so gives the label away; the raw
  // text and subject are inputs of the SQL features, not features themselves.
  exclude: ['group', 'text', 'subject', 'message_id'],
  defaults: {
    modelName: 'scam-message-classifier',
    hiddenLayers: [32, 16],
    epochs: 60,
    batchSize: 128,
    learningRate: 0.003,
    patience: 8,
    // Flag enough to catch 90 % of the spam; the gate keeps legitimate mail under 15 % of what is flagged.
    thresholdPolicy: 'recall',
    reviewCapacity: 50,
    reviewPerRows: 10000,
    targetRecall: 0.9,
    gates: { minPrAuc: 0.8, minRocAuc: 0.9, minPrecision: 0.85 },
  },
});
