/**
 * Parquet → BigQuery table loads through the production client against a fake BigQuery REST
 * server on 127.0.0.1 (the client runs in a plain Node child process; see the fixture for why).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openDuckDB, sqlString } from '../../warehouse/duckdb';
import { startFakeBigQuery, type FakeBigQuery } from '../components/fakes/fake-bigquery';
import type { LoadCase, LoadResult } from './fixtures/run-bq-load';

const ROOT = path.resolve(__dirname, '../..');
let fake: FakeBigQuery;
let file: string;

function run(cases: Omit<LoadCase, 'apiEndpoint'>[]): Promise<LoadResult[]> {
  return new Promise((resolve, reject) => {
    const args = ['-r', path.join(ROOT, 'cli/register.js'), path.join(__dirname, 'fixtures/run-bq-load.ts'), JSON.stringify(cases.map((c) => ({ ...c, apiEndpoint: fake.url })))];
    execFile(process.execPath, args, { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as LoadResult[])));
  });
}

beforeAll(async () => {
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-bqload-')), 'predictions.parquet');
  const db = await openDuckDB(':memory:');
  try {
    await db.conn.run(`COPY (SELECT 'u' || i AS id, (i / 10)::FLOAT AS score, (i >= 5)::INTEGER AS label FROM range(10) t(i)) TO ${sqlString(file)} (FORMAT parquet)`);
  } finally {
    db.close();
  }
  fake = await startFakeBigQuery({
    datasets: { analytics: { location: 'EU' } },
    loadPolls: 2,
    loadResult: (config) =>
      config.load.destinationTable.tableId === 'bad_types'
        ? { status: 400, reason: 'invalid', message: "Error while reading data, error message: Parquet column 'score' has type FLOAT which does not match the target cpp_type INT64" }
        : { outputRows: 10 },
  });
});
afterAll(() => fake.close());

test('one WRITE_TRUNCATE load job in the dataset\'s location, the file uploaded as it is; a retried load follows the first job', async () => {
  const [a, b] = await run([
    { name: 'first', warehouse: 'bq://fraud-project.analytics', table: 'predictions_daily', file, key: 'gs://b/run-1/batch-predict/predictions' },
    { name: 'retry', warehouse: 'bq://fraud-project.analytics', table: 'predictions_daily', file, key: 'gs://b/run-1/batch-predict/predictions' },
  ]);
  expect(a).toMatchObject({ ok: true, location: 'EU', table: 'fraud-project.analytics.predictions_daily', rows: 10 });
  expect(b).toMatchObject({ ok: true, rows: 10 });
  if (!a!.ok || !b!.ok) return;
  expect(b.jobId).toBe(a.jobId);
  expect(a.jobId).toMatch(/^duckml_load_[0-9a-f]{40}$/);
  expect(JSON.parse(a.gcpResources)).toEqual({ resources: [{ resourceType: 'BigQueryJob', resourceUri: `https://www.googleapis.com/bigquery/v2/projects/fraud-project/jobs/${a.jobId}?location=EU` }] });
  const [up, again] = fake.uploads();
  expect(up!.metadata.jobReference).toEqual({ jobId: a.jobId, projectId: 'fraud-project', location: 'EU' });
  expect(up!.metadata.configuration.load).toEqual({
    destinationTable: { projectId: 'fraud-project', datasetId: 'analytics', tableId: 'predictions_daily' },
    sourceFormat: 'PARQUET',
    writeDisposition: 'WRITE_TRUNCATE',
    createDisposition: 'CREATE_IF_NEEDED',
    labels: { pipeline: 'scam-classifier-daily' },
    location: 'EU', // the client repeats the job's location here
  });
  expect(up!.payload.equals(fs.readFileSync(file))).toBe(true);
  expect(again!.metadata.jobReference.jobId).toBe(a.jobId); // answered 409, then followed
  const uploads = fake.requests.filter((r) => r.path.startsWith('/upload/'));
  expect(uploads.every((r) => r.query.uploadType === 'multipart' && r.headers.authorization === 'Bearer fake-token')).toBe(true);
  // The job was polled until DONE (two RUNNING answers first).
  expect(fake.requests.filter((r) => r.method === 'GET' && r.path === `/bigquery/v2/projects/fraud-project/jobs/${a.jobId}`).length).toBeGreaterThanOrEqual(3);
}, 60_000);

test('a different key, or different contents, is a different job', async () => {
  const [a, b] = await run([
    { name: 'day-1', warehouse: 'bq://fraud-project.analytics', table: 'predictions_daily', file, key: 'run-1' },
    { name: 'day-2', warehouse: 'bq://fraud-project.analytics', table: 'predictions_daily', file, key: 'run-2' },
  ]);
  expect(a!.ok && b!.ok && a.jobId !== b.jobId).toBe(true);
}, 60_000);

test('bad destinations and failed jobs are errors that say what to do', async () => {
  const got = await run([
    { name: 'no-dataset', warehouse: 'bq://fraud-project', table: 'predictions_daily', file },
    { name: 'missing-dataset', warehouse: 'bq://fraud-project.nope', table: 'predictions_daily', file },
    { name: 'other-dataset', warehouse: 'bq://fraud-project.nope', table: 'analytics.scores', file },
    { name: 'bad-name', warehouse: 'bq://fraud-project.analytics', table: 'a.b.c', file },
    { name: 'job-fails', warehouse: 'bq://fraud-project.analytics', table: 'bad_types', file },
  ]);
  const by = Object.fromEntries(got.map((r) => [r.name, r]));
  expect(by['no-dataset']).toEqual({ name: 'no-dataset', ok: false, message: "table 'predictions_daily' needs a dataset: name it DATASET.predictions_daily, or give the warehouse one (bq://fraud-project.DATASET)." });
  expect(by['missing-dataset']).toMatchObject({ ok: false, message: 'BigQuery dataset fraud-project.nope does not exist; create it (bq mk --dataset fraud-project:nope) or name another.' });
  expect(by['other-dataset']).toMatchObject({ ok: true, table: 'fraud-project.analytics.scores' });
  expect(by['bad-name']).toMatchObject({ ok: false, message: "'a.b.c' is not a BigQuery table: use TABLE or DATASET.TABLE (letters, digits, underscores)." });
  expect(by['job-fails']).toMatchObject({ ok: false, message: expect.stringMatching(/^BigQuery load job duckml_load_[0-9a-f]+ into fraud-project\.analytics\.bad_types failed: Error while reading data, error message: Parquet column 'score'/) });
}, 60_000);

test('batch-predict and review-queue write their tables to a bq:// warehouse (DUCKML_BIGQUERY_ENDPOINT, DUCKML_ACCESS_TOKEN)', async () => {
  const components = await startFakeBigQuery({ datasets: { analytics: { location: 'EU' }, moderation: { location: 'US' } }, loadResult: () => ({ outputRows: 1 }) });
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-bq-components-'));
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['-r', path.join(ROOT, 'cli/register.js'), path.join(__dirname, 'fixtures/run-bq-components.ts'), dir],
        { cwd: ROOT, timeout: 120_000, env: { ...process.env, DUCKML_BIGQUERY_ENDPOINT: components.url, DUCKML_ACCESS_TOKEN: 'ci-token' } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const r = JSON.parse(out);
    expect(r.predictions.metadata.table).toBe('fraud-project.analytics.predictions_daily');
    expect(r.queue.metadata.table).toBe('fraud-project.moderation.review_queue');
    const [pred, queue] = components.uploads();
    expect(pred!.metadata.configuration.load.destinationTable).toEqual({ projectId: 'fraud-project', datasetId: 'analytics', tableId: 'predictions_daily' });
    expect(pred!.metadata.configuration.load.labels).toEqual({ 'duckml-component': 'batch-predict' });
    expect(pred!.payload.equals(fs.readFileSync(r.predictions.path))).toBe(true);
    expect(queue!.metadata.configuration.load.destinationTable).toEqual({ projectId: 'fraud-project', datasetId: 'moderation', tableId: 'review_queue' });
    expect(queue!.metadata.jobReference.location).toBe('US');
    expect(queue!.payload.equals(fs.readFileSync(r.queue.path))).toBe(true);
    expect(r.queued).toBeGreaterThan(0);
    expect(components.requests.filter((x) => x.path.startsWith('/upload/')).every((x) => x.headers.authorization === 'Bearer ci-token')).toBe(true);
  } finally {
    await components.close();
  }
}, 120_000);
