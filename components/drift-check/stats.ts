/** The drift statistics' arithmetic: population stability index and the KS test's p-value. */

/** Proportions below this are floored so empty bins do not make PSI infinite (common practice). */
export const PSI_EPSILON = 1e-4;

/**
 * PSI = Σ (cur − ref) · ln(cur / ref) over bins, from counts per bin (same keys in both).
 * Rules of thumb: < 0.1 stable, 0.1–0.2 moderate shift, > 0.2 significant shift.
 */
export function psi(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>): number {
  const keys = new Set([...reference.keys(), ...current.keys()]);
  const nr = [...reference.values()].reduce((a, b) => a + b, 0);
  const nc = [...current.values()].reduce((a, b) => a + b, 0);
  if (nr === 0 || nc === 0) return Number.NaN;
  let sum = 0;
  for (const k of keys) {
    const r = Math.max((reference.get(k) ?? 0) / nr, PSI_EPSILON);
    const c = Math.max((current.get(k) ?? 0) / nc, PSI_EPSILON);
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

/**
 * Asymptotic p-value of the two-sample Kolmogorov–Smirnov statistic `d` for sample sizes n, m
 * (the Kolmogorov distribution with Stephens' small-sample correction).
 */
export function ksPValue(d: number, n: number, m: number): number {
  if (!(n > 0 && m > 0)) return Number.NaN;
  if (d <= 0) return 1;
  const en = Math.sqrt((n * m) / (n + m));
  const z = (en + 0.12 + 0.11 / en) * d;
  // Q_KS(z) with the two series that converge fast on either side of z ≈ 1.18 (Numerical Recipes).
  if (z < 1.18) {
    const y = Math.exp(-(Math.PI * Math.PI) / (8 * z * z));
    const cdf = (Math.sqrt(2 * Math.PI) / z) * (y + y ** 9 + y ** 25 + y ** 49);
    return Math.min(1, Math.max(0, 1 - cdf));
  }
  const x = Math.exp(-2 * z * z);
  return Math.min(1, Math.max(0, 2 * (x - x ** 4 + x ** 9)));
}
