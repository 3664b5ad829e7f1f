/**
 * Extraction on the embedded DuckDB warehouse: the query runs read-only (several tasks may read
 * the file at once) and streams straight into a Parquet file through COPY, in bounded memory.
 */
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { exportParquet, isFile, queryRows, withDuckDB } from '../../warehouse/duckdb';
import { checkParams, toDuckdbSql } from '../../warehouse/sql-params';
import { emptyResultError, singleStatement, type ExtractRequest, type ExtractResult } from './request';

export async function extractFromDuckDB(warehouse: { uri: string; path: string }, req: ExtractRequest, target: string): Promise<ExtractResult> {
  const query = singleStatement(req.query);
  const checked = checkParams(query, { ...req.params }, { ...req.paramTypes });
  if (!isFile(warehouse.path)) {
    throw new Error(`no DuckDB warehouse at ${warehouse.path} (from '${warehouse.uri}'). Build the demo one with 'duckml demo-data', or pass the right duckdb:// URI.`);
  }
  const values: Record<string, DuckDBValue> = {};
  for (const [k, v] of Object.entries(checked.values)) values[k] = Array.isArray(v) ? listValue(v) : (v as DuckDBValue);
  const sql = toDuckdbSql(query, checked);
  return withDuckDB(warehouse.path, { readOnly: true }, async (conn) => {
    req.log?.(`running the query on ${warehouse.uri}`);
    try {
      const out = await exportParquet(conn, sql, target, {
        params: values,
        check: (e) => {
          if (e.rows === 0 && !req.allowEmpty) throw emptyResultError(warehouse.uri);
        },
      });
      return { rows: out.rows, columns: out.columns, gcpResources: JSON.stringify({ resources: [] }) };
    } catch (e) {
      const msg = (e as Error).message;
      if (/(Parser|Binder|Catalog|Conversion|Invalid Input|Out of Range|Not implemented) Error/.test(msg)) {
        const tables = (await queryRows(conn, 'SELECT table_name FROM information_schema.tables ORDER BY 1')).map((r) => r.table_name);
        const hint = /Parser Error/.test(msg) ? 'The query must be one SELECT (or WITH … SELECT) statement. ' : '';
        throw new Error(`the query failed on ${warehouse.uri}: ${msg}\n${hint}Fix the SQL; the warehouse has tables: ${tables.join(', ') || '(none)'}.`);
      }
      throw e;
    }
  });
}
