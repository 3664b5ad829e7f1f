/**
 * Data-parallel gradients on the wasm backend, which runs one thread per module: each batch is
 * split between this thread and worker threads, each with its own wasm backend and a copy of the
 * network; their summed gradients are added here, and Adam updates one set of weights that every
 * participant loads before the next step. The networks are small, so the exchange is a few KiB
 * through shared memory, signalled with Atomics (microseconds, not message-queue milliseconds).
 */
import type { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { LocalEngine, type GradientEngine, type TrainingSet } from './trainer';
import { weightSizes, type Net, type NetSpec } from './model';
import { firstMessage, startTsWorker } from './ts-worker';

/** Slots of the control array (Int32 on a SharedArrayBuffer). */
export const CTRL = { gen: 0, stop: 1, rows: 2, done: 8 } as const;
export const ERROR_BYTES = 4096;

export interface SharedLayout {
  readonly ctrl: SharedArrayBuffer;
  readonly x: SharedArrayBuffer | ArrayBuffer;
  readonly y: SharedArrayBuffer | ArrayBuffer;
  readonly w: SharedArrayBuffer | ArrayBuffer;
  /** Batch row indices for the workers' shares. */
  readonly idx: SharedArrayBuffer;
  /** Current weights, all tensors back to back. */
  readonly weights: SharedArrayBuffer;
  /** Per worker: summed gradients (all tensors back to back). */
  readonly grads: SharedArrayBuffer;
  /** Per worker: [loss, weight] as float64. */
  readonly sums: SharedArrayBuffer;
  readonly error: SharedArrayBuffer;
}

export interface WorkerInit {
  readonly layout: SharedLayout;
  readonly spec: NetSpec;
  readonly k: number;
  readonly rows: number;
  /** This worker's number, 1…threads-1 (0 is the main thread). */
  readonly part: number;
  readonly maxBatch: number;
  readonly useWeights: boolean;
}

function shared<T extends Float32Array | Uint32Array>(a: T, Ctor: new (b: SharedArrayBuffer) => T): T {
  if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

export interface ParallelOptions {
  readonly net: Net;
  readonly set: TrainingSet;
  readonly spec: NetSpec;
  readonly weights: readonly Float32Array[];
  readonly threads: number;
  readonly maxBatch: number;
  readonly useWeights: boolean;
  /** How long a step may wait for a worker before giving up. */
  readonly stepTimeoutMs?: number;
}

export async function startParallelEngine(o: ParallelOptions): Promise<GradientEngine> {
  const sizes = weightSizes(o.spec);
  const total = sizes.reduce((a, b) => a + b, 0);
  const workers = o.threads - 1;
  const x = shared(o.set.x, Float32Array);
  const y = shared(o.set.y, Float32Array);
  const w = shared(o.set.w, Float32Array);
  const layout: SharedLayout = {
    ctrl: new SharedArrayBuffer(4 * (CTRL.done + workers + 1)),
    x: x.buffer,
    y: y.buffer,
    w: w.buffer,
    idx: new SharedArrayBuffer(4 * o.maxBatch),
    weights: new SharedArrayBuffer(4 * total),
    grads: new SharedArrayBuffer(4 * total * workers),
    sums: new SharedArrayBuffer(16 * workers),
    error: new SharedArrayBuffer(ERROR_BYTES),
  };
  const engine = new ParallelEngine(o, layout, { ...o.set, x, y, w });
  engine.setWeights(o.weights);
  const file = path.join(__dirname, 'gradient-worker.ts');
  const started: Worker[] = [];
  try {
    for (let p = 1; p <= workers; p++) {
      const init: WorkerInit = { layout, spec: o.spec, k: o.set.k, rows: o.set.rows, part: p, maxBatch: o.maxBatch, useWeights: o.useWeights };
      started.push(startTsWorker(file, init));
    }
    const ready = await Promise.all(started.map((wk, i) => firstMessage<{ ready?: boolean; error?: string }>(wk, `gradient worker ${i + 1}`)));
    const bad = ready.find((m) => m.error);
    if (bad) throw new Error(`a gradient worker could not start: ${bad.error}`);
  } catch (e) {
    await Promise.all(started.map((wk) => wk.terminate()));
    throw e;
  }
  engine.workers = started;
  return engine;
}

class ParallelEngine implements GradientEngine {
  readonly grads: Float32Array[];
  readonly threads: number;
  workers: Worker[] = [];
  private readonly local: LocalEngine;
  private readonly ctrl: Int32Array;
  private readonly idx: Uint32Array;
  private readonly weightsFlat: Float32Array;
  private readonly gradsFlat: Float32Array;
  private readonly sums: Float64Array;
  private gen = 0;

  constructor(
    private readonly o: ParallelOptions,
    private readonly layout: SharedLayout,
    set: TrainingSet,
  ) {
    this.threads = o.threads;
    this.local = new LocalEngine(o.net, set, o.maxBatch, o.useWeights);
    this.grads = this.local.grads;
    this.ctrl = new Int32Array(layout.ctrl);
    this.idx = new Uint32Array(layout.idx);
    this.weightsFlat = new Float32Array(layout.weights);
    this.gradsFlat = new Float32Array(layout.grads);
    this.sums = new Float64Array(layout.sums);
  }

  step(order: Uint32Array, start: number, end: number): { loss: number; weight: number } {
    const n = end - start;
    const parts = this.threads;
    const mine = Math.floor(n / parts);
    // Workers take rows start+mine … end; their indices go to shared memory first.
    this.idx.set(order.subarray(start + mine, end), 0);
    Atomics.store(this.ctrl, CTRL.rows, n - mine);
    this.gen++;
    Atomics.store(this.ctrl, CTRL.gen, this.gen);
    Atomics.notify(this.ctrl, CTRL.gen);
    const r = mine > 0 ? this.local.step(order, start, start + mine) : this.zero();
    let loss = r.loss;
    let weight = r.weight;
    const total = this.weightsFlat.length;
    const deadline = Date.now() + (this.o.stepTimeoutMs ?? 120_000);
    for (let p = 1; p < parts; p++) {
      const slot = CTRL.done + p;
      for (;;) {
        const v = Atomics.load(this.ctrl, slot);
        if (v === this.gen) break;
        if (v === -1) throw new Error(`gradient worker ${p} failed: ${this.errorText()}`);
        if (Date.now() > deadline) throw new Error(`gradient worker ${p} did not answer within ${(this.o.stepTimeoutMs ?? 120_000) / 1000}s.`);
        Atomics.wait(this.ctrl, slot, v, 1000);
      }
      const g = this.gradsFlat.subarray((p - 1) * total, p * total);
      let off = 0;
      for (const dst of this.grads) {
        for (let i = 0; i < dst.length; i++) dst[i]! += g[off + i]!;
        off += dst.length;
      }
      loss += this.sums[2 * (p - 1)]!;
      weight += this.sums[2 * (p - 1) + 1]!;
    }
    return { loss, weight };
  }

  private zero(): { loss: number; weight: number } {
    for (const g of this.grads) g.fill(0);
    return { loss: 0, weight: 0 };
  }

  private errorText(): string {
    const bytes = new Uint8Array(this.layout.error);
    const end = bytes.indexOf(0);
    return Buffer.from(bytes.slice(0, end < 0 ? bytes.length : end)).toString('utf8') || 'unknown error';
  }

  setWeights(weights: readonly Float32Array[]): void {
    let off = 0;
    for (const w of weights) {
      this.weightsFlat.set(w, off);
      off += w.length;
    }
    this.local.setWeights(weights);
  }

  async close(): Promise<void> {
    Atomics.store(this.ctrl, CTRL.stop, 1);
    Atomics.add(this.ctrl, CTRL.gen, 1);
    Atomics.notify(this.ctrl, CTRL.gen);
    await Promise.all(
      this.workers.map(
        (wk) =>
          new Promise<void>((resolve) => {
            if (wk.threadId < 0) return resolve(); // already exited
            const t = setTimeout(() => void wk.terminate().then(() => resolve()), 5000);
            wk.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
  }
}
