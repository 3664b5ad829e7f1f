/**
 * batch-predict: scores a Dataset or a warehouse query with a model (an artifact, or a registry
 * version or alias such as scam-classifier@champion), applying the model's saved transform:
 * DuckDB reads each step's raw input and the scoring workers (both cores) compute the features,
 * bit for bit as transformSql does (raw-transform.ts), and score them (scorer.ts: ONNX Runtime when
 * installed, else tfjs). Rows stream through in batches, so memory stays bounded; the scores are matched back to ids by position and written as Parquet
 * (id, score, label at the threshold, model_version), and optionally as a warehouse table.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as dsl from '../../dsl';
import { DuckDBDataChunk, FLOAT, type DuckDBConnection } from '@duckdb/node-api';
import { readModelFolder, type LoadedModelFolder } from '../train/model-files';
import { copyRawChunk, rawInputsSql, rawPlan, rawRowBytes, rawViews, type RawPlan, type RawVector } from './raw-transform';
import { withRegistry } from '../../registry/open';
import { parseModelRef } from '../../registry/names';
import { uriToPath } from '../../executor/uri';
import { FeatureRangeError, ScorerPool } from './scorer-pool';
import { openSource, type Source } from './source';
import { sqlIdent, sqlString, withDuckDB, queryRows } from '../../warehouse/duckdb';
import { commit, removeQuietly, tempBeside } from '../../warehouse/atomic';
import { checkScorerChoice } from './scorer';

interface ResolvedModel {
  readonly folder: LoadedModelFolder;
  /** e.g. 'scam-classifier@3', or the artifact URI. */
  readonly version: string;
  readonly threshold?: number;
}

async function resolveModel(model: { path: string; uri: string; metadata: Readonly<Record<string, unknown>> } | undefined, registry: string, ref: string): Promise<ResolvedModel> {
  if (model) {
    const folder = readModelFolder(model.path, "input 'model'");
    const md = model.metadata;
    const version = typeof md.model === 'string' && md.version !== undefined ? `${md.model}@${md.version}` : model.uri;
    return { folder, version, threshold: folder.info.threshold };
  }
  if (!ref.trim()) throw new Error(`batch-predict needs a model: connect a Model artifact to 'model' or name one in 'modelRef', e.g. 'scam-classifier@champion'.`);
  const { model: name, ref: r } = parseModelRef(ref);
  return withRegistry(registry, async (reg) => {
    const v = await reg.resolve(name, r ?? 'champion');
    const dir = v.uri.startsWith('/') ? v.uri : uriToPath(v.uri);
    const folder = readModelFolder(dir, `model ${name}@${r ?? 'champion'} (version ${v.version})`);
    const t = v.metadata.threshold;
    return { folder, version: `${name}@${v.version}`, threshold: typeof t === 'number' ? t : folder.info.threshold };
  });
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

export const batchPredict = dsl.component({
  name: 'batch-predict',
  description: 'Scores rows with a model version or alias, applying its saved transform; writes predictions as Parquet (and optionally a warehouse table).',
  inputs: {
    data: dsl.Dataset.optional().describe('raw rows to score (Parquet); or give a query'),
    model: dsl.Model.optional().describe('a model artifact; or name one with modelRef'),
    registry: dsl.string({ default: '' }),
    modelRef: dsl.string({ default: 'scam-classifier@champion', description: 'NAME@ALIAS or NAME@VERSION, used when no model artifact is connected' }),
    warehouse: dsl.string({ default: '', description: 'the warehouse of query (duckdb:// only) and outputTable (duckdb:// or bq://); default the local one' }),
    query: dsl.string({ default: '', description: 'a SELECT over the warehouse, used when no data is connected' }),
    threshold: dsl.double({ optional: true, description: "overrides the model's threshold" }),
    keepColumns: dsl.list(dsl.string(), { default: [], description: 'raw columns copied into the predictions, e.g. day' }),
    outputTable: dsl.string({ default: '', description: 'also write the predictions to this warehouse table (replaced)' }),
    batchRows: dsl.int({ default: 65536 }),
    windowRows: dsl.int({ default: 0, description: 'rows the source is read in at a time; 0 = about 64 MiB of features' }),
    threads: dsl.int({ default: 0, description: 'scoring workers; 0 = one per core (at most 2)' }),
    backend: dsl.string({ default: 'auto', description: "what scores: 'auto' (ONNX Runtime if installed, else the best tfjs backend), 'onnxruntime', or a tfjs backend: tensorflow-gpu, tensorflow, wasm, cpu" }),
  },
  outputs: { predictions: dsl.Dataset, modelVersion: dsl.string(), rows: dsl.int(), flagged: dsl.int() },
  run: async (inputs, { predictions }, ctx) => {
    if (!Number.isInteger(inputs.batchRows) || inputs.batchRows < 1 || inputs.batchRows > 1 << 22) throw new Error(`batchRows ${inputs.batchRows} must be a whole number from 1 to 4194304.`);
    if (!Number.isInteger(inputs.windowRows) || inputs.windowRows < 0) throw new Error(`windowRows ${inputs.windowRows} must be a whole number ≥ 0 (0 = automatic).`);
    if (inputs.outputTable && !TABLE.test(inputs.outputTable)) throw new Error(`outputTable '${inputs.outputTable}' is not a table name: use letters, digits and '_' (optionally schema.table), e.g. 'predictions_daily'.`);
    const scorerChoice = checkScorerChoice(inputs.backend);
    const resolved = await resolveModel(inputs.model, inputs.registry, inputs.modelRef);
    const threshold = inputs.threshold ?? resolved.threshold ?? 0.5;
    if (!(threshold >= 0 && threshold <= 1.0000001)) throw new Error(`threshold ${threshold} must be in [0, 1].`);
    const { folder } = resolved;
    const k = folder.spec.layers[0]!;
    const t = folder.transform;
    const plan = rawPlan(t);
    if (plan.k !== k) throw new Error(`the model takes ${k} features but its transform makes ${plan.k}; the model folder is inconsistent. Re-train or re-push the model.`);
    const threads = inputs.threads > 0 ? inputs.threads : Math.max(1, Math.min(2, os.availableParallelism()));
    // The workers load tfjs while DuckDB opens the source and reads the first window.
    const starting = ScorerPool.start(folder.spec, folder.weights, threads, scorerChoice, plan);
    starting.catch(() => undefined); // observed below; never an unhandled rejection meanwhile
    let source: Source | undefined;
    let pool: ScorerPool | undefined;
    const out = tempBeside(predictions.path, '.parquet');
    try {
      source = await openSource({ dataPath: inputs.data?.path, query: inputs.query, warehouse: inputs.warehouse });
      const conn = source.db.conn;
      const described = await queryRows(conn, `DESCRIBE ${source.sql}`);
      const cols = described.map((r) => String(r.column_name));
      const types = new Map(described.map((r) => [String(r.column_name), String(r.column_type)]));
      const missing = [t.idColumn, ...t.steps.map((s) => s.column), ...inputs.keepColumns].filter((c, i, a) => !cols.includes(c) && a.indexOf(c) === i);
      if (missing.length) {
        throw new Error(`the rows to score lack column(s) ${missing.join(', ')} that the model's transform (or keepColumns) reads; they have ${cols.join(', ')}. Score raw rows like those the model was trained on.`);
      }
      const src = source;
      const t0 = performance.now();
      const win = inputs.windowRows || windowRows(k);
      await scoreAll(conn, src.db.prefetchConn, src.db.appendConn, (a, b) => rawInputsSql(t, src.window(a, b), types), plan, src.rows, win, inputs.batchRows, async () => {
        pool = await starting;
        ctx.log(`batch-predict: ${src.rows.toLocaleString('en-US')} rows from ${src.describe} with ${resolved.version} (threshold ${threshold}); ${pool.threads} ${pool.backend} worker(s)`);
        return pool;
      }, ctx.log);
      const seconds = (performance.now() - t0) / 1000;
      const keep = inputs.keepColumns.map((c) => `, t.${sqlIdent(c)}`).join('');
      await conn.run(
        `COPY (SELECT t.id, s.score, (s.score >= ${threshold})::INTEGER AS label, ${sqlString(resolved.version)} AS model_version${keep}
           FROM (SELECT CAST(${sqlIdent(t.idColumn)} AS VARCHAR) AS id${inputs.keepColumns.map((c) => `, ${sqlIdent(c)}`).join('')} FROM (${source.sql})) AS t
           POSITIONAL JOIN duckml_scores AS s) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      const stats = (await queryRows(conn, `SELECT count(*)::BIGINT AS n, count(*) FILTER (WHERE label = 1)::BIGINT AS flagged FROM read_parquet(${sqlString(out)})`))[0]!;
      const rows = Number(stats.n);
      const flagged = Number(stats.flagged);
      if (rows !== source.rows) throw new Error(`scored ${rows} rows but the source has ${source.rows}; was it changed while scoring?`);
      source.close();
      const table = inputs.outputTable ? await writeTable(source.warehouseFile, inputs.warehouse, inputs.outputTable, out, predictions.uri, ctx.log) : undefined;
      commit(out, predictions.path);
      Object.assign(predictions.metadata, {
        rows,
        flagged,
        threshold,
        modelVersion: resolved.version,
        format: 'parquet',
        columns: [{ name: 'id', type: 'VARCHAR' }, { name: 'score', type: 'FLOAT' }, { name: 'label', type: 'INTEGER' }, { name: 'model_version', type: 'VARCHAR' }, ...inputs.keepColumns.map((name) => ({ name, type: 'source' }))],
        scorer: pool?.backend ?? 'unknown',
        scoringRowsPerSecond: rows && seconds > 0 ? Math.round(rows / seconds) : 0,
        ...(table ? { table } : {}),
      });
      ctx.log(`batch-predict: ${rows.toLocaleString('en-US')} rows scored, ${flagged.toLocaleString('en-US')} flagged at ${threshold}${inputs.outputTable ? `; table ${inputs.outputTable} written` : ''}`);
      return { modelVersion: resolved.version, rows, flagged };
    } catch (e) {
      removeQuietly(out);
      throw e;
    } finally {
      await (pool ?? (await starting.catch(() => undefined)))?.close();
      source?.close();
    }
  },
});

/** Rows per window of the source (one streamed query each): about 64 MiB of features. */
export function windowRows(k: number): number {
  return Math.max(16384, Math.floor(2 ** 24 / k));
}

/**
 * Feeds raw inputs through the pool, window by window: DuckDB streams each window's inputs, the
 * main thread copies them into batches, the workers transform and score them (a few batches in
 * flight, so reading, scoring and appending overlap); scores land, in row order, in table
 * duckml_scores.
 */
async function scoreAll(
  conn: DuckDBConnection,
  prefetchConn: DuckDBConnection,
  appendConn: DuckDBConnection,
  inputsSql: (start: number, end: number) => string,
  plan: RawPlan,
  total: number,
  win: number,
  batchRows: number,
  startPool: () => Promise<ScorerPool>,
  log: (m: string) => void,
): Promise<void> {
  await conn.run('CREATE OR REPLACE TABLE duckml_scores (score FLOAT)');
  const appender = await appendConn.createAppender('duckml_scores');
  const applyError = (e: unknown) =>
    new Error(`the model's transform could not be applied to the rows: ${(e as Error).message.split('\n')[0]}. Check the column types of the rows to score against those the model was trained on.`);
  type Result = Awaited<ReturnType<DuckDBConnection['stream']>>;
  type Chunk = Awaited<ReturnType<Result['fetchChunk']>>;
  // Windows are streamed (DuckDB computes them in parallel, a buffer ahead, without materialising
  // them) on two connections taking turns: the next window's query starts as this one is read.
  const conns = [conn, prefetchConn];
  let nextWindow = 0;
  const start = (): Promise<Result> | undefined => {
    const a = nextWindow * win;
    if (a >= total) return undefined;
    const c = conns[nextWindow % 2]!;
    nextWindow++;
    const p = c.stream(inputsSql(a, Math.min(total, a + win)));
    p.catch(() => undefined); // observed when awaited; never an unhandled rejection meanwhile
    return p;
  };
  // The first window is read while the workers start.
  let pending = start();
  let result: Result | undefined;
  // The next chunk is fetched (on a libuv thread) while this one is copied.
  let nextChunk: Promise<Chunk> | undefined;
  const fetch = async (): Promise<Chunk> => {
    for (;;) {
      if (!result) {
        if (!pending) return null;
        result = await pending.catch((e) => {
          throw applyError(e);
        });
        pending = start();
      }
      const chunk = await (nextChunk ?? result.fetchChunk()).catch((e) => {
        throw applyError(e);
      });
      nextChunk = undefined;
      if (chunk && chunk.rowCount > 0) {
        nextChunk = result.fetchChunk();
        nextChunk.catch(() => undefined);
        return chunk;
      }
      result = undefined;
    }
  };
  const starting = startPool();
  starting.catch(() => undefined); // observed at the first dispatch (or below)
  let pool: ScorerPool | undefined;
  const rowBytes = rawRowBytes(plan);
  type Batch = { raw: ArrayBuffer; doubles: Float64Array; ints: Int32Array; out: Float32Array };
  const free: Batch[] = [];
  const batch = (raw: ArrayBuffer, out: Float32Array): Batch => ({ raw, ...rawViews(plan, raw, batchRows), out });
  const take = () => free.pop() ?? batch(new ArrayBuffer(batchRows * rowBytes), new Float32Array(batchRows));
  const inflight: Promise<{ raw: ArrayBuffer; out: Float32Array; rows: number }>[] = [];
  // Batches read while the workers start (up to maxInflight), dispatched once they are ready.
  const early: { b: Batch; rows: number; first: number }[] = [];
  let maxInflight = 4;
  let cur = take();
  let filled = 0;
  let read = 0;
  let done = 0;
  let nextReport = 0.1;
  const t0 = performance.now();
  const append = (scores: Float32Array, rows: number) => {
    for (let off = 0; off < rows; off += 2048) {
      const n = Math.min(2048, rows - off);
      const chunk = DuckDBDataChunk.create([FLOAT], n);
      const v = chunk.getColumnVector(0) as unknown as { items: Float32Array; flush(): void };
      v.items.set(scores.subarray(off, off + n));
      v.flush();
      appender.appendDataChunk(chunk);
    }
  };
  const drainHead = async () => {
    const r = await inflight.shift()!;
    append(r.out, r.rows);
    free.push(batch(r.raw, r.out));
    done += r.rows;
    if (total > 0 && done / total >= nextReport) {
      const secs = (performance.now() - t0) / 1000;
      log(`batch-predict: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} rows (${Math.round((100 * done) / total)}%), ${Math.round(done / secs).toLocaleString('en-US')} rows/s`);
      while (nextReport <= done / total) nextReport += 0.1;
    }
  };
  const send = (p: ScorerPool, b: Batch, rows: number, first: number) => {
    const scored = p.scoreRaw(b.raw, batchRows, rows, b.out).then(
      (v) => ({ ...v, rows }),
      (e) => {
        if (!(e instanceof FeatureRangeError)) throw e;
        throw applyError(new Error(`row ${first + e.row + 1} has feature '${e.feature}' out of the FLOAT range after the transform; check that row's raw values`));
      },
    );
    scored.catch(() => undefined); // observed in order by drainHead; never an unhandled rejection meanwhile
    inflight.push(scored);
  };
  const dispatch = async (last = false) => {
    if (filled > 0) early.push({ b: cur, rows: filled, first: read - filled });
    filled = 0;
    if (!pool && early.length < maxInflight && !last) {
      cur = take();
      return;
    }
    if (!pool) {
      pool = await starting;
      maxInflight = pool.threads * 2;
    }
    for (const e of early.splice(0)) {
      send(pool, e.b, e.rows, e.first);
      while (inflight.length >= maxInflight) await drainHead();
    }
    cur = take();
  };
  try {
    for (let chunk = await fetch(); chunk && chunk.rowCount > 0; chunk = await fetch()) {
      const rc = chunk.rowCount;
      const vecs = Array.from({ length: plan.doubles + plan.ints }, (_, j) => chunk.getColumnVector(j) as unknown as RawVector);
      for (let off = 0; off < rc; ) {
        const n = Math.min(rc - off, batchRows - filled);
        copyRawChunk(plan, vecs, off, n, cur, batchRows, filled);
        filled += n;
        read += n;
        off += n;
        if (filled === batchRows) await dispatch();
      }
    }
    await dispatch(true);
    while (inflight.length) await drainHead();
    if (read !== total) throw new Error(`read ${read} rows but the source has ${total}; was it changed while scoring?`);
  } finally {
    // Let scoring and reads in flight settle before the buffers, the appender and the
    // connections go away.
    await Promise.allSettled([...inflight, nextChunk, pending, starting]);
    appender.closeSync();
  }
}

async function writeTable(file: string | undefined, warehouse: string, table: string, parquet: string, key: string, log: (m: string) => void): Promise<string> {
  const { parseWarehouseUri, DEFAULT_WAREHOUSE_URI } = require('../../warehouse/uri') as typeof import('../../warehouse/uri');
  const wh = parseWarehouseUri(warehouse || DEFAULT_WAREHOUSE_URI);
  if (wh.kind === 'bigquery') {
    // One WRITE_TRUNCATE load job: BigQuery swaps the table atomically.
    const { loadParquetToBigQuery } = require('../../warehouse/bigquery-load') as typeof import('../../warehouse/bigquery-load');
    const { bigQueryClientFromEnv } = require('../../warehouse/bigquery-client') as typeof import('../../warehouse/bigquery-client');
    const r = await loadParquetToBigQuery({ warehouse: wh, table, file: parquet, idempotencyKey: key, labels: { 'duckml-component': 'batch-predict' }, client: bigQueryClientFromEnv(), log });
    return r.table;
  }
  await withDuckDB(file ?? wh.path, {}, async (c) => {
    const name = table.split('.').map(sqlIdent).join('.');
    // One statement: readers see the old table or the new one, never a half-written one.
    await c.run(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_parquet(${sqlString(parquet)})`);
  });
  return `${wh.uri}#${table}`;
}
