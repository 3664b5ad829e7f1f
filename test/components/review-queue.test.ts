import * as path from 'node:path';
import { runComponent } from '../../executor';
import { reviewQueue } from '../../components/review-queue/component';
import { openDuckDB, queryRows } from '../../warehouse/duckdb';
import { tmpDir, writeParquet } from './fixtures/splits';

const quiet = { log: () => undefined };
const PREDICTIONS = `SELECT 'u' || i AS id, (i / 10.0)::FLOAT AS score, (i >= 7)::INTEGER AS label, 'scam-classifier@3' AS model_version FROM range(10) t(i)`;

describe('review-queue', () => {
  test('flagged rows, highest score first, as a warehouse table and a Dataset', async () => {
    const dir = tmpDir('duckml-queue-');
    const preds = await writeParquet(path.join(dir, 'preds.parquet'), PREDICTIONS);
    const wh = path.join(dir, 'warehouse.duckdb');
    const r = await runComponent(reviewQueue, { predictions: preds, warehouse: `duckdb://${wh}`, maxRows: 2 }, quiet);
    expect(r.outputs.queued).toBe(2);
    const db = await openDuckDB(wh, { readOnly: true });
    try {
      const rows = await queryRows(db.conn, 'SELECT rank, id, model_version FROM review_queue ORDER BY rank');
      expect(rows).toEqual([
        { rank: 1, id: 'u9', model_version: 'scam-classifier@3' },
        { rank: 2, id: 'u8', model_version: 'scam-classifier@3' },
      ]);
    } finally {
      db.close();
    }
  });

  test('predictions without the expected columns, and a bad table name, are errors', async () => {
    const dir = tmpDir('duckml-queue-bad-');
    const bad = await writeParquet(path.join(dir, 'bad.parquet'), `SELECT 'u1' AS id, 0.5 AS score`);
    await expect(runComponent(reviewQueue, { predictions: bad, warehouse: `duckdb://${path.join(dir, 'w.duckdb')}` }, quiet)).rejects.toThrow(/lacks label, model_version; pass batch-predict's predictions/);
    await expect(runComponent(reviewQueue, { predictions: bad, table: 'x; drop' }, quiet)).rejects.toThrow(/is not a table name/);
  });
});
