/**
 * A gradient worker thread (see parallel-engine.ts): its own wasm backend and copy of the network;
 * per step it loads the shared weights, computes summed gradients over its share of the batch and
 * signals the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend } from './backend';
import { Net, weightSizes } from './model';
import { gather } from './trainer';
import { CTRL, ERROR_BYTES, type WorkerInit } from './parallel-engine';

async function main(init: WorkerInit): Promise<void> {
  const { layout, spec, k, part, maxBatch, useWeights, rows } = init;
  const ctrl = new Int32Array(layout.ctrl);
  const done = CTRL.done + part;
  try {
    const { tf } = await loadBackend('wasm');
    const sizes = weightSizes(spec);
    const total = sizes.reduce((a, b) => a + b, 0);
    const flat = new Float32Array(layout.weights);
    const view = (buf: Float32Array, base: number) => {
      let off = base;
      return sizes.map((n) => {
        const v = buf.subarray(off, off + n);
        off += n;
        return v;
      });
    };
    const weights = view(flat, 0);
    const net = new Net(tf, spec, weights);
    const gradsOut = view(new Float32Array(layout.grads), (part - 1) * total);
    const grads = sizes.map((n) => new Float32Array(n));
    const sums = new Float64Array(layout.sums);
    const set = { x: new Float32Array(layout.x), y: new Float32Array(layout.y), w: new Float32Array(layout.w), rows, k };
    const idx = new Uint32Array(layout.idx);
    const bx = new Float32Array(maxBatch * k);
    const by = new Float32Array(maxBatch);
    const bw = new Float32Array(maxBatch);
    // Read the generation before saying ready: the main thread only starts steps after that.
    let seen = Atomics.load(ctrl, CTRL.gen);
    parentPort!.postMessage({ ready: true });
    for (;;) {
      Atomics.wait(ctrl, CTRL.gen, seen);
      seen = Atomics.load(ctrl, CTRL.gen);
      if (Atomics.load(ctrl, CTRL.stop)) break;
      const n = Atomics.load(ctrl, CTRL.rows);
      net.setWeights(weights);
      let loss = 0;
      let weight = 0;
      if (n > 0) {
        gather(set, idx, 0, n, bx, by, bw, useWeights);
        for (let j = 0; j < n; j++) weight += bw[j]!;
        loss = net.gradients(bx, by, bw, n, grads);
      } else {
        for (const g of grads) g.fill(0);
      }
      grads.forEach((g, i) => gradsOut[i]!.set(g));
      sums[2 * (part - 1)] = loss;
      sums[2 * (part - 1) + 1] = weight;
      Atomics.store(ctrl, done, seen);
      Atomics.notify(ctrl, done);
    }
    net.dispose();
  } catch (e) {
    const text = Buffer.from(String((e as Error)?.stack ?? e)).subarray(0, ERROR_BYTES - 1);
    new Uint8Array(layout.error).set(text);
    Atomics.store(ctrl, done, -1);
    Atomics.notify(ctrl, done);
    parentPort!.postMessage({ error: String((e as Error)?.message ?? e) });
  }
}

void main(workerData as WorkerInit);
