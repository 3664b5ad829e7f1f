/**
 * A scoring worker thread: its own wasm (or the best available) backend and a copy of the network;
 * scores batches sent by the ScorerPool and hands the buffers back (no copies). A batch is either
 * features (rows × k) or raw inputs, which the worker first turns into features with the model's
 * transform (raw-transform.ts), a few thousand rows at a time so they stay in cache.
 */
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend, type BackendName, type Tf } from '../train/backend';
import { Net, type NetSpec } from '../train/model';
import { applyRaw, rawViews, type RawPlan } from './raw-transform';

interface Init {
  readonly spec: NetSpec;
  readonly weights: Float32Array[];
  readonly backend: BackendName | 'auto';
  readonly plan?: RawPlan;
}

/** Rows transformed, then scored, at a time: their features and activations fit in L2. */
const SLICE = 2048;

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * The wasm backend on tfjs-core alone. Scoring needs no layers, converter or data API, and
 * loading the full @tensorflow/tfjs costs each worker ~0.2 CPU-s: a fifth of scoring a million
 * rows. Taken only when wasm is what loadBackend would pick (no native TensorFlow installed).
 */
async function lightWasm(want: BackendName | 'auto'): Promise<{ tf: Tf; name: string } | undefined> {
  const env = process.env.DUCKML_TFJS_BACKEND as BackendName | 'auto' | undefined;
  const w = want === 'auto' && env ? env : want;
  if (w !== 'wasm' && !(w === 'auto' && !installed('@tensorflow/tfjs-node-gpu') && !installed('@tensorflow/tfjs-node'))) return undefined;
  try {
    const tf = require('@tensorflow/tfjs-core') as Tf;
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${path.sep}`);
    if (!(await tf.setBackend('wasm'))) return undefined;
    await tf.ready();
    return { tf, name: 'wasm' };
  } catch {
    return undefined; // loadBackend says why
  }
}

type Message =
  | { id: number; x: ArrayBuffer; rows: number; out: ArrayBuffer }
  | { id: number; raw: ArrayBuffer; stride: number; rows: number; out: ArrayBuffer };

async function main(init: Init): Promise<void> {
  let loaded = await lightWasm(init.backend);
  if (!loaded) {
    const b = await loadBackend(init.backend);
    loaded = { tf: b.tf, name: b.info.name };
  }
  const net = new Net(loaded.tf, init.spec, init.weights);
  const k = init.spec.layers[0]!;
  const plan = init.plan;
  const x = plan ? new Float32Array(SLICE * k) : undefined;
  parentPort!.on('message', (m: Message) => {
    try {
      const out = new Float32Array(m.out, 0, m.rows);
      if ('x' in m) {
        net.predict(new Float32Array(m.x, 0, m.rows * k), m.rows, out);
        parentPort!.postMessage({ id: m.id, x: m.x, out: m.out }, [m.x, m.out]);
        return;
      }
      if (!plan || !x) throw new Error('raw rows sent to a worker started without a transform');
      const views = rawViews(plan, m.raw, m.stride);
      for (let s = 0; s < m.rows; s += SLICE) {
        const n = Math.min(SLICE, m.rows - s);
        const bad = applyRaw(plan, views, m.stride, s, n, x);
        if (bad >= 0) {
          const row = s + Math.floor(bad / k);
          parentPort!.postMessage({ id: m.id, badRow: row, badFeature: plan.featureNames[bad % k], raw: m.raw, out: m.out }, [m.raw, m.out]);
          return;
        }
        net.predict(x, n, out.subarray(s, s + n), SLICE);
      }
      parentPort!.postMessage({ id: m.id, raw: m.raw, out: m.out }, [m.raw, m.out]);
    } catch (e) {
      parentPort!.postMessage({ id: m.id, error: String((e as Error)?.stack ?? e) });
    }
  });
  parentPort!.postMessage({ ready: true, backend: loaded.name });
}

main(workerData as Init).catch((e) => parentPort!.postMessage({ error: String((e as Error)?.message ?? e) }));
