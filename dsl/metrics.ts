/**
 * Metrics in the forms the Vertex AI and KFP UIs render, written into an output artifact's
 * metadata (the same keys KFP's Python `Metrics` / `ClassificationMetrics` write):
 *   system.Metrics               { <name>: number, … }
 *   system.ClassificationMetrics { confusionMatrix: { annotationSpecs, rows }, confidenceMetrics: [...] }
 */
import type { OutputArtifact } from './component';

type MetadataTarget = Pick<OutputArtifact, 'metadata'> & { readonly name?: string };

function where(out: MetadataTarget): string {
  return out.name ? `output '${out.name}'` : 'metrics output';
}

/** A scalar metric (system.Metrics): shown in the run's metrics table and compare view. */
export function log(out: MetadataTarget, name: string, value: number): void {
  if (typeof name !== 'string' || name === '') throw new Error(`metrics.log(): a metric needs a non-empty name.`);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`metrics.log(${where(out)}, '${name}'): ${String(value)} is not a finite number; the UIs only show numbers.`);
  }
  out.metadata[name] = value;
}

export interface ConfusionMatrixMetadata {
  annotationSpecs: { displayName: string }[];
  rows: { row: number[] }[];
}

/** A confusion matrix (system.ClassificationMetrics): `matrix[i][j]` counts true class i predicted as j. */
export function confusionMatrix(out: MetadataTarget, categories: readonly string[], matrix: readonly (readonly number[])[]): void {
  const w = `metrics.confusionMatrix(${where(out)})`;
  if (!Array.isArray(categories) || categories.length === 0 || categories.some((c) => typeof c !== 'string')) {
    throw new Error(`${w}: categories must be a non-empty list of strings.`);
  }
  if (new Set(categories).size !== categories.length) throw new Error(`${w}: categories must be distinct; got ${categories.join(', ')}.`);
  if (!Array.isArray(matrix) || matrix.length !== categories.length) {
    throw new Error(`${w}: the matrix needs one row per category (${categories.length}); it has ${Array.isArray(matrix) ? matrix.length : 'none'}.`);
  }
  matrix.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== categories.length) {
      throw new Error(`${w}: row ${i} ('${categories[i]}') needs ${categories.length} counts; it has ${Array.isArray(row) ? row.length : 'none'}.`);
    }
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new Error(`${w}: cell [${i}][${j}] is ${String(v)}; counts are non-negative numbers.`);
      }
    });
  });
  const value: ConfusionMatrixMetadata = {
    annotationSpecs: categories.map((displayName) => ({ displayName })),
    rows: matrix.map((row) => ({ row: [...row] })),
  };
  out.metadata.confusionMatrix = value;
}

export interface RocPoint {
  confidenceThreshold: number;
  recall: number;
  falsePositiveRate: number;
}

/**
 * ROC points (system.ClassificationMetrics `confidenceMetrics`): per threshold, the true positive
 * rate (recall) and the false positive rate. Appends to points already logged.
 */
export function roc(
  out: MetadataTarget,
  curve: { readonly fpr: readonly number[]; readonly tpr: readonly number[]; readonly thresholds: readonly number[] },
): void {
  const w = `metrics.roc(${where(out)})`;
  const { fpr, tpr, thresholds } = curve;
  if (![fpr, tpr, thresholds].every(Array.isArray)) throw new Error(`${w}: fpr, tpr and thresholds must be lists of numbers.`);
  if (fpr.length !== tpr.length || fpr.length !== thresholds.length) {
    throw new Error(`${w}: fpr, tpr and thresholds must have the same length; got ${fpr.length}, ${tpr.length} and ${thresholds.length}.`);
  }
  const points = (Array.isArray(out.metadata.confidenceMetrics) ? out.metadata.confidenceMetrics : []) as RocPoint[];
  for (let i = 0; i < fpr.length; i++) {
    const [f, t, th] = [fpr[i]!, tpr[i]!, thresholds[i]!];
    for (const [n, v] of [['fpr', f], ['tpr', t]] as const) {
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${w}: ${n}[${i}] is ${String(v)}; rates lie in [0, 1].`);
    }
    if (typeof th !== 'number' || !Number.isFinite(th)) throw new Error(`${w}: thresholds[${i}] is ${String(th)}; expected a number.`);
    points.push({ confidenceThreshold: th, recall: t, falsePositiveRate: f });
  }
  out.metadata.confidenceMetrics = points;
}

/** Problems with metrics metadata that the UIs would silently not render (checked by the executor). */
export function metricsProblems(schemaTitle: string, metadata: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  if (schemaTitle === 'system.Metrics') {
    for (const [k, v] of Object.entries(metadata)) {
      if (k === 'display_name') continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`metric '${k}' is ${JSON.stringify(v)}, not a number (use metrics.log(out, name, value))`);
    }
  } else if (schemaTitle === 'system.ClassificationMetrics') {
    const cm = metadata.confusionMatrix as ConfusionMatrixMetadata | undefined;
    if (cm !== undefined) {
      const n = Array.isArray(cm?.annotationSpecs) ? cm.annotationSpecs.length : -1;
      if (n <= 0 || !Array.isArray(cm.rows) || cm.rows.length !== n || cm.rows.some((r) => !Array.isArray(r?.row) || r.row.length !== n)) {
        problems.push('confusionMatrix must have annotationSpecs and one row of that many counts per spec (use metrics.confusionMatrix)');
      }
    }
    const cmx = metadata.confidenceMetrics;
    if (cmx !== undefined) {
      const ok = Array.isArray(cmx) && cmx.every((p) => p && typeof p === 'object' && ['confidenceThreshold', 'recall', 'falsePositiveRate'].every((k) => typeof (p as Record<string, unknown>)[k] === 'number'));
      if (!ok) problems.push('confidenceMetrics must be a list of { confidenceThreshold, recall, falsePositiveRate } numbers (use metrics.roc)');
    }
  }
  return problems;
}
