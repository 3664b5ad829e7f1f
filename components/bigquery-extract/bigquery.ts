/**
 * Extraction on BigQuery with @google-cloud/bigquery: one query job (location, labels, named
 * queryParameters), recorded as GcpResources the way Google's pipeline components do, then its
 * results paged into a DuckDB staging file beside the target (one page in memory at a time) and
 * written as Parquet with the BigQuery schema's types.
 */
import { BigQuery, type BigQueryOptions, type Job } from '@google-cloud/bigquery';
import { commit, removeQuietly, tempBeside } from '../../warehouse/atomic';
import { duckdbTypeFor } from '../../warehouse/bigquery-types';
import { copyToParquet, openDuckDB, parquetColumns, sqlIdent, type Db } from '../../warehouse/duckdb';
import { checkParams } from '../../warehouse/sql-params';
import { checkLabels, emptyResultError, singleStatement, type ExtractRequest, type ExtractResult } from './request';

/** Client settings beyond the project and location (tests point apiEndpoint at a local fake). */
export type BigQueryClientOptions = Omit<BigQueryOptions, 'projectId' | 'location'>;

export interface BigQueryExtractOptions {
  /** Rows per results page (maxResults). */
  readonly pageSize?: number;
  /** Pause between polls while the job runs (the server also long-polls). */
  readonly pollMs?: number;
  readonly client?: BigQueryClientOptions;
}

interface SchemaField {
  name: string;
  type: string;
  mode?: string;
}

/** GcpResources JSON for a job, as google-cloud-pipeline-components writes it. */
export function jobResources(job: Job, project: string): string {
  const meta = (job.metadata ?? {}) as { selfLink?: string; jobReference?: { location?: string } };
  const loc = meta.jobReference?.location ?? job.location;
  const uri = meta.selfLink ?? `https://www.googleapis.com/bigquery/v2/projects/${project}/jobs/${job.id}${loc ? `?location=${loc}` : ''}`;
  return JSON.stringify({ resources: [{ resourceType: 'BigQueryJob', resourceUri: uri }] });
}

function columnSql(f: SchemaField): string {
  const c = sqlIdent(f.name);
  const t = f.type.toUpperCase();
  // Rows arrive as the REST API's strings; TIMESTAMP as int64 microseconds (useInt64Timestamp).
  if (t === 'TIMESTAMP') return `make_timestamp(CAST(${c} AS BIGINT))::TIMESTAMPTZ AS ${c}`;
  if (t === 'BYTES') return `from_base64(${c}) AS ${c}`;
  return `CAST(${c} AS ${duckdbTypeFor(t)}) AS ${c}`;
}

function checkSchema(fields: SchemaField[]): void {
  for (const f of fields) {
    const t = f.type.toUpperCase();
    if (f.mode === 'REPEATED' || t === 'RECORD' || t === 'STRUCT') {
      throw new Error(
        `result column '${f.name}' is ${f.mode === 'REPEATED' ? 'an ARRAY' : 'a STRUCT'}; a Dataset holds flat columns. ` +
          `Select scalar fields, or TO_JSON_STRING(${f.name}) to keep it as text.`,
      );
    }
    try {
      duckdbTypeFor(t);
    } catch {
      throw new Error(`result column '${f.name}' has type ${t}, which duckml cannot store; CAST it to STRING or a numeric type in the query.`);
    }
  }
}

/** One named query parameter in the REST form, using the client's own value encoding. */
export function toQueryParameter(name: string, value: unknown, type: string): Record<string, unknown> {
  const inner = /^ARRAY<(.+)>$/.exec(type)?.[1];
  const wrap = (v: unknown, t: string) => {
    if (v === null || v === undefined) return null;
    // The client expects its own objects for date/time types (it sends their .value).
    if (t === 'DATE') return BigQuery.date(String(v));
    if (t === 'DATETIME') return BigQuery.datetime(String(v));
    if (t === 'TIME') return BigQuery.time(String(v));
    if (t === 'TIMESTAMP') return BigQuery.timestamp(String(v));
    return v;
  };
  const v = inner ? (value as unknown[]).map((x) => wrap(x, inner)) : wrap(value, type);
  const p = BigQuery.valueToQueryParameter_(v, inner ? [inner] : type) as Record<string, unknown>;
  return { name, ...p };
}

export async function extractFromBigQuery(
  warehouse: { uri: string; project: string; dataset?: string },
  req: ExtractRequest,
  target: string,
  opts: BigQueryExtractOptions = {},
): Promise<ExtractResult> {
  const query = singleStatement(req.query);
  const checked = checkParams(query, { ...req.params }, { ...req.paramTypes });
  const labels = checkLabels(req.labels);
  const bq = new BigQuery({ ...opts.client, projectId: warehouse.project, location: req.location || undefined });
  const queryParameters = Object.entries(checked.types).map(([name, type]) => toQueryParameter(name, checked.values[name], type));
  let job: Job;
  try {
    [job] = await bq.createQueryJob({
      query,
      useLegacySql: false,
      // queryParameters are built here rather than from the client's params/types options, which
      // would also copy a non-API 'types' field into the job configuration.
      ...(queryParameters.length ? { parameterMode: 'NAMED', queryParameters } : {}),
      ...(req.location ? { location: req.location } : {}),
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(warehouse.dataset ? { defaultDataset: { projectId: warehouse.project, datasetId: warehouse.dataset } } : {}),
    });
  } catch (e) {
    throw new Error(`BigQuery did not accept the query job in project ${warehouse.project}: ${(e as Error).message}`);
  }
  const gcpResources = jobResources(job, warehouse.project);
  req.log?.(`BigQuery job ${job.id} (${job.location ?? 'default location'})`);

  const parquetTmp = tempBeside(target, '.parquet');
  const stagingFile = tempBeside(target, '.duckdb');
  let db: Db | undefined;
  try {
    // The staging file holds the rows on disk; the cap keeps DuckDB's cache of it small.
    db = await openDuckDB(stagingFile, { memoryLimit: '512MB' });
    await db.conn.run(`SET TimeZone = 'UTC'`);
    let fields: SchemaField[] | undefined;
    let rows = 0;
    let pageQuery: Record<string, unknown> | null = { maxResults: opts.pageSize ?? 10_000, autoPaginate: false, skipParsing: true };
    while (pageQuery) {
      let page: unknown[];
      let next: Record<string, unknown> | null;
      let resp: { jobComplete?: boolean; schema?: { fields?: SchemaField[] } };
      try {
        [page, next, resp] = (await job.getQueryResults(pageQuery)) as unknown as [unknown[], Record<string, unknown> | null, typeof resp];
      } catch (e) {
        throw new Error(`BigQuery job ${job.id} failed: ${(e as Error).message}`);
      }
      if (resp?.jobComplete === false) {
        await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
        pageQuery = next;
        continue;
      }
      if (!fields) {
        fields = resp?.schema?.fields ?? [];
        if (fields.length === 0) throw new Error(`BigQuery job ${job.id} returned no result schema; is the query a SELECT?`);
        checkSchema(fields);
        await db.conn.run(`CREATE TABLE staged (${fields.map((f) => `${sqlIdent(f.name)} VARCHAR`).join(', ')})`);
      }
      if (page.length) {
        const appender = await db.conn.createAppender('staged');
        for (const row of page as { f: { v: unknown }[] }[]) {
          for (const cell of row.f) {
            if (cell.v === null || cell.v === undefined) appender.appendNull();
            else appender.appendVarchar(String(cell.v));
          }
          appender.endRow();
        }
        appender.flushSync();
        appender.closeSync();
        rows += page.length;
      }
      pageQuery = next;
    }
    if (rows === 0 && !req.allowEmpty) throw emptyResultError(`${warehouse.uri} (job ${job.id})`);
    await copyToParquet(db.conn, `SELECT ${fields!.map(columnSql).join(', ')} FROM staged`, parquetTmp);
    const columns = await parquetColumns(db.conn, parquetTmp);
    db.close();
    db = undefined;
    commit(parquetTmp, target);
    req.log?.(`wrote ${rows} rows`);
    return { rows, columns, gcpResources };
  } catch (e) {
    removeQuietly(parquetTmp);
    throw e;
  } finally {
    db?.close();
    removeQuietly(stagingFile);
    removeQuietly(`${stagingFile}.wal`);
  }
}
