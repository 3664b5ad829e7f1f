import * as path from 'node:path';
import { DEFAULT_WAREHOUSE_URI, duckdbUri, parseWarehouseUri } from '../../warehouse/uri';

describe('warehouse URIs', () => {
  test('duckdb:// with an absolute or a relative path', () => {
    expect(parseWarehouseUri('duckdb:///data/wh.duckdb')).toEqual({ kind: 'duckdb', uri: 'duckdb:///data/wh.duckdb', path: '/data/wh.duckdb' });
    expect(parseWarehouseUri('duckdb://.duckml/warehouse.duckdb', '/proj')).toMatchObject({ path: '/proj/.duckml/warehouse.duckdb' });
    expect(parseWarehouseUri(DEFAULT_WAREHOUSE_URI, '/proj').kind).toBe('duckdb');
    expect(duckdbUri('/tmp/x.duckdb')).toBe('duckdb:///tmp/x.duckdb');
    expect(parseWarehouseUri(duckdbUri('rel/x.duckdb')).kind === 'duckdb' && parseWarehouseUri(duckdbUri('rel/x.duckdb'))).toMatchObject({ path: path.resolve('rel/x.duckdb') });
  });

  test('bq://PROJECT and bq://PROJECT.DATASET', () => {
    expect(parseWarehouseUri('bq://fraud-project')).toEqual({ kind: 'bigquery', uri: 'bq://fraud-project', project: 'fraud-project', dataset: undefined });
    expect(parseWarehouseUri('bq://fraud-project.analytics_v2')).toMatchObject({ project: 'fraud-project', dataset: 'analytics_v2' });
    expect(parseWarehouseUri('bq://example.com:my-project.ds')).toMatchObject({ project: 'example.com:my-project', dataset: 'ds' });
  });

  test('bad URIs say what is wrong and which forms work', () => {
    expect(() => parseWarehouseUri('')).toThrow(/empty.*duckdb:\/\/\/abs/);
    expect(() => parseWarehouseUri('duckdb://')).toThrow(/names no DuckDB file/);
    expect(() => parseWarehouseUri('bq://Bad_Project')).toThrow(/'Bad_Project' is not a Google Cloud project id/);
    expect(() => parseWarehouseUri('bq://good-project.bad-dataset')).toThrow(/'bad-dataset' is not a BigQuery dataset id/);
    expect(() => parseWarehouseUri('s3://bucket/x')).toThrow(/unknown scheme.*bq:\/\/PROJECT\[\.DATASET\]/);
  });
});
