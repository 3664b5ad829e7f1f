/** Shared by the runner tests: temporary pipeline roots and in-process runs of fixture pipelines. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile } from '../../compiler';
import { runPipeline, type RunOptions, type RunResult } from '../../runner/run';
import type { TaskRecord } from '../../runner/model';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');
export const BIN = path.join(PROJECT_ROOT, 'bin', 'duckml.js');

const roots: string[] = [];
export function tempRoot(prefix = 'duckml-run-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  roots.push(d);
  return d;
}
afterAll(() => {
  for (const d of roots.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

export async function run(pipeline: unknown, opts: RunOptions & { root: string }): Promise<RunResult> {
  return runPipeline(compile(pipeline), { display: 'none', projectRoot: PROJECT_ROOT, ...opts });
}

export function task(r: RunResult, p: string): TaskRecord {
  const t = r.tasks.find((x) => x.path === p);
  if (!t) throw new Error(`no task '${p}' in run ${r.runId}; tasks: ${r.tasks.map((x) => x.path).join(', ')}`);
  return t;
}

export function states(r: RunResult): Record<string, string> {
  return Object.fromEntries(r.tasks.filter((t) => t.kind !== 'iteration').map((t) => [t.path, t.state]));
}

/** `a` finished before `b` started. */
export function before(r: RunResult, a: string, b: string): boolean {
  return task(r, a).finishedAt! <= task(r, b).startedAt!;
}
