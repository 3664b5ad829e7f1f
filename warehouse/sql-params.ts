/**
 * Named query parameters, written `@name` as in BigQuery. Values always travel separately from
 * the SQL text (BigQuery queryParameters, DuckDB prepared-statement bindings); the only rewrite
 * for DuckDB turns the placeholder `@name` into DuckDB's `CAST($name AS TYPE)`.
 */
import { duckdbTypeFor, normalizeBigQueryType } from './bigquery-types';

export type ScalarParam = string | number | boolean;
export type ParamValue = ScalarParam | null | readonly ScalarParam[];

/** One `@name` placeholder in the SQL text. */
export interface ParamRef {
  readonly name: string;
  /** Offset of '@'. */
  readonly start: number;
  /** Offset just past the name. */
  readonly end: number;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/**
 * Finds `@name` placeholders, skipping string literals ('…', "…", triple-quoted, r'…'),
 * backquoted identifiers, comments (--, #, /* … *\/) and BigQuery system variables (@@name).
 */
export function findNamedParams(sql: string): ParamRef[] {
  const refs: ParamRef[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      i = skipTo(sql, i, '\n');
    } else if (c === '#') {
      i = skipTo(sql, i, '\n');
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"') {
      const triple = sql.startsWith(c.repeat(3), i);
      i = triple ? skipTriple(sql, i, c) : skipQuoted(sql, i, c);
    } else if (c === '`') {
      i = skipQuoted(sql, i, '`');
    } else if (c === '@') {
      if (sql[i + 1] === '@') {
        // @@system_variable: skip the whole name.
        i += 2;
        while (i < n && NAME_CHAR.test(sql[i]!)) i++;
      } else if (i + 1 < n && NAME_START.test(sql[i + 1]!)) {
        let j = i + 1;
        while (j < n && NAME_CHAR.test(sql[j]!)) j++;
        refs.push({ name: sql.slice(i + 1, j), start: i, end: j });
        i = j;
      } else {
        i++;
      }
    } else {
      i++;
    }
  }
  return refs;
}

function skipTo(sql: string, i: number, ch: string): number {
  const e = sql.indexOf(ch, i);
  return e < 0 ? sql.length : e + 1;
}
function skipQuoted(sql: string, i: number, q: string): number {
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === '\\') j += 2;
    else if (sql[j] === q) {
      if (sql[j + 1] === q) j += 2; // '' doubles a quote in standard SQL
      else return j + 1;
    } else j++;
  }
  return sql.length;
}
function skipTriple(sql: string, i: number, q: string): number {
  const e = sql.indexOf(q.repeat(3), i + 3);
  return e < 0 ? sql.length : e + 3;
}

/** Parameters checked against the query: every value has a BigQuery type. */
export interface CheckedParams {
  readonly refs: readonly ParamRef[];
  readonly values: Readonly<Record<string, ParamValue>>;
  /** BigQuery type per parameter name, declared or inferred from the value. */
  readonly types: Readonly<Record<string, string>>;
}

function typeOfValue(v: ScalarParam): string {
  if (typeof v === 'boolean') return 'BOOL';
  if (typeof v === 'string') return 'STRING';
  return Number.isInteger(v) ? 'INT64' : 'FLOAT64';
}

function checkScalar(name: string, v: unknown, type: string | undefined): string {
  const where = `query parameter '${name}'`;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new Error(`${where}: ${JSON.stringify(v)} is not a string, number or boolean. Pass scalars or lists of scalars.`);
  }
  if (typeof v === 'number' && !Number.isFinite(v)) {
    throw new Error(`${where}: ${v} is not a finite number; BigQuery parameters cannot carry NaN or Infinity here.`);
  }
  if (!type) return typeOfValue(v);
  const ok =
    type === 'BOOL' ? typeof v === 'boolean'
    : type === 'INT64' ? typeof v === 'number' && Number.isInteger(v)
    : type === 'FLOAT64' || type === 'NUMERIC' ? typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))
    : typeof v === 'string';
  if (!ok) throw new Error(`${where}: ${JSON.stringify(v)} is not a valid ${type} value.`);
  return type;
}

/**
 * Checks values against the placeholders in `sql`: each placeholder needs a value, each value a
 * placeholder, and each value a type (declared in `types` or inferred; null needs a declared one).
 */
export function checkParams(sql: string, values: Record<string, unknown> = {}, types: Record<string, unknown> = {}): CheckedParams {
  const refs = findNamedParams(sql);
  const used = [...new Set(refs.map((r) => r.name))];
  const missing = used.filter((n) => !(n in values));
  if (missing.length) {
    throw new Error(
      `the query uses ${missing.map((n) => `@${n}`).join(', ')} but no value was given for ${missing.length === 1 ? 'it' : 'them'}. ` +
        `Pass params: { ${missing.map((n) => `${n}: …`).join(', ')} }.`,
    );
  }
  const unused = Object.keys(values).filter((n) => !used.includes(n));
  if (unused.length) {
    throw new Error(
      `params ${unused.map((n) => `'${n}'`).join(', ')} ${unused.length === 1 ? 'is' : 'are'} not used by the query ` +
        `(it uses ${used.length ? used.map((n) => `@${n}`).join(', ') : 'no @parameters'}). Remove ${unused.length === 1 ? 'it' : 'them'} or reference @name in the SQL.`,
    );
  }
  for (const n of Object.keys(types)) {
    if (!(n in values)) throw new Error(`paramTypes names '${n}', which has no value in params.`);
  }
  const outTypes: Record<string, string> = {};
  for (const name of used) {
    const v = values[name];
    const declared = types[name] === undefined ? undefined : normalizeBigQueryType(String(types[name]), `paramTypes.${name}`);
    if (v === null || v === undefined) {
      if (!declared) throw new Error(`query parameter '${name}' is null; give its type in paramTypes (e.g. { ${name}: 'STRING' }) so the warehouse knows how to bind it.`);
      outTypes[name] = declared;
    } else if (Array.isArray(v)) {
      const elem = declared ? /^ARRAY<(.+)>$/.exec(declared)?.[1] : undefined;
      if (declared && !elem) throw new Error(`query parameter '${name}' is a list but paramTypes says ${declared}; use ARRAY<${declared}>.`);
      if (v.length === 0 && !elem) throw new Error(`query parameter '${name}' is an empty list; give its type in paramTypes (e.g. { ${name}: 'ARRAY<STRING>' }).`);
      const elemTypes = new Set(v.map((x) => checkScalar(name, x, elem)));
      if (elemTypes.size > 1 && !(elemTypes.size === 2 && elemTypes.has('INT64') && elemTypes.has('FLOAT64'))) {
        throw new Error(`query parameter '${name}' mixes ${[...elemTypes].join(' and ')} values; a list holds one type.`);
      }
      outTypes[name] = `ARRAY<${elem ?? (elemTypes.has('FLOAT64') ? 'FLOAT64' : [...elemTypes][0])}>`;
    } else {
      if (declared?.startsWith('ARRAY<')) throw new Error(`query parameter '${name}' is ${JSON.stringify(v)}, not a list, but paramTypes says ${declared}.`);
      outTypes[name] = checkScalar(name, v, declared);
    }
  }
  return { refs, values: values as Record<string, ParamValue>, types: outTypes };
}

/** The query for DuckDB: each `@name` becomes `CAST($name AS <DuckDB type>)`. */
export function toDuckdbSql(sql: string, p: CheckedParams): string {
  let out = '';
  let last = 0;
  for (const r of p.refs) {
    out += `${sql.slice(last, r.start)}CAST($${r.name} AS ${duckdbTypeFor(p.types[r.name]!)})`;
    last = r.end;
  }
  return out + sql.slice(last);
}
