/**
 * Model-side benchmark (issue 4): training rows/s (logistic, MLP) and batch prediction rows/s on
 * the 1M-row demo table, peak RSS, end-to-end wall time of the train pipeline, and scikit-learn
 * on the same splits with the same epochs.
 *   node -r ./cli/register.js bench/ml.ts   (BENCH_EPOCHS=5, BENCH_REPEAT=3, BENCH_DIR=/tmp/duckml-bench-ml,
 *                                            BENCH_SKIP=train,sklearn,pipeline to leave parts out)
 * Each measurement runs in its own process (peak RSS is its own). Targets: batch predict
 * ≥ 3M rows/s on 2 cores; MLP training within 2× of MLPClassifier at equal AUC (±0.01);
 * peak RSS < 2 GiB for 1M rows. Results also go to $BENCH_DIR/results.json.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BENCH_DIR, exportRaw, prepare } from './ml-data';

const ROOT = path.resolve(__dirname, '..');
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 5);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
type Json = Record<string, any>;

function child(file: string, args: string[]): Json {
  const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'cli/register.js'), path.join(ROOT, file), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Json;
}

function python(args: string[]): Json[] {
  const r = spawnSync('/usr/bin/python3', [path.join(ROOT, 'bench/sklearn_baseline.py'), ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scikit-learn baseline failed (apt-get install -y python3-sklearn):\n${r.stderr.slice(-3000)}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Json);
}

const k = (n: number) => `${Math.round(n / 1000).toLocaleString('en-US')}k`;
const m = (n: number) => `${(n / 1e6).toFixed(2)}M`;

async function main(): Promise<void> {
  const results: Json = { machine: { cpus: os.availableParallelism(), node: process.version, loadavg: os.loadavg() }, epochs: EPOCHS };
  const data = await prepare();
  const line = (s: string) => process.stdout.write(`${s}\n`);
  line(`ML benchmark on ${data.rawRows.toLocaleString('en-US')} user_activity rows; ${os.availableParallelism()} CPUs; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

  // This machine is shared and its load swings, so each measurement runs BENCH_REPEAT times,
  // tfjs and scikit-learn interleaved, and the best run of each counts (also the fairest to both).
  const best = (rs: Json[]) => rs.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
  const runs: [string, string[]][] = [
    ['mlp, 2 threads', ['mlp', String(EPOCHS), '2', 'false', '0.001']],
    ['mlp, 1 thread', ['mlp', String(EPOCHS), '1', 'false', '0.001']],
    ['mlp, 2 threads, class weights', ['mlp', String(EPOCHS), '2', 'true', '0.001']],
    ['logistic, 2 threads', ['logistic', String(EPOCHS), '2', 'false', '0.01']],
  ];
  const trainRuns: Record<string, Json[]> = {};
  const skRuns: Json[] = [];
  const raw = SKIP.has('sklearn') || SKIP.has('train') ? '' : await exportRaw(data);
  for (let rep = 0; rep < (SKIP.has('train') ? 0 : REPEAT); rep++) {
    for (const [name, args] of runs) {
      if (rep > 0 && !name.startsWith('mlp, ')) continue;
      (trainRuns[name] ??= []).push(child('bench/ml-train.ts', args));
    }
    if (raw) skRuns.push(...python([raw, String(EPOCHS), '0.001', '1024', rep === 0 ? 'all' : 'mlp']));
  }
  results.train = Object.fromEntries(Object.entries(trainRuns).map(([n, rs]) => [n, { best: best(rs), runs: rs.map((r) => Math.round(r.rowsPerSecond)) }]));
  for (const [name, rs] of Object.entries(trainRuns)) {
    const r = best(rs);
    line(
      `train ${name.padEnd(31)} ${k(r.rowsPerSecond).padStart(6)} rows/s  (best of ${rs.length}: ${rs.map((x) => k(x.rowsPerSecond)).join(', ')}; ${k(r.rowsPerCpuSecond)} rows per CPU-second; ` +
        `${r.trainRows.toLocaleString('en-US')} rows × ${r.epochs} epochs in ${r.trainSeconds.toFixed(1)} s; test ROC-AUC ${r.testRocAuc.toFixed(4)}, PR-AUC ${r.testPrAuc.toFixed(4)}; peak RSS ${Math.round(r.maxRssMiB)} MiB)`,
    );
  }
  if (skRuns.length && trainRuns['mlp, 2 threads']) {
    const byModel = new Map<string, Json[]>();
    for (const r of skRuns) byModel.set(String(r.model), [...(byModel.get(String(r.model)) ?? []), r]);
    results.sklearn = Object.fromEntries([...byModel].map(([n, rs]) => [n, { best: best(rs), runs: rs.map((r) => Math.round(r.rowsPerSecond)) }]));
    for (const [name, rs] of byModel) {
      const r = best(rs);
      line(
        `sklearn ${name.padEnd(29)} ${k(r.rowsPerSecond).padStart(6)} rows/s  (best of ${rs.length}: ${rs.map((x) => k(x.rowsPerSecond)).join(', ')}; ${k(r.rowsPerCpuSecond)} rows per CPU-second; ` +
          `${r.epochs} epochs in ${r.trainSeconds.toFixed(1)} s; test ROC-AUC ${r.testRocAuc.toFixed(4)}, PR-AUC ${r.testPrAuc.toFixed(4)}; predict ${m(r.predictRowsPerSecond)} rows/s; peak RSS ${Math.round(r.maxRssMiB)} MiB)`,
      );
    }
    const mlp = best(trainRuns['mlp, 2 threads']!);
    const skMlp = best(byModel.get('MLPClassifier(64,32) adam')!);
    results.ratios = {
      mlpTrainSlowdown: skMlp.rowsPerSecond / mlp.rowsPerSecond,
      mlpTrainSlowdownPerCpuSecond: skMlp.rowsPerCpuSecond / mlp.rowsPerCpuSecond,
      mlpRocAucDiff: mlp.testRocAuc - skMlp.testRocAuc,
      mlpPrAucDiff: mlp.testPrAuc - skMlp.testPrAuc,
    };
    line(
      `ratio: scikit-learn's MLPClassifier trains ${results.ratios.mlpTrainSlowdown.toFixed(2)}× as fast as tfjs wall-clock (target ≤ 2×), ` +
        `${results.ratios.mlpTrainSlowdownPerCpuSecond.toFixed(2)}× per CPU-second; ROC-AUC difference ${results.ratios.mlpRocAucDiff.toFixed(4)}, PR-AUC ${results.ratios.mlpPrAucDiff.toFixed(4)} (target ±0.01)`,
    );
  }

  // Each scorer side by side: tfjs wasm is the baseline the issue quotes, ONNX Runtime what
  // batch-predict picks when installed ('auto').
  results.predict = {};
  for (const scorer of ['onnxruntime', 'wasm']) {
    for (const threads of [2, 1]) {
      const rs = Array.from({ length: REPEAT }, () => child('bench/ml-predict.ts', ['score', String(threads), scorer]));
      const s = best(rs);
      results.predict[`score ${scorer} ${threads}`] = { best: s, runs: rs.map((r) => Math.round(r.rowsPerSecond)) };
      line(`score ${scorer.padEnd(11)} ${threads} worker(s), in memory           ${m(s.rowsPerSecond).padStart(6)} rows/s  (best of ${rs.length}: ${rs.map((r) => m(r.rowsPerSecond)).join(', ')}; peak RSS ${Math.round(s.maxRssMiB)} MiB)`);
    }
  }
  for (const scorer of ['onnxruntime', 'wasm']) {
    for (const threads of [2, 1]) {
      const rs = Array.from({ length: REPEAT }, () => child('bench/ml-predict.ts', ['batch', String(threads), scorer]));
      const b = best(rs);
      results.predict[`batch ${scorer} ${threads}`] = { best: b, runs: rs.map((r) => Math.round(r.rowsPerSecond)) };
      line(
        `batch-predict ${scorer.padEnd(11)} ${threads} worker(s), Parquet → Parquet ${m(b.rowsPerSecond).padStart(6)} rows/s  (best of ${rs.length}: ${rs.map((r) => m(r.rowsPerSecond)).join(', ')}; ` +
          `${b.rows.toLocaleString('en-US')} rows in ${b.seconds.toFixed(2)} s incl. read, transform, write; stream ${m(b.streamRowsPerSecond)} rows/s; peak RSS ${Math.round(b.maxRssMiB)} MiB)`,
      );
    }
  }
  {
    const big = child('bench/ml-predict.ts', ['batch', '2', 'auto', '10']);
    results.predict['batch 10M'] = big;
    line(`batch-predict 10M rows (the table ×10), 2 workers: ${m(big.rowsPerSecond)} rows/s, ${big.seconds.toFixed(1)} s, peak RSS ${Math.round(big.maxRssMiB)} MiB (bounded: compare 1M above)`);
  }
  {
    const rs = Array.from({ length: REPEAT }, () => child('bench/ml-predict.ts', ['read']));
    const r = best(rs);
    results.predict.read = { best: r, runs: rs.map((x) => Math.round(x.rowsPerSecond)) };
    line(
      `floor: only streaming the raw inputs out of DuckDB into JS  ${m(r.rowsPerSecond).padStart(6)} rows/s  (best of ${rs.length}: ${rs.map((x) => m(x.rowsPerSecond)).join(', ')}; ` +
        `${r.cpuSeconds.toFixed(2)} CPU-s per ${r.rows.toLocaleString('en-US')} rows)`,
    );
  }
  const ratio = (a: string, b: string) => results.predict[a].best.rowsPerSecond / results.predict[b].best.rowsPerSecond;
  results.ratios = { ...(results.ratios ?? {}), scoreOrtVsWasm2: ratio('score onnxruntime 2', 'score wasm 2'), batchOrtVsWasm2: ratio('batch onnxruntime 2', 'batch wasm 2') };
  line(`ratio: ONNX Runtime / tfjs wasm, 2 workers: scoring in memory ${results.ratios.scoreOrtVsWasm2.toFixed(2)}×, batch-predict end to end ${results.ratios.batchOrtVsWasm2.toFixed(2)}×`);

  if (!SKIP.has('pipeline')) {
    const root = path.join(BENCH_DIR, 'runs');
    fs.rmSync(root, { recursive: true, force: true });
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin/duckml.js'), 'run', 'pipelines/scam-classifier-train.ts', '--root', root, '--progress', 'none', '--no-typecheck', '--param', `warehouse=duckdb://${data.warehouse}`, '--param', `registry=${path.join(BENCH_DIR, 'home')}`],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`duckml run failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    results.pipeline = { seconds, output: r.stdout.trim().split('\n').slice(-4) };
    line(`pipeline scam-classifier-train (duckml run, 1M rows, defaults: ≤20 epochs, early stopping): ${seconds.toFixed(1)} s wall`);
  }
  fs.writeFileSync(path.join(BENCH_DIR, 'results.json'), JSON.stringify(results, null, 2));
  line(`results: ${path.join(BENCH_DIR, 'results.json')}`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
