import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseXml } from '../support/xml';
import { GOLDEN_DIR, goldenTest, specOf } from './goldens';

const ROOT = path.resolve(__dirname, '../..');
const DIR = path.join(ROOT, 'test', 'graph', `.tmp-cli-${process.pid}`);
const COIN = path.join(ROOT, 'examples/coin/pipeline.ts');

function duckml(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/duckml.js'), ...args], { cwd: DIR, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const read = (name: string) => fs.readFileSync(path.join(DIR, name), 'utf8');
const files = () => fs.readdirSync(DIR).sort();

beforeEach(() => {
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
});
afterAll(() => fs.rmSync(DIR, { recursive: true, force: true }));

test('draws a TypeScript pipeline to <pipeline-name>.svg by default, type-checked first', () => {
  const r = duckml('graph', COIN);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toBe("drew 'coin' to coin.svg\n");
  expect(files()).toEqual(['coin.svg']);
  expect(parseXml(read('coin.svg')).name).toBe('svg');
});

test('the extension picks the format: .dot/.gv for Graphviz, .mmd for Mermaid', () => {
  const dot = duckml('graph', COIN, '--no-typecheck', '-o', 'out/coin.dot');
  expect([dot.code, dot.err]).toEqual([0, '']);
  expect(read('out/coin.dot')).toMatch(/^digraph "coin" \{\n/);
  expect(duckml('graph', COIN, '--no-typecheck', '--output', 'coin.gv').code).toBe(0);
  expect(read('coin.gv')).toBe(read('out/coin.dot'));
  const mmd = duckml('graph', COIN, '--no-typecheck', '-o', 'coin.mmd', '--export', 'coin');
  expect([mmd.code, mmd.err]).toEqual([0, '']);
  expect(read('coin.mmd')).toContain('flowchart TD\n');
});

test('draws a compiled spec (.json), and replaces an existing output whole, leaving no temporary file', () => {
  fs.writeFileSync(path.join(DIR, 'spec.json'), JSON.stringify(specOf('from-json', { a: [], b: ['a'] })));
  fs.writeFileSync(path.join(DIR, 'g.svg'), 'old content that is longer than nothing '.repeat(400));
  const r = duckml('graph', 'spec.json', '-o', 'g.svg');
  expect([r.code, r.err, r.out]).toEqual([0, '', "drew 'from-json' to g.svg\n"]);
  expect(read('g.svg')).not.toContain('old content');
  expect(parseXml(read('g.svg')).attrs['aria-label']).toBe('pipeline from-json');
  expect(files()).toEqual(['g.svg', 'spec.json']);
});

goldenTest()('draws a KFP reference spec (.yaml)', () => {
  const r = duckml('graph', path.join(GOLDEN_DIR, 'pipeline_with_exit_handler.yaml'), '-o', 'exit.mmd');
  expect([r.code, r.err]).toEqual([0, '']);
  expect(read('exit.mmd')).toContain('g_exit_handler_1 -. on exit .-> t_print_op');
});

test('an unknown output extension is a usage error (exit 2), reported before any compiling, nothing written', () => {
  const r = duckml('graph', COIN, '-o', 'graph.png');
  expect(r.code).toBe(2);
  expect(r.err).toBe("duckml graph: output file 'graph.png' must end in .svg (picture), .dot or .gv (Graphviz) or .mmd (Mermaid).\n");
  expect(files()).toEqual([]);
  // Checked before the input is even looked at.
  expect(duckml('graph', 'missing.ts', '-o', 'x.pdf').err).toContain("output file 'x.pdf' must end in .svg");
});

test('a missing input file is a usage error (exit 2) that names it', () => {
  const r = duckml('graph', 'nope.ts', '-o', 'g.svg');
  expect(r.code).toBe(2);
  expect(r.err).toBe('duckml graph: nope.ts: no such file.\n');
  expect(files()).toEqual([]);
});

test('a spec that cannot be drawn fails with exit 2 and leaves the previous picture untouched', () => {
  fs.writeFileSync(path.join(DIR, 'bad.json'), JSON.stringify(specOf('bad', { a: ['ghost'] })));
  fs.writeFileSync(path.join(DIR, 'g.svg'), 'previous');
  const r = duckml('graph', 'bad.json', '-o', 'g.svg');
  expect(r.code).toBe(2);
  expect(r.err).toBe("duckml graph: cannot draw bad.json: task 'a' depends on 'ghost', which is not a task of the root DAG (tasks there: a); the spec is malformed.\n");
  expect(read('g.svg')).toBe('previous');
  expect(files()).toEqual(['bad.json', 'g.svg']);
});

test('usage: no file, extra arguments, unknown flags; --help; listed in duckml --help', () => {
  expect(duckml('graph').code).toBe(2);
  expect(duckml('graph').err).toContain('which pipeline file or spec?');
  expect(duckml('graph', 'a.ts', 'b.ts').err).toContain('unexpected arguments: b.ts');
  expect(duckml('graph', 'a.ts', '--colour').code).toBe(2);
  const help = duckml('graph', '--help');
  expect([help.code, help.out.split('\n')[0]]).toEqual([0, 'Usage: duckml graph <pipeline.ts|.js|spec.json|spec.yaml> [-o graph.svg|graph.dot|graph.mmd] [--export NAME] [--no-typecheck]']);
  expect(duckml('--help').out).toMatch(/\n {2}graph {6}draw a pipeline DAG/);
});
