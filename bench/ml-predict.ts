/**
 * Batch prediction measurements, run as their own process (peak RSS is this process and its
 * worker threads):
 *   node -r ./cli/register.js bench/ml-predict.ts batch THREADS [SCORER] [TIMES]   batch-predict on the 1M raw
 *                                                                          rows (TIMES > 1: the table repeated, e.g. 10 → 10M rows)
 *   node -r ./cli/register.js bench/ml-predict.ts score THREADS [SCORER]   the scoring workers alone, 1M rows in memory
 *   node -r ./cli/register.js bench/ml-predict.ts read                      the floor: only streaming the raw inputs
 *                                                                          batch-predict reads out of DuckDB into JS
 * SCORER: auto (default), onnxruntime, wasm, cpu … (batch-predict's 'backend' input).
 * Prints one JSON line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runComponent } from '../executor';
import { train } from '../components/train/component';
import { batchPredict } from '../components/batch-predict/component';
import { ScorerPool } from '../components/batch-predict/scorer-pool';
import { checkScorerChoice } from '../components/batch-predict/scorer';
import { openSource } from '../components/batch-predict/source';
import { rawInputsSql } from '../components/batch-predict/raw-transform';
import { openDuckDB, queryRows, sqlString } from '../warehouse/duckdb';
import { spawnSync } from 'node:child_process';
import { readModelFolder } from '../components/train/model-files';
import { readSplit } from '../components/train/split-reader';
import { BENCH_DIR, prepare } from './ml-data';

/** A trained MLP for scoring (one epoch is enough to time inference). */
async function benchModel(): Promise<string> {
  const dir = path.join(BENCH_DIR, 'model-mlp');
  if (fs.existsSync(path.join(dir, 'model', 'model.json'))) return path.join(dir, 'model');
  const data = await prepare();
  await runComponent(train, { trainSplit: data.train, validationSplit: data.validation, transform: data.transform, epochs: 1 }, { outputDir: dir, log: () => undefined });
  return path.join(dir, 'model');
}

/** The raw table repeated `times` times (ids made unique), written once by a child process so its memory is not this one's. */
function bigInput(times: number): string {
  const file = path.join(BENCH_DIR, `raw-x${times}.parquet`);
  if (!fs.existsSync(file)) {
    const r = spawnSync(process.execPath, ['-r', path.join(__dirname, '..', 'cli', 'register.js'), __filename, 'make-big', String(times)], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`could not write ${file}`);
  }
  return file;
}

async function makeBig(times: number): Promise<void> {
  const data = await prepare();
  const file = path.join(BENCH_DIR, `raw-x${times}.parquet`);
  const db = await openDuckDB(':memory:');
  try {
    await db.conn.run(
      `COPY (SELECT * REPLACE (user_id || '-' || r AS user_id) FROM read_parquet(${sqlString(data.raw)}), range(${times}) t(r)) TO ${sqlString(`${file}.tmp`)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    db.close();
  }
  fs.renameSync(`${file}.tmp`, file);
}

async function main(): Promise<void> {
  const [mode = 'batch', threadsArg = '2', scorerArg = 'auto', timesArg = '1'] = process.argv.slice(2);
  if (mode === 'make-big') return makeBig(Number(threadsArg));
  const threads = Number(threadsArg);
  const scorer = checkScorerChoice(scorerArg);
  const data = await prepare();
  const model = await benchModel();
  if (mode === 'batch') {
    const times = Number(timesArg);
    const input = times > 1 ? bigInput(times) : data.raw;
    const out = path.join(BENCH_DIR, `predict-${threads}`);
    fs.rmSync(out, { recursive: true, force: true });
    const t0 = performance.now();
    const r = await runComponent(batchPredict, { data: input, model, threads, backend: scorer }, { outputDir: out, log: (l) => process.stderr.write(`${l}\n`) });
    const seconds = (performance.now() - t0) / 1000;
    const md = (r.artifacts.predictions as { metadata: Record<string, number> }).metadata;
    process.stdout.write(
      `${JSON.stringify({ mode, threads, scorer: md.scorer, rows: r.outputs.rows, seconds, rowsPerSecond: Number(r.outputs.rows) / seconds, streamRowsPerSecond: md.scoringRowsPerSecond, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
    );
    return;
  }
  if (mode === 'read') {
    // The same query batch-predict streams (rawInputsSql over the Parquet file), each chunk's
    // vectors taken as batch-predict takes them, and nothing else: what reading alone costs.
    const folder = readModelFolder(model);
    const source = await openSource({ dataPath: data.raw });
    try {
      const types = new Map((await queryRows(source.db.conn, `DESCRIBE ${source.sql}`)).map((r) => [String(r.column_name), String(r.column_type)]));
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const result = await source.db.conn.stream(rawInputsSql(folder.transform, source.sql, types));
      let rows = 0;
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        for (let j = 0; j < chunk.columnCount; j++) chunk.getColumnVector(j);
        rows += chunk.rowCount;
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(`${JSON.stringify({ mode, rows, seconds, rowsPerSecond: rows / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
    } finally {
      source.close();
    }
    return;
  }
  // The scoring workers alone: 1M rows of real features (the test split, repeated), no I/O.
  const folder = readModelFolder(model);
  const test = await readSplit(data.test, { what: 'test', needLabel: false });
  const rows = 1_000_000;
  const k = test.k;
  const batch = 65536;
  const pool = await ScorerPool.start(folder.spec, folder.weights, threads, scorer);
  const buffers: { x: Float32Array; out: Float32Array }[] = Array.from({ length: threads * 2 }, () => ({ x: new Float32Array(batch * k), out: new Float32Array(batch) }));
  for (const b of buffers) for (let i = 0; i < batch; i++) b.x.set(test.features.subarray((i % test.rows) * k, ((i % test.rows) + 1) * k), i * k);
  const run = async () => {
    const inflight: Promise<{ x: Float32Array; out: Float32Array }>[] = [];
    for (let done = 0; done < rows; done += batch) {
      const b = buffers.pop() ?? (await inflight.shift()!);
      inflight.push(pool.score(b.x, Math.min(batch, rows - done), b.out));
    }
    for (const p of inflight) buffers.push(await p);
  };
  await run(); // warm-up
  const t0 = performance.now();
  await run();
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  process.stdout.write(`${JSON.stringify({ mode, threads, scorer: pool.backend, rows, seconds, rowsPerSecond: rows / seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
