/**
 * Online serving benchmark: `duckml serve` with the 57-feature MLP of bench/ml.ts, real HTTP on
 * 127.0.0.1 with keep-alive, side by side with the floor — a bare node:http server that answers
 * every request with a canned body of the same size (HTTP + JSON parsing only, no model).
 *   node -r ./cli/register.js bench/serve.ts   (BENCH_REQUESTS=2000, BENCH_CONCURRENCY=8)
 * Prints requests/s and p50/p99 latency for 1-instance and 100-instance requests, and the ratios.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { openDuckDB, sqlString } from '../warehouse/duckdb';
import { BENCH_DIR, prepare } from './ml-data';
import * as fs from 'node:fs';

const ROOT = path.resolve(__dirname, '..');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

function start(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b) => {
      out += b;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

/** A bare server answering `body` to everything: the cost of HTTP and JSON alone. */
const FLOOR = `
const http = require('node:http');
const body = process.argv[1];
http.createServer((req, res) => {
  const parts = [];
  req.on('data', (b) => parts.push(b));
  req.on('end', () => {
    JSON.parse(Buffer.concat(parts).toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(0, '127.0.0.1', function () { console.log('http://127.0.0.1:' + this.address().port); });`;

async function load(url: string, body: string): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        const s = performance.now();
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: REQUESTS / seconds, p50: latencies[Math.floor(latencies.length * 0.5)]!, p99: latencies[Math.floor(latencies.length * 0.99)]! };
}

async function main(): Promise<void> {
  const data = await prepare();
  const model = path.join(BENCH_DIR, 'model-mlp', 'model');
  if (!fs.existsSync(model)) throw new Error(`no bench model at ${model}: run bench/ml-predict.ts first (it trains one).`);
  const db = await openDuckDB(':memory:');
  let rows: Record<string, unknown>[];
  try {
    rows = (await db.conn.runAndReadAll(`SELECT * EXCLUDE (day, is_scammer) FROM read_parquet(${sqlString(data.raw)}) LIMIT 100`)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.close();
  }
  const line = (s: string) => process.stdout.write(`${s}\n`);
  line(`serving benchmark: ${REQUESTS} requests per case, ${CONCURRENCY} in flight, keep-alive, 127.0.0.1`);
  const served = await start([path.join(ROOT, 'bin/duckml.js'), 'serve', '--model', model, '--port', '0']);
  try {
    for (const n of [1, 100]) {
      const body = JSON.stringify({ instances: rows.slice(0, n) });
      const url = `${served.url}/predict`;
      await load(url, body); // warm-up
      const duck = await load(url, body);
      const answer = await (await fetch(url, { method: 'POST', body })).text();
      const floor = await start(['-e', FLOOR, answer]);
      try {
        await load(floor.url, body);
        const base = await load(floor.url, body);
        line(
          `${String(n).padStart(3)} instance(s)/request: duckml serve ${Math.round(duck.rps).toLocaleString('en-US').padStart(6)} req/s (${Math.round(duck.rps * n).toLocaleString('en-US')} instances/s), p50 ${duck.p50.toFixed(2)} ms, p99 ${duck.p99.toFixed(2)} ms; ` +
            `bare HTTP floor ${Math.round(base.rps).toLocaleString('en-US')} req/s, p50 ${base.p50.toFixed(2)} ms → ${(duck.rps / base.rps).toFixed(2)}× the floor's throughput`,
        );
      } finally {
        floor.child.kill();
      }
    }
  } finally {
    served.child.kill('SIGTERM');
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
