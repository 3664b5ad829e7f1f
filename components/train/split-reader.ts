/**
 * Reads a processed split (notes/ml-contracts.md: `id`, `label`, `weight`, `features FLOAT[k]`)
 * into flat typed arrays, checking it on the way: a wrong column type, a NULL or NaN, a label
 * other than 0/1 is an error that names the file, the column, the first bad row and the fix.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { describeQuery, openDuckDB, queryRows, sqlString, type ColumnInfo } from '../../warehouse/duckdb';

export interface SplitData {
  readonly file: string;
  readonly rows: number;
  /** Features per row. */
  readonly k: number;
  /** rows × k, row-major. */
  readonly features: Float32Array;
  /** 0/1 per row (absent when the split was read without labels). */
  readonly labels?: Float32Array;
  /** Per-row weight (class weight or 1); all 1 when the split has no weight column. */
  readonly weights: Float32Array;
  readonly positives: number;
}

export interface ReadSplitOptions {
  /** Names the split in errors, e.g. "train split". */
  readonly what: string;
  /** Labels are required (train, evaluate) or ignored (scoring). */
  readonly needLabel: boolean;
  /** The feature count the model expects. */
  readonly expectK?: number;
  readonly conn?: DuckDBConnection;
  /** Allocate the arrays on SharedArrayBuffers (gradient worker threads read them without a copy). */
  readonly shared?: boolean;
}

const FIX = 'Re-run preprocess (its transform imputes missing values and writes FLOAT[k] features).';

/** `FLOAT[30]` → 30; a list (`FLOAT[]`, what Parquet gives back) → 'list'; anything else → undefined. */
export function arrayWidth(type: string): number | 'list' | undefined {
  const m = /^(FLOAT|DOUBLE|REAL|DECIMAL\(\d+,\d+\))\[(\d*)\]$/i.exec(type.trim());
  if (!m) return undefined;
  return m[2] === '' ? 'list' : Number(m[2]);
}

/** Checks column types; returns the feature width when the type fixes it, 'list' when the data must tell. */
export function checkSplitColumns(cols: readonly ColumnInfo[], opts: Pick<ReadSplitOptions, 'what' | 'needLabel' | 'expectK'> & { file: string }): number | 'list' {
  const where = `${opts.what} (${opts.file})`;
  const byName = new Map(cols.map((c) => [c.name, c.type]));
  const have = cols.map((c) => `${c.name} ${c.type}`).join(', ');
  const ft = byName.get('features');
  if (ft === undefined) throw new Error(`${where} has no 'features' column (columns: ${have}). Expected a processed split: id, label, weight, features FLOAT[k]. ${FIX}`);
  const k = arrayWidth(ft);
  if (k === undefined) throw new Error(`${where}: column 'features' is ${ft}; expected an array of floats such as FLOAT[30]. ${FIX}`);
  if (k === 0) throw new Error(`${where}: column 'features' is ${ft}, with no features. ${FIX}`);
  if (opts.expectK !== undefined && typeof k === 'number' && k !== opts.expectK) {
    throw new Error(`${where}: features has ${k} values per row but the model expects ${opts.expectK}. Score data with the transform the model was trained with.`);
  }
  if (opts.needLabel) {
    const lt = byName.get('label');
    if (lt === undefined) throw new Error(`${where} has no 'label' column (columns: ${have}); training and evaluation need labelled rows. Check the transform's labelColumn.`);
    if (!/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|BOOLEAN)$/i.test(lt)) {
      throw new Error(`${where}: column 'label' is ${lt}; expected an integer 0/1 (or BOOLEAN). Map the label to 0/1 in the extract query.`);
    }
  }
  const wt = byName.get('weight');
  if (wt !== undefined && !/^(FLOAT|DOUBLE|REAL|DECIMAL.*|U?(TINY|SMALL|BIG)?INT(EGER)?)$/i.test(wt)) {
    throw new Error(`${where}: column 'weight' is ${wt}; expected a number (class weight or 1).`);
  }
  return k;
}

/** First row (1-based) where `bad` holds, as text for an error. */
async function firstBad(conn: DuckDBConnection, file: string, cond: string): Promise<string> {
  const rows = await queryRows(conn, `SELECT n, id FROM (SELECT row_number() OVER () AS n, * FROM read_parquet(${sqlString(file)})) WHERE ${cond} LIMIT 1`).catch(() => []);
  const r = rows[0];
  return r ? `row ${r.n}${r.id !== undefined && r.id !== null ? ` (id '${r.id}')` : ''}` : 'some row';
}

export async function readSplit(file: string, opts: ReadSplitOptions): Promise<SplitData> {
  const db = opts.conn ? undefined : await openDuckDB(':memory:');
  const conn = opts.conn ?? db!.conn;
  try {
    return await read(conn, file, opts);
  } finally {
    db?.close();
  }
}

async function read(conn: DuckDBConnection, file: string, opts: ReadSplitOptions): Promise<SplitData> {
  const where = `${opts.what} (${file})`;
  let cols: ColumnInfo[];
  try {
    cols = await describeQuery(conn, `SELECT * FROM read_parquet(${sqlString(file)})`);
  } catch (e) {
    throw new Error(`${where} is not a readable Parquet file: ${(e as Error).message.split('\n')[0]}`);
  }
  const declaredK = checkSplitColumns(cols, { ...opts, file });
  const hasWeight = cols.some((c) => c.name === 'weight');
  const src = `read_parquet(${sqlString(file)})`;

  // Row-level NULLs and bad labels are cheapest to find in SQL; NaNs inside the arrays in the copy loop.
  const checks = [`count(*) AS n`, `count(*) FILTER (WHERE features IS NULL) AS null_features`, `min(len(features)) AS min_k`, `max(len(features)) AS max_k`];
  if (opts.needLabel) checks.push(`count(*) FILTER (WHERE label IS NULL) AS null_label`, `count(*) FILTER (WHERE label::DOUBLE NOT IN (0, 1)) AS bad_label`, `count(*) FILTER (WHERE label::DOUBLE = 1) AS positives`);
  if (hasWeight) checks.push(`count(*) FILTER (WHERE weight IS NULL OR isnan(weight::DOUBLE) OR weight::DOUBLE < 0 OR isinf(weight::DOUBLE)) AS bad_weight`);
  const stats = (await queryRows(conn, `SELECT ${checks.join(', ')} FROM ${src}`))[0]!;
  const rows = Number(stats.n);
  if (rows === 0) throw new Error(`${where} has no rows. Check the extract query's date range and the split fractions.`);
  if (Number(stats.null_features) > 0) {
    throw new Error(`${where}: ${stats.null_features} rows have NULL features, first at ${await firstBad(conn, file, 'features IS NULL')}. ${FIX}`);
  }
  if (opts.needLabel) {
    if (Number(stats.null_label) > 0) {
      throw new Error(`${where}: ${stats.null_label} rows have a NULL label, first at ${await firstBad(conn, file, 'label IS NULL')}. Drop unlabelled rows in the extract query.`);
    }
    if (Number(stats.bad_label) > 0) {
      throw new Error(`${where}: ${stats.bad_label} rows have a label other than 0 or 1, first at ${await firstBad(conn, file, 'label::DOUBLE NOT IN (0, 1)')}. Binary classification needs labels 0/1.`);
    }
  }
  if (hasWeight && Number(stats.bad_weight) > 0) {
    throw new Error(`${where}: ${stats.bad_weight} rows have a NULL, NaN, infinite or negative weight, first at ${await firstBad(conn, file, 'weight IS NULL OR isnan(weight::DOUBLE) OR weight::DOUBLE < 0 OR isinf(weight::DOUBLE)')}. ${FIX}`);
  }

  // Parquet keeps FLOAT[k] as a list: every row must then have the same length.
  const minK = Number(stats.min_k);
  const maxK = Number(stats.max_k);
  if (minK !== maxK) {
    throw new Error(`${where}: rows have between ${minK} and ${maxK} features, first short one at ${await firstBad(conn, file, `len(features) <> ${maxK}`)}; every row needs the same number. ${FIX}`);
  }
  const k = typeof declaredK === 'number' ? declaredK : maxK;
  if (k === 0) throw new Error(`${where}: the features arrays are empty. ${FIX}`);
  if (opts.expectK !== undefined && k !== opts.expectK) {
    throw new Error(`${where}: features has ${k} values per row but the model expects ${opts.expectK}. Score data with the transform the model was trained with.`);
  }
  const alloc = (n: number) => (opts.shared ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n));
  const features = alloc(rows * k);
  const labels = opts.needLabel ? alloc(rows) : undefined;
  const weights = alloc(rows).fill(1);
  const select = [`features::FLOAT[${k}] AS features`, opts.needLabel ? 'label::FLOAT AS label' : '', hasWeight ? 'weight::FLOAT AS weight' : ''].filter(Boolean).join(', ');
  const result = await conn.run(`SELECT ${select} FROM ${src}`);
  let n = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const rc = chunk.rowCount;
    if (n + rc > rows) throw new Error(`${where} changed while it was being read.`);
    const fv = chunk.getColumnVector(0) as unknown as { childData: { items: Float32Array; validity: ValidityLike } };
    const items = fv.childData.items;
    const bad = firstInvalid(items, rc * k, fv.childData.validity);
    if (bad >= 0) {
      const row = n + Math.floor(bad / k) + 1;
      const feature = bad % k;
      throw new Error(`${where}: features has a NULL, NaN or infinite value at row ${row}, feature ${feature}. ${FIX}`);
    }
    features.set(items.subarray(0, rc * k), n * k);
    let col = 1;
    if (labels) labels.set((chunk.getColumnVector(col++) as unknown as { items: Float32Array }).items.subarray(0, rc), n);
    if (hasWeight) weights.set((chunk.getColumnVector(col++) as unknown as { items: Float32Array }).items.subarray(0, rc), n);
    n += rc;
  }
  if (n !== rows) throw new Error(`${where}: read ${n} rows, expected ${rows}; was the file changed while it was read?`);
  const positives = opts.needLabel ? Number(stats.positives) : 0;
  return { file, rows, k, features, labels, weights, positives };
}

interface ValidityLike {
  readonly data: BigUint64Array | null;
  itemValid(i: number): boolean;
}

const ALL = 0xffffffffffffffffn;

/** Index of the first NULL, NaN or infinity among the first `count` items, or -1. */
export function firstInvalid(items: Float32Array, count: number, validity?: ValidityLike): number {
  for (let i = 0; i < count; i++) {
    const v = items[i]!;
    if (v - v !== 0) return i; // NaN and ±Infinity

  }
  const data = validity?.data;
  if (data) {
    const words = Math.ceil(count / 64);
    for (let w = 0; w < words; w++) {
      if (data[w] === ALL) continue;
      for (let i = w * 64; i < Math.min(count, (w + 1) * 64); i++) if (!validity!.itemValid(i)) return i;
    }
  }
  return -1;
}

/** Both classes must be present to learn or to measure a ranking. */
export function requireBothClasses(split: SplitData, what: string, fix: string): void {
  if (split.positives === 0 || split.positives === split.rows) {
    const only = split.positives === 0 ? '0 (negative)' : '1 (positive)';
    throw new Error(`${what} (${split.file}) has a single class: all ${split.rows} labels are ${only}. ${fix}`);
  }
}
