/**
 * bigquery-extract's bq:// path: the production client (@google-cloud/bigquery) talks to fake
 * BigQuery REST servers on 127.0.0.1 through its apiEndpoint option, with a fake OAuth token.
 * The extractions run in one plain Node child process (see fixtures/run-bq-extract.ts for why);
 * the fakes run here and record what the client sent.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExtractRequest } from '../../components/bigquery-extract/request';
import { openDuckDB, queryRows, type Db } from '../../warehouse/duckdb';
import { startFakeBigQuery, type FakeBigQuery, type FakeBigQueryOptions, type FakeResult } from './fakes/fake-bigquery';
import type { ChildCase, ChildResult } from './fixtures/run-bq-extract';
import { leftovers } from './fixtures/small-warehouse';

const RESULT: FakeResult = {
  schema: [
    { name: 'user_id', type: 'STRING' },
    { name: 'messages_sent', type: 'INTEGER' },
    { name: 'sentiment', type: 'FLOAT' },
    { name: 'seen_at', type: 'TIMESTAMP' },
    { name: 'day', type: 'DATE' },
    { name: 'verified', type: 'BOOLEAN' },
    { name: 'amount', type: 'NUMERIC' },
    { name: 'blob', type: 'BYTES' },
  ],
  rows: [
    ['u1', '12', '0.25', '1700000000123456', '2025-01-02', 'true', '10.50', 'aGk='],
    ['u2', null, 'NaN', null, null, 'false', null, null],
    ['u3', '3', '-0.5', '0', '1999-12-31', null, '0', ''],
    ['u4', '9007199254740993', '1e-3', '1700000000000000', '2025-01-03', 'true', '123456789.123456789', 'AA=='],
    ['u5', '0', null, null, '2025-01-04', 'false', '-1', null],
  ],
};

const QUERY = 'SELECT * FROM `fraud-project.analytics.user_activity` WHERE day >= @start AND country IN UNNEST(@countries) AND messages_sent >= @min_msgs AND score > @score';

interface Case {
  fake: FakeBigQueryOptions;
  req: Partial<ExtractRequest>;
  warehouse?: string;
  pageSize?: number;
}

const CASES: Record<string, Case> = {
  params: {
    fake: { result: () => RESULT },
    req: {
      query: QUERY,
      params: { start: '2025-01-01', countries: ['US', 'NG'], min_msgs: 5, score: 0.5 },
      paramTypes: { start: 'DATE' },
      location: 'europe-west4',
      labels: { team: 'trust-safety', pipeline: 'scam-classifier' },
    },
  },
  types: { fake: { result: () => RESULT }, req: { query: 'SELECT * FROM t' }, warehouse: 'bq://fraud-project' },
  slow: { fake: { result: () => RESULT, pendingPolls: 3 }, req: { query: 'SELECT * FROM t' }, pageSize: 10 },
  rejected: { fake: { insertFailure: { status: 400, reason: 'invalidQuery', message: 'Unrecognized name: no_such_column at [1:8]' } }, req: { query: 'SELECT no_such_column FROM t' } },
  jobFails: { fake: { result: () => ({ status: 400, reason: 'invalidQuery', message: 'No matching signature for operator >= for argument types: DATE, STRING' }) }, req: { query: 'SELECT 1' } },
  empty: { fake: { result: () => ({ schema: RESULT.schema, rows: [] }) }, req: { query: 'SELECT * FROM t WHERE FALSE' } },
  emptyAllowed: { fake: { result: () => ({ schema: RESULT.schema, rows: [] }) }, req: { query: 'SELECT * FROM t WHERE FALSE', allowEmpty: true } },
  nested: { fake: { result: () => ({ schema: [{ name: 'ids', type: 'STRING', mode: 'REPEATED' }], rows: [] }) }, req: { query: 'SELECT ids FROM t' } },
  badLabels: { fake: {}, req: { query: 'SELECT 1', labels: { Team: 'x' } } },
  missingParam: { fake: {}, req: { query: 'SELECT @a', params: {} } },
};

const fakes: Record<string, FakeBigQuery> = {};
const results: Record<string, ChildResult> = {};
const dirs: Record<string, string> = {};
let db: Db;

beforeAll(async () => {
  db = await openDuckDB(':memory:');
  const cases: ChildCase[] = [];
  for (const [name, c] of Object.entries(CASES)) {
    fakes[name] = await startFakeBigQuery(c.fake);
    dirs[name] = fs.mkdtempSync(path.join(os.tmpdir(), `duckml-bq-${name}-`));
    cases.push({
      name,
      apiEndpoint: fakes[name]!.url,
      warehouse: c.warehouse ?? 'bq://fraud-project.analytics',
      req: { query: 'SELECT 1', ...c.req },
      target: path.join(dirs[name]!, 'dataset'),
      pageSize: c.pageSize,
    });
  }
  const root = path.resolve(__dirname, '../..');
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ['-r', path.join(root, 'cli/register.js'), path.join(__dirname, 'fixtures/run-bq-extract.ts'), JSON.stringify(cases)],
      { cwd: root, timeout: 60_000 },
      (err, out, errText) => (err ? reject(new Error(`${err.message}\n${errText}`)) : resolve(out)),
    ),
  );
  for (const r of JSON.parse(stdout) as ChildResult[]) results[r.name] = r;
});

afterAll(async () => {
  db?.close();
  for (const f of Object.values(fakes)) await f.close();
  for (const d of Object.values(dirs)) fs.rmSync(d, { recursive: true, force: true });
});

function ok(name: string) {
  const r = results[name]!;
  if (!r.ok) throw new Error(`case '${name}' failed: ${r.message}`);
  return { ...r, target: path.join(dirs[name]!, 'dataset'), fake: fakes[name]! };
}
function failed(name: string): string {
  const r = results[name]!;
  if (r.ok) throw new Error(`case '${name}' was expected to fail`);
  return r.message;
}

describe('bigquery-extract on bq://', () => {
  test('sends one query job with named queryParameters, location, labels and default dataset', () => {
    const { gcpResources, fake } = ok('params');
    const inserts = fake.inserts();
    expect(inserts).toHaveLength(1);
    const job = inserts[0];
    // The SQL travels exactly as written: values are never spliced into it.
    expect(job.configuration.query.query).toBe(QUERY);
    expect(job.configuration.query.useLegacySql).toBe(false);
    expect(job.configuration.query.parameterMode).toBe('NAMED');
    expect(job.configuration.query.queryParameters).toEqual([
      { name: 'start', parameterType: { type: 'DATE' }, parameterValue: { value: '2025-01-01' } },
      { name: 'countries', parameterType: { type: 'ARRAY', arrayType: { type: 'STRING' } }, parameterValue: { arrayValues: [{ value: 'US' }, { value: 'NG' }] } },
      { name: 'min_msgs', parameterType: { type: 'INT64' }, parameterValue: { value: 5 } },
      { name: 'score', parameterType: { type: 'FLOAT64' }, parameterValue: { value: 0.5 } },
    ]);
    expect(job.configuration.query).not.toHaveProperty('types');
    expect(job.configuration.query.defaultDataset).toEqual({ projectId: 'fraud-project', datasetId: 'analytics' });
    expect(job.configuration.labels).toEqual({ team: 'trust-safety', pipeline: 'scam-classifier' });
    expect(job.jobReference).toMatchObject({ projectId: 'fraud-project', location: 'europe-west4' });
    expect(fake.requests.length).toBeGreaterThan(1);
    for (const r of fake.requests) expect(r.headers.authorization).toBe('Bearer fake-token');
    for (const r of fake.resultCalls()) expect(r.query.location).toBe('europe-west4');
    // gcp_resources as google-cloud-pipeline-components writes it: the job's selfLink.
    expect(JSON.parse(gcpResources)).toEqual({
      resources: [{ resourceType: 'BigQueryJob', resourceUri: `${fake.url}/bigquery/v2/projects/fraud-project/jobs/${job.jobReference.jobId}?location=europe-west4` }],
    });
  });

  test('pages the results into Parquet with the BigQuery schema types and exact values', async () => {
    const r = ok('types');
    expect(r.fake.inserts()[0].configuration.query).not.toHaveProperty('defaultDataset');
    // 5 rows in pages of 2: three getQueryResults calls, following pageToken.
    expect(r.fake.resultCalls().map((c) => c.query.pageToken ?? null)).toEqual([null, '2', '4']);
    expect(r.fake.resultCalls().every((c) => c.query.maxResults === '2')).toBe(true);
    expect(r.rows).toBe(5);
    expect(r.columns).toEqual([
      { name: 'user_id', type: 'VARCHAR' },
      { name: 'messages_sent', type: 'BIGINT' },
      { name: 'sentiment', type: 'DOUBLE' },
      { name: 'seen_at', type: 'TIMESTAMP WITH TIME ZONE' },
      { name: 'day', type: 'DATE' },
      { name: 'verified', type: 'BOOLEAN' },
      { name: 'amount', type: 'DECIMAL(38,9)' },
      { name: 'blob', type: 'BLOB' },
    ]);
    const rows = await queryRows(
      db.conn,
      `SELECT user_id, messages_sent::VARCHAR AS m, sentiment, isnan(sentiment) AS nan, epoch_us(seen_at) AS us, day::VARCHAR AS day, verified, amount::VARCHAR AS amount, octet_length(blob) AS bytes
       FROM read_parquet('${r.target}') ORDER BY user_id`,
    );
    expect(rows).toEqual([
      { user_id: 'u1', m: '12', sentiment: 0.25, nan: false, us: 1700000000123456, day: '2025-01-02', verified: true, amount: '10.500000000', bytes: 2 },
      { user_id: 'u2', m: null, sentiment: 'NaN', nan: true, us: null, day: null, verified: false, amount: null, bytes: null },
      { user_id: 'u3', m: '3', sentiment: -0.5, nan: false, us: 0, day: '1999-12-31', verified: null, amount: '0.000000000', bytes: 0 },
      // int64 beyond 2^53 stays exact: values go from the REST strings straight to DuckDB.
      { user_id: 'u4', m: '9007199254740993', sentiment: 0.001, nan: false, us: 1700000000000000, day: '2025-01-03', verified: true, amount: '123456789.123456789', bytes: 1 },
      { user_id: 'u5', m: '0', sentiment: null, nan: null, us: null, day: '2025-01-04', verified: false, amount: '-1.000000000', bytes: null },
    ]);
    expect(leftovers(dirs.types!)).toEqual(['dataset']);
  });

  test('waits for a long-running job', () => {
    const r = ok('slow');
    expect(r.rows).toBe(5);
    expect(r.fake.resultCalls().length).toBe(3 + 1);
  });

  test('a query BigQuery rejects is an error carrying its message, with no output', () => {
    expect(failed('rejected')).toMatch(/did not accept the query job in project fraud-project: Unrecognized name: no_such_column/);
    expect(leftovers(dirs.rejected!)).toEqual([]);
  });

  test('a job that fails while running is an error, with no output and no staging files', () => {
    expect(failed('jobFails')).toMatch(/BigQuery job .* failed: No matching signature/);
    expect(leftovers(dirs.jobFails!)).toEqual([]);
  });

  test('an empty result is an error unless allowEmpty', async () => {
    expect(failed('empty')).toMatch(/returned no rows/);
    expect(leftovers(dirs.empty!)).toEqual([]);
    const r = ok('emptyAllowed');
    expect(r.rows).toBe(0);
    expect(r.columns).toHaveLength(8);
    expect(fs.existsSync(r.target)).toBe(true);
  });

  test('ARRAY and STRUCT result columns are refused with a fix', () => {
    expect(failed('nested')).toMatch(/'ids' is an ARRAY.*TO_JSON_STRING\(ids\)/);
    expect(leftovers(dirs.nested!)).toEqual([]);
  });

  test('bad labels and parameters fail before any request', () => {
    expect(failed('badLabels')).toMatch(/label key 'Team' is invalid/);
    expect(failed('missingParam')).toMatch(/uses @a but no value/);
    expect(fakes.badLabels!.requests).toEqual([]);
    expect(fakes.missingParam!.requests).toEqual([]);
  });
});
