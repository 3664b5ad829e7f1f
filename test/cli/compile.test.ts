import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const DIR = path.join(ROOT, 'test', 'cli', `.tmp-compile-${process.pid}`);

function duckml(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/duckml.js'), ...args], { cwd: DIR, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function write(name: string, text: string): string {
  fs.writeFileSync(path.join(DIR, name), text);
  return name;
}

const GOOD = `import * as dsl from 'duckml/dsl';
const echo = dsl.container({ name: 'echo', image: 'alpine', inputs: { text: dsl.string() }, command: (io) => ['echo', io.inputs.text] });
export const greet = dsl.pipeline({ name: 'greet', params: { who: dsl.string({ default: 'you' }), n: dsl.int({ default: 1 }) } }, (p, { who }) => {
  p.task(echo, { text: who });
});
`;

beforeAll(() => fs.mkdirSync(DIR, { recursive: true }));
afterAll(() => fs.rmSync(DIR, { recursive: true, force: true }));

test('compiles a TypeScript pipeline file to YAML and JSON, with --param defaults', () => {
  write('good.ts', GOOD);
  const y = duckml('compile', 'good.ts', '-o', 'out/greet.yaml', '--param', 'who=duck', '--param', 'n=3');
  expect(y.err).toBe('');
  expect(y.code).toBe(0);
  expect(y.out).toBe("compiled 'greet' (1 top-level task) to out/greet.yaml\n");
  const spec = parse(fs.readFileSync(path.join(DIR, 'out/greet.yaml'), 'utf8'));
  expect(spec.root.inputDefinitions.parameters.who.defaultValue).toBe('duck');
  expect(spec.root.inputDefinitions.parameters.n.defaultValue).toBe(3);
  expect(spec.sdkVersion).toMatch(/^duckml-/);
  const j = duckml('compile', 'good.ts', '-o', 'greet.json', '--no-typecheck');
  expect(j.code).toBe(0);
  expect(JSON.parse(fs.readFileSync(path.join(DIR, 'greet.json'), 'utf8')).pipelineInfo.name).toBe('greet');
});

test('a missing file is a usage error (exit 2) that names the file', () => {
  const r = duckml('compile', 'nope.ts');
  expect(r.code).toBe(2);
  expect(r.err).toBe('duckml compile: nope.ts: no such file.\n');
});

test('a missing export lists the exports there are', () => {
  write('two.ts', `${GOOD}export const other = greet;\nexport const notAPipeline = 3;\n`);
  const r = duckml('compile', 'two.ts', '--export', 'missing');
  expect(r.code).toBe(2);
  expect(r.err).toContain("two.ts has no export named 'missing'. Exports: greet, notAPipeline, other.");
  const ambiguous = duckml('compile', 'two.ts', '--no-typecheck');
  expect(ambiguous.code).toBe(2);
  expect(ambiguous.err).toContain('exports several pipelines (greet, other); choose one with --export NAME.');
});

test('a syntax error is reported with file, line and column (exit 3)', () => {
  write('syntax.ts', 'export const x = (;\n');
  const r = duckml('compile', 'syntax.ts', '--no-typecheck');
  expect(r.code).toBe(3);
  expect(r.err).toMatch(/syntax error:\n.*syntax\.ts:1:\d+: /);
});

test('a type error (a Dataset wired into a Model input) fails before anything is written (exit 3)', () => {
  write(
    'typed.ts',
    `import * as dsl from 'duckml/dsl';
const a = dsl.container({ name: 'a', image: 'x', outputs: { d: dsl.Dataset } });
const b = dsl.container({ name: 'b', image: 'x', inputs: { m: dsl.Model } });
export const p = dsl.pipeline({ name: 'typed' }, (p) => { p.task(b, { m: p.task(a, {}).outputs.d }); });
`,
  );
  const r = duckml('compile', 'typed.ts', '-o', 'typed.yaml');
  expect(r.code).toBe(3);
  expect(r.err).toContain("typed.ts:4:");
  expect(r.err).toContain(`Type '"system.Dataset"' is not assignable to type '"system.Model"'`);
  expect(fs.existsSync(path.join(DIR, 'typed.yaml'))).toBe(false);
});

test('a compile error lists every problem with its task path (exit 3)', () => {
  write(
    'leak.ts',
    `import * as dsl from 'duckml/dsl';
const a = dsl.container({ name: 'a', image: 'x', outputs: { o: dsl.string() } });
const b = dsl.container({ name: 'b', image: 'x', inputs: { t: dsl.string() } });
export const p = dsl.pipeline({ name: 'leak' }, (p) => {
  let o: any;
  p.forEach([1, 2], (s) => { o = s.task(a, {}).outputs.o; });
  p.task(b, { t: o });
});
`,
  );
  const r = duckml('compile', 'leak.ts', '-o', 'leak.yaml');
  expect(r.code).toBe(3);
  expect(r.err).toContain('pipeline did not compile (1 problem):\n  - leak/b: illegal reference across scopes');
});

test('bad --param values and output extensions are usage errors', () => {
  write('good.ts', GOOD);
  expect(duckml('compile', 'good.ts', '--param', 'n=three', '--no-typecheck').err).toContain("parameter 'n' is NUMBER_INTEGER: 'three' is not an integer.");
  expect(duckml('compile', 'good.ts', '--param', 'zzz=1', '--no-typecheck').err).toContain("unknown parameter 'zzz'");
  const r = duckml('compile', 'good.ts', '-o', 'x.txt', '--no-typecheck');
  expect(r.code).toBe(2);
  expect(r.err).toContain("must end in .json, .yaml or .yml");
});
