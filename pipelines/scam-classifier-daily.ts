/**
 * scam-classifier-daily: extract the latest day's active users → drift-check them against the
 * champion's training data → if drifted, retrain (scam-classifier-train as a nested pipeline) →
 * score the day with the champion (the new one if retraining promoted it) → write the
 * moderators' review queue as a warehouse table.
 */
import * as dsl from '../dsl';
import { bigqueryExtract } from '../components/bigquery-extract/component';
import { driftCheck } from '../components/drift-check/component';
import { registryResolve } from '../components/registry-resolve/component';
import { batchPredict } from '../components/batch-predict/component';
import { reviewQueue } from '../components/review-queue/component';
import { scamClassifierTrain } from './scam-classifier-train';
import { DEFAULT_WAREHOUSE_URI } from '../warehouse/uri';

export const LATEST_ACTIVE_USERS = 'SELECT * FROM user_activity WHERE day = (SELECT max(day) FROM user_activity) AND sessions > 0';

export const scamClassifierDaily = dsl.pipeline(
  {
    name: 'scam-classifier-daily',
    description: "Scores the latest day's active users with the champion, retraining first when the data drifted.",
    params: {
      warehouse: dsl.string({ default: DEFAULT_WAREHOUSE_URI }),
      query: dsl.string({ default: LATEST_ACTIVE_USERS }),
      trainQuery: dsl.string({ default: 'SELECT * FROM user_activity' }),
      registry: dsl.string({ default: '' }),
      modelName: dsl.string({ default: 'scam-classifier' }),
      psiThreshold: dsl.double({ default: 0.2 }),
      reviewTable: dsl.string({ default: 'review_queue' }),
      predictionsTable: dsl.string({ default: 'predictions_daily' }),
    },
  },
  (p, a) => {
    const today = p.task(bigqueryExtract, { query: a.query, warehouse: a.warehouse }, { displayName: "extract the latest day's active users", caching: false });
    const champion = p.task(registryResolve, { registry: a.registry, modelRef: dsl.fmt`${a.modelName}@champion` }, { caching: false });
    const reference = p.importer({ artifactUri: champion.outputs.trainingDataUri, artifactType: dsl.Dataset });
    const championModel = p.importer({ artifactUri: champion.outputs.modelUri, artifactType: dsl.Artifact });
    const drift = p.task(driftCheck, {
      reference: reference.outputs.artifact,
      current: today.outputs.dataset,
      transform: championModel.outputs.artifact,
      exclude: ['user_id', 'day', 'is_scammer'],
      psiThreshold: a.psiThreshold,
    });
    const predict = (s: dsl.Scope, after: { name: string }[] = []) =>
      s.task(
        batchPredict,
        { data: today.outputs.dataset, registry: a.registry, modelRef: dsl.fmt`${a.modelName}@champion`, warehouse: a.warehouse, outputTable: a.predictionsTable, keepColumns: ['day'] },
        { after, caching: false },
      );
    const scored = p
      .if(
        drift.outputs.drifted.eq(true),
        (s) => {
          const retrain = s.task(scamClassifierTrain, { warehouse: a.warehouse, query: a.trainQuery, registry: a.registry, modelName: a.modelName });
          return { predictions: predict(s, [retrain]).outputs.predictions };
        },
        { name: 'drifted' },
      )
      .else((s) => ({ predictions: predict(s).outputs.predictions }), { name: 'no-drift' });
    const queue = p.task(reviewQueue, { predictions: scored.outputs.predictions, warehouse: a.warehouse, table: a.reviewTable }, { caching: false });
    return { queued: queue.outputs.queued, drifted: drift.outputs.drifted };
  },
);
