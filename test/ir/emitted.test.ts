/**
 * Every pipeline the project ships outside the conformance set (examples/**, pipelines/**) must
 * compile to a PipelineSpec that is valid under the IR schema, as an object and as the JSON and
 * YAML text `serialize()` writes. Files are found on disk, so new examples are covered as added.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { compile, serialize } from '../../compiler';
import { isComponent } from '../../dsl/component';
import { haveIrSchema, IR_PROTO, validatePipelineSpec } from '../support/ir-validator';

const PROJECT = path.resolve(__dirname, '../..');
const SOURCE_DIRS = ['examples', 'pipelines'];

if (!haveIrSchema) {
  // stderr, not console.log: jest does not show the console of a file whose tests all skip.
  process.stderr.write(`emitted IR: ${IR_PROTO} is absent; schema checks of examples/ and pipelines/ are skipped (CI always has it).\n`);
}

/** TypeScript sources under `dir` (tests and declaration files excluded), project-relative. */
function tsFiles(dir: string): string[] {
  const abs = path.join(PROJECT, dir);
  if (!fs.existsSync(abs)) return [];
  const found: string[] = [];
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') found.push(...tsFiles(rel));
    else if (e.isFile() && e.name.endsWith('.ts') && !/\.(d|test|spec)\.ts$/.test(e.name)) found.push(rel);
  }
  return found.sort();
}

/** The pipelines a module exports, by export name. */
function pipelinesIn(file: string): [string, unknown][] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(PROJECT, file)) as Record<string, unknown>;
  return Object.entries(mod).filter(([, v]) => isComponent(v) && v.type === 'pipeline');
}

const files = SOURCE_DIRS.flatMap(tsFiles);

(haveIrSchema ? describe : describe.skip)('PipelineSpecs emitted for examples/ and pipelines/', () => {
  test('the search finds pipelines (examples/hello at least)', () => {
    const all = files.flatMap((f) => pipelinesIn(f).map(([name]) => `${f}#${name}`));
    expect(all).toContain(path.join('examples', 'hello', 'pipeline.ts#hello'));
  });

  test.each(files)('%s', (file) => {
    const problems: Record<string, string[]> = {};
    for (const [name, pipeline] of pipelinesIn(file)) {
      const spec = compile(pipeline);
      const forms: [string, unknown][] = [
        ['object', spec],
        ['json', JSON.parse(serialize(spec, 'json'))],
        ['yaml', parse(serialize(spec, 'yaml'))],
      ];
      for (const [form, doc] of forms) {
        const found = validatePipelineSpec(doc);
        if (found.length) problems[`${name} (${form})`] = found;
      }
    }
    expect(problems).toEqual({});
  });
});
