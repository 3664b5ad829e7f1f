/** The saved transform: SQL (DuckDB) and in-memory application agree bit for bit; bad files are clear errors. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyTransform, featureNamesOf, hashBucket, parseTransform, readTransform, transformSql, writeTransformDir, type Transform } from '../../components/preprocess/transform';
import { openDuckDB, type Db } from '../../warehouse/duckdb';

const T: Transform = {
  version: 1,
  idColumn: 'user_id',
  labelColumn: 'y',
  featureNames: [],
  steps: [
    { column: 'amount', kind: 'standard', mean: 12.345678901234567, std: 3.3333333333333335, impute: 10.1, clip: [0.5, 40.25] },
    { column: 'count', kind: 'robust', median: 2, iqr: 1.7, impute: 2, clip: [0, 9] },
    { column: 'country', kind: 'onehot', categories: ['US', "O'Neil", 'NG'], other: true },
    { column: 'device', kind: 'hash', buckets: 7 },
  ],
};
T.featureNames = featureNamesOf(T.steps);

const ROWS: Record<string, unknown>[] = [
  { user_id: 'a', y: 1, amount: 11.5, count: 3, country: 'US', device: 'android' },
  { user_id: 'b', y: 0, amount: null, count: null, country: null, device: null },
  { user_id: 'c', y: 0, amount: Number.NaN, count: 100, country: 'FR', device: 'ios' },
  { user_id: 'd', y: 1, amount: Number.POSITIVE_INFINITY, count: -5, country: "O'Neil", device: 'desktop' },
  { user_id: 'e', y: 0, amount: -1e300, count: 2, country: 'NG', device: 'ünïcødé' },
  { user_id: 'f', y: 1, amount: 0.1 + 0.2, count: 2.5, country: 'ng', device: '' },
];

let db: Db;
beforeAll(async () => {
  db = await openDuckDB(':memory:');
  await db.conn.run(`CREATE TABLE src (user_id VARCHAR, y INTEGER, amount DOUBLE, count DOUBLE, country VARCHAR, device VARCHAR)`);
  const a = await db.conn.createAppender('src');
  for (const r of ROWS) {
    a.appendVarchar(r.user_id as string);
    a.appendInteger(r.y as number);
    for (const k of ['amount', 'count']) (r[k] === null ? a.appendNull() : a.appendDouble(r[k] as number));
    for (const k of ['country', 'device']) (r[k] === null ? a.appendNull() : a.appendVarchar(r[k] as string));
    a.endRow();
  }
  a.flushSync();
  a.closeSync();
});
afterAll(() => db.close());

async function viaSql(t: Transform, opts?: { label?: boolean }): Promise<{ ids: string[]; labels: number[]; features: number[][] }> {
  const reader = await db.conn.runAndReadAll(`${transformSql(t, 'SELECT * FROM src', opts)} ORDER BY id`);
  const rows = reader.getRowObjectsJS() as { id: string; label?: number; features: { items: number[] } | number[] }[];
  return {
    ids: rows.map((r) => r.id),
    labels: rows.map((r) => Number(r.label)),
    features: rows.map((r) => [...((r.features as { items?: number[] }).items ?? (r.features as number[]))]),
  };
}

describe('transform', () => {
  test('transformSql and applyTransform produce identical float32 features', async () => {
    const sql = await viaSql(T);
    const mem = applyTransform(T, ROWS);
    expect(mem.featureCount).toBe(4 + 7 + 2);
    expect(sql.ids).toEqual(mem.ids);
    expect(sql.labels).toEqual([...mem.labels!]);
    const k = mem.featureCount;
    const rowsMem = sql.ids.map((_, i) => [...mem.features.subarray(i * k, (i + 1) * k)]);
    expect(sql.features).toEqual(rowsMem); // exact: same doubles, same float32 rounding
  });

  test('missing and non-finite numbers are imputed then clipped; unknown and null categories go to other', () => {
    const mem = applyTransform(T, ROWS);
    const k = mem.featureCount;
    const row = (id: string) => [...mem.features.subarray(mem.ids.indexOf(id) * k, (mem.ids.indexOf(id) + 1) * k)];
    const z = (v: number) => Math.fround((v - 12.345678901234567) / 3.3333333333333335);
    expect(row('b')[0]).toBe(z(10.1)); // null → impute
    expect(row('c')[0]).toBe(z(10.1)); // NaN → impute
    expect(row('d')[0]).toBe(z(10.1)); // +Infinity → impute (not clipped to the max)
    expect(row('e')[0]).toBe(z(0.5)); // huge negative → clipped low
    expect(row('c')[1]).toBe(Math.fround((9 - 2) / 1.7)); // clipped high
    // country one-hot: [US, O'Neil, NG, other]
    expect(row('a').slice(2, 6)).toEqual([1, 0, 0, 0]);
    expect(row('d').slice(2, 6)).toEqual([0, 1, 0, 0]);
    expect(row('b').slice(2, 6)).toEqual([0, 0, 0, 1]);
    expect(row('c').slice(2, 6)).toEqual([0, 0, 0, 1]);
    expect(row('f').slice(2, 6)).toEqual([0, 0, 0, 1]); // case-sensitive: 'ng' is not 'NG'
    // hash buckets: exactly one 1, at md5(value) mod 7, and null hashes like ''
    expect(row('a').slice(6)).toEqual(Array.from({ length: 7 }, (_, i) => (i === hashBucket('android', 7) ? 1 : 0)));
    expect(row('b').slice(6)).toEqual(row('f').slice(6));
  });

  test('scoring data without labels: label: false leaves the label out of both', async () => {
    const noLabel = ROWS.map(({ y: _y, ...r }) => r);
    const mem = applyTransform(T, noLabel, { label: false });
    expect(mem.labels).toBeUndefined();
    const sql = transformSql(T, 'SELECT * EXCLUDE (y) FROM src', { label: false });
    const reader = await db.conn.runAndReadAll(sql);
    expect(reader.columnNames()).toEqual(['id', 'features']);
    expect(() => applyTransform(T, noLabel)).toThrow(/row 0 has no column 'y'/);
  });

  test('bad rows are clear errors', () => {
    expect(() => applyTransform(T, [{ ...ROWS[0], amount: 'lots' }])).toThrow(/row 0, column 'amount': "lots" is not a number/);
    expect(() => applyTransform(T, [{ ...ROWS[0], user_id: null }])).toThrow(/row 0 has a null id in 'user_id'/);
    expect(() => applyTransform(T, [{ user_id: 'x', y: 1 }])).toThrow(/no column 'amount'/);
  });

  test('round-trips through transform.json; malformed files say what is wrong', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-transform-'));
    try {
      const art = path.join(dir, 'transform');
      writeTransformDir(art, T);
      expect(readTransform(art)).toEqual(T);
      expect(readTransform(path.join(art, 'transform.json'))).toEqual(T);
      expect(() => readTransform(path.join(dir, 'nope'))).toThrow(/no transform at .*nope.*a folder holding transform\.json/);
      fs.writeFileSync(path.join(dir, 'bad.json'), '{');
      expect(() => readTransform(path.join(dir, 'bad.json'))).toThrow(/is not valid JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => parseTransform({ ...T, version: 2 })).toThrow(/version 2; this duckml reads version 1/);
    expect(() => parseTransform({ ...T, featureNames: ['x'] })).toThrow(/lists 1 feature names but its steps make 13/);
    expect(() => parseTransform({ ...T, steps: [{ column: 'a', kind: 'standard', mean: 0, std: 0, impute: 0, clip: [0, 1] }] })).toThrow(/scale of 0/);
    expect(() => parseTransform({ ...T, steps: [{ column: 'a', kind: 'magic' }] })).toThrow(/unknown kind "magic"/);
  });
});
