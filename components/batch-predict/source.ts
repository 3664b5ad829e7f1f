/**
 * What batch-predict scores: a Dataset (Parquet of raw rows) or a query against the DuckDB
 * warehouse. Rows are read twice (features to score, then ids to label the scores, matched by
 * position), so the source must give the same order both times: a Parquet file does; a query
 * is materialised into a scratch table first.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlString } from '../../warehouse/duckdb';
import { DEFAULT_WAREHOUSE_URI, parseWarehouseUri } from '../../warehouse/uri';

/** A scratch database with two connections: a streaming result holds its connection. */
export interface ScratchDb {
  readonly conn: DuckDBConnection;
  readonly appendConn: DuckDBConnection;
  /** A third connection: the next window's query runs on it while the current one is read. */
  readonly prefetchConn: DuckDBConnection;
  close(): void;
}

export interface Source {
  readonly db: ScratchDb;
  /** A SELECT yielding the raw rows in a fixed order. */
  readonly sql: string;
  /**
   * The rows [start, end) of `sql`, in the same order. Scoring streams the source window by
   * window, on two connections taking turns (the next window's query starts while this one is read).
   */
  window(start: number, end: number): string;
  readonly rows: number;
  readonly describe: string;
  /** The warehouse file, when the rows came from one. */
  readonly warehouseFile?: string;
  close(): void;
}

/** A scratch DuckDB that may spill to disk, for scores and materialised queries. */
async function scratch(): Promise<{ db: ScratchDb; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-predict-'));
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: dir, memory_limit: '512MB' });
  const conn = await instance.connect();
  const appendConn = await instance.connect();
  const prefetchConn = await instance.connect();
  let closed = false;
  return {
    db: {
      conn,
      appendConn,
      prefetchConn,
      close() {
        if (closed) return;
        closed = true;
        prefetchConn.closeSync();
        appendConn.closeSync();
        conn.closeSync();
        instance.closeSync();
      },
    },
    dir,
  };
}

export async function openSource(opts: { dataPath?: string; query?: string; warehouse?: string }): Promise<Source> {
  const hasData = Boolean(opts.dataPath);
  const hasQuery = Boolean(opts.query && opts.query.trim());
  if (hasData === hasQuery) {
    throw new Error(`batch-predict scores either a Dataset ('data') or a warehouse query ('query'); ${hasData ? 'both were' : 'neither was'} given.`);
  }
  const { db, dir } = await scratch();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (hasData) {
      const sql = `SELECT * FROM read_parquet(${sqlString(opts.dataPath!)})`;
      let rows: number;
      try {
        rows = Number((await queryRows(db.conn, `SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(opts.dataPath!)})`))[0]!.n);
      } catch (e) {
        throw new Error(`input 'data' (${opts.dataPath}) is not a readable Parquet file: ${(e as Error).message.split('\n')[0]}`);
      }
      const file = sqlString(opts.dataPath!);
      // file_row_number ranges prune whole row groups, so a window reads only its part of the file.
      const window = (a: number, b: number) =>
        `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${file}, file_row_number = true) WHERE file_row_number >= ${a} AND file_row_number < ${b}`;
      return { db, sql, window, rows, describe: opts.dataPath!, close };
    }
    const wh = parseWarehouseUri(opts.warehouse || DEFAULT_WAREHOUSE_URI);
    if (wh.kind !== 'duckdb') {
      throw new Error(`batch-predict queries DuckDB warehouses; '${wh.uri}' is BigQuery. Extract the rows to a Dataset with bigquery-extract and pass it as 'data'.`);
    }
    if (!fs.existsSync(wh.path)) throw new Error(`warehouse ${wh.uri} does not exist (${wh.path}). Create it with 'duckml demo-data' or pass another 'warehouse'.`);
    await db.conn.run(`ATTACH ${sqlString(wh.path)} AS wh (READ_ONLY)`);
    await db.conn.run('USE wh');
    try {
      await db.conn.run(`CREATE TABLE memory.main.duckml_source AS ${opts.query}`);
    } catch (e) {
      throw new Error(`the warehouse query failed: ${(e as Error).message.split('\n')[0]}\n  query: ${opts.query!.trim().slice(0, 400)}`);
    }
    await db.conn.run('USE memory');
    await db.conn.run('DETACH wh');
    const rows = Number((await queryRows(db.conn, `SELECT count(*)::BIGINT AS n FROM duckml_source`))[0]!.n);
    const window = (a: number, b: number) => `SELECT * FROM duckml_source WHERE rowid >= ${a} AND rowid < ${b}`;
    return { db, sql: `SELECT * FROM duckml_source`, window, rows, describe: `${wh.uri}: ${opts.query!.trim().replace(/\s+/g, ' ').slice(0, 120)}`, warehouseFile: wh.path, close };
  } catch (e) {
    close();
    throw e;
  }
}
