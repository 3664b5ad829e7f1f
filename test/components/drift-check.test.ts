/** drift-check on real demo data: no drift between days, detected drift after a shift, bad inputs. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { driftCheck } from '../../components/drift-check/component';
import { chiSquareSf, ksPValue, psi, psiPValue } from '../../components/drift-check/stats';
import { preprocess } from '../../components/preprocess/component';
import { runComponent, type ComponentResult } from '../../executor';
import { openDuckDB, type Db } from '../../warehouse/duckdb';
import { leftovers, smallWarehouse, type SmallWarehouse } from './fixtures/small-warehouse';

let wh: SmallWarehouse;
let db: Db;
let reference: string;
let sameDist: string;

type Art = { path: string; metadata: Record<string, any> };
const art = (r: ComponentResult, name: string) => r.artifacts[name] as unknown as Art;

async function parquet(name: string, select: string): Promise<string> {
  const file = path.join(wh.dir, `${name}.parquet`);
  await db.conn.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
  return file;
}

const outDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-drift-'));
const check = (args: Record<string, unknown>, outputDir = outDir()) =>
  runComponent(driftCheck, { reference, exclude: ['user_id', 'day', 'is_scammer'], ...args }, { outputDir, log: () => {} });

beforeAll(async () => {
  wh = await smallWarehouse(6000, 2, 5); // 3,000 users × 2 days
  db = await openDuckDB(':memory:');
  await db.conn.run(`ATTACH '${wh.path}' AS w (READ_ONLY)`);
  reference = await parquet('reference', `SELECT * FROM w.user_activity WHERE day = DATE '2025-01-01'`);
  sameDist = await parquet('same', `SELECT * FROM w.user_activity WHERE day = DATE '2025-01-02'`);
});
afterAll(() => {
  db?.close();
  fs.rmSync(wh.dir, { recursive: true, force: true });
});

describe('drift-check', () => {
  test('a batch from the same distribution does not drift', async () => {
    const r = await check({ current: sameDist });
    expect(r.outputs.drifted).toBe(false);
    expect(r.outputs.driftedFeatures).toEqual([]);
    const m = art(r, 'metrics').metadata;
    expect(m.checkedFeatures).toBe(31);
    expect(m.maxPsi).toBeLessThan(0.1);
    expect(m['psi.messages_sent']).toBeGreaterThanOrEqual(0);
    expect(m['ks.messages_sent']).toBeGreaterThan(0);
    expect(m['ksPValue.messages_sent']).toBeGreaterThan(0.01);
    expect(m).not.toHaveProperty('ks.country'); // KS is for numbers only
    expect(m['psi.country']).toBeLessThan(0.1);
  });

  test('shifted features drift and are named; the rest do not', async () => {
    const shifted = await parquet(
      'shifted',
      `SELECT * REPLACE (messages_sent * 3 AS messages_sent, CASE WHEN hash(user_id) % 2 = 0 THEN 'NG' ELSE country END AS country, NULL::DOUBLE AS sentiment_score)
       FROM w.user_activity WHERE day = DATE '2025-01-02'`,
    );
    const dir = outDir();
    const r = await check({ current: shifted }, dir);
    expect(r.outputs.drifted).toBe(true);
    expect([...(r.outputs.driftedFeatures as string[])].sort()).toEqual(['country', 'messages_sent', 'sentiment_score']);
    const m = art(r, 'metrics').metadata;
    expect(m.driftedFeatures).toBe(3);
    expect(m['psi.messages_sent']).toBeGreaterThan(0.2);
    expect(m['ks.messages_sent']).toBeGreaterThan(0.1);
    expect(m['psi.country']).toBeGreaterThan(0.2);
    // All-missing in the batch: PSI sees the missing bin; KS has nothing to compare.
    expect(m['psi.sentiment_score']).toBeGreaterThan(1);
    expect(m).not.toHaveProperty('ks.sentiment_score');
    const report = fs.readFileSync(art(r, 'report').path, 'utf8');
    expect(report).toMatch(/\*\*3 of 31 features drifted\.\*\*/);
    expect(report).toMatch(/\| messages_sent \| numeric \| [\d.]+ \| [\d.]+ \| [\de.-]+ \| .* \| \*\*yes\*\* \(psi [\d.]+ > 0\.2 \(p = [^)]+\); ks [\d.]+ > 0\.1/);
    expect(report).toMatch(/\| sentiment_score \| numeric .* \| [\d.]+ % → 100\.0 % \|/);
  });

  test('a small batch’s noise is not drift (PSI and KS need significance too)', async () => {
    const small = await parquet('small', `SELECT * FROM w.user_activity WHERE day = DATE '2025-01-02' AND hash(user_id) % 60 = 0`);
    const r = await check({ current: small, columns: ['messages_sent', 'time_on_platform_min', 'account_age_days'] });
    expect(r.outputs.drifted).toBe(false);
  });

  test('with a transform, exactly the columns it uses are checked', async () => {
    const pp = await runComponent(preprocess, { dataset: reference, idColumn: 'user_id', labelColumn: 'is_scammer', numericColumns: ['messages_sent', 'links_shared'], categoricalColumns: ['country'] }, { log: () => {} });
    const r = await runComponent(driftCheck, { reference, current: sameDist, transform: art(pp, 'transform').path }, { log: () => {} });
    expect(art(r, 'metrics').metadata.checkedFeatures).toBe(3);
    expect(Object.keys(art(r, 'metrics').metadata).filter((k) => k.startsWith('psi.')).sort()).toEqual(['psi.country', 'psi.links_shared', 'psi.messages_sent']);
  });

  describe('bad inputs: a clear error and no output', () => {
    const cases: [string, () => Promise<Record<string, unknown>>, RegExp][] = [
      ['a column missing from the batch', async () => ({ current: await parquet('nocol', `SELECT * EXCLUDE (links_shared) FROM w.user_activity WHERE day = DATE '2025-01-02'`) }), /the current batch has no column 'links_shared'/],
      ['a column of another type', async () => ({ current: await parquet('badtype', `SELECT * REPLACE (CAST(messages_sent AS VARCHAR) AS messages_sent) FROM w.user_activity WHERE day = DATE '2025-01-02'`) }), /'messages_sent' is INTEGER in the reference but VARCHAR in the current batch/],
      ['an empty batch', async () => ({ current: await parquet('emptybatch', `SELECT * FROM w.user_activity WHERE FALSE`) }), /the current batch has no rows/],
      ['a batch that does not exist', async () => ({ current: path.join(wh.dir, 'missing.parquet') }), /the current dataset .* has no file at/],
      ['an unknown column', async () => ({ current: sameDist, columns: ['karma'] }), /the reference dataset has no column 'karma'/],
      ['a DATE column', async () => ({ current: sameDist, columns: ['day'], exclude: [] }), /column 'day' is DATE; drift-check compares numbers and text/],
      ['bad thresholds', async () => ({ current: sameDist, ksThreshold: 2 }), /ksThreshold must be in \(0, 1\)/],
    ];
    test.each(cases)('%s', async (_name, args, expected) => {
      const dir = outDir();
      await expect(check(await args(), dir)).rejects.toThrow(expected);
      expect(leftovers(dir)).toEqual([]);
    });
  });
});

describe('drift statistics', () => {
  test('PSI is 0 for identical distributions and grows with the shift', () => {
    const a = new Map([['0', 50], ['1', 50]]);
    expect(psi(a, new Map([['0', 5], ['1', 5]]))).toBe(0);
    const small = psi(a, new Map([['0', 55], ['1', 45]]));
    const big = psi(a, new Map([['0', 90], ['1', 10]]));
    expect(small).toBeGreaterThan(0);
    expect(big).toBeGreaterThan(small);
    expect(big).toBeCloseTo((0.9 - 0.5) * Math.log(0.9 / 0.5) + (0.1 - 0.5) * Math.log(0.1 / 0.5), 12);
  });

  test('KS p-values match the Kolmogorov distribution (scipy kstwobign)', () => {
    // Reference values: scipy.stats.distributions.kstwobign.sf((en + 0.12 + 0.11/en) * d).
    expect(ksPValue(0.05, 1000, 1000)).toBeCloseTo(0.15955408974378785, 10);
    expect(ksPValue(0.1, 1000, 1000)).toBeCloseTo(8.117557315738262e-5, 12);
    expect(ksPValue(0.2, 100, 100)).toBeCloseTo(0.03137665215307253, 10);
    expect(ksPValue(0, 10, 10)).toBe(1);
  });

  test('PSI p-values come from the chi-square distribution (scipy chi2.sf)', () => {
    expect(chiSquareSf(3, 9)).toBeCloseTo(0.9642949726850891, 10);
    expect(chiSquareSf(20, 9)).toBeCloseTo(0.017912404529843298, 10);
    expect(chiSquareSf(100, 4)).toBeCloseTo(9.836624224615988e-21, 28);
    expect(chiSquareSf(0.5, 1)).toBeCloseTo(0.47950012218695337, 10);
    // The same PSI is noise for 50 rows and drift for 5,000.
    expect(psiPValue(0.25, 10, 3000, 50)).toBeGreaterThan(0.01);
    expect(psiPValue(0.25, 10, 3000, 5000)).toBeLessThan(1e-10);
  });
});
