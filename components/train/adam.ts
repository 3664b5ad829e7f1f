/**
 * Adam on plain Float32Arrays. The networks here are small (a few thousand weights), so the update
 * costs microseconds in JavaScript, against ~60 tiny kernel launches per step for tfjs's own
 * optimizer; and with the update outside tfjs, gradients from several threads can be summed first.
 */
export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  private readonly lr: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(shapes: readonly number[], opts: AdamOptions) {
    if (!(opts.learningRate > 0) || !Number.isFinite(opts.learningRate)) throw new Error(`learning rate ${opts.learningRate} must be a positive number, e.g. 0.001.`);
    this.m = shapes.map((n) => new Float32Array(n));
    this.v = shapes.map((n) => new Float32Array(n));
    this.lr = opts.learningRate;
    this.b1 = opts.beta1 ?? 0.9;
    this.b2 = opts.beta2 ?? 0.999;
    this.eps = opts.epsilon ?? 1e-7;
  }

  /** One step: `weights[i] -= lr · m̂ / (√v̂ + ε)` with gradients `grads[i] · scale`. */
  step(weights: Float32Array[], grads: readonly Float32Array[], scale = 1): void {
    this.t++;
    const { b1, b2, eps } = this;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const lr = (this.lr * Math.sqrt(c2)) / c1;
    for (let p = 0; p < weights.length; p++) {
      const w = weights[p]!;
      const g = grads[p]!;
      const m = this.m[p]!;
      const v = this.v[p]!;
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]! * scale;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
        w[i] = w[i]! - (lr * mi) / (Math.sqrt(vi) + eps * Math.sqrt(c2));
      }
    }
  }
}
