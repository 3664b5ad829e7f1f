/** Caching: identical component + inputs reuse an earlier successful execution; options and --no-cache are honoured. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runDetails } from '../../runner/history';
import * as f from './fixtures/pipelines';
import { run, states, task, tempRoot } from './helpers';

test('a second identical run is fully cached, per-task options are honoured, and outputs are the same', async () => {
  const root = tempRoot();
  const first = await run(f.caching, { root });
  expect(first.state).toBe('succeeded');
  expect(states(first)).toEqual({ emit: 'succeeded', 'emit-2': 'succeeded', 'emit-3': 'succeeded' });

  const second = await run(f.caching, { root });
  // caching: false re-runs; the others are reused (emit-3 by its cacheKey, whatever its inputs).
  expect(states(second)).toEqual({ emit: 'cached', 'emit-2': 'succeeded', 'emit-3': 'cached' });
  expect(second.outputs.params).toEqual(first.outputs.params);
  const d = await runDetails(root, second.runId);
  const emit = d!.tasks.find((t) => t.path === 'emit')!;
  expect(emit.cached).toBe(true);
  expect(emit.cachedFrom).toBe(task(first, 'emit').executionId);

  // A different input misses; the custom cache key still hits.
  const third = await run(f.caching, { root, params: { v: 'b' } });
  expect(states(third)).toEqual({ emit: 'succeeded', 'emit-2': 'succeeded', 'emit-3': 'cached' });
  expect(third.outputs.params.out).toBe('a'); // reused from the keyed execution, as KFP does

  const none = await run(f.caching, { root, noCache: true });
  expect(Object.values(states(none))).toEqual(['succeeded', 'succeeded', 'succeeded']);
});

test('artifacts flow from cached executions; a deleted artifact is not a cache hit', async () => {
  const root = tempRoot();
  const first = await run(f.loops, { root });
  expect(first.state).toBe('succeeded');
  const second = await run(f.loops, { root });
  const leaves = second.tasks.filter((t) => t.kind === 'container');
  expect(leaves.every((t) => t.state === 'cached')).toBe(true);
  expect(second.outputs.params).toEqual(first.outputs.params);

  // Remove one written file: that task runs again, and so does the task that reads the files.
  const writer = first.tasks.find((t) => t.path.endsWith('/write-text'))!;
  fs.rmSync(path.join(first.runDir, writer.path), { recursive: true });
  const third = await run(f.loops, { root });
  expect(task(third, writer.path).state).toBe('succeeded');
  expect(task(third, 'concat-files').state).toBe('succeeded');
  expect(task(third, 'sum-list').state).toBe('cached');
  expect(third.outputs.params.joined).toBe('f1+f2+f3');
});

test('editing a TypeScript component\'s module invalidates its cache entries', async () => {
  const root = tempRoot();
  const dir = path.join(__dirname, 'fixtures', '.tmp-edit');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `edit-${process.pid}.ts`);
  const source = (v: string) =>
    `import * as dsl from '../../../../dsl';\nexport const say = dsl.component({ name: 'say', outputs: { out: dsl.string() }, run: () => ({ out: '${v}' }) });\n` +
    `export const p = dsl.pipeline({ name: 'edit' }, (p) => ({ out: p.task(say, {}).outputs.out }));\n`;
  try {
    fs.writeFileSync(file, source('one'));
    const mod = require(file) as { p: unknown };
    const a = await run(mod.p, { root });
    expect(a.outputs.params.out).toBe('one');
    const b = await run(mod.p, { root });
    expect(task(b, 'say').state).toBe('cached');
    fs.writeFileSync(file, source('two'));
    const c = await run(mod.p, { root });
    expect(task(c, 'say').state).toBe('succeeded');
    expect(c.outputs.params.out).toBe('two');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
