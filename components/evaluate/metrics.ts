/**
 * Binary classification metrics from scores and 0/1 labels: one sort, then cumulative counts at
 * every distinct score give the ROC and precision–recall curves, ROC-AUC (trapezoids, ties
 * handled), PR-AUC as average precision (Σ ΔRecall · Precision, scikit-learn's
 * `average_precision_score`), and counts at any threshold. Plus expected calibration error.
 */

/** Cumulative counts of rows scored ≥ each distinct score, highest score first. */
export interface Curve {
  /** Distinct scores, descending. */
  readonly thresholds: Float64Array;
  /** Positives / negatives with score ≥ thresholds[i]. */
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  /** All positives / negatives. */
  readonly positives: number;
  readonly negatives: number;
}

export interface Counts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

/** Row indices ordered by score, highest first (ties keep row order). */
export function rankDescending(scores: Float32Array | Float64Array): Uint32Array {
  const n = scores.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

export function curve(scores: Float32Array | Float64Array, labels: Float32Array | Float64Array): Curve {
  if (scores.length !== labels.length) throw new Error(`metrics: ${scores.length} scores but ${labels.length} labels.`);
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (!(s >= 0 && s <= 1)) throw new Error(`metrics: score ${s} at row ${i + 1} is not a probability in [0, 1]; the model produced NaN or an out-of-range value.`);
  }
  const order = rankDescending(scores);
  const thresholds: number[] = [];
  const tpList: number[] = [];
  const fpList: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    if (labels[i]! > 0.5) tp++;
    else fp++;
    const next = r + 1 < n ? scores[order[r + 1]!]! : NaN;
    if (next !== scores[i]) {
      thresholds.push(scores[i]!);
      tpList.push(tp);
      fpList.push(fp);
    }
  }
  return { thresholds: Float64Array.from(thresholds), tp: Float64Array.from(tpList), fp: Float64Array.from(fpList), positives: tp, negatives: fp };
}

function requireBoth(c: Curve, what: string): void {
  if (c.positives === 0 || c.negatives === 0) {
    throw new Error(`${what} needs both classes; the labels are all ${c.positives === 0 ? '0' : '1'} (${c.positives + c.negatives} rows).`);
  }
}

/** Area under the ROC curve (trapezoids between distinct thresholds, so ties count half). */
export function rocAuc(c: Curve): number {
  requireBoth(c, 'ROC-AUC');
  let area = 0;
  let prevTpr = 0;
  let prevFpr = 0;
  for (let i = 0; i < c.thresholds.length; i++) {
    const tpr = c.tp[i]! / c.positives;
    const fpr = c.fp[i]! / c.negatives;
    area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevTpr = tpr;
    prevFpr = fpr;
  }
  return area;
}

/** PR-AUC as average precision: Σ (Rᵢ − Rᵢ₋₁) · Pᵢ over distinct thresholds. */
export function averagePrecision(c: Curve): number {
  requireBoth(c, 'PR-AUC');
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < c.thresholds.length; i++) {
    const recall = c.tp[i]! / c.positives;
    const precision = c.tp[i]! / (c.tp[i]! + c.fp[i]!);
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return ap;
}

/** Counts when rows scored ≥ `threshold` are flagged positive. */
export function countsAt(c: Curve, threshold: number): Counts {
  // thresholds are descending: find the last index with thresholds[i] >= threshold.
  let lo = 0;
  let hi = c.thresholds.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c.thresholds[mid]! >= threshold) {
      at = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  const tp = at < 0 ? 0 : c.tp[at]!;
  const fp = at < 0 ? 0 : c.fp[at]!;
  return { tp, fp, fn: c.positives - tp, tn: c.negatives - fp };
}

export function precisionRecallF1(k: Counts): { precision: number; recall: number; f1: number; falsePositiveRate: number } {
  // Precision with nothing flagged is taken as 1 (no false alarms), as scikit-learn's curves do.
  const precision = k.tp + k.fp === 0 ? 1 : k.tp / (k.tp + k.fp);
  const recall = k.tp + k.fn === 0 ? 0 : k.tp / (k.tp + k.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const falsePositiveRate = k.fp + k.tn === 0 ? 0 : k.fp / (k.fp + k.tn);
  return { precision, recall, f1, falsePositiveRate };
}

export interface CalibrationBin {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
  readonly meanScore: number;
  readonly positiveRate: number;
}

/** Equal-width bins over [0, 1]: mean score against the observed positive rate. */
export function calibrationBins(scores: Float32Array | Float64Array, labels: Float32Array | Float64Array, bins = 10): CalibrationBin[] {
  const count = new Float64Array(bins);
  const sumScore = new Float64Array(bins);
  const sumLabel = new Float64Array(bins);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    const b = Math.min(bins - 1, Math.floor(s * bins));
    count[b]!++;
    sumScore[b]! += s;
    sumLabel[b]! += labels[i]! > 0.5 ? 1 : 0;
  }
  return Array.from({ length: bins }, (_, b) => ({
    lo: b / bins,
    hi: (b + 1) / bins,
    count: count[b]!,
    meanScore: count[b]! ? sumScore[b]! / count[b]! : 0,
    positiveRate: count[b]! ? sumLabel[b]! / count[b]! : 0,
  }));
}

/** Expected calibration error: Σ (nᵦ / n) · |mean score − positive rate| over the bins. */
export function expectedCalibrationError(bins: readonly CalibrationBin[]): number {
  const n = bins.reduce((a, b) => a + b.count, 0);
  if (n === 0) return 0;
  return bins.reduce((a, b) => a + (b.count / n) * Math.abs(b.meanScore - b.positiveRate), 0);
}

export interface CurvePoint {
  readonly threshold: number;
  readonly recall: number;
  readonly falsePositiveRate: number;
  readonly precision: number;
}

/** At most `max` points of the curve (evenly spaced along it, ends kept), for plots and metadata. */
export function curvePoints(c: Curve, max = 200): CurvePoint[] {
  const n = c.thresholds.length;
  const step = Math.max(1, Math.ceil(n / max));
  const out: CurvePoint[] = [{ threshold: 1 + 1e-9, recall: 0, falsePositiveRate: 0, precision: 1 }];
  for (let i = 0; i < n; i += step) out.push(point(c, i));
  if ((n - 1) % step !== 0) out.push(point(c, n - 1));
  return out;
}

function point(c: Curve, i: number): CurvePoint {
  const tp = c.tp[i]!;
  const fp = c.fp[i]!;
  return { threshold: c.thresholds[i]!, recall: c.positives ? tp / c.positives : 0, falsePositiveRate: c.negatives ? fp / c.negatives : 0, precision: tp + fp ? tp / (tp + fp) : 1 };
}

/** PR-AUC straight from scores and labels (used for early stopping). */
export function prAuc(scores: Float32Array, labels: Float32Array): number {
  return averagePrecision(curve(scores, labels));
}
