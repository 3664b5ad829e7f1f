/**
 * The saved transform split in two for batch prediction. transformSql's per-feature expressions
 * cost DuckDB ~2 CPU-seconds per million rows for the demo's 57 features; reading the raw inputs
 * costs a sixth of that, and the same arithmetic in JS ~0.1 s. So DuckDB yields one value per
 * step — the number (cast to DOUBLE as transformSql casts it, unless its type converts exactly in
 * JS), a category's index, a hash bucket from the very expression transformSql uses — and the
 * scoring workers compute the float32 features with the same double arithmetic, bit for bit
 * (test/components/raw-transform.test.ts compares them on demo data).
 */
import { hashBucketSql, type Transform } from '../preprocess/transform';

/** A number: impute NaN/±∞/NULL, clip, centre, scale — one feature. Its input is number input i for scales[i]. */
interface ScaleStep {
  /** Feature offset in a row. */
  readonly at: number;
  readonly impute: number;
  readonly lo: number;
  readonly hi: number;
  readonly center: number;
  readonly scale: number;
}

/** A category index or hash bucket: `width` features, 1 where `ones[code]` says, 0 elsewhere. Input: code input i for codes[i]. */
interface CodeStep {
  readonly at: number;
  readonly width: number;
  /** Offsets within the step set to 1, per code: one, unless a one-hot category is listed twice. */
  readonly ones: readonly (readonly number[])[];
  /** ones[code][0] per code, when each code sets exactly one feature (the usual case). */
  readonly single: readonly number[] | null;
}

/** Plain data (it is sent to the worker threads). */
export interface RawPlan {
  readonly k: number;
  readonly featureNames: readonly string[];
  /** Number inputs (doubles in a batch), then code inputs (int32), in the SELECT's column order. */
  readonly doubles: number;
  readonly ints: number;
  readonly scales: readonly ScaleStep[];
  readonly codes: readonly CodeStep[];
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const str = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function rawPlan(t: Transform): RawPlan {
  const scales: ScaleStep[] = [];
  const codes: CodeStep[] = [];
  const code = (at: number, ones: number[][]): CodeStep => ({ at, width: ones.length, ones, single: ones.every((o) => o.length === 1) ? ones.map((o) => o[0]!) : null });
  let at = 0;
  for (const s of t.steps) {
    if (s.kind === 'standard' || s.kind === 'robust') {
      const [center, scale] = s.kind === 'standard' ? [s.mean, s.std] : [s.median, s.iqr];
      scales.push({ at, impute: s.impute, lo: s.clip[0], hi: s.clip[1], center, scale });
      at += 1;
    } else if (s.kind === 'onehot') {
      const n = s.categories.length;
      // transformSql compares the value with every category, so a category listed twice sets both.
      const ones = s.categories.map((c) => s.categories.flatMap((d, j) => (d === c ? [j] : [])));
      ones.push([n]);
      codes.push(code(at, ones));
      at += n + 1;
    } else {
      codes.push(code(at, Array.from({ length: s.buckets }, (_, b) => [b])));
      at += s.buckets;
    }
  }
  if (at !== t.featureNames.length) throw new Error(`the transform's steps make ${at} features but it lists ${t.featureNames.length} names; re-run preprocess.`);
  return { k: at, featureNames: t.featureNames, doubles: scales.length, ints: codes.length, scales, codes };
}

/**
 * Source column types whose values DuckDB hands over as they are: each converts to the very double
 * CAST(x AS DOUBLE) gives (and half the bytes or less cross from DuckDB to JS). Other types (BIGINT,
 * DECIMAL, VARCHAR…) are cast in SQL.
 */
const EXACT_IN_JS = new Set(['DOUBLE', 'FLOAT', 'INTEGER', 'SMALLINT', 'TINYINT', 'UINTEGER', 'USMALLINT', 'UTINYINT']);

/** The narrowest unsigned type that holds codes 0 … width - 1. */
const codeType = (width: number) => (width <= 256 ? 'UTINYINT' : width <= 65536 ? 'USMALLINT' : 'INTEGER');

/**
 * A SELECT over `sourceSql` yielding the raw inputs of rawPlan(t): first one number per scaling
 * step (cast to DOUBLE unless `types`, the source's column types, says it converts exactly in JS),
 * then one code per category or hash step. A value that does not convert fails here, with
 * DuckDB's message, exactly as transformSql would.
 */
export function rawInputsSql(t: Transform, sourceSql: string, types?: ReadonlyMap<string, string>): string {
  const numbers: string[] = [];
  const codes: string[] = [];
  for (const s of t.steps) {
    const c = ident(s.column);
    if (s.kind === 'standard' || s.kind === 'robust') {
      numbers.push(EXACT_IN_JS.has(types?.get(s.column)?.toUpperCase() ?? '') ? c : `CAST(${c} AS DOUBLE)`);
    } else if (s.kind === 'onehot') {
      // The first category equal to the value (as transformSql's `=`), else the other bucket; NULL
      // matches nothing.
      const n = s.categories.length;
      const cases = s.categories.map((cat, i) => `WHEN ${str(cat)} THEN ${i}`).join(' ');
      codes.push(n ? `CAST(CASE CAST(${c} AS VARCHAR) ${cases} ELSE ${n} END AS ${codeType(n + 1)})` : 'CAST(0 AS UTINYINT)');
    } else {
      codes.push(`CAST(${hashBucketSql(c, s.buckets)} AS ${codeType(s.buckets)})`);
    }
  }
  const cols = [...numbers, ...codes].map((e, i) => `${e} AS __duckml_r${i}`);
  return `SELECT ${cols.join(', ')} FROM (${sourceSql}) AS __duckml_src`;
}

/** Bytes of one raw row in a batch buffer (numbers as doubles, then codes as int32, column by column). */
export function rawRowBytes(plan: RawPlan): number {
  return plan.doubles * 8 + plan.ints * 4;
}

/** Views of a raw batch: number input j is doubles[j·stride …]; code input j is ints[j·stride …]. */
export function rawViews(plan: RawPlan, buffer: ArrayBuffer, stride: number): { doubles: Float64Array; ints: Int32Array } {
  return { doubles: new Float64Array(buffer, 0, plan.doubles * stride), ints: new Int32Array(buffer, plan.doubles * stride * 8, plan.ints * stride) };
}

/** One column of a DuckDB data chunk, as the node API exposes it (vector.items, vector.validity). */
export interface RawVector {
  readonly items: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> };
  readonly validity: { readonly data: BigUint64Array | null };
}

/**
 * Copies rows [off, off + n) of a chunk of rawInputsSql's columns into a raw batch at row `at`,
 * converting to double (numbers) or int32 (codes) on the way. A NULL number becomes NaN, which
 * applyRaw imputes exactly as transformSql imputes NULL; codes are never NULL (the CASE has an
 * ELSE, the hash a coalesce).
 */
export function copyRawChunk(plan: RawPlan, vectors: readonly RawVector[], off: number, n: number, batch: { doubles: Float64Array; ints: Int32Array }, stride: number, at: number): void {
  for (let j = 0; j < plan.doubles + plan.ints; j++) {
    const v = vectors[j]!;
    if (!ArrayBuffer.isView(v.items) || v.items instanceof BigInt64Array || v.items instanceof BigUint64Array) {
      throw new Error(`internal: raw input ${j} is not a number type that converts exactly.`);
    }
    const part = v.items.subarray(off, off + n) as unknown as ArrayLike<number>;
    if (j < plan.doubles) {
      batch.doubles.set(part, j * stride + at);
      if (v.validity.data) markNulls(v.validity.data, off, n, batch.doubles, j * stride + at);
    } else {
      batch.ints.set(part, (j - plan.doubles) * stride + at);
    }
  }
}

/** Writes NaN to `to[at + i]` for each row off + i (i < n) that the validity mask marks NULL. */
function markNulls(validity: BigUint64Array, off: number, n: number, to: Float64Array, at: number): void {
  const words = new Uint32Array(validity.buffer, validity.byteOffset, validity.length * 2);
  for (let i = 0; i < n; ) {
    const bit = off + i;
    if ((bit & 31) === 0 && i + 32 <= n && words[bit >>> 5] === 0xffffffff) {
      i += 32; // all 32 valid
      continue;
    }
    if (((words[bit >>> 5]! >>> (bit & 31)) & 1) === 0) to[at + i] = Number.NaN;
    i++;
  }
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
  // Two loops, one kind of step each: mixing them in one loop makes V8 compile the hot inner
  // loops about 2× slower.
  for (let i = 0; i < plan.scales.length; i++) {
    const s = plan.scales[i]!;
    scaleColumn(raw.doubles.subarray(i * stride + from, i * stride + from + rows), x, s.at, k, s.impute, s.lo, s.hi, s.center, s.scale);
    // Rounding is monotonic, so every feature lies between those of lo and hi: only a step
    // whose bounds overflow FLOAT can produce one DuckDB would refuse.
    if (!(Math.fround(Math.abs((s.lo - s.center) / s.scale)) <= FLOAT_MAX && Math.fround(Math.abs((s.hi - s.center) / s.scale)) <= FLOAT_MAX)) overflow = true;
  }
  for (let i = 0; i < plan.codes.length; i++) {
    const s = plan.codes[i]!;
    const codes = raw.ints.subarray(i * stride + from, i * stride + from + rows);
    if (s.single) codeColumn(codes, x, s.at, k, s.single);
    else codeColumnMulti(codes, x, s.at, k, s.ones);
  }
  if (!overflow) return -1;
  for (let i = 0; i < rows * k; i++) if (!Number.isFinite(x[i]!)) return i;
  return -1;
}

/** One number step: x[at + r·k] for each row r. */
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
function codeColumn(codes: Int32Array, x: Float32Array, at: number, k: number, single: readonly number[]): void {
  for (let r = 0, o = at; r < codes.length; r++, o += k) {
    const j = single[codes[r]!];
    if (j === undefined) throw new Error(`internal: a raw code ${codes[r]} is outside 0…${single.length - 1}.`);
    x[o + j] = 1;
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
