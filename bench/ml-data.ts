/**
 * The benchmark data set, built once and reused: the 1M-row demo `user_activity` table
 * (`duckml demo-data` defaults), extracted to Parquet and preprocessed into train / validation /
 * test splits with the project's own components. Also exports the splits as raw float32 files
 * for the scikit-learn baseline (Debian has no pyarrow, so Python reads the same values raw).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runComponent } from '../executor';
import { bigqueryExtract } from '../components/bigquery-extract/component';
import { preprocess } from '../components/preprocess/component';
import { buildDemoWarehouse } from '../warehouse/demo-data';
import { readSplit } from '../components/train/split-reader';

export const BENCH_DIR = path.resolve(process.env.BENCH_DIR ?? '/tmp/duckml-bench-ml');

export interface BenchData {
  readonly warehouse: string;
  readonly raw: string;
  readonly train: string;
  readonly validation: string;
  readonly test: string;
  readonly transform: string;
  readonly rawRows: number;
}

export async function prepare(log: (m: string) => void = console.error): Promise<BenchData> {
  const file = path.join(BENCH_DIR, 'data.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as BenchData;
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const warehouse = path.join(BENCH_DIR, 'warehouse.duckdb');
  log('bench: building the 1M-row demo warehouse…');
  await buildDemoWarehouse({ path: warehouse, messages: false });
  log('bench: extracting and preprocessing…');
  const ex = await runComponent(bigqueryExtract, { query: 'SELECT * FROM user_activity', warehouse: `duckdb://${warehouse}` }, { outputDir: path.join(BENCH_DIR, 'extract'), log: () => undefined });
  const raw = ex.artifacts.dataset as { path: string; metadata: Record<string, unknown> };
  const pp = await runComponent(
    preprocess,
    { dataset: raw.path, labelColumn: 'is_scammer', idColumn: 'user_id', exclude: ['day'] },
    { outputDir: path.join(BENCH_DIR, 'preprocess'), log: () => undefined },
  );
  const a = pp.artifacts as Record<string, { path: string }>;
  const data: BenchData = { warehouse, raw: raw.path, train: a.train!.path, validation: a.validation!.path, test: a.test!.path, transform: a.transform!.path, rawRows: Number(raw.metadata.rows) };
  fs.writeFileSync(file, JSON.stringify(data, null, 2));
  return data;
}

/** `<name>.x.f32` (rows × k), `<name>.y.f32`, `<name>.w.f32` and `<name>.json` ({ rows, k }) beside the splits. */
export async function exportRaw(data: BenchData): Promise<string> {
  const dir = path.join(BENCH_DIR, 'raw-f32');
  if (fs.existsSync(path.join(dir, 'test.json'))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  for (const name of ['train', 'test'] as const) {
    const s = await readSplit(data[name], { what: name, needLabel: true });
    fs.writeFileSync(path.join(dir, `${name}.x.f32`), Buffer.from(s.features.buffer, s.features.byteOffset, s.features.byteLength));
    fs.writeFileSync(path.join(dir, `${name}.y.f32`), Buffer.from(s.labels!.buffer, s.labels!.byteOffset, s.labels!.byteLength));
    fs.writeFileSync(path.join(dir, `${name}.w.f32`), Buffer.from(s.weights.buffer, s.weights.byteOffset, s.weights.byteLength));
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ rows: s.rows, k: s.k }));
  }
  return dir;
}
