/**
 * The conformance rule of ../shared/kfp-conformance/README.md: compile the TypeScript twin of a
 * reference pipeline and compare parsed documents, removing only sdkVersion, YAML comments and the
 * command of Python lightweight executors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { testing } from '../../compiler';
import * as dsl from '../../dsl';
import { validatePipelineSpec } from './ir-validator';

export const GOLDEN_DIR = path.resolve(__dirname, '../../../shared/kfp-conformance');
export const haveGoldens = fs.existsSync(GOLDEN_DIR);
if (!haveGoldens) {
  // stderr, not console.log: jest hides console output of files whose tests are all skipped.
  process.stderr.write(`conformance: ${GOLDEN_DIR} is absent; KFP conformance tests are skipped (CI always has it).\n`);
}

type Doc = Record<string, unknown>;

export function loadGolden(name: string): Doc {
  return parse(fs.readFileSync(path.join(GOLDEN_DIR, `${name}.yaml`), 'utf8')) as Doc;
}

function isPythonLightweight(command: unknown): boolean {
  return Array.isArray(command) && command.some((c) => typeof c === 'string' && c.includes('kfp.dsl.executor_main'));
}

/** Applies the README's normalisation to both documents. */
export function normalise(golden: Doc, ours: Doc): [Doc, Doc] {
  const g = structuredClone(golden);
  const o = structuredClone(ours);
  delete g.sdkVersion;
  delete o.sdkVersion;
  const gExec = ((g.deploymentSpec as Doc | undefined)?.executors ?? {}) as Record<string, { container?: Doc }>;
  const oExec = ((o.deploymentSpec as Doc | undefined)?.executors ?? {}) as Record<string, { container?: Doc }>;
  for (const [label, e] of Object.entries(gExec)) {
    if (e.container && isPythonLightweight(e.container.command)) {
      delete e.container.command;
      const mine = oExec[label]?.container;
      if (mine && isPythonLightweight(mine.command)) delete mine.command;
    }
  }
  return [g, o];
}

export function compiled(target: unknown): Doc {
  return testing.synth(target) as unknown as Doc;
}

/** Declares one conformance test: the golden named `name` against the compiled `target`. */
export function conformance(name: string, target: () => unknown): void {
  (haveGoldens ? test : test.skip)(`reproduces ${name}.yaml`, () => {
    const ours = compiled(target());
    // What duckml emits must also parse strictly under the IR schema (../shared/kfp-ir).
    expect(validatePipelineSpec(ours)).toEqual([]);
    const [g, o] = normalise(loadGolden(name), ours);
    expect(o).toEqual(g);
  });
}

/**
 * A stand-in for a KFP Python lightweight component: the same interface, image and args; its
 * command (the embedded Python program) is what the conformance rule leaves out.
 */
export function pyComponent<const I extends dsl.InputsSpec = {}, const O extends dsl.OutputsSpec = {}>(def: {
  name: string;
  fn?: string;
  inputs?: I;
  outputs?: O;
  image?: string;
  description?: string;
}) {
  const fn = def.fn ?? def.name.replace(/-/g, '_');
  return dsl.container({
    name: def.name,
    description: def.description,
    image: def.image ?? 'python:3.11',
    inputs: def.inputs,
    outputs: def.outputs,
    command: ['sh', '-ec', `python3 -m kfp.dsl.executor_main --component_module_path "$0" "$@"`],
    args: (io) => ['--executor_input', io.executorInput, '--function_to_execute', fn],
  });
}
