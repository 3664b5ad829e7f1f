/**
 * DuckDB helpers shared by the warehouse and the ML components: open/close, small typed reads,
 * identifier/literal quoting, and query → Parquet export written atomically.
 */
import * as fs from 'node:fs';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { commit, removeQuietly, tempBeside } from './atomic';

export type { DuckDBConnection } from '@duckdb/node-api';

export interface OpenOptions {
  /** Open the file read-only so several readers (parallel tasks) can share it. */
  readonly readOnly?: boolean;
  /** Where DuckDB spills when a query outgrows memory. */
  readonly tempDirectory?: string;
  readonly memoryLimit?: string;
  readonly threads?: number;
}

export interface Db {
  readonly conn: DuckDBConnection;
  close(): void;
}

/** Opens a DuckDB file (or ':memory:'). */
export async function openDuckDB(file: string, opts: OpenOptions = {}): Promise<Db> {
  const config: Record<string, string> = {};
  if (opts.readOnly) config.access_mode = 'READ_ONLY';
  if (opts.tempDirectory) config.temp_directory = opts.tempDirectory;
  if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
  if (opts.threads) config.threads = String(opts.threads);
  const instance = await DuckDBInstance.create(file, config);
  const conn = await instance.connect();
  let closed = false;
  return {
    conn,
    close() {
      if (closed) return;
      closed = true;
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Runs `fn` with a connection to `file` and always closes it. */
export async function withDuckDB<T>(file: string, opts: OpenOptions, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const db = await openDuckDB(file, opts);
  try {
    return await fn(db.conn);
  } finally {
    db.close();
  }
}

export type Row = Record<string, unknown>;

/** Rows as plain JSON-ish objects (integers → number when exact, DATE → 'YYYY-MM-DD', lists → arrays). */
export async function queryRows(conn: DuckDBConnection, sql: string, params?: Record<string, DuckDBValue>): Promise<Row[]> {
  const reader = await conn.runAndReadAll(sql, params);
  const names = reader.columnNames();
  const bigInts = reader.columnTypes().map((t) => /^(U?BIGINT|U?HUGEINT)$/.test(t.toString()));
  return reader.getRowObjectsJson().map((r) => {
    const o: Row = {};
    names.forEach((k, i) => {
      const v = r[k];
      o[k] = bigInts[i] && typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : v;
    });
    return o;
  });
}

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${String(s).replace(/'/g, "''")}'`;
}
/** A quoted SQL identifier. */
export function sqlIdent(s: string): string {
  return `"${String(s).replace(/"/g, '""')}"`;
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
}

/** Column names and DuckDB types of a query's result, without running it to completion. */
export async function describeQuery(conn: DuckDBConnection, selectSql: string, params?: Record<string, DuckDBValue>): Promise<ColumnInfo[]> {
  const rows = await queryRows(conn, `DESCRIBE ${selectSql}`, params);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** Column names and types of a Parquet file. */
export function parquetColumns(conn: DuckDBConnection, file: string): Promise<ColumnInfo[]> {
  return describeQuery(conn, `SELECT * FROM read_parquet(${sqlString(file)})`);
}

/** Row count of a Parquet file, from its footer. */
export async function parquetRowCount(conn: DuckDBConnection, file: string): Promise<number> {
  const rows = await queryRows(conn, `SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(file)})`);
  return Number(rows[0]!.n);
}

/** Writes a query's result to a Parquet file (no atomicity: pass a temporary path). */
export async function copyToParquet(conn: DuckDBConnection, selectSql: string, file: string, params?: Record<string, DuckDBValue>): Promise<void> {
  await conn.run(`COPY (${selectSql}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`, params);
}

export interface ParquetExport {
  readonly rows: number;
  readonly columns: ColumnInfo[];
}

/**
 * Writes a query's result to `target` as Parquet, atomically; `check` may reject the result
 * (e.g. empty) before it is put in place.
 */
export async function exportParquet(
  conn: DuckDBConnection,
  selectSql: string,
  target: string,
  opts: { params?: Record<string, DuckDBValue>; check?: (e: ParquetExport) => void } = {},
): Promise<ParquetExport> {
  const tmp = tempBeside(target, '.parquet');
  try {
    await copyToParquet(conn, selectSql, tmp, opts.params);
    const result = { rows: await parquetRowCount(conn, tmp), columns: await parquetColumns(conn, tmp) };
    opts.check?.(result);
    commit(tmp, target);
    return result;
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
}

/** True when `file` exists and is a regular file. */
export function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
