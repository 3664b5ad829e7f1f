/**
 * Compile benchmark (issue: duckml core). Run: `node -r ./cli/register.js bench/compile.ts`
 * Prints, per shape and size, the median in-process compile time, the cost per task, and the
 * linearity ratio (per-task cost at N / per-task cost at 100); then cold CLI process times.
 * Reference (quoted in the issue, measured on this machine): KFP's Python compiler ~1 s for 100
 * tasks, 8–10 s for 1,000, growing faster than linearly.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile, serialize } from '../compiler';
import { countTasks, syntheticPipeline, type Shape } from './synthetic';

const SIZES = (process.env.BENCH_SIZES ?? '100,1000,10000').split(',').map(Number);
const SHAPES: Shape[] = ['chain', 'fanout', 'conditions', 'loops'];
const KFP_REFERENCE_MS: Record<number, number> = { 100: 1000, 1000: 9000 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeCompile(shape: Shape, n: number): { ms: number; tasks: number; bytes: number } {
  const p = syntheticPipeline(shape, n);
  const runs = n >= 10000 ? 3 : n >= 1000 ? 7 : 15;
  const times: number[] = [];
  let spec;
  compile(p); // warm the JIT once
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    spec = compile(p);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms: median(times), tasks: countTasks(spec!), bytes: serialize(spec!, 'json').length };
}

console.log(`duckml compile benchmark — node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`);
console.log('\nIn-process compile (median), PipelineSpec object:');
console.log('shape       tasks   median ms   µs/task   linearity (per-task vs 100)   vs KFP reference');
for (const shape of SHAPES) {
  let base = 0;
  for (const n of SIZES) {
    const r = timeCompile(shape, n);
    const perTask = (r.ms * 1000) / r.tasks;
    if (n === SIZES[0]) base = perTask;
    const ref = KFP_REFERENCE_MS[n];
    console.log(
      `${shape.padEnd(10)} ${String(r.tasks).padStart(6)} ${r.ms.toFixed(1).padStart(11)} ${perTask.toFixed(1).padStart(9)}   ${(perTask / base).toFixed(2).padStart(10)}x                  ${ref ? `${(ref / r.ms).toFixed(0)}x faster` : ''}`,
    );
  }
}

// Cold CLI: a fresh `node bin/duckml.js compile` process per run (transpile cache warm, as after
// the first use on a machine), with and without tsc's type check.
const root = path.resolve(__dirname, '..');
const dir = fs.mkdtempSync(path.join(root, 'bench', '.tmp-'));
try {
  const file = path.join(dir, 'ten.ts');
  fs.writeFileSync(
    file,
    `import * as dsl from 'duckml/dsl';
const step = dsl.container({ name: 'step', image: 'alpine', inputs: { x: dsl.string() }, outputs: { y: dsl.string() }, command: (io) => ['sh', '-c', 'echo "$0" > "$1"', io.inputs.x, io.outputs.y] });
export const ten = dsl.pipeline({ name: 'ten', params: { seed: dsl.string({ default: 's' }) } }, (p, { seed }) => {
  let t = p.task(step, { x: seed });
  for (let i = 1; i < 10; i++) t = p.task(step, { x: t.outputs.y });
  return { y: t.outputs.y };
});
`,
  );
  const cli = (extra: string[]) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [path.join(root, 'bin/duckml.js'), 'compile', file, '-o', path.join(dir, 'ten.json'), ...extra], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  cli([]); // fills the transpile cache
  console.log('\nCold CLI process, 10-task pipeline (median of 7):');
  for (const [label, extra] of [['with type check (default)', []], ['--no-typecheck', ['--no-typecheck']]] as const) {
    const ts = Array.from({ length: 7 }, () => cli([...extra]));
    console.log(`  ${label.padEnd(28)} ${median(ts).toFixed(0)} ms`);
  }
  for (const n of SIZES) {
    const big = path.join(dir, `chain${n}.ts`);
    fs.writeFileSync(big, `import { syntheticPipeline } from '${path.join(root, 'bench/synthetic')}';\nexport const p = syntheticPipeline('chain', ${n});\n`);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [path.join(root, 'bin/duckml.js'), 'compile', big, '-o', path.join(dir, `c${n}.json`), '--no-typecheck'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    console.log(`  CLI chain of ${String(n).padEnd(6)} (no type check)   ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
