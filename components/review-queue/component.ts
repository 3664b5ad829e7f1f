/**
 * review-queue: the moderators' queue — the rows batch-predict flagged, highest score first, with
 * their rank — written as a warehouse table (replaced atomically) and as a Dataset.
 */
import * as dsl from '../../dsl';
import { exportParquet, sqlIdent, sqlString, withDuckDB, queryRows } from '../../warehouse/duckdb';
import { DEFAULT_WAREHOUSE_URI, parseWarehouseUri } from '../../warehouse/uri';

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
    if (wh.kind !== 'duckdb') throw new Error(`review-queue writes to a DuckDB warehouse; '${wh.uri}' is BigQuery.`);
    const src = `read_parquet(${sqlString(inputs.predictions.path)})`;
    const select = `SELECT row_number() OVER (ORDER BY score DESC, id) AS rank, id, score, model_version, current_timestamp AS queued_at
      FROM ${src} WHERE label = 1 ORDER BY rank${inputs.maxRows ? ` LIMIT ${inputs.maxRows}` : ''}`;
    const name = inputs.table.split('.').map(sqlIdent).join('.');
    const queued = await withDuckDB(wh.path, {}, async (c) => {
      const cols = (await queryRows(c, `DESCRIBE SELECT * FROM ${src}`)).map((r) => String(r.column_name));
      const missing = ['id', 'score', 'label', 'model_version'].filter((x) => !cols.includes(x));
      if (missing.length) throw new Error(`input 'predictions' lacks ${missing.join(', ')}; pass batch-predict's predictions.`);
      const out = await exportParquet(c, select, queue.path);
      // Written from the finished Parquet in one statement: readers see the old queue or the new one.
      await c.run(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_parquet(${sqlString(queue.path)})`);
      return out.rows;
    });
    queue.metadata.rows = queued;
    queue.metadata.format = 'parquet';
    queue.metadata.table = `${wh.uri}#${inputs.table}`;
    ctx.log(`review-queue: ${queued} rows queued for review in ${inputs.table} (${wh.uri})`);
    return { queued };
  },
});
