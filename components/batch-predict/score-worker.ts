/**
 * A scoring worker thread: its own scorer (scorer.ts: ONNX Runtime, else a tfjs backend) over a
 * copy of the network; scores batches sent by the ScorerPool and hands the buffers back (no
 * copies). A batch is either features (rows × k) or raw inputs, which the worker first turns into
 * features with the model's transform (raw-transform.ts), a few thousand rows at a time so they
 * stay in cache. Batches are handled one at a time, in the order they arrive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { NetSpec } from '../train/model';
import { applyRaw, rawViews, type RawPlan } from './raw-transform';
import { openScorer, type ScorerChoice } from './scorer';

interface Init {
  readonly spec: NetSpec;
  readonly weights: Float32Array[];
  readonly backend: ScorerChoice;
  readonly plan?: RawPlan;
}

/** Rows transformed, then scored, at a time: their features and activations fit in L2. */
const SLICE = 2048;

type Message =
  | { id: number; x: ArrayBuffer; rows: number; out: ArrayBuffer }
  | { id: number; raw: ArrayBuffer; stride: number; rows: number; out: ArrayBuffer };

async function main(init: Init): Promise<void> {
  const scorer = await openScorer(init.backend, init.spec, init.weights);
  const k = init.spec.layers[0]!;
  const plan = init.plan;
  const x = plan ? new Float32Array(SLICE * k) : undefined;
  const handle = async (m: Message): Promise<void> => {
    try {
      const out = new Float32Array(m.out, 0, m.rows);
      if ('x' in m) {
        await scorer.score(new Float32Array(m.x, 0, m.rows * k), m.rows, out);
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
        await scorer.score(x, n, out.subarray(s, s + n));
      }
      parentPort!.postMessage({ id: m.id, raw: m.raw, out: m.out }, [m.raw, m.out]);
    } catch (e) {
      parentPort!.postMessage({ id: m.id, error: String((e as Error)?.stack ?? e) });
    }
  };
  // ORT scores asynchronously: queue the batches so two never share the feature buffer.
  let queue = Promise.resolve();
  parentPort!.on('message', (m: Message) => {
    queue = queue.then(() => handle(m));
  });
  parentPort!.postMessage({ ready: true, backend: scorer.name });
}

main(workerData as Init).catch((e) => parentPort!.postMessage({ error: String((e as Error)?.message ?? e) }));
