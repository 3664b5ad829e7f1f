/**
 * The decision threshold: rows scored at or above it are flagged for review. Two policies:
 *  - capacity: moderators review at most K flagged rows per N scored; flag as many as that allows,
 *    highest scores first, which maximises recall within the capacity (recall only grows with
 *    the number flagged). Ties at the cut are all left out rather than overflow the capacity.
 *  - recall: the highest threshold whose recall reaches the target (the fewest rows flagged).
 */
import { countsAt, precisionRecallF1, type Curve } from './metrics';

export type ThresholdPolicy =
  | { readonly kind: 'capacity'; readonly flagged: number; readonly perRows: number }
  | { readonly kind: 'recall'; readonly target: number };

export interface ThresholdChoice {
  readonly threshold: number;
  readonly policy: ThresholdPolicy;
  /** Rows flagged at the threshold in the evaluated set. */
  readonly flagged: number;
  readonly recall: number;
  readonly precision: number;
  /** Flagged rows per `perRows` (capacity) or per 10,000 rows (recall). */
  readonly flaggedPer: number;
  /** Whether the policy's goal was met (a recall target may be out of reach within the data). */
  readonly met: boolean;
  readonly explanation: string;
}

export function parsePolicy(kind: string, flagged: number, perRows: number, targetRecall: number): ThresholdPolicy {
  if (kind === 'capacity') {
    if (!Number.isInteger(perRows) || perRows < 1) throw new Error(`reviewPerRows ${perRows} must be a whole number ≥ 1 (e.g. 10000: capacity is counted per that many scored rows).`);
    if (!Number.isInteger(flagged) || flagged < 0 || flagged > perRows) {
      throw new Error(`reviewCapacity ${flagged} must be a whole number from 0 to reviewPerRows (${perRows}): at most that many rows flagged per ${perRows} scored.`);
    }
    return { kind: 'capacity', flagged, perRows };
  }
  if (kind === 'recall') {
    if (!(targetRecall > 0 && targetRecall <= 1)) throw new Error(`targetRecall ${targetRecall} must be in (0, 1], e.g. 0.8.`);
    return { kind: 'recall', target: targetRecall };
  }
  throw new Error(`thresholdPolicy '${kind}' is not known; use 'capacity' (at most reviewCapacity flagged per reviewPerRows rows) or 'recall' (reach targetRecall).`);
}

export function chooseThreshold(c: Curve, policy: ThresholdPolicy): ThresholdChoice {
  const rows = c.positives + c.negatives;
  const n = c.thresholds.length;
  if (n === 0) throw new Error('cannot choose a threshold on an empty set.');
  let threshold: number;
  let met = true;
  if (policy.kind === 'capacity') {
    const allowed = Math.floor((policy.flagged / policy.perRows) * rows);
    // The lowest threshold (most rows flagged) whose flagged count stays within the capacity.
    let at = -1;
    for (let i = 0; i < n && c.tp[i]! + c.fp[i]! <= allowed; i++) at = i;
    // Nothing fits (the top score alone is tied across more rows than allowed): flag nothing.
    threshold = at >= 0 ? c.thresholds[at]! : nextUp(c.thresholds[0]!);
  } else {
    let at = -1;
    for (let i = 0; i < n; i++) {
      if (c.tp[i]! / c.positives >= policy.target - 1e-12) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      met = false;
      at = n - 1;
    }
    threshold = c.thresholds[at]!;
  }
  const k = countsAt(c, threshold);
  const { precision, recall } = precisionRecallF1(k);
  const flagged = k.tp + k.fp;
  const per = policy.kind === 'capacity' ? policy.perRows : 10000;
  const flaggedPer = rows ? (flagged / rows) * per : 0;
  const explanation =
    policy.kind === 'capacity'
      ? `capacity ${policy.flagged} per ${policy.perRows} rows allows ${Math.floor((policy.flagged / policy.perRows) * rows)} of ${rows}; threshold ${threshold.toFixed(4)} flags ${flagged} (recall ${recall.toFixed(3)}, precision ${precision.toFixed(3)})`
      : met
        ? `target recall ${policy.target} reached at threshold ${threshold.toFixed(4)}, flagging ${flagged} of ${rows} (${flaggedPer.toFixed(1)} per 10,000; precision ${precision.toFixed(3)})`
        : `target recall ${policy.target} is out of reach (no positive scored at all?); lowest threshold ${threshold.toFixed(4)} gives recall ${recall.toFixed(3)}`;
  return { threshold, policy, flagged, recall, precision, flaggedPer, met, explanation };
}

/** The next float64 above x (flag-nothing threshold when even the top score overflows capacity). */
function nextUp(x: number): number {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x >= 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}
