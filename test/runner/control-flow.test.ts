/**
 * DAG semantics of the local runner on purpose-built pipelines (test/runner/fixtures): every
 * component runs as a real `duckml execute` process; assertions are on outputs, states, order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runDetails } from '../../runner/history';
import * as f from './fixtures/pipelines';
import { before, run, states, task, tempRoot } from './helpers';

const root = tempRoot();

test('dependencies, an order-only dependency and nested pipelines', async () => {
  const r = await run(f.deps, { root, params: { x: 3 } });
  expect(r.state).toBe('succeeded');
  // inner(x) = 2 * (x + 1): inner(3) = 8, inner(8) = 18.
  expect(r.outputs.params).toEqual({ chain: 'last', nested: 18 });
  expect(before(r, 'emit', 'emit-2')).toBe(true);
  expect(before(r, 'emit-2', 'emit-3')).toBe(true); // `after` without a data edge
  expect(before(r, 'inner', 'inner-2')).toBe(true);
  expect(before(r, 'inner/add', 'inner/add-2')).toBe(true);
  expect(task(r, 'inner').kind).toBe('dag');
});

test.each([
  [9, 'label=big', ['condition-branches-1/condition-3/condition-2/emit']],
  [6, 'label=big', []],
  [4, 'label=mid', []],
  [1, 'label=small', []],
])('if/elif/else with OneOf outputs (n=%i)', async (n, label, extra) => {
  const r = await run(f.branches, { root, params: { n } });
  expect(r.state).toBe('succeeded');
  expect(r.outputs.params.label).toBe(label);
  const s = states(r);
  const branch = { 'label=big': 'condition-3', 'label=mid': 'condition-4', 'label=small': 'condition-5' }[label]!;
  for (const c of ['condition-3', 'condition-4', 'condition-5']) {
    expect(s[`condition-branches-1/${c}`]).toBe(c === branch ? 'succeeded' : 'skipped');
  }
  for (const p of extra) expect(s[p]).toBe('succeeded');
  if (label === 'label=big' && extra.length === 0) expect(s['condition-branches-1/condition-3/condition-2']).toBe('skipped');
});

test('loops: raw lists, a parameter, a task output, parallelism 1, fan-in, nesting, struct items', async () => {
  const trail = path.join(root, 'trail.txt');
  const r = await run(f.loops, { root, params: { items: [3, 1, 2], trail } });
  expect(r.state).toBe('succeeded');
  expect(r.outputs.params).toEqual({
    doubled: [2, 4, 6],
    total: 12,
    serial: ['item-3', 'item-1', 'item-2'],
    joined: 'f1+f2+f3',
    nested: [11, 21, 12, 22],
    structs: 203,
  });
  // parallelism 1: iterations one after another, in order.
  expect(fs.readFileSync(trail, 'utf8')).toBe('item-3\nitem-1\nitem-2\n');
  const serialLoop = r.tasks.find((t) => t.kind === 'loop' && r.tasks.some((x) => x.path.startsWith(`${t.path}/`) && x.path.endsWith('/sleepy')))!;
  const runs = [0, 1, 2].map((i) => task(r, `${serialLoop.path}/${i}/sleepy`));
  expect(runs[0]!.finishedAt! <= runs[1]!.startedAt! && runs[1]!.finishedAt! <= runs[2]!.startedAt!).toBe(true);
  // Fan-in waits for every iteration.
  const addLoop = task(r, 'sum-list').startedAt!;
  expect(r.tasks.filter((t) => /^for-loop-\d+\/\d+\/add$/.test(t.path)).every((t) => t.finishedAt! <= addLoop)).toBe(true);
});

test('exit handler runs after a failed body and receives its final status', async () => {
  const r = await run(f.exitHandler, { root });
  expect(r.state).toBe('failed');
  const s = states(r);
  expect(s['exit-handler-1']).toBe('failed');
  expect(s['exit-handler-1/condition-2/boom']).toBe('failed');
  expect(s['status-probe']).toBe('succeeded');
  expect(before(r, 'exit-handler-1', 'status-probe')).toBe(true);
  const d = await runDetails(root, r.runId);
  const probe = d!.tasks.find((t) => t.path === 'status-probe')!;
  expect(probe.outputs!.params).toEqual({ state: 'FAILED', task: 'exit-handler-1', job: r.runId });

  const ok = await run(f.exitHandler, { root, params: { fail: false } });
  expect(ok.state).toBe('succeeded');
  const d2 = await runDetails(root, ok.runId);
  expect(d2!.tasks.find((t) => t.path === 'status-probe')!.outputs!.params.state).toBe('SUCCEEDED');
});

test('ignoreUpstreamFailure runs a clean-up task; ordinary dependents are not run', async () => {
  const r = await run(f.ignoreFailure, { root });
  expect(r.state).toBe('failed');
  expect(states(r)).toEqual({ boom: 'failed', emit: 'succeeded', 'emit-2': 'upstream_failed' });
  expect(task(r, 'emit-2').error).toMatch(/upstream 'boom' failed/);
});

test('fail-fast stops starting tasks; fail-slow runs what does not depend on the failure', async () => {
  const fast = await run(f.failFast, { root });
  expect(states(fast)).toEqual({ boom: 'failed', sleepy: 'succeeded', emit: 'cancelled' });
  const slow = await run(f.failFast, { root, failFast: false, noCache: true });
  expect(states(slow)).toEqual({ boom: 'failed', sleepy: 'succeeded', emit: 'succeeded' });
  expect(slow.state).toBe('failed');
});

test('importer brings a local file in as a Dataset with metadata', async () => {
  const file = path.join(root, 'imported.txt');
  fs.writeFileSync(file, 'imported text');
  const r = await run(f.importer, { root, params: { uri: file } });
  expect(r.state).toBe('succeeded');
  expect(r.outputs.params).toEqual({ text: 'imported text', source: 'test' });
});

test('run-time placeholders resolve to the run and the task', async () => {
  const r = await run(f.runtime, { root });
  const seen = r.outputs.params.seen as Record<string, string>;
  expect(seen.jobName).toBe(r.runId);
  expect(seen.jobResource).toBe(r.runId);
  expect(seen.jobName.startsWith('runtime-values-')).toBe(true);
  expect(seen.jobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(seen.taskName).toBe('runtime-probe');
  expect(seen.taskId).toMatch(/^[0-9a-f-]{36}$/);
  expect(seen.root).toBe(root);
});

test('concat and ifPresent placeholders on a host-run container component', async () => {
  const r = await run(f.shellPipeline, { root, params: { b: 'B' } });
  expect(r.outputs.params).toEqual({ withB: '<x>|B', withoutB: '<y>|no-b' });
  const r2 = await run(f.shellPipeline, { root, noCache: true });
  expect(r2.outputs.params).toEqual({ withB: '<x>|no-b', withoutB: '<y>|no-b' });
});

test('a lone component runs as a one-task pipeline', async () => {
  const r = await run(f.add, { root, params: { a: 2, b: 5 } });
  expect(r.state).toBe('succeeded');
  expect(r.outputs.params).toEqual({ sum: 7 });
});
