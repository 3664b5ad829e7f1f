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

/** ln Γ(x) (Lanczos approximation). */
function lnGamma(x: number): number {
  const g = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const c of g) ser += c / ++y;
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

/** Upper regularized incomplete gamma Q(a, x) (series below a + 1, continued fraction above). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.max(0, 1 - sum * Math.exp(-x + a * Math.log(x) - lnGamma(a)));
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.min(1, Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h);
}

/** Survival function of the chi-square distribution with `df` degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

/**
 * p-value of a PSI value under "same distribution": PSI / (1/n + 1/m) is approximately
 * chi-square with bins − 1 degrees of freedom (Yurdakul, 2018), so small batches' sampling noise
 * is not mistaken for drift.
 */
export function psiPValue(value: number, bins: number, n: number, m: number): number {
  if (!(n > 0 && m > 0) || bins < 2) return Number.NaN;
  return chiSquareSf(value / (1 / n + 1 / m), bins - 1);
}
