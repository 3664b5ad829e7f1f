/**
 * Local runner overhead (issue: component executor and local runner).
 * Run: `node -r ./cli/register.js bench/runner-overhead.ts`  (BENCH_TASKS=100, BENCH_REPEAT=3)
 *
 * A chain of N no-op TypeScript components, each consuming the previous one's output, run with
 * `runPipeline` (the engine behind `duckml run`): first cold (fresh pipeline root, every task
 * executes as its own `duckml execute` process), then fully cached (same root, nothing runs).
 * Per-task figures are the gaps between consecutive tasks' completions (a chain has no overlap),
 * so they include everything the runner does per task: input resolution, cache lookup, staging,
 * process start, the executor, output checks, moving into place and recording.
 * Targets: median ≤ 60 ms per executed task, ≤ 5 ms per cached task.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dsl from '../dsl';
import { compile } from '../compiler';
import type { RunResult } from '../runner/run';
import { noop } from './fixtures/noop';

export function chainPipeline(n: number) {
  return dsl.pipeline({ name: `noop-chain-${n}` }, (p) => {
    let prev = p.task(noop, { x: 0 });
    for (let i = 1; i < n; i++) prev = p.task(noop, { x: prev.outputs.y });
    return { last: prev.outputs.y };
  });
}

function stats(r: RunResult): { median: number; mean: number; p90: number; total: number } {
  const leaves = r.tasks.filter((t) => t.kind === 'container').sort((a, b) => a.finishedAt! - b.finishedAt!);
  const gaps: number[] = [];
  for (let i = 1; i < leaves.length; i++) gaps.push(leaves[i]!.finishedAt! - leaves[i - 1]!.finishedAt!);
  const sorted = [...gaps].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)] ?? 0,
    p90: sorted[Math.floor(sorted.length * 0.9)] ?? 0,
    mean: gaps.reduce((s, g) => s + g, 0) / Math.max(1, gaps.length),
    total: r.durationMs,
  };
}

/** CPU used by this process and by its reaped children, in ms (Linux /proc; 0 elsewhere for children). */
function cpuMs(): { self: number; children: number } {
  const u = process.cpuUsage();
  let children = 0;
  try {
    const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    children = ((Number(f[13]) + Number(f[14])) * 1000) / 100; // cutime + cstime, at USER_HZ = 100
  } catch {
    /* not Linux */
  }
  return { self: (u.user + u.system) / 1000, children };
}

async function main(): Promise<void> {
  const { runPipeline } = require('../runner/run') as typeof import('../runner/run');
  const n = Number(process.env.BENCH_TASKS ?? 100);
  const repeat = Number(process.env.BENCH_REPEAT ?? 3);
  const spec = compile(chainPipeline(n));
  const projectRoot = path.resolve(__dirname, '..');
  console.log(`duckml runner overhead — chain of ${n} no-op TypeScript components; node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg()[0]!.toFixed(2)}`);
  console.log('mode                         run   total s   median ms/task   mean ms/task   p90 ms/task   CPU ms/task (runner+executors)   target (median)');
  let cpu0 = cpuMs();
  const row = (mode: string, i: number, s: ReturnType<typeof stats>, target: number) => {
    const c = cpuMs();
    const self = (c.self - cpu0.self) / n;
    const kids = (c.children - cpu0.children) / n;
    cpu0 = c;
    console.log(
      `${mode.padEnd(28)} ${String(i + 1).padStart(3)}   ${(s.total / 1000).toFixed(2).padStart(7)}   ${s.median.toFixed(1).padStart(14)}   ${s.mean.toFixed(1).padStart(12)}   ${s.p90.toFixed(1).padStart(11)}   ${`${(self + kids).toFixed(1)} (${self.toFixed(1)}+${kids.toFixed(1)})`.padStart(30)}   ${s.median <= target ? '✓' : '✗'} ≤ ${target}`,
    );
  };
  for (const [mode, prewarm] of [['executed (prewarmed procs)', true], ['executed (plain spawn)', false]] as const) {
    for (let i = 0; i < repeat; i++) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-bench-'));
      try {
        cpu0 = cpuMs();
        const cold = await runPipeline(spec, { root, display: 'none', projectRoot, prewarm });
        if (cold.state !== 'succeeded') throw new Error(`cold run ${cold.state}: ${cold.error}`);
        row(mode, i, stats(cold), 60);
        if (prewarm) {
          const cached = await runPipeline(spec, { root, display: 'none', projectRoot });
          const leaves = cached.tasks.filter((t) => t.kind === 'container');
          if (cached.state !== 'succeeded' || leaves.some((t) => t.state !== 'cached')) throw new Error('second run was not fully cached');
          const s = stats(cached);
          // Cached tasks finish within the same millisecond; the run's wall time over N is the honest figure.
          row('fully cached (wall / N)', i, { ...s, median: s.total / n, mean: s.total / n }, 5);
        }
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
      if (!prewarm && i >= 0) break;
    }
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
