/** bigquery-extract on the embedded DuckDB warehouse (duckdb://), through the executor. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bigqueryExtract } from '../../components/bigquery-extract/component';
import { runComponent } from '../../executor';
import { openDuckDB, queryRows, type Db } from '../../warehouse/duckdb';
import { leftovers, smallWarehouse, type SmallWarehouse } from './fixtures/small-warehouse';

let wh: SmallWarehouse;
let db: Db;
beforeAll(async () => {
  wh = await smallWarehouse(3000, 3);
  db = await openDuckDB(':memory:');
});
afterAll(() => {
  db?.close();
  fs.rmSync(wh.dir, { recursive: true, force: true });
});

const outDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-extract-'));
const run = (args: Record<string, unknown>, outputDir = outDir()) =>
  runComponent(bigqueryExtract, { warehouse: wh.uri, ...args }, { outputDir, log: () => {} });

async function failure(args: Record<string, unknown>): Promise<{ message: string; dir: string }> {
  const dir = outDir();
  let message = '';
  try {
    await run(args, dir);
  } catch (e) {
    message = (e as Error).message;
  }
  if (!message) throw new Error('expected the extraction to fail');
  return { message, dir };
}

describe('bigquery-extract on duckdb://', () => {
  test('writes the query result as Parquet with rows, schema and format in metadata', async () => {
    const r = await run({
      query: `SELECT user_id, day, country, messages_sent, sentiment_score, is_scammer
              FROM user_activity WHERE day >= @start AND country IN (SELECT unnest(@countries)) AND messages_sent >= @min_msgs`,
      params: { start: '2025-01-02', countries: ['US', 'IN', 'NG'], min_msgs: 1 },
      paramTypes: { start: 'DATE' },
    });
    const ds = r.artifacts.dataset as { path: string; metadata: Record<string, unknown> };
    const expected = await queryRows(
      db.conn,
      `ATTACH '${wh.path}' AS w (READ_ONLY); SELECT count(*) AS n FROM w.user_activity WHERE day >= DATE '2025-01-02' AND country IN ('US','IN','NG') AND messages_sent >= 1`,
    );
    await db.conn.run('DETACH w');
    const n = Number(expected[0]!.n);
    expect(n).toBeGreaterThan(100);
    expect(ds.metadata).toEqual({
      rows: n,
      columns: [
        { name: 'user_id', type: 'VARCHAR' },
        { name: 'day', type: 'DATE' },
        { name: 'country', type: 'VARCHAR' },
        { name: 'messages_sent', type: 'INTEGER' },
        { name: 'sentiment_score', type: 'DOUBLE' },
        { name: 'is_scammer', type: 'INTEGER' },
      ],
      format: 'parquet',
      warehouse: wh.uri,
    });
    const got = await queryRows(db.conn, `SELECT count(*) AS n, min(day)::VARCHAR AS first, count(*) FILTER (WHERE country NOT IN ('US','IN','NG')) AS other FROM read_parquet('${ds.path}')`);
    expect(got[0]).toEqual({ n, first: '2025-01-02', other: 0 });
    expect(JSON.parse(String(r.outputs.gcp_resources))).toEqual({ resources: [] });
  });

  test('parameter values are bound, never spliced: SQL in a value is just a string', async () => {
    const r = await run({
      query: 'SELECT user_id FROM user_activity WHERE country = @c',
      params: { c: "US' OR '1'='1" },
      allowEmpty: true,
    });
    expect((r.artifacts.dataset as { metadata: Record<string, unknown> }).metadata.rows).toBe(0);
  });

  test('@name inside string literals and comments is left alone', async () => {
    const r = await run({
      query: "SELECT '@not_a_param' AS s, count(*) AS n -- @nor_this\nFROM user_activity WHERE is_scammer = @label",
      params: { label: 1 },
    });
    const ds = r.artifacts.dataset as { path: string; metadata: Record<string, unknown> };
    const rows = await queryRows(db.conn, `SELECT s, n FROM read_parquet('${ds.path}')`);
    expect(rows[0]!.s).toBe('@not_a_param');
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
  });

  test('NULL and NaN values come through unchanged', async () => {
    const r = await run({ query: "SELECT 1 AS id, NULL::DOUBLE AS a, 'NaN'::DOUBLE AS b UNION ALL SELECT 2, 1.5, 2.5 ORDER BY id" });
    const ds = r.artifacts.dataset as { path: string };
    const rows = await queryRows(db.conn, `SELECT a, isnan(b) AS nan FROM read_parquet('${ds.path}') ORDER BY id`);
    expect(rows).toEqual([{ a: null, nan: true }, { a: 1.5, nan: false }]);
  });

  test('a missing column is a clear error naming it and the tables, with no output', async () => {
    const { message, dir } = await failure({ query: 'SELECT no_such_column FROM user_activity' });
    expect(message).toMatch(/no_such_column/);
    expect(message).toMatch(/warehouse has tables: .*user_activity/);
    expect(leftovers(dir)).toEqual([]);
  });

  test('a value of the wrong type for its declared parameter type is an error, with no output', async () => {
    const bad = await failure({ query: 'SELECT * FROM user_activity WHERE day >= @start', params: { start: 'yesterday' }, paramTypes: { start: 'DATE' } });
    expect(bad.message).toMatch(/yesterday/);
    expect(leftovers(bad.dir)).toEqual([]);
    const notInt = await failure({ query: 'SELECT * FROM user_activity LIMIT @n', params: { n: 1.5 }, paramTypes: { n: 'INT64' } });
    expect(notInt.message).toMatch(/query parameter 'n': 1\.5 is not a valid INT64 value/);
  });

  test('an empty result is an error unless allowEmpty, with no output', async () => {
    const { message, dir } = await failure({ query: 'SELECT * FROM user_activity WHERE messages_sent < 0' });
    expect(message).toMatch(/returned no rows.*allowEmpty: true/s);
    expect(leftovers(dir)).toEqual([]);
    const ok = await run({ query: 'SELECT * FROM user_activity WHERE messages_sent < 0', allowEmpty: true });
    const ds = ok.artifacts.dataset as { path: string; metadata: Record<string, unknown> };
    expect(ds.metadata.rows).toBe(0);
    expect((ds.metadata.columns as unknown[]).length).toBe(34);
    expect(fs.existsSync(ds.path)).toBe(true);
  });

  test('missing, unused and untyped-null parameters are errors before the query runs', async () => {
    expect((await failure({ query: 'SELECT * FROM user_activity WHERE country = @c' })).message).toMatch(/uses @c but no value was given/);
    expect((await failure({ query: 'SELECT 1 AS x', params: { c: 'US' } })).message).toMatch(/'c' is not used by the query/);
    expect((await failure({ query: 'SELECT @c AS x', params: { c: null } })).message).toMatch(/'c' is null; give its type in paramTypes/);
  });

  test('a warehouse that does not exist points at duckml demo-data', async () => {
    const { message, dir } = await failure({ warehouse: `duckdb://${path.join(wh.dir, 'nope.duckdb')}`, query: 'SELECT 1 AS x' });
    expect(message).toMatch(/no DuckDB warehouse at .*nope\.duckdb.*duckml demo-data/);
    expect(leftovers(dir)).toEqual([]);
  });

  test('a bad warehouse URI names the accepted forms', async () => {
    const { message } = await failure({ warehouse: 'postgres://x', query: 'SELECT 1 AS x' });
    expect(message).toMatch(/unknown scheme.*bq:\/\/PROJECT/);
  });

  test('the warehouse is opened read-only: a write through the query fails and changes nothing', async () => {
    const { message } = await failure({ query: 'DELETE FROM user_activity RETURNING user_id' });
    expect(message).toMatch(/the query failed/);
    const rows = await queryRows(db.conn, `ATTACH '${wh.path}' AS w2 (READ_ONLY); SELECT count(*) AS n FROM w2.user_activity`);
    await db.conn.run('DETACH w2');
    expect(Number(rows[0]!.n)).toBe(3000);
  });
});
