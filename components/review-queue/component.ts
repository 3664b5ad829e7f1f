/**
 * review-queue: the moderators' queue — the rows batch-predict flagged, highest score first, with
 * their rank — written as a warehouse table (replaced atomically: one DuckDB statement, or one
 * BigQuery load job for bq://) and as a Dataset.
 */
import * as dsl from '../../dsl';
import { exportParquet, sqlIdent, sqlString, withDuckDB, queryRows } from '../../warehouse/duckdb';
import { DEFAULT_WAREHOUSE_URI, parseWarehouseUri } from '../../warehouse/uri';
import { loadParquetToBigQuery } from '../../warehouse/bigquery-load';
import { bigQueryClientFromEnv } from '../../warehouse/bigquery-client';

const TABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

export const reviewQueue = dsl.component({
  name: 'review-queue',
  description: "Writes the moderators' review queue: flagged predictions ranked by score, as a warehouse table.",
  inputs: {
    predictions: dsl.Dataset.describe("batch-predict's output: id, score, label, model_version"),
    warehouse: dsl.string({ default: DEFAULT_WAREHOUSE_URI }),
    table: dsl.string({ default: 'review_queue' }),
    maxRows: dsl.int({ default: 0, description: 'cap on queued rows (0 = every flagged row)' }),
  },
  outputs: { queue: dsl.Dataset, queued: dsl.int() },
  run: async (inputs, { queue }, ctx) => {
    if (!TABLE.test(inputs.table)) throw new Error(`table '${inputs.table}' is not a table name: letters, digits and '_' (optionally schema.table).`);
    if (!Number.isInteger(inputs.maxRows) || inputs.maxRows < 0) throw new Error(`maxRows ${inputs.maxRows} must be a whole number ≥ 0.`);
    const wh = parseWarehouseUri(inputs.warehouse);
    const src = `read_parquet(${sqlString(inputs.predictions.path)})`;
    const select = `SELECT row_number() OVER (ORDER BY score DESC, id) AS rank, id, score, model_version, current_timestamp AS queued_at
      FROM ${src} WHERE label = 1 ORDER BY rank${inputs.maxRows ? ` LIMIT ${inputs.maxRows}` : ''}`;
    // The queue as Parquet first (in the warehouse's DuckDB, or a scratch one for BigQuery).
    const writeQueue = async (c: Parameters<Parameters<typeof withDuckDB>[2]>[0]) => {
      const cols = (await queryRows(c, `DESCRIBE SELECT * FROM ${src}`)).map((r) => String(r.column_name));
      const missing = ['id', 'score', 'label', 'model_version'].filter((x) => !cols.includes(x));
      if (missing.length) throw new Error(`input 'predictions' lacks ${missing.join(', ')}; pass batch-predict's predictions.`);
      return (await exportParquet(c, select, queue.path)).rows;
    };
    let queued: number;
    let table: string;
    if (wh.kind === 'duckdb') {
      const name = inputs.table.split('.').map(sqlIdent).join('.');
      queued = await withDuckDB(wh.path, {}, async (c) => {
        const rows = await writeQueue(c);
        // Written from the finished Parquet in one statement: readers see the old queue or the new one.
        await c.run(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_parquet(${sqlString(queue.path)})`);
        return rows;
      });
      table = `${wh.uri}#${inputs.table}`;
    } else {
      queued = await withDuckDB(':memory:', {}, writeQueue);
      // One WRITE_TRUNCATE load job: BigQuery swaps the table atomically.
      const loaded = await loadParquetToBigQuery({ warehouse: wh, table: inputs.table, file: queue.path, idempotencyKey: queue.uri, labels: { 'duckml-component': 'review-queue' }, client: bigQueryClientFromEnv(), log: (m) => ctx.log(m) });
      table = loaded.table;
    }
    queue.metadata.rows = queued;
    queue.metadata.format = 'parquet';
    queue.metadata.table = table;
    ctx.log(`review-queue: ${queued} rows queued for review in ${inputs.table} (${wh.uri})`);
    return { queued };
  },
});
