/**
 * Scores batches of feature rows on worker threads, one tfjs backend each (wasm runs one thread
 * per module, so two workers use both cores), returning results in submission order. Buffers go
 * back and forth by transfer and are reused, so memory stays at a few batches.
 */
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { BackendName } from '../train/backend';
import type { NetSpec } from '../train/model';
import { firstMessage, startTsWorker } from '../train/ts-worker';

interface Pending {
  resolve(v: { x: ArrayBuffer; out: ArrayBuffer }): void;
  reject(e: Error): void;
}

export class ScorerPool {
  private readonly pending = new Map<number, Pending>();
  private readonly load: number[];
  private seq = 0;
  private failure?: Error;

  private constructor(
    private readonly workers: Worker[],
    readonly backend: string,
  ) {
    this.load = workers.map(() => 0);
    workers.forEach((w, i) => {
      w.on('message', (m: { id: number; x?: ArrayBuffer; out?: ArrayBuffer; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        this.load[i]!--;
        if (m.error) p.reject(new Error(`scoring worker ${i + 1} failed: ${m.error}`));
        else p.resolve({ x: m.x!, out: m.out! });
      });
      const fail = (e: Error) => {
        this.failure ??= e;
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      };
      w.on('error', (e) => fail(new Error(`scoring worker ${i + 1} crashed: ${e.message}`)));
      w.on('exit', (code) => code !== 0 && fail(new Error(`scoring worker ${i + 1} exited with code ${code}`)));
    });
  }

  static async start(spec: NetSpec, weights: readonly Float32Array[], threads: number, backend: BackendName | 'auto' = 'auto'): Promise<ScorerPool> {
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new Error(`threads ${threads} must be a whole number from 1 to 64.`);
    const file = path.join(__dirname, 'score-worker.ts');
    const workers = Array.from({ length: threads }, () => startTsWorker(file, { spec, weights, backend }));
    try {
      const ready = await Promise.all(workers.map((w, i) => firstMessage<{ ready?: boolean; backend?: string; error?: string }>(w, `scoring worker ${i + 1}`)));
      const bad = ready.find((m) => m.error);
      if (bad) throw new Error(`a scoring worker could not start: ${bad.error}`);
      return new ScorerPool(workers, ready[0]!.backend ?? 'unknown');
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Scores `rows` rows of `x` (transferred: do not touch it until the promise gives it back). */
  score(x: Float32Array, rows: number, out: Float32Array): Promise<{ x: Float32Array; out: Float32Array }> {
    if (this.failure) return Promise.reject(this.failure);
    // The least busy worker; ties to the lowest number.
    let w = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i]! < this.load[w]!) w = i;
    const id = ++this.seq;
    this.load[w]!++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: (v) => resolve({ x: new Float32Array(v.x), out: new Float32Array(v.out) }), reject });
      this.workers[w]!.postMessage({ id, x: x.buffer, rows, out: out.buffer }, [x.buffer as ArrayBuffer, out.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
