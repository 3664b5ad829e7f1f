/**
 * Scores batches of feature rows — or of raw inputs the workers transform first — on worker
 * threads, one scorer each (ONNX Runtime or a tfjs backend, single-threaded, so two workers use both cores).
 * Buffers go back and forth by transfer and are reused, so memory stays at a few batches.
 */
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { ScorerChoice } from './scorer';
import type { NetSpec } from '../train/model';
import type { RawPlan } from './raw-transform';
import { firstMessage, startTsWorker } from '../train/ts-worker';

interface Reply {
  id: number;
  x?: ArrayBuffer;
  raw?: ArrayBuffer;
  out?: ArrayBuffer;
  error?: string;
  /** Raw rows only: a feature out of FLOAT's range, at this row of the batch. */
  badRow?: number;
  badFeature?: string;
}

interface Pending {
  resolve(v: Reply): void;
  reject(e: Error): void;
}

/** A raw row whose feature cannot be a FLOAT (as DuckDB's cast would refuse it). */
export class FeatureRangeError extends Error {
  constructor(
    readonly row: number,
    readonly feature: string,
  ) {
    super(`feature '${feature}' of batch row ${row} is out of the FLOAT range after the transform`);
  }
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
      w.on('message', (m: Reply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        this.load[i]!--;
        if (m.error) p.reject(new Error(`scoring worker ${i + 1} failed: ${m.error}`));
        else if (m.badRow !== undefined) p.reject(new FeatureRangeError(m.badRow, m.badFeature ?? '?'));
        else p.resolve(m);
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

  /** With `plan`, the workers can also score raw inputs (scoreRaw). */
  static async start(spec: NetSpec, weights: readonly Float32Array[], threads: number, backend: ScorerChoice = 'auto', plan?: RawPlan): Promise<ScorerPool> {
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new Error(`threads ${threads} must be a whole number from 1 to 64.`);
    const file = path.join(__dirname, 'score-worker.ts');
    const workers = Array.from({ length: threads }, () => startTsWorker(file, { spec, weights, backend, plan }));
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
  async score(x: Float32Array, rows: number, out: Float32Array): Promise<{ x: Float32Array; out: Float32Array }> {
    const r = await this.send({ x: x.buffer as ArrayBuffer, rows, out: out.buffer as ArrayBuffer }, [x.buffer as ArrayBuffer, out.buffer as ArrayBuffer]);
    return { x: new Float32Array(r.x!), out: new Float32Array(r.out!) };
  }

  /**
   * Transforms and scores `rows` raw rows (raw-transform.ts: column j of the inputs at j·stride),
   * both buffers transferred. Rejects with a FeatureRangeError for a feature FLOAT cannot hold.
   */
  async scoreRaw(raw: ArrayBuffer, stride: number, rows: number, out: Float32Array): Promise<{ raw: ArrayBuffer; out: Float32Array }> {
    const r = await this.send({ raw, stride, rows, out: out.buffer as ArrayBuffer }, [raw, out.buffer as ArrayBuffer]);
    return { raw: r.raw!, out: new Float32Array(r.out!) };
  }

  private send(message: Record<string, unknown>, transfer: ArrayBuffer[]): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    // The least busy worker; ties to the lowest number.
    let w = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i]! < this.load[w]!) w = i;
    const id = ++this.seq;
    this.load[w]!++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[w]!.postMessage({ id, ...message }, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
