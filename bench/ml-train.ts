/**
 * One training measurement, run as its own process so its peak RSS is its own:
 *   node -r ./cli/register.js bench/ml-train.ts KIND EPOCHS THREADS WEIGHTS LR
 * Trains on the benchmark's processed train split for exactly EPOCHS epochs (no early stop),
 * scores the test split and prints one JSON line.
 */
import { loadBackend } from '../components/train/backend';
import { Net, netSpec } from '../components/train/model';
import { readSplit } from '../components/train/split-reader';
import { trainNetwork } from '../components/train/trainer';
import { startParallelEngine } from '../components/train/parallel-engine';
import { averagePrecision, curve, rocAuc } from '../components/evaluate/metrics';
import { prepare } from './ml-data';

async function main(): Promise<void> {
  const [kind = 'mlp', epochsArg = '5', threadsArg = '2', weightsArg = 'false', lrArg = '0.001', batchArg = '1024'] = process.argv.slice(2);
  const epochs = Number(epochsArg);
  const threads = Number(threadsArg);
  const useWeights = weightsArg === 'true';
  const data = await prepare();
  const t0 = performance.now();
  const train = await readSplit(data.train, { what: 'train', needLabel: true, shared: threads > 1 });
  const val = await readSplit(data.validation, { what: 'validation', needLabel: true });
  const test = await readSplit(data.test, { what: 'test', needLabel: true });
  const loadSeconds = (performance.now() - t0) / 1000;
  const { tf, info } = await loadBackend('auto');
  const spec = netSpec(kind, train.k, [64, 32]);
  const set = { x: train.features, y: train.labels!, w: train.weights, rows: train.rows, k: train.k };
  const batch = Number(batchArg);
  const r = await trainNetwork(tf, set, { x: val.features, y: val.labels!, w: val.weights, rows: val.rows, k: val.k }, {
    spec,
    epochs,
    batchSize: batch,
    learningRate: Number(lrArg),
    patience: epochs + 1,
    seed: 42,
    useWeights,
    engine: threads > 1 ? (net, w) => startParallelEngine({ net, set, spec, weights: w, threads, maxBatch: batch, useWeights }) : undefined,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  const net = new Net(tf, spec, r.weights);
  const scores = net.predict(test.features, test.rows);
  net.dispose();
  const c = curve(scores, test.labels!);
  const out = {
    kind,
    layers: spec.layers,
    backend: info.name,
    threads: r.threads,
    classWeights: useWeights,
    epochs: r.history.length,
    trainRows: train.rows,
    loadSeconds,
    trainSeconds: r.seconds,
    rowsPerSecond: r.rowsPerSecond,
    rowsPerCpuSecond: (train.rows * r.history.length) / r.cpuSeconds,
    epochRowsPerSecond: r.history.map((h) => Math.round(h.rowsPerSecond)),
    testRocAuc: rocAuc(c),
    testPrAuc: averagePrecision(c),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
