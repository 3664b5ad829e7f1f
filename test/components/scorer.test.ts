import { loadBackend } from '../../components/train/backend';
import { initWeights, Net, type NetSpec } from '../../components/train/model';
import { rng } from '../../components/train/random';
import { onnxModel } from '../../components/train/onnx-model';
import { checkScorerChoice, openScorer, type ScorerChoice } from '../../components/batch-predict/scorer';
import { ScorerPool } from '../../components/batch-predict/scorer-pool';

// ONNX Runtime runs in the scoring workers, as in batch-predict: in-process under jest its
// tensors fail Float32Array checks (jest gives each test file its own realm's typed arrays).
async function poolScores(choice: ScorerChoice, spec: NetSpec, ws: Float32Array[], x: Float32Array, rows: number): Promise<{ scores: Float32Array; name: string }> {
  const pool = await ScorerPool.start(spec, ws, 1, choice);
  try {
    const r = await pool.score(Float32Array.from(x), rows, new Float32Array(rows));
    return { scores: r.out, name: pool.backend };
  } finally {
    await pool.close();
  }
}

/** Trained-looking weights: Glorot kernels and small non-zero biases, so every term matters. */
function weights(spec: NetSpec, seed: number): Float32Array[] {
  const ws = initWeights(spec, seed);
  const r = rng(seed + 1);
  for (let i = 1; i < ws.length; i += 2) for (let j = 0; j < ws[i]!.length; j++) ws[i]![j] = (r() - 0.5) * 0.4;
  return ws;
}

function inputs(rows: number, k: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: rows * k }, () => (r() - 0.5) * 6);
}

async function tfjsScores(spec: NetSpec, ws: Float32Array[], x: Float32Array, rows: number): Promise<Float32Array> {
  const { tf } = await loadBackend();
  const net = new Net(tf, spec, ws);
  try {
    return net.predict(x, rows);
  } finally {
    net.dispose();
  }
}

describe('onnxModel', () => {
  test.each([
    ['logistic', { kind: 'logistic', layers: [6, 1] }],
    ['MLP', { kind: 'mlp', layers: [9, 16, 8, 1] }],
  ] as const)('the %s as an ONNX graph scores as the tfjs network does', async (_, spec) => {
    const ws = weights(spec, 7);
    const rows = 3000;
    const x = inputs(rows, spec.layers[0], 11);
    const { scores, name } = await poolScores('onnxruntime', spec, ws, x, rows);
    expect(name).toMatch(/^onnxruntime /);
    const want = await tfjsScores(spec, ws, x, rows);
    let maxDiff = 0;
    for (let i = 0; i < rows; i++) maxDiff = Math.max(maxDiff, Math.abs(scores[i]! - want[i]!));
    expect(maxDiff).toBeLessThan(2e-6);
    // Not a constant: the scores spread over (0, 1) as the reference's do.
    expect(Math.min(...scores)).toBeLessThan(0.3);
    expect(Math.max(...scores)).toBeGreaterThan(0.7);
  });

  test('weights that do not fit the network are refused as a bug, not exported', () => {
    const spec: NetSpec = { kind: 'mlp', layers: [4, 3, 1] };
    const ws = weights(spec, 1);
    expect(() => onnxModel(spec, ws.slice(0, 3))).toThrow(/internal: the weights do not fit the 4→3→1 network/);
    expect(() => onnxModel(spec, [ws[0]!, ws[1]!, ws[2]!, new Float32Array(2)])).toThrow(/do not fit/);
  });
});

describe('openScorer', () => {
  const spec: NetSpec = { kind: 'mlp', layers: [5, 8, 1] };
  const ws = weights(spec, 3);
  const rows = 10_000; // more than one ONNX Runtime slice
  const x = inputs(rows, 5, 4);

  test("'auto' takes ONNX Runtime when installed; a tfjs backend by name; both agree", async () => {
    const auto = await poolScores('auto', spec, ws, x, rows);
    expect(auto.name).toMatch(/^onnxruntime \d+\.\d+\.\d+ \(cpu\)$/);
    const wasm = await openScorer('wasm', spec, ws);
    expect(wasm.name).toBe('tfjs wasm');
    const b = new Float32Array(rows);
    await wasm.score(x, rows, b);
    for (let i = 0; i < rows; i += 997) expect(auto.scores[i]).toBeCloseTo(b[i]!, 6);
    expect(auto.scores[rows - 1]).toBeCloseTo(b[rows - 1]!, 6);
    // Scores land at the front of `out`; nothing beyond `rows` is touched.
    const out = new Float32Array(8).fill(-1);
    await wasm.score(x, 5, out);
    expect(Array.from(out.subarray(5))).toEqual([-1, -1, -1]);
    expect(out[4]).toBeCloseTo(b[4]!, 6);
  });

  test("'onnxruntime' scores in several runs when the batch is larger than one", async () => {
    const big = 9000; // > 2 × the 4,096-row ONNX Runtime slice, not a multiple of it
    const xs = inputs(big, 5, 9);
    const a = await poolScores('onnxruntime', spec, ws, xs, big);
    const b = new Float32Array(big);
    await (await openScorer('wasm', spec, ws)).score(xs, big, b);
    for (const i of [0, 4095, 4096, 8191, 8192, big - 1]) expect(a.scores[i]).toBeCloseTo(b[i]!, 6);
  });

  test('an unknown scorer is refused with the choices', () => {
    expect(() => checkScorerChoice('gpu')).toThrow("backend 'gpu' is not known; use one of: auto, onnxruntime, tensorflow-gpu, tensorflow, wasm, cpu.");
    expect(checkScorerChoice('onnxruntime')).toBe('onnxruntime');
  });

  test('a tfjs backend that is not installed is an error naming the package', async () => {
    await expect(openScorer('tensorflow-gpu', spec, ws)).rejects.toThrow(/tensorflow-gpu/);
  });
});
