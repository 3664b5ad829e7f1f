/**
 * Which input columns become features, checked against the dataset's schema: numeric types are
 * scaled, text and booleans are encoded; the id and label are never features.
 */
import type { ColumnInfo } from '../../warehouse/duckdb';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/;
const CATEGORICAL = /^(VARCHAR|BOOLEAN|ENUM\(.*\)|TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

export const isNumericType = (t: string) => NUMERIC.test(t);

export interface ColumnChoice {
  readonly idColumn: string;
  readonly labelColumn: string;
  /** Explicit numeric features; by default every numeric column. */
  readonly numeric?: readonly string[];
  /** Explicit categorical features; by default every VARCHAR/BOOLEAN column. */
  readonly categorical?: readonly string[];
  readonly exclude?: readonly string[];
}

export interface ColumnPlan {
  readonly numeric: string[];
  readonly categorical: string[];
  /** Columns left out by default, with why (e.g. DATE). */
  readonly skipped: string[];
}

export function planColumns(columns: readonly ColumnInfo[], c: ColumnChoice): ColumnPlan {
  const types = new Map(columns.map((x) => [x.name, x.type]));
  const list = columns.map((x) => `${x.name} ${x.type}`).join(', ');
  const need = (name: string, role: string) => {
    if (!types.has(name)) throw new Error(`the dataset has no column '${name}' (the ${role}). Its columns: ${list}.`);
  };
  need(c.idColumn, 'idColumn');
  need(c.labelColumn, 'labelColumn');
  const labelType = types.get(c.labelColumn)!;
  if (!isNumericType(labelType) && labelType !== 'BOOLEAN') {
    throw new Error(
      `label column '${c.labelColumn}' is ${labelType}; it must hold 0/1 as a number or boolean. ` +
        `Convert it in the query, e.g. CAST(${c.labelColumn} = 'spam' AS INTEGER) AS ${c.labelColumn}.`,
    );
  }
  const exclude = new Set([c.idColumn, c.labelColumn, ...(c.exclude ?? [])]);
  for (const e of c.exclude ?? []) need(e, 'exclude list');
  const explicit = (names: readonly string[] | undefined, role: string, ok: RegExp, expected: string) => {
    for (const n of names ?? []) {
      need(n, role);
      if (n === c.idColumn || n === c.labelColumn) throw new Error(`'${n}' is the ${n === c.idColumn ? 'id' : 'label'} column; it cannot also be a feature.`);
      if (!ok.test(types.get(n)!)) throw new Error(`${role} '${n}' is ${types.get(n)}; expected ${expected}. Cast it in the query or list it elsewhere.`);
    }
  };
  explicit(c.numeric, 'numeric column', NUMERIC, 'a numeric type');
  explicit(c.categorical, 'categorical column', CATEGORICAL, 'VARCHAR, BOOLEAN or an integer type');
  const both = (c.numeric ?? []).filter((n) => (c.categorical ?? []).includes(n));
  if (both.length) throw new Error(`${both.map((n) => `'${n}'`).join(', ')} listed as both numeric and categorical; pick one.`);
  const skipped: string[] = [];
  const numeric = c.numeric ? [...c.numeric] : [];
  const categorical = c.categorical ? [...c.categorical] : [];
  for (const { name, type } of columns) {
    if (exclude.has(name) || numeric.includes(name) || categorical.includes(name)) continue;
    if (c.numeric === undefined && NUMERIC.test(type)) numeric.push(name);
    else if (c.categorical === undefined && /^(VARCHAR|BOOLEAN|ENUM\(.*\))$/.test(type)) categorical.push(name);
    else if (c.numeric === undefined || c.categorical === undefined) skipped.push(`${name} (${type})`);
  }
  if (numeric.length + categorical.length === 0) throw new Error(`no feature columns: the dataset's columns are ${list}. List numericColumns / categoricalColumns.`);
  return { numeric, categorical, skipped };
}
