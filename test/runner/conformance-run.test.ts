/**
 * Runs the KFP conformance pipelines (../shared/kfp-conformance, compiled by KFP's own compiler)
 * with the local runner. Their Python lightweight executors are pointed at TypeScript twins
 * (fixtures/kfp-functions.ts) with the same names and interfaces; everything else in each spec
 * (DAGs, conditions, loops, selectors, exit handlers, importers, placeholders) is run as written.
 * Pipelines with other container images need Docker, which the runner must refuse up front.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { PipelineSpecIr } from '../../compiler/ir';
import { runPipeline } from '../../runner/run';
import { RunRefused } from '../../runner/preflight';
import { GOLDEN_DIR, haveGoldens } from '../support/conformance';
import { twins } from './fixtures/kfp-functions';
import { PROJECT_ROOT, states, tempRoot } from './helpers';

const MODULE = 'test/runner/fixtures/kfp-functions.ts';
const TWINS = Object.values(twins) as unknown as { name: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[];

/** The twin for a Python function: same name (or name__variant), same input and output names. */
function twinFor(fn: string, io: string): string {
  const base = fn.replace(/^list_dict_maker_\d$/, 'list_dict_maker');
  const candidates = TWINS.filter((t) => t.name === base || t.name.startsWith(`${base}__`));
  const same = candidates.find((t) => signature(Object.keys(t.inputs), Object.keys(t.outputs)) === io);
  if (!same) throw new Error(`no TypeScript twin of ${fn} ${io}`);
  return same.name;
}

function signature(inputs: string[], outputs: string[]): string {
  return `(${[...inputs].sort().join(', ')}) -> (${[...outputs].sort().join(', ')})`;
}

/** The golden spec with each Python executor replaced by `duckml execute` of its twin. */
function withTwins(name: string): { spec: PipelineSpecIr; pythonOnly: boolean } {
  const spec = parse(fs.readFileSync(path.join(GOLDEN_DIR, `${name}.yaml`), 'utf8')) as PipelineSpecIr;
  let pythonOnly = true;
  for (const comp of Object.values(spec.components)) {
    const exec = spec.deploymentSpec.executors[comp.executorLabel ?? '']?.container;
    if (!exec) continue;
    if (!exec.command?.some((c) => c.includes('kfp.dsl.executor_main'))) {
      pythonOnly = false;
      continue;
    }
    const fn = exec.args![exec.args!.indexOf('--function_to_execute') + 1]!;
    const io = signature(
      Object.keys({ ...comp.inputDefinitions?.parameters, ...comp.inputDefinitions?.artifacts }),
      Object.keys({ ...comp.outputDefinitions?.parameters, ...comp.outputDefinitions?.artifacts }),
    );
    exec.image = 'duckml/duckml:test';
    exec.command = ['duckml', 'execute'];
    exec.args = ['--executor-input', '{{$}}', '--module', MODULE, '--component', twinFor(fn, io)];
  }
  return { spec, pythonOnly };
}

const goldens = haveGoldens ? fs.readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort() : [];
const runnable = goldens.filter((g) => withTwins(g).pythonOnly);
const needDocker = goldens.filter((g) => !withTwins(g).pythonOnly);

const PARAMS: Record<string, Record<string, unknown>> = {
  lightweight_python_functions_with_outputs: { first_message: 'hello', first_number: 2, second_message: 'world', second_number: 3 },
  pipeline_with_parallelfor_parallelism: { loop_parameter: [{ A_a: 'a', B_b: 'b' }, { A_a: 'c', B_b: 'd' }] },
};

/** What each run must show beyond "succeeded". */
const EXPECT: Record<string, (r: Awaited<ReturnType<typeof runPipeline>>) => void> = {
  nested_with_parameters: (r) => expect(r.outputs.params.Output).toEqual([4, 6, 8, 6, 8, 10, 8, 10, 12]),
  if_else_with_oneof_parameters: (r) => {
    const flip = states(r);
    const heads = flip['condition-branches-1/condition-2'] === 'succeeded';
    expect(flip[`condition-branches-1/condition-${heads ? 3 : 2}`]).toBe('skipped');
    expect(r.outputs.params.Output).toBe(heads ? 'Got heads!' : 'Got tails!');
  },
  pipeline_with_exit_handler: (r) => {
    expect(r.state).toBe('failed');
    expect(states(r)).toMatchObject({ 'exit-handler-1': 'failed', 'exit-handler-1/fail-op': 'failed', 'exit-handler-1/print-op-2': 'succeeded', 'print-op': 'succeeded' });
  },
  pipeline_with_parallelfor_parallelism: (r) => expect(r.tasks.filter((t) => t.kind === 'container' && t.state === 'succeeded').length).toBeGreaterThan(20),
  pipeline_with_importer: (r) => expect(states(r)).toMatchObject({ importer: 'succeeded', train: 'succeeded', 'condition-1/importer-2': 'succeeded', 'condition-1/train-2': 'succeeded' }),
};

(haveGoldens ? describe : describe.skip)('KFP conformance pipelines run locally', () => {
  const root = tempRoot();
  const gcs = path.join(root, 'gcs');
  beforeAll(() => {
    // The importer pipelines read gs://ml-pipeline-playground/…: serve them from a local "mount".
    fs.mkdirSync(path.join(gcs, 'ml-pipeline-playground'), { recursive: true });
    for (const f of ['shakespeare1.txt', 'shakespeare2.txt']) fs.writeFileSync(path.join(gcs, 'ml-pipeline-playground', f), `text of ${f}`);
    process.env.DUCKML_GCS_MOUNT = gcs;
    process.env.DUCKML_NO_DOCKER = '1';
  });
  afterAll(() => {
    delete process.env.DUCKML_GCS_MOUNT;
    delete process.env.DUCKML_NO_DOCKER;
  });

  test('every golden is either runnable with TypeScript twins or needs Docker', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(15);
    expect(runnable.length + needDocker.length).toBe(goldens.length);
  });

  test.each(runnable)('%s', async (name) => {
    const { spec } = withTwins(name);
    const r = await runPipeline(spec, { root, display: 'none', projectRoot: PROJECT_ROOT, params: PARAMS[name] });
    const check = EXPECT[name];
    if (check) check(r);
    else {
      const failed = r.tasks.filter((t) => t.state === 'failed').map((t) => `${t.path}: ${t.error}`);
      expect(failed).toEqual([]);
      expect(r.state).toBe('succeeded');
    }
  });

  test.each(needDocker)('%s needs Docker: refused before it starts, naming tasks and images', async (name) => {
    const { spec } = withTwins(name);
    const err = await runPipeline(spec, { root, display: 'none', projectRoot: PROJECT_ROOT, params: PARAMS[name] }).catch((e) => e);
    expect(err).toBeInstanceOf(RunRefused);
    expect((err as Error).message).toMatch(/task '[^']+' uses image '[^']+'/);
  });
});
