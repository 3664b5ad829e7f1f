/**
 * Extraction benchmark (issue 4). Run: `node -r ./cli/register.js bench/extract.ts`
 * Env: BENCH_ROWS (default 1000000) rows of user_activity; BENCH_BQ_ROWS (default 100000,200000,400000)
 * rows served by a fake BigQuery on 127.0.0.1; BENCH_WAREHOUSE to reuse an existing DuckDB warehouse.
 *
 * Prints: demo-data generation time; bigquery-extract on duckdb:// (rows/s, peak RSS) against a
 * floor of DuckDB's own COPY … TO parquet in the same process shape; and the bq:// path through
 * the real client (rows/s and peak RSS per result size: flat RSS = bounded memory).
 * Each measurement runs in a fresh child process so its peak RSS is its own.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- modules load in the child that needs them */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

interface ChildReport {
  rows: number;
  seconds: number;
  maxRssMiB: number;
}

async function child(mode: string, arg: Record<string, unknown>): Promise<ChildReport> {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['-r', path.join(ROOT, 'cli/register.js'), __filename, '--child', mode, JSON.stringify(arg)], { cwd: ROOT, maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${mode}: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  return JSON.parse(out.trim().split('\n').pop()!) as ChildReport;
}

async function runChild(mode: string, arg: Record<string, any>): Promise<void> {
  // Modules load before the clock starts: the figures are for the work, not for require().
  const { openDuckDB, copyToParquet, parquetRowCount } = require('../warehouse/duckdb') as typeof import('../warehouse/duckdb');
  const { runComponent } = require('../executor') as typeof import('../executor');
  const { bigqueryExtract } = require('../components/bigquery-extract/component') as typeof import('../components/bigquery-extract/component');
  const { duckdbUri } = require('../warehouse/uri') as typeof import('../warehouse/uri');
  const t0 = performance.now();
  let rows = 0;
  if (mode === 'baseline') {
    const db = await openDuckDB(arg.warehouse, { readOnly: true });
    await db.conn.run('SELECT 1');
    db.close();
  } else if (mode === 'copy') {
    const db = await openDuckDB(arg.warehouse, { readOnly: true });
    await copyToParquet(db.conn, 'SELECT * FROM user_activity', arg.target);
    rows = await parquetRowCount(db.conn, arg.target);
    db.close();
  } else if (mode === 'duckdb') {
    const r = await runComponent(bigqueryExtract, { warehouse: duckdbUri(arg.warehouse), query: 'SELECT * FROM user_activity' }, { outputDir: arg.outDir, log: () => {} });
    rows = Number((r.artifacts.dataset as unknown as { metadata: { rows: number } }).metadata.rows);
  } else if (mode === 'bigquery') {
    const { OAuth2Client } = require('google-auth-library') as typeof import('google-auth-library');
    const { extractFromBigQuery } = require('../components/bigquery-extract/bigquery') as typeof import('../components/bigquery-extract/bigquery');
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: 'bench', expiry_date: Date.now() + 3600_000 });
    const t1 = performance.now();
    const r = await extractFromBigQuery({ uri: 'bq://bench-project', project: 'bench-project' }, { query: 'SELECT * FROM t' }, arg.target, {
      pageSize: 10_000,
      client: { apiEndpoint: arg.endpoint, authClient: auth, maxRetries: 0 },
    });
    rows = r.rows;
    process.stdout.write(`${JSON.stringify({ rows, seconds: (performance.now() - t1) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
    return;
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({ rows, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
  const bqSizes = (process.env.BENCH_BQ_ROWS ?? '100000,200000,400000').split(',').map(Number);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-bench-extract-'));
  try {
    console.log(`duckml extract benchmark — node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`);
    let warehouse = process.env.BENCH_WAREHOUSE;
    if (!warehouse) {
      const { buildDemoWarehouse } = require('../warehouse/demo-data') as typeof import('../warehouse/demo-data');
      warehouse = path.join(dir, 'warehouse.duckdb');
      const r = await buildDemoWarehouse({ path: warehouse, rows, messages: false });
      console.log(`\ndemo-data: user_activity ${fmt(r.userActivityRows)} rows in ${r.seconds.userActivity.toFixed(2)} s (${fmt(r.userActivityRows / r.seconds.userActivity)} rows/s)`);
    }
    const size = fs.statSync(warehouse).size;
    console.log(`warehouse: ${warehouse} (${(size / 2 ** 20).toFixed(0)} MiB)`);

    console.log('\nduckdb:// — SELECT * FROM user_activity → Parquet (median of 3, fresh process each)');
    console.log('what                               rows        seconds   rows/s       peak RSS MiB');
    const median = (xs: ChildReport[]) => [...xs].sort((a, b) => a.seconds - b.seconds)[Math.floor(xs.length / 2)]!;
    const runs = async (mode: string, arg: (i: number) => Record<string, unknown>) => {
      const xs: ChildReport[] = [];
      for (let i = 0; i < 3; i++) xs.push(await child(mode, arg(i)));
      return { ...median(xs), maxRssMiB: Math.max(...xs.map((x) => x.maxRssMiB)) };
    };
    const base = await runs('baseline', () => ({ warehouse }));
    const copy = await runs('copy', (i) => ({ warehouse, target: path.join(dir, `copy-${i}.parquet`) }));
    const ext = await runs('duckdb', (i) => ({ warehouse, outDir: path.join(dir, `extract-${i}`) }));
    const line = (what: string, r: ChildReport) =>
      console.log(`${what.padEnd(34)} ${fmt(r.rows).padStart(9)}   ${r.seconds.toFixed(2).padStart(7)}   ${(r.rows ? fmt(r.rows / r.seconds) : '—').padStart(10)}   ${r.maxRssMiB.toFixed(0).padStart(8)}`);
    line('process + DuckDB open (baseline)', base);
    line('floor: DuckDB COPY … TO parquet', copy);
    line('bigquery-extract (executor)', ext);
    console.log(`ratio extract / floor: ${(ext.seconds / copy.seconds).toFixed(2)}× time, +${(ext.maxRssMiB - copy.maxRssMiB).toFixed(0)} MiB RSS; extract RSS above baseline: ${(ext.maxRssMiB - base.maxRssMiB).toFixed(0)} MiB`);

    console.log('\nbq:// — real @google-cloud/bigquery client against a fake BigQuery on 127.0.0.1, pages of 10,000 rows, 8 columns');
    console.log('result rows   seconds   rows/s       peak RSS MiB');
    const { startFakeBigQuery } = require('../test/components/fakes/fake-bigquery') as typeof import('../test/components/fakes/fake-bigquery');
    for (const n of bqSizes) {
      const rowsData = Array.from({ length: n }, (_, i) => [`u${i}`, String(i % 97), String((i % 1000) / 7), String(1_700_000_000_000_000 + i), '2025-01-02', i % 2 ? 'true' : 'false', '12.5', 'US']);
      const fake = await startFakeBigQuery({
        result: () => ({
          schema: [
            { name: 'user_id', type: 'STRING' },
            { name: 'messages_sent', type: 'INTEGER' },
            { name: 'score', type: 'FLOAT' },
            { name: 'seen_at', type: 'TIMESTAMP' },
            { name: 'day', type: 'DATE' },
            { name: 'verified', type: 'BOOLEAN' },
            { name: 'amount', type: 'NUMERIC' },
            { name: 'country', type: 'STRING' },
          ],
          rows: rowsData,
        }),
      });
      try {
        const r = await child('bigquery', { endpoint: fake.url, target: path.join(dir, `bq-${n}.parquet`) });
        console.log(`${fmt(r.rows).padStart(11)}   ${r.seconds.toFixed(2).padStart(7)}   ${fmt(r.rows / r.seconds).padStart(10)}   ${r.maxRssMiB.toFixed(0).padStart(8)}`);
      } finally {
        await fake.close();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  runChild(process.argv[3]!, JSON.parse(process.argv[4] ?? '{}')).catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
