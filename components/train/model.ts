/**
 * The two model kinds: logistic regression (inputs → 1) and an MLP (inputs → hidden… → 1, ReLU),
 * both ending in a sigmoid. Weights live in plain Float32Arrays ([W0, b0, W1, b1, …], kernels
 * row-major `[in, out]` as tfjs Dense layers keep them); `Net` runs them on a tfjs backend and
 * `toLayersModel` turns them into a Layers model that saves in tfjs format.
 */
import type * as TfModule from '@tensorflow/tfjs';
import type { Tf } from './backend';
import { rng } from './random';

export type ModelKind = 'logistic' | 'mlp';
export const MODEL_KINDS: readonly ModelKind[] = ['logistic', 'mlp'];

export interface NetSpec {
  readonly kind: ModelKind;
  /** Layer widths from input to output, e.g. [30, 64, 32, 1]; logistic: [30, 1]. */
  readonly layers: readonly number[];
}

export function netSpec(kind: string, inputs: number, hidden: readonly unknown[] | undefined): NetSpec {
  if (!MODEL_KINDS.includes(kind as ModelKind)) throw new Error(`model kind '${kind}' is not known; use 'logistic' or 'mlp'.`);
  if (!Number.isInteger(inputs) || inputs < 1) throw new Error(`a model needs at least one input feature; got ${inputs}.`);
  if (kind === 'logistic') return { kind: 'logistic', layers: [inputs, 1] };
  const h = hidden ?? [];
  if (!Array.isArray(h) || h.length === 0) throw new Error(`an MLP needs hidden layer widths, e.g. hiddenLayers: [64, 32]; got ${JSON.stringify(hidden)}. Use kind 'logistic' for no hidden layer.`);
  for (const w of h) {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > 65536) {
      throw new Error(`hidden layer width ${JSON.stringify(w)} is not valid: widths are whole numbers from 1 to 65536, e.g. [64, 32].`);
    }
  }
  return { kind: 'mlp', layers: [inputs, ...(h as number[]), 1] };
}

/** Sizes of [W0, b0, W1, b1, …]. */
export function weightSizes(spec: NetSpec): number[] {
  const sizes: number[] = [];
  for (let i = 0; i + 1 < spec.layers.length; i++) sizes.push(spec.layers[i]! * spec.layers[i + 1]!, spec.layers[i + 1]!);
  return sizes;
}

export function weightShapes(spec: NetSpec): number[][] {
  const shapes: number[][] = [];
  for (let i = 0; i + 1 < spec.layers.length; i++) shapes.push([spec.layers[i]!, spec.layers[i + 1]!], [spec.layers[i + 1]!]);
  return shapes;
}

/** Glorot-uniform kernels and zero biases, from `seed` (the same on every backend). */
export function initWeights(spec: NetSpec, seed: number): Float32Array[] {
  const random = rng(seed);
  return weightShapes(spec).map((shape) => {
    const w = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (shape.length === 2) {
      const limit = Math.sqrt(6 / (shape[0]! + shape[1]!));
      for (let i = 0; i < w.length; i++) w[i] = (random() * 2 - 1) * limit;
    }
    return w;
  });
}

export function copyWeights(ws: readonly Float32Array[]): Float32Array[] {
  return ws.map((w) => Float32Array.from(w));
}

/** Rows per gradient pass (see Net.gradients). */
export const MICRO_BATCH = 512;

/** A network on a tfjs backend: logits, loss gradients and scores for flat row-major batches. */
export class Net {
  private readonly vars: TfModule.Variable[];
  private readonly shapes: number[][];
  /** Per-row gradient at the logits, reused between steps. */
  private dz = new Float32Array(0);
  /** Gradients of one micro-batch, before they are added up. */
  private acc: Float32Array[] = [];
  private readonly microBatch: number;

  constructor(
    private readonly tf: Tf,
    readonly spec: NetSpec,
    weights: readonly Float32Array[],
  ) {
    this.shapes = weightShapes(spec);
    // Native TensorFlow (tfjs-node, GPU) prefers whole batches; only wasm gains from slicing.
    this.microBatch = tf.getBackend() === 'wasm' ? MICRO_BATCH : Infinity;
    this.vars = weights.map((w, i) => tf.variable(tf.tensor(w, this.shapes[i]!, 'float32'), true, `duckml_w${i}_${Math.random().toString(36).slice(2)}`));
  }

  private logits(x: TfModule.Tensor2D): TfModule.Tensor2D {
    const tf = this.tf;
    let h = x;
    const n = this.vars.length / 2;
    for (let i = 0; i < n; i++) {
      h = tf.fused.matMul({ a: h, b: this.vars[2 * i] as TfModule.Tensor2D, bias: this.vars[2 * i + 1], activation: i + 1 < n ? 'relu' : 'linear' }) as TfModule.Tensor2D;
    }
    return h;
  }

  setWeights(weights: readonly Float32Array[]): void {
    const tf = this.tf;
    weights.forEach((w, i) => {
      const t = tf.tensor(w, this.shapes[i]!, 'float32');
      this.vars[i]!.assign(t);
      t.dispose();
    });
  }

  readWeights(): Float32Array[] {
    return this.vars.map((v) => v.dataSync() as Float32Array).map((a) => Float32Array.from(a));
  }

  /**
   * Gradients of Σ wᵢ·CE(yᵢ, σ(zᵢ)) over `rows` rows (a sum, not a mean: callers add up gradients
   * from several slices, then divide by the total weight). Writes them into `out`; returns the sum.
   */
  gradients(x: Float32Array, y: Float32Array, w: Float32Array, rows: number, out: Float32Array[]): number {
    // Slices of at most MICRO_BATCH rows, gradients summed: the same sums as one pass, but the
    // activations stay cache-sized (a 1024-row step costs 1.3× two 512-row ones on wasm).
    if (rows <= this.microBatch) return this.sliceGradients(x, y, w, rows, out);
    const k = this.spec.layers[0]!;
    if (this.acc.length !== out.length) this.acc = out.map((g) => new Float32Array(g.length));
    for (const g of out) g.fill(0);
    let loss = 0;
    for (let s = 0; s < rows; s += this.microBatch) {
      const n = Math.min(this.microBatch, rows - s);
      loss += this.sliceGradients(x.subarray(s * k), y.subarray(s), w.subarray(s), n, this.acc);
      out.forEach((g, i) => {
        const a = this.acc[i]!;
        for (let j = 0; j < g.length; j++) g[j]! += a[j]!;
      });
    }
    return loss;
  }

  private sliceGradients(x: Float32Array, y: Float32Array, w: Float32Array, rows: number, out: Float32Array[]): number {
    const tf = this.tf;
    const k = this.spec.layers[0]!;
    const n = this.vars.length / 2;
    // Back-propagation written out rather than taped (tf.variableGrads): the tape adds ~60
    // bookkeeping kernels per step (Identity, Reshape, Cast…), a third of the step on wasm for a
    // network this small. All results come back in one concatenated read.
    if (this.dz.length < rows) this.dz = new Float32Array(rows);
    const dz = this.dz;
    let loss = 0;
    const flat = tf.tidy(() => {
      const xs = tf.tensor2d(x.subarray(0, rows * k), [rows, k]);
      const inputs: TfModule.Tensor2D[] = [xs];
      let h: TfModule.Tensor2D = xs;
      for (let i = 0; i < n; i++) {
        h = tf.fused.matMul({ a: h, b: this.vars[2 * i] as TfModule.Tensor2D, bias: this.vars[2 * i + 1], activation: i + 1 < n ? 'relu' : 'linear' }) as TfModule.Tensor2D;
        if (i + 1 < n) inputs.push(h);
      }
      // The loss and its gradient at the logits are a few flops per row: cheaper here than as
      // ten tiny kernels. Stable sigmoid cross-entropy: max(z,0) − z·y + log(1 + e^−|z|); ∂/∂z = σ(z) − y.
      const z = h.dataSync() as Float32Array;
      for (let j = 0; j < rows; j++) {
        const zj = z[j]!;
        const yj = y[j]!;
        const wj = w[j]!;
        const e = Math.exp(-Math.abs(zj));
        loss += wj * (Math.max(zj, 0) - zj * yj + Math.log1p(e));
        const p = zj >= 0 ? 1 / (1 + e) : e / (1 + e);
        dz[j] = wj * (p - yj);
      }
      let d = tf.tensor2d(dz.subarray(0, rows), [rows, 1]);
      const ones = tf.ones([1, rows]) as TfModule.Tensor2D;
      const grads: TfModule.Tensor[] = new Array(2 * n);
      for (let i = n - 1; i >= 0; i--) {
        // Explicit transposes: the wasm matmul's transposed forms are slow (backend.ts).
        grads[2 * i] = tf.matMul(tf.transpose(inputs[i]!), d).reshape([-1]);
        grads[2 * i + 1] = tf.matMul(ones, d).reshape([-1]);
        if (i > 0) d = tf.mul(tf.matMul(d, tf.transpose(this.vars[2 * i] as TfModule.Tensor2D)), tf.step(inputs[i]!)) as TfModule.Tensor2D;
      }
      return tf.concat(grads);
    });
    const data = flat.dataSync() as Float32Array;
    flat.dispose();
    let off = 0;
    for (const g of out) {
      g.set(data.subarray(off, off + g.length));
      off += g.length;
    }
    return loss;
  }

  /** Scores σ(z) for `rows` rows of `x`, in slices of `batch` rows. */
  predict(x: Float32Array, rows: number, out = new Float32Array(rows), batch = 65536): Float32Array {
    const tf = this.tf;
    const k = this.spec.layers[0]!;
    for (let s = 0; s < rows; s += batch) {
      const n = Math.min(batch, rows - s);
      // Never return a TypedArray from tidy (it walks it element by element): return the tensor.
      const p = tf.tidy(() => tf.sigmoid(this.logits(tf.tensor2d(x.subarray(s * k, (s + n) * k), [n, k]))));
      out.set(p.dataSync() as Float32Array, s);
      p.dispose();
    }
    return out;
  }

  dispose(): void {
    for (const v of this.vars) v.dispose();
  }
}

/** The same network as a tfjs Layers model (Dense layers, sigmoid output), for saving. */
export function toLayersModel(tf: Tf, spec: NetSpec, weights: readonly Float32Array[]): TfModule.Sequential {
  const model = tf.sequential({ name: `duckml_${spec.kind}` });
  const n = spec.layers.length - 1;
  for (let i = 0; i < n; i++) {
    model.add(
      tf.layers.dense({
        units: spec.layers[i + 1]!,
        activation: i + 1 < n ? 'relu' : 'sigmoid',
        name: i + 1 < n ? `hidden_${i + 1}` : 'score',
        ...(i === 0 ? { inputShape: [spec.layers[0]!] } : {}),
      }),
    );
  }
  const shapes = weightShapes(spec);
  const tensors = weights.map((w, i) => tf.tensor(w, shapes[i]!, 'float32'));
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
  return model;
}
