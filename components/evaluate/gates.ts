/**
 * Quality gates: floors and ceilings the candidate must meet on the test set before it may be
 * registered, e.g. { minPrAuc: 0.3, minRocAuc: 0.8, maxEce: 0.1 }.
 */
export const GATE_METRICS = {
  minPrAuc: ['prAuc', 'min'],
  minRocAuc: ['rocAuc', 'min'],
  minRecall: ['recall', 'min'],
  minPrecision: ['precision', 'min'],
  minF1: ['f1', 'min'],
  maxEce: ['ece', 'max'],
} as const;

export type GateName = keyof typeof GATE_METRICS;

export interface GateResult {
  readonly gate: GateName;
  readonly metric: string;
  readonly required: number;
  readonly actual: number;
  readonly passed: boolean;
}

export function parseGates(gates: Record<string, unknown>): Partial<Record<GateName, number>> {
  const out: Partial<Record<GateName, number>> = {};
  for (const [k, v] of Object.entries(gates ?? {})) {
    if (!(k in GATE_METRICS)) throw new Error(`gate '${k}' is not known; gates are ${Object.keys(GATE_METRICS).join(', ')}, e.g. { minPrAuc: 0.3 }.`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`gate '${k}' must be a number, got ${JSON.stringify(v)}.`);
    out[k as GateName] = v;
  }
  return out;
}

export function checkGates(gates: Partial<Record<GateName, number>>, metrics: Readonly<Record<string, number>>): GateResult[] {
  return (Object.entries(gates) as [GateName, number][]).map(([gate, required]) => {
    const [metric, dir] = GATE_METRICS[gate];
    const actual = metrics[metric]!;
    return { gate, metric, required, actual, passed: dir === 'min' ? actual >= required : actual <= required };
  });
}
