/**
 * The current champion, scored on the candidate's test rows: resolved through the registry by
 * alias, loaded from its folder, and fed the test rows through its own transform (a retrained
 * model usually comes with a refitted transform, so the candidate's features are not the
 * champion's; the raw rows are transformed again with the champion's transform.json).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { uriToPath } from '../../executor/uri';
import { withRegistry } from '../../registry/open';
import { RegistryError, type ModelVersion } from '../../registry/types';
import { readModelFolder, type LoadedModelFolder } from '../train/model-files';
import { readSplit, type SplitData } from '../train/split-reader';
import { transformSql } from '../preprocess/transform';
import { openDuckDB, sqlString } from '../../warehouse/duckdb';
import { removeQuietly, tempBeside } from '../../warehouse/atomic';

export interface Champion {
  readonly version: ModelVersion;
  readonly folder: LoadedModelFolder;
}

/** The champion, or undefined when the registry has no such model or alias yet (a first model). */
export async function findChampion(registry: string, model: string, alias: string, log: (m: string) => void): Promise<Champion | undefined> {
  return withRegistry(registry, async (r) => {
    let version: ModelVersion;
    try {
      version = await r.resolve(model, alias);
    } catch (e) {
      if (e instanceof RegistryError && e.notFound) {
        log(`evaluate: no champion to compare with (${e.message.split('. ')[0]}).`);
        return undefined;
      }
      throw e;
    }
    const dir = version.uri.startsWith('/') ? version.uri : uriToPath(version.uri);
    return { version, folder: readModelFolder(dir, `champion ${model}@${alias} (version ${version.version})`) };
  });
}

export function sameTransform(a: LoadedModelFolder['transform'], b: LoadedModelFolder['transform']): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The champion's view of the test rows: the test split itself when the transforms agree,
 * otherwise the raw rows whose ids are in the test split, through the champion's transform.
 */
export async function championTestSet(champion: Champion, candidate: LoadedModelFolder, test: SplitData & { file: string }, rawData: string | undefined): Promise<SplitData> {
  if (sameTransform(champion.folder.transform, candidate.transform)) return test;
  const t = champion.folder.transform;
  if (!rawData) {
    throw new Error(
      `cannot score the champion (version ${champion.version.version}) on the test set: its transform differs from this model's (it was fitted on other data), so it needs the raw rows. Connect the extract output to evaluate's 'rawData' input.`,
    );
  }
  if (!t.labelColumn) throw new Error(`the champion's transform has no labelColumn, so its test rows cannot be labelled.`);
  const src = `SELECT r.* FROM read_parquet(${sqlString(rawData)}) AS r WHERE CAST(r."${t.idColumn.replace(/"/g, '""')}" AS VARCHAR) IN (SELECT id FROM read_parquet(${sqlString(test.file)}))`;
  // Inputs may sit on a read-only mount: the temporary file goes to the system's temp folder.
  const tmp = tempBeside(path.join(os.tmpdir(), 'duckml-champion-test.parquet'), '.parquet');
  const db = await openDuckDB(':memory:');
  try {
    await db.conn.run(`COPY (${transformSql(t, src, { label: true })}) TO ${sqlString(tmp)} (FORMAT parquet)`);
    const set = await readSplit(tmp, { what: `test rows through the champion's transform`, needLabel: true, expectK: champion.folder.spec.layers[0], conn: db.conn });
    if (set.rows !== test.rows) {
      throw new Error(`the raw data gave ${set.rows} test rows for the champion but the test split has ${test.rows}; pass the extract output the test split was made from as 'rawData'.`);
    }
    return set;
  } catch (e) {
    if (/Binder Error|Referenced column/.test((e as Error).message)) {
      throw new Error(`the champion's transform does not fit 'rawData': ${(e as Error).message.split('\n')[0]}. Pass the extract output (raw rows with the columns the transforms read).`);
    }
    throw e;
  } finally {
    db.close();
    if (fs.existsSync(tmp)) removeQuietly(tmp);
  }
}
