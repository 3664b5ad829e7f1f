/**
 * The saved transform split in two for batch prediction. Building a FLOAT[k] list per row in
 * DuckDB costs ~2 CPU-seconds per million rows for the demo's 57 features; reading the raw inputs
 * costs a fifth of that. So DuckDB yields one value per step — the number as DOUBLE, a category's
 * index, a hash bucket, each from the very expressions transformSql uses — and the scoring
 * workers turn them into float32 features with the same double arithmetic, bit for bit
 * (test/components/raw-transform.test.ts compares both on demo data).
 */
import { hashBucketSql, type Transform } from '../preprocess/transform';

/** A number: impute NaN/±∞/NULL, clip, centre, scale — one feature. */
interface ScaleStep {
  readonly kind: 'scale';
  /** Index among the DOUBLE inputs. */
  readonly input: number;
  /** Feature offset in a row. */
  readonly at: number;
  readonly impute: number;
  readonly lo: number;
  readonly hi: number;
  readonly center: number;
  readonly scale: number;
}

/** A category index or hash bucket: `width` features, 1 where `ones[code]` says, 0 elsewhere. */
interface CodeStep {
  readonly kind: 'code';
  /** Index among the INTEGER inputs. */
  readonly input: number;
  readonly at: number;
  readonly width: number;
  /** Offsets within the step set to 1, per code: one, unless a one-hot category is listed twice. */
  readonly ones: readonly (readonly number[])[];
}

/** Plain data (it is sent to the worker threads). */
export interface RawPlan {
  readonly k: number;
  readonly featureNames: readonly string[];
  /** DOUBLE inputs, then INTEGER inputs, in the SELECT's column order. */
  readonly doubles: number;
  readonly ints: number;
  readonly steps: readonly (ScaleStep | CodeStep)[];
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const str = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function rawPlan(t: Transform): RawPlan {
  const steps: (ScaleStep | CodeStep)[] = [];
  let doubles = 0;
  let ints = 0;
  let at = 0;
  for (const s of t.steps) {
    if (s.kind === 'standard' || s.kind === 'robust') {
      const [center, scale] = s.kind === 'standard' ? [s.mean, s.std] : [s.median, s.iqr];
      steps.push({ kind: 'scale', input: doubles++, at, impute: s.impute, lo: s.clip[0], hi: s.clip[1], center, scale });
      at += 1;
    } else if (s.kind === 'onehot') {
      const n = s.categories.length;
      // transformSql compares the value with every category, so a category listed twice sets both.
      const ones = s.categories.map((c) => s.categories.flatMap((d, j) => (d === c ? [j] : [])));
      ones.push([n]);
      steps.push({ kind: 'code', input: ints++, at, width: n + 1, ones });
      at += n + 1;
    } else {
      steps.push({ kind: 'code', input: ints++, at, width: s.buckets, ones: Array.from({ length: s.buckets }, (_, b) => [b]) });
      at += s.buckets;
    }
  }
  if (at !== t.featureNames.length) throw new Error(`the transform's steps make ${at} features but it lists ${t.featureNames.length} names; re-run preprocess.`);
  return { k: at, featureNames: t.featureNames, doubles, ints, steps };
}

/**
 * A SELECT over `sourceSql` yielding the raw inputs of rawPlan(t): first the DOUBLE columns, then
 * the INTEGER ones. A value that does not convert fails here, with DuckDB's message, exactly as
 * transformSql would.
 */
export function rawInputsSql(t: Transform, sourceSql: string): string {
  const doubles: string[] = [];
  const ints: string[] = [];
  for (const s of t.steps) {
    const c = ident(s.column);
    if (s.kind === 'standard' || s.kind === 'robust') {
      doubles.push(`CAST(${c} AS DOUBLE)`);
    } else if (s.kind === 'onehot') {
      // The first category equal to the value (as transformSql's `=`), else the other bucket; NULL
      // matches nothing.
      const n = s.categories.length;
      ints.push(n ? `CAST(CASE CAST(${c} AS VARCHAR) ${s.categories.map((cat, i) => `WHEN ${str(cat)} THEN ${i}`).join(' ')} ELSE ${n} END AS INTEGER)` : '0');
    } else {
      ints.push(`CAST(${hashBucketSql(c, s.buckets)} AS INTEGER)`);
    }
  }
  const cols = [...doubles, ...ints].map((e, i) => `${e} AS __duckml_r${i}`);
  return `SELECT ${cols.join(', ')} FROM (${sourceSql}) AS __duckml_src`;
}

/** Bytes of one raw row in a batch buffer (DOUBLE inputs, then INTEGER ones, column by column). */
export function rawRowBytes(plan: RawPlan): number {
  return plan.doubles * 8 + plan.ints * 4;
}

/** Views of a raw batch: column j of the DOUBLE inputs is doubles[j·stride …]; ints likewise. */
export function rawViews(plan: RawPlan, buffer: ArrayBuffer, stride: number): { doubles: Float64Array; ints: Int32Array } {
  return { doubles: new Float64Array(buffer, 0, plan.doubles * stride), ints: new Int32Array(buffer, plan.doubles * stride * 8, plan.ints * stride) };
}

/** The largest float32; a feature beyond it cannot be cast to FLOAT (DuckDB: Conversion Error). */
const FLOAT_MAX = 3.4028234663852886e38;

/**
 * Writes the features of raw rows [from, from + rows) into x (row-major, rows × k). Returns -1,
 * or the index in x of the first feature DuckDB would refuse to cast to FLOAT (out of its range).
 */
export function applyRaw(plan: RawPlan, raw: { doubles: Float64Array; ints: Int32Array }, stride: number, from: number, rows: number, x: Float32Array): number {
  const k = plan.k;
  x.fill(0, 0, rows * k);
  let overflow = false;
  for (const s of plan.steps) {
    if (s.kind === 'scale') {
      const at = s.input * stride + from;
      scaleColumn(raw.doubles.subarray(at, at + rows), x, s.at, k, s.impute, s.lo, s.hi, s.center, s.scale);
      // Rounding is monotonic, so every feature lies between those of lo and hi: only a step
      // whose bounds overflow FLOAT can produce one DuckDB would refuse.
      if (!(Math.fround(Math.abs((s.lo - s.center) / s.scale)) <= FLOAT_MAX && Math.fround(Math.abs((s.hi - s.center) / s.scale)) <= FLOAT_MAX)) overflow = true;
    } else {
      const at = s.input * stride + from;
      const codes = raw.ints.subarray(at, at + rows);
      if (s.ones.every((o) => o.length === 1)) codeColumn(codes, x, s.at, k, s.width);
      else codeColumnMulti(codes, x, s.at, k, s.ones);
    }
  }
  if (!overflow) return -1;
  for (let i = 0; i < rows * k; i++) if (!Number.isFinite(x[i]!)) return i;
  return -1;
}

/** One numeric step: x[at + r·k] for each row r. Small and monomorphic, so V8 compiles it tight. */
function scaleColumn(col: Float64Array, x: Float32Array, at: number, k: number, impute: number, lo: number, hi: number, center: number, scale: number): void {
  for (let r = 0, o = at; r < col.length; r++, o += k) {
    let v = col[r]!;
    // NULL arrives as NaN. transformSql: coalesce(CASE WHEN isfinite(x) THEN x END, impute).
    if (v - v !== 0) v = impute;
    // greatest(v, lo) then least(v, hi), as DuckDB picks: the first argument unless the other
    // compares greater (less), so -0.0 stays -0.0 where Math.max would give +0.
    if (lo > v) v = lo;
    if (hi < v) v = hi;
    x[o] = (v - center) / scale;
  }
}

/** One category or hash step whose codes each set one feature (x is zero there). */
function codeColumn(codes: Int32Array, x: Float32Array, at: number, k: number, width: number): void {
  for (let r = 0, o = at; r < codes.length; r++, o += k) {
    const c = codes[r]!;
    if (!(c >= 0 && c < width)) throw new Error(`internal: a raw code ${c} is outside 0…${width - 1}.`);
    x[o + c] = 1;
  }
}

/** The same when a one-hot category is listed twice (transformSql sets both features). */
function codeColumnMulti(codes: Int32Array, x: Float32Array, at: number, k: number, ones: readonly (readonly number[])[]): void {
  for (let r = 0, o = at; r < codes.length; r++, o += k) {
    const js = ones[codes[r]!];
    if (!js) throw new Error(`internal: a raw code ${codes[r]} is outside 0…${ones.length - 1}.`);
    for (const j of js) x[o + j] = 1;
  }
}
