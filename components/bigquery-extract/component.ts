/**
 * bigquery-extract: runs a SQL query with named parameters (`@name`, values never spliced into
 * the SQL) on a warehouse and writes the result as a Dataset artifact (Parquet) with its schema
 * and row count in metadata. `bq://PROJECT[.DATASET]` runs a BigQuery job (recorded in
 * gcp_resources); `duckdb://PATH` runs the same query on the embedded DuckDB warehouse.
 */
import * as dsl from '../../dsl';
import { DEFAULT_WAREHOUSE_URI, parseWarehouseUri } from '../../warehouse/uri';
import type { ExtractRequest, ExtractResult } from './request';

export const bigqueryExtract = dsl.component({
  name: 'bigquery-extract',
  description: 'Runs a parameterized SQL query on BigQuery (bq://) or DuckDB (duckdb://) and writes the result as a Parquet Dataset.',
  inputs: {
    query: dsl.string({ description: 'Standard SQL; reference parameters as @name.' }),
    warehouse: dsl.string({ default: DEFAULT_WAREHOUSE_URI, description: 'bq://PROJECT[.DATASET] or duckdb://PATH' }),
    params: dsl.struct({ default: {}, description: 'Named query parameter values, e.g. { start: "2025-01-01", limit: 1000 }.' }),
    paramTypes: dsl.struct({ default: {}, description: 'BigQuery types where the value does not say, e.g. { start: "DATE" }.' }),
    location: dsl.string({ default: '', description: 'BigQuery job location (US, EU, europe-west4, …).' }),
    labels: dsl.struct({ default: {}, description: 'BigQuery job labels.' }),
    allowEmpty: dsl.bool({ default: false, description: 'Write an empty dataset instead of failing when no row matches.' }),
  },
  outputs: {
    dataset: dsl.Dataset,
    gcp_resources: dsl.string(),
  },
  async run(inputs, { dataset }, ctx) {
    const warehouse = parseWarehouseUri(inputs.warehouse);
    const req: ExtractRequest = {
      query: inputs.query,
      params: inputs.params,
      paramTypes: inputs.paramTypes,
      location: inputs.location || undefined,
      labels: inputs.labels as Record<string, string>,
      allowEmpty: inputs.allowEmpty,
      log: (m) => ctx.log(m),
    };
    let result: ExtractResult;
    try {
      if (warehouse.kind === 'duckdb') {
        // require, not import(): loaded lazily, and the executor's .ts hook serves require only.
        const { extractFromDuckDB } = require('./duckdb') as typeof import('./duckdb');
        result = await extractFromDuckDB(warehouse, req, dataset.path);
      } else {
        const { extractFromBigQuery } = require('./bigquery') as typeof import('./bigquery');
        const { bigQueryClientFromEnv } = require('../../warehouse/bigquery-client') as typeof import('../../warehouse/bigquery-client');
        result = await extractFromBigQuery(warehouse, req, dataset.path, { client: bigQueryClientFromEnv() });
      }
    } catch (e) {
      throw new Error(`bigquery-extract: ${(e as Error).message}`);
    }
    dataset.metadata.rows = result.rows;
    dataset.metadata.columns = result.columns.map((c) => ({ name: c.name, type: c.type }));
    dataset.metadata.format = 'parquet';
    dataset.metadata.warehouse = warehouse.uri;
    ctx.log(`${result.rows} rows × ${result.columns.length} columns → ${dataset.uri}`);
    return { gcp_resources: result.gcpResources };
  },
});
