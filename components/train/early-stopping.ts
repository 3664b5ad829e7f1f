/**
 * Early stopping on a validation score where higher is better (PR-AUC here): training stops after
 * `patience` epochs without an improvement of at least `minDelta`, and the best epoch's weights win.
 */
export interface EarlyStoppingState {
  readonly best: number;
  readonly bestEpoch: number;
  readonly stale: number;
}

export class EarlyStopping {
  private best = -Infinity;
  private bestEpoch = -1;
  private stale = 0;

  constructor(
    readonly patience: number,
    readonly minDelta = 1e-4,
  ) {
    if (!Number.isInteger(patience) || patience < 0) throw new Error(`patience ${patience} must be a whole number of epochs ≥ 0 (0 = stop at the first epoch without improvement).`);
    if (!(minDelta >= 0)) throw new Error(`minDelta ${minDelta} must be ≥ 0.`);
  }

  /** Records an epoch's score; `improved` means keep these weights, `stop` means train no further. */
  update(epoch: number, score: number): { improved: boolean; stop: boolean } {
    // A NaN score (e.g. diverged weights) never counts as an improvement.
    const improved = score === score && (this.bestEpoch < 0 || score > this.best + this.minDelta);
    if (improved) {
      this.best = score;
      this.bestEpoch = epoch;
      this.stale = 0;
    } else {
      this.stale++;
    }
    return { improved, stop: !improved && this.stale >= Math.max(1, this.patience) };
  }

  get state(): EarlyStoppingState {
    return { best: this.best, bestEpoch: this.bestEpoch, stale: this.stale };
  }
}
