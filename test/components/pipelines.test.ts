/**
 * The scam-classifier pipelines end to end with the local runner on a small demo warehouse:
 * train registers a champion; daily drift-checks, retrains, scores and writes the review queue;
 * the scam-message variant trains on (part of) the real SpamAssassin corpus.
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
import { scamMessageTrain } from '../../pipelines/scam-message-train';
import { createMessagesTable, loadCorpus, MESSAGE_COLUMNS } from '../../warehouse/spam-assassin';
import { readTransform } from '../../components/preprocess/transform';
import { haveIrSchema, validatePipelineSpec } from '../support/ir-validator';
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

test('scam-message-train compiles to a valid spec and trains on the SpamAssassin messages without the leaking columns', async () => {
  const spec = compile(scamMessageTrain);
  if (haveIrSchema) expect(validatePipelineSpec(spec)).toEqual([]);
  expect(Object.keys(spec.root.dag!.tasks).sort()).toEqual(['bigquery-extract', 'condition-1', 'evaluate', 'preprocess', 'train']);

  const dir = tmpDir('duckml-messages-');
  const wh = path.join(dir, 'warehouse.duckdb');
  await buildDemoWarehouse({ path: wh, rows: 100, days: 1, messages: false });
  // Every third message of the real corpus (~2,000, a third of them spam) keeps the run short.
  const db = await openDuckDB(wh);
  try {
    await createMessagesTable(db.conn, loadCorpus().filter((_, i) => i % 3 === 0));
  } finally {
    db.close();
  }
  const lines: string[] = [];
  const out = { write: (s: string) => lines.push(s), isTTY: false } as unknown as NodeJS.WriteStream;
  const home = path.join(dir, 'home');
  const run = await runPipeline(spec, { root: path.join(dir, 'runs'), display: 'lines', out, projectRoot: PROJECT_ROOT, params: { warehouse: `duckdb://${wh}`, registry: home, epochs: 15 } });
  expect(run.error).toBeUndefined();
  expect(run.state).toBe('succeeded');
  expect(run.outputs.params.passed).toBe(true);

  // The features are the SQL message features only: no corpus part, raw text, subject or id.
  const champion = await new LocalRegistry(home).resolve('scam-message-classifier', 'champion');
  expect(champion).toMatchObject({ version: '1', labels: { pipeline: 'scam-message-train' } });
  expect(champion.metadata.threshold).toBe(run.outputs.params.threshold);
  const features = MESSAGE_COLUMNS.filter((c) => c.type !== 'VARCHAR' && c.name !== 'is_spam').map((c) => c.name);
  expect(readTransform(champion.uri).featureNames.slice().sort()).toEqual(features.sort());

  // The threshold meets the message policy (target recall 0.9) on the test split, and the model separates spam well.
  const m = champion.metrics;
  expect(m.recall).toBeGreaterThanOrEqual(0.9);
  expect(m.testRows).toBeGreaterThan(250);
  expect(m.rocAuc).toBeGreaterThan(0.9);
  expect(m.precision).toBeGreaterThan(0.8);

  // The evaluation report is a pipeline output; the run's summary ends with where it is.
  const report = run.outputs.artifacts.report![0]!;
  expect(report.schemaTitle).toBe('system.HTML');
  expect(fs.readFileSync(report.uri, 'utf8')).toMatch(/^<!doctype html>/i);
  // The summary points at an openable copy (.html) of the extension-less artifact file.
  const shown = `${path.relative(process.cwd(), report.uri)}.html`;
  expect(lines.join('').trimEnd().split('\n').pop()).toBe(`report: ${shown}`);
  expect(fs.readFileSync(shown, 'utf8')).toBe(fs.readFileSync(report.uri, 'utf8'));
});
