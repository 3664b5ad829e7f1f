import { checkParams, findNamedParams, toDuckdbSql } from '../../warehouse/sql-params';

describe('named query parameters', () => {
  test('finds @name outside literals, quoted names, comments and @@system variables', () => {
    const sql = [
      "SELECT '@a', \"@b\", `@c`, '''@d''', @@project_id, x -- @e",
      '/* @f */ FROM t # @g',
      "WHERE y = @real AND z IN UNNEST(@list) AND w = 'it''s @h' AND v = @real",
    ].join('\n');
    expect(findNamedParams(sql).map((r) => r.name)).toEqual(['real', 'list', 'real']);
  });

  test('infers BigQuery types from values; declared types win', () => {
    const c = checkParams('SELECT @s, @i, @f, @b, @l, @d, @n, @fl', { s: 'x', i: 3, f: 0.5, b: true, l: [1, 2.5], d: '2025-01-01', n: null, fl: 2 }, { d: 'date', n: 'string', fl: 'FLOAT64' });
    expect(c.types).toEqual({ s: 'STRING', i: 'INT64', f: 'FLOAT64', b: 'BOOL', l: 'ARRAY<FLOAT64>', d: 'DATE', n: 'STRING', fl: 'FLOAT64' });
  });

  test('DuckDB gets typed placeholders, values stay out of the SQL', () => {
    const sql = "SELECT * FROM t WHERE d >= @d AND c IN (SELECT unnest(@cs)) AND note = '@d'";
    const c = checkParams(sql, { d: '2025-01-01', cs: ['US'] }, { d: 'DATE' });
    const out = toDuckdbSql(sql, c);
    expect(out).toBe("SELECT * FROM t WHERE d >= CAST($d AS DATE) AND c IN (SELECT unnest(CAST($cs AS VARCHAR[]))) AND note = '@d'");
    expect(out).not.toContain('2025-01-01');
  });

  test('bad parameters are clear errors', () => {
    expect(() => checkParams('SELECT @a, @b', { a: 1 })).toThrow(/uses @b but no value was given for it\. Pass params: \{ b: … \}/);
    expect(() => checkParams('SELECT 1', { a: 1 })).toThrow(/'a' is not used by the query/);
    expect(() => checkParams('SELECT @a', { a: null })).toThrow(/'a' is null; give its type in paramTypes/);
    expect(() => checkParams('SELECT @a', { a: [] })).toThrow(/empty list; give its type/);
    expect(() => checkParams('SELECT @a', { a: [1, 'x'] })).toThrow(/mixes INT64 and STRING/);
    expect(() => checkParams('SELECT @a', { a: { x: 1 } })).toThrow(/not a string, number or boolean/);
    expect(() => checkParams('SELECT @a', { a: Number.NaN })).toThrow(/not a finite number/);
    expect(() => checkParams('SELECT @a', { a: 1.5 }, { a: 'INT64' })).toThrow(/1\.5 is not a valid INT64 value/);
    expect(() => checkParams('SELECT @a', { a: 1 }, { a: 'STRUCT' })).toThrow(/unknown BigQuery type 'STRUCT'/);
    expect(() => checkParams('SELECT @a', { a: 1 }, { b: 'INT64' })).toThrow(/paramTypes names 'b', which has no value/);
  });
});
