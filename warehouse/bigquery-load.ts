/**
 * Writes a Parquet file to a BigQuery table with one load job (@google-cloud/bigquery): the
 * table is created if needed and replaced (WRITE_TRUNCATE), which BigQuery applies atomically, so
 * readers see the old table or the new one. The job id is derived from the destination, the
 * file's contents and the caller's key, so a retried task finds the job its lost attempt started
 * (BigQuery answers 409) instead of loading twice. The job runs where the dataset lives.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { BigQuery as BigQueryClient, BigQueryOptions, Job } from '@google-cloud/bigquery';

type BigQueryRef = { readonly uri: string; readonly project: string; readonly dataset?: string };

export interface BigQueryLoadRequest {
  readonly warehouse: BigQueryRef;
  /** 'table' in the warehouse's dataset, or 'dataset.table'. */
  readonly table: string;
  /** A Parquet file. */
  readonly file: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Stable across retries of one task execution (e.g. its output artifact's URI). */
  readonly idempotencyKey?: string;
  /** Client settings beyond the project (tests point apiEndpoint at a local fake). */
  readonly client?: Omit<BigQueryOptions, 'projectId'>;
  /** Milliseconds between job status polls (default the client's). */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

export interface BigQueryLoadResult {
  readonly jobId: string;
  readonly location?: string;
  /** PROJECT.DATASET.TABLE */
  readonly table: string;
  readonly rows: number;
  /** The Vertex `gcp_resources` form of the job, as Google's own components record it. */
  readonly gcpResources: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,1023}$/;

export function bigQueryDestination(warehouse: BigQueryRef, table: string): { dataset: string; table: string } {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENT.test(p))) {
    throw new Error(`'${table}' is not a BigQuery table: use TABLE or DATASET.TABLE (letters, digits, underscores).`);
  }
  if (parts.length === 2) return { dataset: parts[0]!, table: parts[1]! };
  if (!warehouse.dataset) throw new Error(`table '${table}' needs a dataset: name it DATASET.${table}, or give the warehouse one (bq://${warehouse.project}.DATASET).`);
  return { dataset: warehouse.dataset, table: parts[0]! };
}

function apiError(e: unknown): { code?: number; message: string } {
  const err = e as { code?: number; message?: string; errors?: { message?: string }[] };
  return { code: typeof err?.code === 'number' ? err.code : undefined, message: err?.errors?.[0]?.message ?? err?.message ?? String(e) };
}

export async function loadParquetToBigQuery(req: BigQueryLoadRequest): Promise<BigQueryLoadResult> {
  const dest = bigQueryDestination(req.warehouse, req.table);
  const { BigQuery } = require('@google-cloud/bigquery') as typeof import('@google-cloud/bigquery');
  const bq: BigQueryClient = new BigQuery({ ...req.client, projectId: req.warehouse.project });
  const full = `${req.warehouse.project}.${dest.dataset}.${dest.table}`;
  let location: string | undefined;
  try {
    const [meta] = await bq.dataset(dest.dataset).getMetadata();
    location = (meta as { location?: string }).location;
  } catch (e) {
    const { code, message } = apiError(e);
    if (code === 404) throw new Error(`BigQuery dataset ${req.warehouse.project}.${dest.dataset} does not exist; create it (bq mk --dataset ${req.warehouse.project}:${dest.dataset}) or name another.`);
    throw new Error(`BigQuery dataset ${req.warehouse.project}.${dest.dataset} could not be read: ${message}`);
  }
  const hash = crypto.createHash('sha256').update(`${full}\0${req.idempotencyKey ?? ''}\0`);
  for await (const chunk of fs.createReadStream(req.file)) hash.update(chunk as Buffer);
  const digest = hash.digest('hex');
  const jobId = `duckml_load_${digest.slice(0, 40)}`;
  const table = bq.dataset(dest.dataset, { location }).table(dest.table, { location });
  let job: Job;
  try {
    [job] = await table.createLoadJob(req.file, {
      sourceFormat: 'PARQUET',
      writeDisposition: 'WRITE_TRUNCATE',
      createDisposition: 'CREATE_IF_NEEDED',
      jobId,
      ...(req.labels && Object.keys(req.labels).length ? { labels: { ...req.labels } } : {}),
    });
  } catch (e) {
    const { code, message } = apiError(e);
    if (code !== 409) throw new Error(`BigQuery did not accept the load of ${full}: ${message}`);
    // An earlier attempt of this very load got through: follow that job.
    req.log?.(`BigQuery load job ${jobId} exists already (an earlier attempt); waiting for it`);
    job = bq.job(jobId, { location });
  }
  req.log?.(`BigQuery load job ${jobId} → ${full}`);
  try {
    // The client polls the job until DONE and rejects with its errorResult.
    if (req.pollMs) (job as unknown as { pollIntervalMs: number }).pollIntervalMs = req.pollMs;
    await job.promise();
  } catch (e) {
    throw new Error(`BigQuery load job ${jobId} into ${full} failed: ${apiError(e).message}`);
  }
  const [done] = await job.getMetadata();
  const rows = Number((done as { statistics?: { load?: { outputRows?: string } } }).statistics?.load?.outputRows ?? 0);
  const uri = `https://www.googleapis.com/bigquery/v2/projects/${req.warehouse.project}/jobs/${jobId}${location ? `?location=${location}` : ''}`;
  return { jobId, location, table: full, rows, gcpResources: JSON.stringify({ resources: [{ resourceType: 'BigQueryJob', resourceUri: uri }] }) };
}
