/**
 * bigquery-extract's bq:// path: the production client (@google-cloud/bigquery) talks to a fake
 * BigQuery REST server on 127.0.0.1 through its apiEndpoint option, with a fake OAuth token.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { extractFromBigQuery, type BigQueryExtractOptions } from '../../components/bigquery-extract/bigquery';
import type { ExtractRequest } from '../../components/bigquery-extract/request';
import { openDuckDB, queryRows, type Db } from '../../warehouse/duckdb';
import { parseWarehouseUri } from '../../warehouse/uri';
import { startFakeBigQuery, type FakeBigQuery, type FakeBigQueryOptions, type FakeResult } from './fakes/fake-bigquery';
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

let db: Db;
let fake: FakeBigQuery | undefined;
let dir: string;
beforeAll(async () => {
  db = await openDuckDB(':memory:');
});
afterAll(() => db.close());
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-bq-'));
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

function fakeAuth(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'fake-token', expiry_date: Date.now() + 3600_000 });
  return auth;
}

async function extract(fakeOpts: FakeBigQueryOptions, req: Partial<ExtractRequest>, uri = 'bq://fraud-project.analytics', opts: BigQueryExtractOptions = {}) {
  await fake?.close();
  fake = await startFakeBigQuery(fakeOpts);
  const target = path.join(dir, 'dataset');
  const ref = parseWarehouseUri(uri);
  if (ref.kind !== 'bigquery') throw new Error('test wants a bq:// URI');
  const result = await extractFromBigQuery(ref, { query: 'SELECT 1', ...req }, target, {
    pageSize: 2,
    pollMs: 5,
    ...opts,
    client: { apiEndpoint: fake.url, authClient: fakeAuth(), maxRetries: 0 },
  });
  return { result, target };
}

const QUERY = 'SELECT * FROM `fraud-project.analytics.user_activity` WHERE day >= @start AND country IN UNNEST(@countries) AND messages_sent >= @min_msgs AND score > @score';

describe('bigquery-extract on bq://', () => {
  test('sends one query job with named queryParameters, location, labels and default dataset', async () => {
    const { result } = await extract(
      { result: () => RESULT },
      {
        query: QUERY,
        params: { start: '2025-01-01', countries: ['US', 'NG'], min_msgs: 5, score: 0.5 },
        paramTypes: { start: 'DATE' },
        location: 'europe-west4',
        labels: { team: 'trust-safety', pipeline: 'scam-classifier' },
      },
    );
    const inserts = fake!.inserts();
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
    for (const r of fake!.requests) expect(r.headers.authorization).toBe('Bearer fake-token');
    for (const r of fake!.resultCalls()) expect(r.query.location).toBe('europe-west4');
    // gcp_resources as google-cloud-pipeline-components writes it: the job's selfLink.
    expect(JSON.parse(result.gcpResources)).toEqual({
      resources: [{ resourceType: 'BigQueryJob', resourceUri: `${fake!.url}/bigquery/v2/projects/fraud-project/jobs/${job.jobReference.jobId}?location=europe-west4` }],
    });
  });

  test('pages the results into Parquet with the BigQuery schema types and exact values', async () => {
    const { result, target } = await extract({ result: () => RESULT }, { query: 'SELECT * FROM t' });
    // 5 rows in pages of 2: three getQueryResults calls, following pageToken.
    expect(fake!.resultCalls().map((c) => c.query.pageToken ?? null)).toEqual([null, '2', '4']);
    expect(fake!.resultCalls().every((c) => c.query.maxResults === '2')).toBe(true);
    expect(result.rows).toBe(5);
    expect(result.columns).toEqual([
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
       FROM read_parquet('${target}') ORDER BY user_id`,
    );
    expect(rows).toEqual([
      { user_id: 'u1', m: '12', sentiment: 0.25, nan: false, us: 1700000000123456, day: '2025-01-02', verified: true, amount: '10.500000000', bytes: 2 },
      { user_id: 'u2', m: null, sentiment: 'NaN', nan: true, us: null, day: null, verified: false, amount: null, bytes: null },
      { user_id: 'u3', m: '3', sentiment: -0.5, nan: false, us: 0, day: '1999-12-31', verified: null, amount: '0.000000000', bytes: 0 },
      // int64 beyond 2^53 stays exact: values go from the REST strings straight to DuckDB.
      { user_id: 'u4', m: '9007199254740993', sentiment: 0.001, nan: false, us: 1700000000000000, day: '2025-01-03', verified: true, amount: '123456789.123456789', bytes: 1 },
      { user_id: 'u5', m: '0', sentiment: null, nan: null, us: null, day: '2025-01-04', verified: false, amount: '-1.000000000', bytes: null },
    ]);
    expect(leftovers(dir)).toEqual(['dataset']);
  });

  test('waits for a long-running job', async () => {
    const { result } = await extract({ result: () => RESULT, pendingPolls: 3 }, { query: 'SELECT * FROM t' });
    expect(result.rows).toBe(5);
    expect(fake!.resultCalls().length).toBe(3 + 3);
  });

  test('a query BigQuery rejects is an error carrying its message, with no output', async () => {
    await expect(
      extract({ insertFailure: { status: 400, reason: 'invalidQuery', message: 'Unrecognized name: no_such_column at [1:8]' } }, { query: 'SELECT no_such_column FROM t' }),
    ).rejects.toThrow(/did not accept the query job in project fraud-project: Unrecognized name: no_such_column/);
    expect(leftovers(dir)).toEqual([]);
  });

  test('a job that fails while running is an error, with no output and no staging files', async () => {
    await expect(
      extract({ result: () => ({ status: 400, reason: 'invalidQuery', message: 'No matching signature for operator >= for argument types: DATE, STRING' }) }, { query: 'SELECT 1' }),
    ).rejects.toThrow(/BigQuery job .* failed: No matching signature/);
    expect(leftovers(dir)).toEqual([]);
  });

  test('an empty result is an error unless allowEmpty', async () => {
    const empty = { schema: RESULT.schema, rows: [] };
    await expect(extract({ result: () => empty }, { query: 'SELECT * FROM t WHERE FALSE' })).rejects.toThrow(/returned no rows/);
    expect(leftovers(dir)).toEqual([]);
    const { result, target } = await extract({ result: () => empty }, { query: 'SELECT * FROM t WHERE FALSE', allowEmpty: true });
    expect(result.rows).toBe(0);
    expect(result.columns).toHaveLength(8);
    expect(fs.existsSync(target)).toBe(true);
  });

  test('ARRAY and STRUCT result columns are refused with a fix', async () => {
    const nested = { schema: [{ name: 'ids', type: 'STRING', mode: 'REPEATED' as const }], rows: [] };
    await expect(extract({ result: () => nested }, { query: 'SELECT ids FROM t' })).rejects.toThrow(/'ids' is an ARRAY.*TO_JSON_STRING\(ids\)/);
    expect(leftovers(dir)).toEqual([]);
  });

  test('bad labels and parameters fail before any request', async () => {
    await expect(extract({}, { query: 'SELECT 1', labels: { Team: 'x' } })).rejects.toThrow(/label key 'Team' is invalid/);
    await expect(extract({}, { query: 'SELECT @a', params: {} })).rejects.toThrow(/uses @a but no value/);
    expect(fake!.requests).toEqual([]);
  });
});
