/**
 * Warehouse URIs (notes/ml-contracts.md):
 *   duckdb:///abs/path/warehouse.duckdb   an embedded DuckDB file (absolute path)
 *   duckdb://rel/path/warehouse.duckdb    the same, relative to the working folder
 *   bq://PROJECT[.DATASET]                BigQuery, optionally with a default dataset
 */
import * as path from 'node:path';

/** Where `duckml demo-data` builds the local warehouse, relative to the project root. */
export const DEFAULT_WAREHOUSE_PATH = path.join('.duckml', 'warehouse.duckdb');
export const DEFAULT_WAREHOUSE_URI = `duckdb://${DEFAULT_WAREHOUSE_PATH.split(path.sep).join('/')}`;

export type WarehouseRef =
  | { readonly kind: 'duckdb'; readonly uri: string; readonly path: string }
  | { readonly kind: 'bigquery'; readonly uri: string; readonly project: string; readonly dataset?: string };

const FORMS = "Use duckdb:///abs/path/warehouse.duckdb, duckdb://relative/path.duckdb or bq://PROJECT[.DATASET].";
// GCP project ids: 6–30 chars, lower case, digits, hyphens; domain-scoped ones carry 'example.com:'.
const PROJECT = /^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const DATASET = /^[A-Za-z0-9_]{1,1024}$/;

export function parseWarehouseUri(uri: string, cwd = process.cwd()): WarehouseRef {
  if (typeof uri !== 'string' || uri.trim() === '') throw new Error(`warehouse URI is empty. ${FORMS}`);
  const s = uri.trim();
  if (s.startsWith('duckdb://')) {
    const rest = decodeURIComponent(s.slice('duckdb://'.length));
    if (rest === '' || rest === '/') throw new Error(`warehouse URI '${uri}' names no DuckDB file. ${FORMS}`);
    return { kind: 'duckdb', uri: s, path: path.resolve(cwd, rest) };
  }
  if (s.startsWith('bq://')) {
    const rest = s.slice('bq://'.length).replace(/\/+$/, '');
    // The dataset follows the last dot: project ids may contain dots only in their domain prefix.
    const colon = rest.indexOf(':');
    const dot = rest.indexOf('.', colon + 1);
    const project = dot < 0 ? rest : rest.slice(0, dot);
    const dataset = dot < 0 ? undefined : rest.slice(dot + 1);
    if (!PROJECT.test(project)) {
      throw new Error(`warehouse URI '${uri}': '${project}' is not a Google Cloud project id (6–30 lower-case letters, digits, hyphens). ${FORMS}`);
    }
    if (dataset !== undefined && !DATASET.test(dataset)) {
      throw new Error(`warehouse URI '${uri}': '${dataset}' is not a BigQuery dataset id (letters, digits, underscores). ${FORMS}`);
    }
    return { kind: 'bigquery', uri: s, project, dataset };
  }
  throw new Error(`warehouse URI '${uri}' has an unknown scheme. ${FORMS}`);
}

/** The duckdb:// URI for a local file path. */
export function duckdbUri(file: string): string {
  const abs = path.resolve(file);
  return `duckdb://${abs.split(path.sep).join('/')}`;
}
