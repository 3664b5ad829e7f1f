/**
 * The fitted transform (notes/ml-contracts.md): `transform.json` in the Transform artifact's
 * folder. Preprocess writes it; training, evaluation and batch prediction apply it verbatim
 * through transformSql (DuckDB) or applyTransform (in memory), which compute the same float32
 * features bit for bit, so there is no train/serve skew. Batch prediction computes them a third
 * way (components/batch-predict/raw-transform.ts); change all three together —
 * test/components/raw-transform.test.ts compares them on demo data.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commit, removeQuietly, tempBeside } from '../../warehouse/atomic';

export type Step =
  | { column: string; kind: 'standard'; mean: number; std: number; impute: number; clip: [number, number] }
  | { column: string; kind: 'robust'; median: number; iqr: number; impute: number; clip: [number, number] }
  | { column: string; kind: 'onehot'; categories: string[]; other: true }
  | { column: string; kind: 'hash'; buckets: number };

export interface Transform {
  version: 1;
  idColumn: string;
  labelColumn?: string;
  featureNames: string[];
  steps: Step[];
}

export const TRANSFORM_FILE = 'transform.json';
export const OTHER = '__other__';

/** Feature names in order: `col` for numbers, `col=value` and `col=__other__` for one-hot, `col#i` for hash buckets. */
export function featureNamesOf(steps: readonly Step[]): string[] {
  const names: string[] = [];
  for (const s of steps) {
    if (s.kind === 'standard' || s.kind === 'robust') names.push(s.column);
    else if (s.kind === 'onehot') names.push(...s.categories.map((c) => `${s.column}=${c}`), `${s.column}=${OTHER}`);
    else for (let i = 0; i < s.buckets; i++) names.push(`${s.column}#${i}`);
  }
  return names;
}

function fail(where: string, what: string): never {
  throw new Error(`${where}: ${what}. It should be what duckml's preprocess component writes (notes/ml-contracts.md); re-run preprocess to regenerate it.`);
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks a parsed transform.json and returns it typed. */
export function parseTransform(json: unknown, where = TRANSFORM_FILE): Transform {
  const t = json as Partial<Transform> | null;
  if (!t || typeof t !== 'object') fail(where, 'is not a JSON object');
  if (t.version !== 1) fail(where, `has version ${JSON.stringify(t.version)}; this duckml reads version 1`);
  if (typeof t.idColumn !== 'string' || !t.idColumn) fail(where, "has no 'idColumn'");
  if (t.labelColumn !== undefined && typeof t.labelColumn !== 'string') fail(where, "'labelColumn' is not a string");
  if (!Array.isArray(t.steps) || t.steps.length === 0) fail(where, "has no 'steps'");
  t.steps.forEach((s, i) => {
    const at = `step ${i} (${JSON.stringify((s as Step)?.column)})`;
    if (!s || typeof s.column !== 'string') fail(where, `${at} has no column`);
    if (s.kind === 'standard' || s.kind === 'robust') {
      const nums = s.kind === 'standard' ? [s.mean, s.std] : [s.median, s.iqr];
      if (!nums.every(finite) || !finite(s.impute) || !Array.isArray(s.clip) || !s.clip.every(finite)) fail(where, `${at} has non-numeric statistics`);
      if (!(nums[1]! > 0)) fail(where, `${at} has a scale of ${nums[1]}; it must be > 0`);
      if (!(s.clip[0] <= s.clip[1])) fail(where, `${at} has clip bounds out of order`);
    } else if (s.kind === 'onehot') {
      if (!Array.isArray(s.categories) || !s.categories.every((c) => typeof c === 'string') || s.other !== true) fail(where, `${at} has bad categories`);
    } else if (s.kind === 'hash') {
      if (!Number.isInteger(s.buckets) || s.buckets < 1) fail(where, `${at} has ${s.buckets} buckets`);
    } else {
      fail(where, `${at} has unknown kind ${JSON.stringify((s as { kind?: unknown }).kind)}`);
    }
  });
  const expected = featureNamesOf(t.steps);
  if (!Array.isArray(t.featureNames) || t.featureNames.length !== expected.length || t.featureNames.some((n, i) => n !== expected[i])) {
    fail(where, `lists ${t.featureNames?.length ?? 0} feature names but its steps make ${expected.length}`);
  }
  return t as Transform;
}

/** Reads a transform from an artifact folder (or a transform.json path). */
export function readTransform(dirOrFile: string): Transform {
  const file = fs.existsSync(dirOrFile) && fs.statSync(dirOrFile).isDirectory() ? path.join(dirOrFile, TRANSFORM_FILE) : dirOrFile;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`no transform at ${file}: pass the Transform artifact that preprocess wrote (a folder holding ${TRANSFORM_FILE}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}); re-run preprocess to regenerate it.`);
  }
  return parseTransform(json, file);
}

/** Writes `dir/transform.json` as a new folder, atomically (temp folder, then rename). */
export function writeTransformDir(dir: string, t: Transform): void {
  const tmp = tempBeside(dir);
  try {
    fs.mkdirSync(tmp);
    fs.writeFileSync(path.join(tmp, TRANSFORM_FILE), `${JSON.stringify(t, null, 2)}\n`);
    commit(tmp, dir);
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
}

// ------------------------------------------------------------------ SQL (DuckDB)

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const str = (s: string) => `'${s.replace(/'/g, "''")}'`;
// Through a string so DuckDB parses the shortest round-trip form to the very same double.
const num = (x: number) => `CAST('${x}' AS DOUBLE)`;

/** DuckDB expression for a hash bucket: the first 32 bits of md5(value) mod buckets ('' for NULL). */
export function hashBucketSql(valueSql: string, buckets: number): string {
  return `(CAST('0x' || substr(md5(coalesce(CAST(${valueSql} AS VARCHAR), '')), 1, 8) AS BIGINT) % ${buckets})`;
}

export interface TransformSqlOptions {
  /** Emit `label` (default: when the transform has a label column). Off for scoring data without labels. */
  readonly label?: boolean;
  /** Source columns to carry through unchanged, after label (e.g. a weight). */
  readonly passthrough?: readonly string[];
}

/**
 * A DuckDB SELECT over `sourceSql` yielding `id VARCHAR`, optional `label INTEGER`, any
 * passthrough columns, and `features FLOAT[k]`.
 */
export function transformSql(t: Transform, sourceSql: string, opts: TransformSqlOptions = {}): string {
  const hashCols: string[] = [];
  const exprs: string[] = [];
  t.steps.forEach((s, i) => {
    const c = ident(s.column);
    if (s.kind === 'standard' || s.kind === 'robust') {
      const x = `CAST(${c} AS DOUBLE)`;
      const v = `least(greatest(coalesce(CASE WHEN isfinite(${x}) THEN ${x} END, ${num(s.impute)}), ${num(s.clip[0])}), ${num(s.clip[1])})`;
      exprs.push(s.kind === 'standard' ? `(${v} - ${num(s.mean)}) / ${num(s.std)}` : `(${v} - ${num(s.median)}) / ${num(s.iqr)}`);
    } else if (s.kind === 'onehot') {
      const v = `CAST(${c} AS VARCHAR)`;
      for (const cat of s.categories) exprs.push(`CASE WHEN ${v} = ${str(cat)} THEN 1 ELSE 0 END`);
      exprs.push(s.categories.length ? `CASE WHEN ${v} IN (${s.categories.map(str).join(', ')}) THEN 0 ELSE 1 END` : '1');
    } else {
      const h = ident(`__duckml_h${i}`);
      hashCols.push(`${hashBucketSql(c, s.buckets)} AS ${h}`);
      for (let b = 0; b < s.buckets; b++) exprs.push(`CASE WHEN ${h} = ${b} THEN 1 ELSE 0 END`);
    }
  });
  const withLabel = opts.label ?? t.labelColumn !== undefined;
  if (withLabel && !t.labelColumn) throw new Error('transformSql: label requested but the transform has no labelColumn.');
  const cols = [`CAST(${ident(t.idColumn)} AS VARCHAR) AS id`];
  if (withLabel) cols.push(`CAST(${ident(t.labelColumn!)} AS INTEGER) AS label`);
  for (const p of opts.passthrough ?? []) cols.push(ident(p));
  cols.push(`[${exprs.join(', ')}]::FLOAT[${exprs.length}] AS features`);
  const from = hashCols.length ? `(SELECT *, ${hashCols.join(', ')} FROM (${sourceSql}) AS __duckml_src)` : `(${sourceSql})`;
  return `SELECT ${cols.join(', ')} FROM ${from} AS __duckml_t`;
}

// ------------------------------------------------------------------ in memory

/** The first 32 bits of md5(value) mod buckets, as hashBucketSql computes it. */
export function hashBucket(value: string | null, buckets: number): number {
  const hex = crypto.createHash('md5').update(value ?? '', 'utf8').digest('hex');
  return parseInt(hex.slice(0, 8), 16) % buckets;
}

export interface TransformedRows {
  readonly ids: string[];
  /** Present when labels were requested. */
  readonly labels?: Int32Array;
  /** Row-major, rows × featureCount, float32 as in the Parquet splits. */
  readonly features: Float32Array;
  readonly featureCount: number;
}

function toNumber(v: unknown, column: string, row: number): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    if (v.trim() !== '' && !Number.isNaN(n)) return Number.isFinite(n) ? n : null;
    if (/^[+-]?(nan|inf|infinity)$/i.test(v.trim())) return null;
  }
  throw new Error(`applyTransform: row ${row}, column '${column}': ${JSON.stringify(v)} is not a number.`);
}

function toText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return String(v);
}

/** Applies the transform to plain row objects (tests and small batches). */
export function applyTransform(t: Transform, rows: readonly Record<string, unknown>[], opts: { label?: boolean } = {}): TransformedRows {
  const k = t.featureNames.length;
  const withLabel = opts.label ?? t.labelColumn !== undefined;
  const features = new Float32Array(rows.length * k);
  const ids: string[] = new Array(rows.length);
  const labels = withLabel ? new Int32Array(rows.length) : undefined;
  const needed = [t.idColumn, ...(withLabel ? [t.labelColumn!] : []), ...t.steps.map((s) => s.column)];
  rows.forEach((r, i) => {
    for (const c of needed) if (!(c in r)) throw new Error(`applyTransform: row ${i} has no column '${c}' (the transform needs ${[...new Set(needed)].join(', ')}).`);
    const id = toText(r[t.idColumn]);
    if (id === null) throw new Error(`applyTransform: row ${i} has a null id in '${t.idColumn}'.`);
    ids[i] = id;
    if (labels) {
      const l = toNumber(r[t.labelColumn!], t.labelColumn!, i);
      if (l === null) throw new Error(`applyTransform: row ${i} has no label in '${t.labelColumn}'.`);
      labels[i] = Math.trunc(l);
    }
    let j = i * k;
    for (const s of t.steps) {
      const v = r[s.column];
      if (s.kind === 'standard' || s.kind === 'robust') {
        const x = toNumber(v, s.column, i);
        let c = x === null ? s.impute : x;
        // greatest(c, lo) then least(c, hi) as DuckDB picks: the first argument unless the other is
        // strictly greater (less), so -0.0 stays -0.0 where Math.max would make it +0.
        if (s.clip[0] > c) c = s.clip[0];
        if (s.clip[1] < c) c = s.clip[1];
        features[j++] = s.kind === 'standard' ? (c - s.mean) / s.std : (c - s.median) / s.iqr;
      } else if (s.kind === 'onehot') {
        const x = toText(v);
        // Each category compared, as transformSql does (a category listed twice sets both).
        for (const c of s.categories) features[j++] = c === x ? 1 : 0;
        features[j++] = x === null || !s.categories.includes(x) ? 1 : 0;
      } else {
        const b = hashBucket(toText(v), s.buckets);
        for (let c = 0; c < s.buckets; c++) features[j++] = c === b ? 1 : 0;
      }
    }
  });
  return { ids, labels, features, featureCount: k };
}
