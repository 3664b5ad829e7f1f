/**
 * The KFP reference specs the graph tests draw, read from ../shared/kfp-conformance; absent in a
 * user's fresh clone, where those tests skip with one notice.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { PipelineSpecIr } from '../../compiler/ir';

export const GOLDEN_DIR = path.resolve(__dirname, '../../../shared/kfp-conformance');
export const haveGoldens = fs.existsSync(GOLDEN_DIR);
let noticed = false;

/** `test`, or `test.skip` with a one-line stderr notice when the goldens are absent. */
export function goldenTest(): jest.It {
  if (!haveGoldens && !noticed) {
    noticed = true;
    process.stderr.write(`graph: ${GOLDEN_DIR} is absent; tests on KFP reference specs are skipped.\n`);
  }
  return haveGoldens ? test : test.skip;
}

export function golden(name: string): PipelineSpecIr {
  return parse(fs.readFileSync(path.join(GOLDEN_DIR, `${name}.yaml`), 'utf8')) as PipelineSpecIr;
}

export function goldenNames(): string[] {
  return haveGoldens ? fs.readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort() : [];
}

/** A minimal spec from DAG tasks given as `name: [dependencies]`, each a container task. */
export function specOf(name: string, deps: Record<string, string[]>): PipelineSpecIr {
  const tasks: PipelineSpecIr['root'] = { dag: { tasks: {} } };
  const components: PipelineSpecIr['components'] = {};
  const executors: PipelineSpecIr['deploymentSpec']['executors'] = {};
  for (const [t, d] of Object.entries(deps)) {
    tasks.dag!.tasks[t] = { taskInfo: { name: t }, componentRef: { name: `comp-${t}` }, ...(d.length && { dependentTasks: d }) };
    components[`comp-${t}`] = { executorLabel: `exec-${t}` };
    executors[`exec-${t}`] = { container: { image: 'alpine' } };
  }
  return { pipelineInfo: { name }, schemaVersion: '2.1.0', sdkVersion: 'test', deploymentSpec: { executors }, components, root: tasks };
}
