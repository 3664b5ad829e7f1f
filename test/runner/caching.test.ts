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

test('editing a file the component imports, or a worker file it names, invalidates its cache entries; an unrelated file does not', async () => {
  const root = tempRoot();
  const dir = path.join(__dirname, 'fixtures', `.tmp-closure-${process.pid}`);
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  const file = path.join(dir, 'component.ts');
  fs.writeFileSync(
    file,
    `import * as path from 'node:path';\nimport * as dsl from '../../../../dsl';\nimport { WORD } from './lib/words';\n` +
      `// The worker is only named, as a component would start it:\nexport const workerFile = path.join(__dirname, 'lib', 'worker.ts');\n` +
      `export const say = dsl.component({ name: 'say', outputs: { out: dsl.string() }, run: () => ({ out: WORD + ':' + require(workerFile).TAG }) });\n` +
      `export const p = dsl.pipeline({ name: 'closure' }, (p) => ({ out: p.task(say, {}).outputs.out }));\n`,
  );
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    // A distinct mtime even on coarse-grained file systems.
    const t = new Date(Date.now() + Math.floor(Math.random() * 1e6));
    fs.utimesSync(path.join(dir, name), t, t);
  };
  try {
    write('lib/words.ts', `export const WORD = 'alpha';\n`);
    write('lib/worker.ts', `export const TAG = 'w1';\n`);
    write('lib/unrelated.ts', `export const X = 1;\n`);
    const mod = require(file) as { p: unknown };
    const a = await run(mod.p, { root });
    expect(a.outputs.params.out).toBe('alpha:w1');
    write('lib/unrelated.ts', `export const X = 2;\n`);
    expect(task(await run(mod.p, { root }), 'say').state).toBe('cached');
    write('lib/words.ts', `export const WORD = 'beta';\n`);
    const c = await run(mod.p, { root });
    expect(task(c, 'say').state).toBe('succeeded');
    expect(c.outputs.params.out).toBe('beta:w1');
    write('lib/worker.ts', `export const TAG = 'w2';\n`);
    const d = await run(mod.p, { root });
    expect(task(d, 'say').state).toBe('succeeded');
    expect(d.outputs.params.out).toBe('beta:w2');
    expect(task(await run(mod.p, { root }), 'say').state).toBe('cached');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
