/**
 * The two scam-classifier pipelines end to end with the local runner on a small demo warehouse:
 * train registers a champion; daily drift-checks, retrains, scores and writes the review queue.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile } from '../../compiler';
import { runPipeline } from '../../runner/run';
import { buildDemoWarehouse } from '../../warehouse/demo-data';
import { openDuckDB, queryRows } from '../../warehouse/duckdb';
import { LocalRegistry } from '../../registry/local';
import { scamClassifierTrain } from '../../pipelines/scam-classifier-train';
import { scamClassifierDaily } from '../../pipelines/scam-classifier-daily';
import { tmpDir } from './fixtures/splits';

const PROJECT_ROOT = path.resolve(__dirname, '../..');
jest.setTimeout(180_000);

test('scam-classifier-train then scam-classifier-daily with duckml run on the embedded warehouse', async () => {
  const dir = tmpDir('duckml-pipelines-');
  const wh = path.join(dir, 'warehouse.duckdb');
  await buildDemoWarehouse({ path: wh, rows: 60_000, days: 30, messages: false, scamRate: 0.05 });
  const common = { warehouse: `duckdb://${wh}`, registry: path.join(dir, 'home') };

  const trained = await runPipeline(compile(scamClassifierTrain), { root: path.join(dir, 'runs'), display: 'none', projectRoot: PROJECT_ROOT, params: { ...common, epochs: 3 } });
  expect(trained.error).toBeUndefined();
  expect(trained.state).toBe('succeeded');
  expect(trained.outputs.params.passed).toBe(true);
  const registry = new LocalRegistry(common.registry);
  const v1 = await registry.resolve('scam-classifier', 'champion');
  expect(v1.version).toBe('1');
  expect(v1.metadata.threshold).toBe(trained.outputs.params.threshold);
  expect(String(v1.metadata.trainingData)).toMatch(/bigquery-extract\/dataset$/);
  expect(fs.existsSync(path.join(v1.uri, 'model.json'))).toBe(true);

  const daily = await runPipeline(compile(scamClassifierDaily), { root: path.join(dir, 'runs'), display: 'none', projectRoot: PROJECT_ROOT, params: common });
  expect(daily.error).toBeUndefined();
  expect(daily.state).toBe('succeeded');
  const drifted = daily.outputs.params.drifted as boolean;
  // A single day against 30 days of history drifts (account ages, follower counts): a retrain ran.
  expect(drifted).toBe(true);
  expect((await registry.resolve('scam-classifier', 'champion')).version).toBe('2');
  const db = await openDuckDB(wh, { readOnly: true });
  try {
    const [q] = await queryRows(db.conn, `SELECT count(*)::INTEGER AS n, min(rank)::INTEGER AS first, bool_and(model_version = 'scam-classifier@2') AS champion FROM review_queue`);
    expect(q).toEqual({ n: daily.outputs.params.queued, first: 1, champion: true });
    const [p] = await queryRows(db.conn, `SELECT count(*)::INTEGER AS n, count(DISTINCT day)::INTEGER AS days FROM predictions_daily`);
    const [active] = await queryRows(db.conn, `SELECT count(*)::INTEGER AS n FROM user_activity WHERE day = (SELECT max(day) FROM user_activity) AND sessions > 0`);
    expect(p).toEqual({ n: active!.n, days: 1 });
  } finally {
    db.close();
  }
});
