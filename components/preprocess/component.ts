/**
 * preprocess: a stratified, seeded train/validation/test split of a Dataset; a transform fitted
 * on the training split only (scaling, clipping, imputation, one-hot / hashing); the three
 * splits as processed Parquet (`id`, `label`, `weight`, `features FLOAT[k]`), the training one
 * class-balanced; and the fitted transform as an artifact that batch prediction applies verbatim.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as dsl from '../../dsl';
import { commit, removeQuietly, tempBeside } from '../../warehouse/atomic';
import { copyToParquet, describeQuery, isFile, openDuckDB, queryRows, sqlString, type Db } from '../../warehouse/duckdb';
import { balanceSql, checkBalance } from './balance';
import { planColumns } from './columns';
import { fitTransform, type Scaling } from './fit';
import { checkFractions, splitSql, SPLITS, type SplitName } from './split';
import { TRANSFORM_FILE, transformSql } from './transform';

const ROW = '__duckml_row';

const INPUTS = {
  dataset: dsl.Dataset,
  labelColumn: dsl.string({ description: '0/1 label column.' }),
  idColumn: dsl.string({ description: 'Row / entity id; rows sharing an id stay in one split.' }),
  numericColumns: dsl.list(dsl.string(), { optional: true, description: 'Numeric features (default: every numeric column).' }),
  categoricalColumns: dsl.list(dsl.string(), { optional: true, description: 'Categorical features (default: every VARCHAR/BOOLEAN column).' }),
  exclude: dsl.list(dsl.string(), { default: [], description: 'Columns never used as features.' }),
  scaling: dsl.string({ default: 'standard', description: "'standard' (mean/std) or 'robust' (median/IQR)." }),
  scalingByColumn: dsl.struct({ default: {}, description: "Per-column scaling overrides, e.g. { payment_amount_usd: 'robust' }." }),
  clipQuantiles: dsl.list(dsl.double(), { default: [0.001, 0.999], description: 'Outliers are clipped at these fitted quantiles.' }),
  impute: dsl.string({ default: 'median', description: "Missing numbers become the fitted 'median' or 'mean'." }),
  maxCategories: dsl.int({ default: 20 }),
  minCategoryCount: dsl.int({ default: 10 }),
  hashThreshold: dsl.int({ default: 100, description: 'Categorical columns with more distinct values are hashed.' }),
  hashBuckets: dsl.int({ default: 32 }),
  balance: dsl.string({ default: 'class-weights', description: 'none | class-weights | undersample | oversample' }),
  balanceRatio: dsl.double({ default: 1, description: 'Minority ÷ majority after resampling.' }),
  validationFraction: dsl.double({ default: 0.15 }),
  testFraction: dsl.double({ default: 0.15 }),
  seed: dsl.int({ default: 42 }),
} as const;

const OUTPUTS = {
  train: dsl.Dataset,
  validation: dsl.Dataset,
  test: dsl.Dataset,
  transform: dsl.Artifact,
  featureCount: dsl.int(),
} as const;

export const preprocess = dsl.component({
  name: 'preprocess',
  description: 'Splits a Dataset (stratified, seeded), fits scaling/encoding/imputation on the training split, balances it, and writes processed splits plus the fitted transform.',
  inputs: INPUTS,
  outputs: OUTPUTS,
  async run(inputs, outputs, ctx) {
    try {
      return await runPreprocess(inputs, outputs, (m) => ctx.log(m));
    } catch (e) {
      throw new Error(`preprocess: ${(e as Error).message}`);
    }
  },
});

type Inputs = dsl.RunInputs<typeof INPUTS>;
type Outputs = dsl.RunOutputs<typeof OUTPUTS>;

function checkOptions(i: Inputs): void {
  if (i.scaling !== 'standard' && i.scaling !== 'robust') throw new Error(`scaling must be 'standard' or 'robust', got '${i.scaling}'.`);
  for (const [c, s] of Object.entries(i.scalingByColumn)) {
    if (s !== 'standard' && s !== 'robust') throw new Error(`scalingByColumn.${c} must be 'standard' or 'robust', got '${String(s)}'.`);
  }
  if (i.impute !== 'median' && i.impute !== 'mean') throw new Error(`impute must be 'median' or 'mean', got '${i.impute}'.`);
  const q = i.clipQuantiles;
  if (q.length !== 2 || !(q[0]! >= 0 && q[0]! < q[1]! && q[1]! <= 1)) throw new Error(`clipQuantiles must be [low, high] with 0 ≤ low < high ≤ 1, got ${JSON.stringify(q)}.`);
  for (const k of ['maxCategories', 'minCategoryCount', 'hashThreshold', 'hashBuckets'] as const) {
    if (!(Number.isInteger(i[k]) && i[k] >= 1)) throw new Error(`${k} must be a positive integer, got ${i[k]}.`);
  }
  checkFractions({ validation: i.validationFraction, test: i.testFraction });
  checkBalance(i.balance, i.balanceRatio);
}

async function runPreprocess(i: Inputs, out: Outputs, logLine: (m: string) => void): Promise<{ featureCount: number }> {
  checkOptions(i);
  let last = performance.now();
  const log = (m: string) => {
    const now = performance.now();
    logLine(`${m} (${((now - last) / 1000).toFixed(1)} s)`);
    last = now;
  };
  const file = i.dataset.path;
  if (!isFile(file)) throw new Error(`input dataset ${i.dataset.uri} has no file at ${file}; pass a Dataset written by bigquery-extract (Parquet).`);
  const spill = tempBeside(out.train.path, '.spill');
  const temps: Record<string, string> = {};
  let db: Db | undefined;
  try {
    db = await openDuckDB(':memory:', { tempDirectory: spill });
    const conn = db.conn;
    let columns;
    try {
      columns = await describeQuery(conn, `SELECT * FROM read_parquet(${sqlString(file)})`);
    } catch (e) {
      throw new Error(`cannot read ${file} as Parquet (${(e as Error).message}); pass a Dataset written by bigquery-extract.`);
    }
    const plan = planColumns(columns, {
      idColumn: i.idColumn,
      labelColumn: i.labelColumn,
      numeric: i.numericColumns,
      categorical: i.categoricalColumns,
      exclude: i.exclude,
    });
    if (plan.skipped.length) log(`not used as features: ${plan.skipped.join(', ')}`);
    const id = `"${i.idColumn.replace(/"/g, '""')}"`;
    const label = `"${i.labelColumn.replace(/"/g, '""')}"`;
    const source = `SELECT *, file_row_number AS ${ROW} FROM read_parquet(${sqlString(file)}, file_row_number = true)`;

    const [s] = await queryRows(
      conn,
      `SELECT count(*) AS n, count(*) FILTER (WHERE ${label} IS NULL OR isnan(CAST(${label} AS DOUBLE))) AS missing,
              count(*) FILTER (WHERE CAST(${label} AS DOUBLE) = 1) AS pos, count(*) FILTER (WHERE CAST(${label} AS DOUBLE) = 0) AS neg,
              count(*) FILTER (WHERE ${id} IS NULL) AS null_ids
       FROM (${source})`,
    );
    const n = Number(s!.n);
    const [pos, neg, missing] = [Number(s!.pos), Number(s!.neg), Number(s!.missing)];
    if (n === 0) throw new Error(`the input dataset ${i.dataset.uri} has no rows; nothing to fit. Check the extraction query.`);
    if (missing > 0) throw new Error(`label column '${i.labelColumn}' is NULL or NaN in ${missing} of ${n} rows; filter them out in the query (WHERE ${i.labelColumn} IS NOT NULL).`);
    if (pos + neg < n) {
      const bad = await queryRows(conn, `SELECT DISTINCT CAST(${label} AS VARCHAR) AS v FROM (${source}) WHERE CAST(${label} AS DOUBLE) NOT IN (0, 1) LIMIT 5`);
      throw new Error(`label column '${i.labelColumn}' must hold only 0 and 1; it also has ${bad.map((r) => r.v).join(', ')}. Map it to 0/1 in the query.`);
    }
    if (pos === 0 || neg === 0) {
      throw new Error(`label column '${i.labelColumn}' has a single class (all ${pos ? 1 : 0}, ${n} rows); a classifier needs both 0 and 1. Check the query's filters.`);
    }
    if (Number(s!.null_ids) > 0) throw new Error(`id column '${i.idColumn}' is NULL in ${s!.null_ids} rows; every row needs an id.`);

    log(`checked ${n} rows: ${pos} positive`);
    await conn.run(`CREATE TEMP TABLE data AS ${splitSql(source, i.idColumn, i.labelColumn, { validation: i.validationFraction, test: i.testFraction }, i.seed)}`);
    const counts = await queryRows(conn, `SELECT __duckml_split AS split, count(*) FILTER (WHERE CAST(${label} AS DOUBLE) = 1) AS pos, count(*) AS n FROM data GROUP BY 1`);
    const bySplit = (name: SplitName) => counts.find((r) => r.split === name) ?? { pos: 0, n: 0 };
    const train = bySplit('train');
    const trainPos = Number(train.pos);
    const trainNeg = Number(train.n) - trainPos;
    if (trainPos === 0 || trainNeg === 0) {
      throw new Error(
        `the training split has a single class (${trainPos} positive, ${trainNeg} negative rows of ${n}): there are too few ids of one class ` +
          `(${pos} positive rows) for validationFraction ${i.validationFraction} + testFraction ${i.testFraction}. Lower the fractions or extract more data.`,
      );
    }
    for (const name of ['validation', 'test'] as const) {
      const c = bySplit(name);
      const fraction = name === 'validation' ? i.validationFraction : i.testFraction;
      if (fraction > 0 && Number(c.n) === 0) throw new Error(`the ${name} split is empty (${n} rows); lower ${name}Fraction to 0 or extract more data.`);
      if (Number(c.n) > 0 && (Number(c.pos) === 0 || Number(c.pos) === Number(c.n))) log(`warning: the ${name} split has a single class (${c.pos} of ${c.n} positive); its metrics will be limited.`);
    }

    log('split');
    const trainSql = `SELECT * FROM data WHERE __duckml_split = 'train'`;
    const t = await fitTransform(conn, trainSql, {
      idColumn: i.idColumn,
      labelColumn: i.labelColumn,
      numeric: plan.numeric,
      categorical: plan.categorical,
      scaling: i.scaling as Scaling,
      scalingByColumn: i.scalingByColumn as Record<string, Scaling>,
      clipQuantiles: [i.clipQuantiles[0]!, i.clipQuantiles[1]!],
      impute: i.impute as 'median' | 'mean',
      maxCategories: i.maxCategories,
      minCategoryCount: i.minCategoryCount,
      hashThreshold: i.hashThreshold,
      hashBuckets: i.hashBuckets,
      log,
    });
    const k = t.featureNames.length;
    log(`fitted on ${train.n} training rows: ${plan.numeric.length} numeric + ${plan.categorical.length} categorical columns → ${k} features`);

    const mode = checkBalance(i.balance, i.balanceRatio);
    const balanced = balanceSql(trainSql, i.labelColumn, ROW, mode, { positives: trainPos, negatives: trainNeg }, i.balanceRatio, i.seed);
    // A seeded shuffle (copies from oversampling are identical rows, so ties do not matter).
    const shuffle = (tag: string) => `ORDER BY md5('${Math.trunc(i.seed)}:${tag}:' || CAST(${ROW} AS VARCHAR))`;
    for (const name of SPLITS) {
      const art = out[name];
      temps[name] = tempBeside(art.path, '.parquet');
      const rows = name === 'train' ? balanced.sql : `SELECT *, 1.0 AS __duckml_weight FROM data WHERE __duckml_split = '${name}'`;
      const ordered = `SELECT * FROM (${rows}) ${shuffle(name)}`;
      const features = transformSql(t, ordered, { label: true, passthrough: ['__duckml_weight'] });
      await copyToParquet(conn, `SELECT id, label, CAST(__duckml_weight AS FLOAT) AS weight, features FROM (${features})`, temps[name]!);
      const [st] = await queryRows(conn, `SELECT count(*) AS rows, coalesce(sum(label), 0) AS positives FROM read_parquet(${sqlString(temps[name]!)})`);
      art.metadata.rows = Number(st!.rows);
      art.metadata.positives = Number(st!.positives);
      art.metadata.featureNames = t.featureNames;
      art.metadata.format = 'parquet';
      art.metadata.split = name;
      if (name === 'train') {
        art.metadata.balance = mode;
        art.metadata.classWeights = { negative: balanced.weights.negative, positive: balanced.weights.positive };
      }
      log(`${name}: ${st!.rows} rows, ${st!.positives} positive`);
    }
    temps.transform = tempBeside(out.transform.path);
    fs.mkdirSync(temps.transform);
    fs.writeFileSync(path.join(temps.transform, TRANSFORM_FILE), `${JSON.stringify(t, null, 2)}\n`);
    out.transform.metadata.featureCount = k;
    out.transform.metadata.featureNames = t.featureNames;
    out.transform.metadata.idColumn = t.idColumn;
    out.transform.metadata.labelColumn = i.labelColumn;
    db.close();
    db = undefined;
    // Everything is complete: put all four outputs in place.
    for (const name of [...SPLITS, 'transform'] as const) commit(temps[name]!, out[name].path);
    return { featureCount: k };
  } catch (e) {
    for (const tmp of Object.values(temps)) removeQuietly(tmp);
    throw e;
  } finally {
    db?.close();
    removeQuietly(spill);
  }
}
