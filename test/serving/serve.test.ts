/**
 * `duckml serve` as Vertex runs it: a real process on 127.0.0.1, real HTTP, the model from a
 * folder, the local registry, or Cloud Storage (a fake JSON API server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runComponent } from '../../executor';
import { train } from '../../components/train/component';
import { batchPredict } from '../../components/batch-predict/component';
import { registryPush } from '../../components/registry-push/component';
import { openDuckDB, queryRows, sqlString } from '../../warehouse/duckdb';
import { tmpDir, writeSplits, type Splits } from '../components/fixtures/splits';
import { startFakeGcs, type FakeGcs } from './fake-gcs';

const ROOT = path.resolve(__dirname, '../..');
const quiet = { log: () => undefined };
let splits: Splits;
let modelPath: string;
/** Raw rows as JSON objects, and batch-predict's score for each. */
let instances: Record<string, unknown>[];
let batchScores: Map<string, number>;

interface Serving {
  readonly url: string;
  readonly child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `duckml serve`, resolving once it prints where it listens (or rejecting with its stderr). */
function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Serving> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/duckml.js'), 'serve', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b) => {
      out += b;
      const m = /on (http:\/\/[^ ]+) —/.exec(out);
      if (m) resolve({ url: m[1]!.replace('0.0.0.0', '127.0.0.1'), child, stderr: () => err, stop: () => (child.kill('SIGTERM'), exited) });
    });
    child.stderr!.on('data', (b) => (err += b));
    void exited.then((code) => reject(Object.assign(new Error(`duckml serve exited ${code}: ${err}`), { code, stderr: err })));
  });
}

async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json();
}

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  splits = await writeSplits();
  const r = await runComponent(train, { trainSplit: splits.train, validationSplit: splits.validation, transform: splits.transform, epochs: 3, batchSize: 256, learningRate: 0.01, threads: 1 }, quiet);
  modelPath = (r.artifacts.model as { path: string }).path;
  const db = await openDuckDB(':memory:');
  try {
    instances = (await db.conn.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(splits.raw)}) ORDER BY user_id LIMIT 40`)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.close();
  }
  const p = await runComponent(batchPredict, { data: splits.raw, model: modelPath, threads: 1 }, quiet);
  const db2 = await openDuckDB(':memory:');
  try {
    const rows = await queryRows(db2.conn, `SELECT id, score FROM read_parquet(${sqlString((p.artifacts.predictions as { path: string }).path)})`);
    batchScores = new Map(rows.map((x) => [String(x.id), Number(x.score)]));
  } finally {
    db2.close();
  }
}, 120_000);

test('a model folder: health describes it; predictions match batch-predict score for score, objects or arrays', async () => {
  const s = await serve(['--model', modelPath, '--port', '0']);
  try {
    const health = await getJson(`${s.url}/health`);
    expect(health).toMatchObject({ status: 'ok', model: modelPath, inputColumns: ['f0', 'f1', 'f2', 'f3', 'f4', 'f5'], idColumn: 'user_id', features: 6 });
    expect(health.scorer).toMatch(/^onnxruntime /);
    const r = await post(`${s.url}/predict`, { instances, parameters: {} });
    expect(r.status).toBe(200);
    expect(r.json.predictions).toHaveLength(instances.length);
    r.json.predictions.forEach((p: { id: string; score: number; label: number }, i: number) => {
      expect(p.id).toBe(instances[i]!.user_id);
      expect(p.score).toBeCloseTo(batchScores.get(p.id)!, 5);
      expect(p.label).toBe(p.score >= health.threshold ? 1 : 0);
    });
    expect(new Set(r.json.predictions.map((p: { label: number }) => p.label))).toEqual(new Set([0, 1]));
    // Arrays in inputColumns order score the same; they carry no id.
    const arrays = instances.map((x) => health.inputColumns.map((c: string) => x[c]));
    const a = await post(`${s.url}/predict`, { instances: arrays });
    expect(a.json.predictions.map((p: { score: number }) => p.score)).toEqual(r.json.predictions.map((p: { score: number }) => p.score));
    expect(a.json.predictions[0].id).toBeUndefined();
    // A null value is imputed as the transform says, not an error; a null id is no id.
    const nul = await post(`${s.url}/predict`, { instances: [{ ...instances[0], f1: null, user_id: null }] });
    expect(nul.status).toBe(200);
    expect(nul.json.predictions[0].id).toBeUndefined();
  } finally {
    expect(await s.stop()).toBe(0);
  }
});

test('request mistakes are 4xx answers that say what to send', async () => {
  const s = await serve(['--model', modelPath, '--port', '0', '--max-body-mb', '0.01']);
  try {
    const missing = await post(`${s.url}/predict`, { instances: [instances[0], { f0: 1 }] });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toBe('instance 1 lacks columns f1, f2, f3, f4, f5: the model reads 6 raw columns (GET the health route for inputColumns); a missing value is null, not an absent key.');
    const text = await post(`${s.url}/predict`, { instances: [instances[0], instances[1], { ...instances[2], f1: 'abc' }] });
    expect(text.status).toBe(400);
    expect(text.json.error).toMatch(/^instance 2, column 'f1': "abc" is not a number/);
    expect((await post(`${s.url}/predict`, { instances: [[1, 2]] })).json.error).toMatch(/^instance 0 is an array of 2 values; array instances give the 6 inputColumns in order: f0, f1/);
    expect((await post(`${s.url}/predict`, 'not json')).status).toBe(400);
    expect((await post(`${s.url}/predict`, { rows: [] })).json.error).toMatch(/needs an "instances" array/);
    expect((await post(`${s.url}/predict`, { instances: 'all' })).json.error).toMatch(/needs "instances": an array/);
    const big = await post(`${s.url}/predict`, { instances: Array.from({ length: 200 }, () => instances[0]) });
    expect(big.status).toBe(413);
    expect(big.json.error).toMatch(/at most 10485 are accepted|over 10485 bytes/);
    // The same without a declared length (chunked): still a 413 answer, not a reset connection.
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(`{"instances": [${JSON.stringify(instances[0]).concat(',').repeat(200)}`));
        c.close();
      },
    });
    const chunked = await fetch(`${s.url}/predict`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: string }).error).toMatch(/over 10485 bytes/);
    expect((await fetch(`${s.url}/predict`)).status).toBe(405);
    const nowhere = await fetch(`${s.url}/v1/models`);
    expect(nowhere.status).toBe(404);
    expect(((await nowhere.json()) as { error: string }).error).toBe('no route /v1/models: POST /predict with {"instances": [...]}, GET /health.');
    // Still serving after all of that.
    expect((await post(`${s.url}/predict`, { instances: [instances[0]] })).status).toBe(200);
  } finally {
    expect(await s.stop()).toBe(0);
  }
});

describe('as Vertex starts it', () => {
  let gcs: FakeGcs;
  beforeAll(async () => {
    gcs = await startFakeGcs();
    for (const f of fs.readdirSync(modelPath, { recursive: true }) as string[]) {
      const p = path.join(modelPath, f);
      if (fs.statSync(p).isFile()) gcs.put('models-bucket', `scam/7/${f.split(path.sep).join('/')}`, fs.readFileSync(p));
    }
    gcs.put('models-bucket', 'scam/70/other.json', '{}'); // a neighbour the prefix must not take
  });
  afterAll(() => gcs.close());

  test('AIP_STORAGE_URI on Cloud Storage (downloaded, a transient 503 retried), AIP_* routes and port; SIGTERM exits 0', async () => {
    gcs.requests.length = 0;
    gcs.failNext(1, 503);
    const s = await serve([], { AIP_STORAGE_URI: 'gs://models-bucket/scam/7', AIP_HTTP_PORT: '0', AIP_PREDICT_ROUTE: '/v1/predict', AIP_HEALTH_ROUTE: 'ping', STORAGE_EMULATOR_HOST: gcs.host });
    try {
      const lists = gcs.requests.filter((r) => r.url.startsWith('/storage/v1/b/models-bucket/o'));
      expect(lists.length).toBeGreaterThanOrEqual(3); // the failed one, then pages of two
      expect(lists.every((r) => new URL(r.url, 'http://x').searchParams.get('prefix') === 'scam/7/')).toBe(true);
      const downloads = gcs.requests.filter((r) => r.url.startsWith('/download/')).map((r) => decodeURIComponent(r.url.split('/o/')[1]!.split('?')[0]!));
      expect(downloads.sort()).toEqual((fs.readdirSync(modelPath, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(modelPath, f)).isFile()).map((f) => `scam/7/${f.split(path.sep).join('/')}`).sort());
      expect(gcs.requests.every((r) => r.authorization === undefined)).toBe(true); // an emulator takes no token
      const health = await getJson(`${s.url}/ping`);
      expect(health.model).toBe('gs://models-bucket/scam/7');
      const r = await post(`${s.url}/v1/predict`, { instances: instances.slice(0, 3) });
      expect(r.json.predictions[0].score).toBeCloseTo(batchScores.get(String(instances[0]!.user_id))!, 5);
      expect((await fetch(`${s.url}/health`)).status).toBe(404);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  test('a model that is not there is exit 2 naming it, before listening', async () => {
    const env = { STORAGE_EMULATOR_HOST: gcs.host };
    await expect(serve(['--model', 'gs://models-bucket/scam/8', '--port', '0'], env)).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('there are no objects under gs://models-bucket/scam/8') });
    await expect(serve(['--model', 'gs://no-such-bucket/m', '--port', '0'], env)).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('gs://no-such-bucket/m: the bucket does not exist (HTTP 404)') });
    await expect(serve(['--model', path.join(splits.dir, 'nowhere'), '--port', '0'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("is not a folder, a gs:// URI or NAME@ALIAS") });
    await expect(serve(['--model', splits.dir, '--port', '0'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining(`could not load the model from ${splits.dir}`) });
    await expect(serve(['--port', '0'], { AIP_STORAGE_URI: '' })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('serve needs a model') });
  });
});

test('NAME@ALIAS from the registry: the version it names, the threshold it was registered with', async () => {
  const home = tmpDir('duckml-serve-home-');
  await runComponent(registryPush, { model: modelPath, registry: home, threshold: 0.25 }, quiet);
  const s = await serve(['--model', 'scam-classifier@champion', '--registry', home, '--port', '0']);
  try {
    const health = await getJson(`${s.url}/health`);
    expect(health).toMatchObject({ model: 'scam-classifier@1', threshold: 0.25 });
  } finally {
    expect(await s.stop()).toBe(0);
  }
  await expect(serve(['--model', 'scam-classifier@golden', '--registry', home, '--port', '0'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("has no alias 'golden'") });
});
