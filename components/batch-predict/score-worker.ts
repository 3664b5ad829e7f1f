/**
 * A scoring worker thread: its own wasm (or the best available) backend and a copy of the network;
 * scores batches of rows sent by the ScorerPool and hands both buffers back (no copies).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend, type BackendName } from '../train/backend';
import { Net, type NetSpec } from '../train/model';

interface Init {
  readonly spec: NetSpec;
  readonly weights: Float32Array[];
  readonly backend: BackendName | 'auto';
}

async function main(init: Init): Promise<void> {
  const { tf, info } = await loadBackend(init.backend);
  const net = new Net(tf, init.spec, init.weights);
  const k = init.spec.layers[0]!;
  parentPort!.on('message', (m: { id: number; x: ArrayBuffer; rows: number; out: ArrayBuffer }) => {
    try {
      const x = new Float32Array(m.x, 0, m.rows * k);
      const out = new Float32Array(m.out, 0, m.rows);
      net.predict(x, m.rows, out);
      parentPort!.postMessage({ id: m.id, x: m.x, out: m.out }, [m.x, m.out]);
    } catch (e) {
      parentPort!.postMessage({ id: m.id, error: String((e as Error)?.stack ?? e) });
    }
  });
  parentPort!.postMessage({ ready: true, backend: info.name });
}

main(workerData as Init).catch((e) => parentPort!.postMessage({ error: String((e as Error)?.message ?? e) }));
