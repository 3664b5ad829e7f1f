import { compile } from '../../compiler';
import type { PipelineSpecIr } from '../../compiler/ir';
import { coin } from '../../examples/coin/pipeline';
import { buildGraphModel, edgesOf, GraphError, groupsOf, tasksOf, type GraphGroup, type GraphItem } from '../../graph';
import { golden, goldenNames, goldenTest, specOf } from './goldens';

function child(g: GraphGroup, key: string): GraphItem {
  const c = g.children.find((x) => x.key === key);
  if (!c) throw new Error(`${g.id || 'root'} has no child ${key}; has ${g.children.map((x) => x.key).join(', ')}`);
  return c;
}
function group(g: GraphGroup, key: string): GraphGroup {
  const c = child(g, key);
  if (c.type !== 'group') throw new Error(`${c.id} is a task, not a group`);
  return c;
}

goldenTest()('exit handler: the guarded tasks in a group, the exit task after it on an exit edge', () => {
  const m = buildGraphModel(golden('pipeline_with_exit_handler'));
  expect(m.root.children.map((c) => [c.id, c.type])).toEqual([
    ['exit-handler-1', 'group'],
    ['print-op', 'task'],
  ]);
  const eh = group(m.root, 'exit-handler-1');
  expect(eh.kind).toBe('exit-handler');
  expect(eh.exitTask).toBe('print-op');
  expect(eh.children.map((c) => c.id)).toEqual(['exit-handler-1/fail-op', 'exit-handler-1/print-op-2']);
  expect(eh.edges).toEqual([]);
  expect(child(m.root, 'print-op').exitFor).toBe('exit-handler-1');
  expect(m.root.edges).toEqual([{ from: 'exit-handler-1', to: 'print-op', kind: 'exit' }]);
});

goldenTest()('loops: iterator from raw items, a pipeline parameter or a task output, and parallelism', () => {
  const m = buildGraphModel(golden('pipeline_with_loops'));
  expect(m.root.children.map((c) => c.key)).toEqual(['args-generator-op', 'for-loop-1', 'for-loop-2', 'for-loop-4']);
  expect(group(m.root, 'for-loop-1').iterator).toEqual({ source: 'parameter', items: 'loop_parameter', itemInput: 'pipelinechannel--loop_parameter-loop-item' });
  const l2 = group(m.root, 'for-loop-2');
  expect(l2.kind).toBe('loop');
  expect(l2.iterator?.items).toBe('args-generator-op.Output');
  expect(l2.children.map((c) => c.id)).toEqual(['for-loop-2/print-struct', 'for-loop-2/print-text-2', 'for-loop-2/print-text-3']);
  expect(group(m.root, 'for-loop-4').iterator).toEqual({
    source: 'raw',
    items: '[{"A_a": "1", "B_b": "2"}, {"A_a": "10", "B_b": "20"}]',
    itemInput: 'pipelinechannel--loop-item-param-3',
  });
  expect(m.root.edges).toEqual([{ from: 'args-generator-op', to: 'for-loop-2', kind: 'after' }]);

  const p = buildGraphModel(golden('pipeline_with_parallelfor_parallelism'));
  expect(group(p.root, 'for-loop-1').parallelism).toBe(2);
  expect(group(group(p.root, 'for-loop-1'), 'for-loop-2').parallelism).toBeUndefined();
  expect(group(group(p.root, 'for-loop-4'), 'for-loop-6').parallelism).toBe(1);
  // Natural order: for-loop-4 before for-loop-10.
  expect(p.root.children.map((c) => c.key).slice(0, 6)).toEqual(['for-loop-1', 'for-loop-4', 'for-loop-8', 'for-loop-9', 'for-loop-10', 'for-loop-11']);
});

goldenTest()('conditions keep the CEL text and get a readable form, nested ones included', () => {
  const m = buildGraphModel(golden('flip_coin'));
  const c1 = group(m.root, 'condition-1');
  expect(c1.kind).toBe('condition');
  expect(c1.condition).toBe("inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'heads'");
  expect(c1.conditionText).toBe("flip-coin.Output == 'heads'");
  const c2 = group(c1, 'condition-2');
  expect(c2.id).toBe('condition-1/condition-2');
  expect(c2.conditionText).toBe('int(random-num.Output) > 5');
  expect(c1.edges).toEqual([
    { from: 'condition-1/random-num', to: 'condition-1/condition-2', kind: 'after' },
    { from: 'condition-1/random-num', to: 'condition-1/condition-3', kind: 'after' },
  ]);
  expect(m.root.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['flip-coin>condition-1', 'flip-coin>condition-4']);
  expect(tasksOf(m.root).map((t) => t.id)).toEqual([
    'condition-1/condition-2/print-msg',
    'condition-1/condition-3/print-msg-2',
    'condition-1/random-num',
    'condition-4/condition-5/print-msg-3',
    'condition-4/condition-6/print-msg-4',
    'condition-4/random-num-2',
    'flip-coin',
  ]);

  const b = buildGraphModel(golden('if_else_with_oneof_parameters'));
  const br = group(b.root, 'condition-branches-1');
  expect(br.kind).toBe('branches');
  expect(group(br, 'condition-3').conditionText).toBe("!(flip-coin.Output == 'heads')");
});

goldenTest()('nested pipelines are groups; equal task names in different DAGs get different ids', () => {
  const m = buildGraphModel(golden('pipeline_in_pipeline'));
  const inner = group(m.root, 'inner-pipeline');
  expect(inner.kind).toBe('pipeline');
  expect(inner.component).toBe('comp-inner-pipeline');
  expect(inner.edges).toEqual([{ from: 'inner-pipeline/print-op1', to: 'inner-pipeline/print-op2', kind: 'after' }]);
  const ids = tasksOf(m.root).map((t) => t.id);
  expect(ids).toEqual(['inner-pipeline/print-op1', 'inner-pipeline/print-op2', 'print-op1']);
  expect(tasksOf(m.root).map((t) => t.component)).toEqual(['comp-print-op1-2', 'comp-print-op2', 'comp-print-op1']);

  const deep = buildGraphModel(golden('mixed_parameters'));
  expect(groupsOf(deep.root).map((g) => [g.id, g.kind])).toEqual([
    ['', 'root'],
    ['mantle', 'pipeline'],
    ['mantle/core', 'pipeline'],
  ]);
});

goldenTest()('task kinds: containers carry their image, importers their URI (constant or resolved input)', () => {
  const m = buildGraphModel(golden('pipeline_with_importer'));
  expect(child(m.root, 'importer')).toMatchObject({ type: 'task', kind: 'importer', artifactUri: 'gs://ml-pipeline-playground/shakespeare1.txt' });
  expect(child(group(m.root, 'condition-1'), 'importer-2')).toMatchObject({ kind: 'importer', artifactUri: 'dataset2' });
  expect(child(m.root, 'train')).toMatchObject({ kind: 'container', image: 'python:3.11' });
});

goldenTest()('every golden: each dependentTasks entry becomes exactly one edge', () => {
  const names = goldenNames();
  expect(names.length).toBeGreaterThan(20);
  for (const name of names) {
    const spec = golden(name);
    let deps = 0;
    const count = (tasks: Record<string, { dependentTasks?: string[]; componentRef: { name: string } }>) => {
      for (const t of Object.values(tasks)) {
        deps += new Set(t.dependentTasks ?? []).size;
        const sub = spec.components[t.componentRef.name]?.dag;
        if (sub) count(sub.tasks);
      }
    };
    count(spec.root.dag!.tasks);
    expect([name, edgesOf(buildGraphModel(spec).root).length]).toEqual([name, deps]);
  }
});

test('the coin example: branches with readable conditions, a loop over raw items with parallelism', () => {
  const m = buildGraphModel(compile(coin));
  expect(m).toMatchObject({ name: 'coin', description: 'Flips a coin and reacts.' });
  expect(m.root.children.map((c) => [c.key, c.type === 'task' ? c.kind : c.kind])).toEqual([
    ['condition-branches-1', 'branches'],
    ['flip-coin', 'container'],
    ['for-loop-5', 'loop'],
  ]);
  expect(child(m.root, 'flip-coin')).toMatchObject({ image: 'alpine:3.20' });
  const br = group(m.root, 'condition-branches-1');
  expect(br.children.map((c) => (c as GraphGroup).conditionText)).toEqual(["flip-coin.side == 'heads'", "!(flip-coin.side == 'heads')"]);
  expect(group(m.root, 'for-loop-5')).toMatchObject({ iterator: { source: 'raw', items: '[1, 2, 3]' }, parallelism: 2 });
  expect(m.root.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['flip-coin>condition-branches-1', 'condition-branches-1>for-loop-5']);
});

describe('malformed specs are refused with the task and the fix named', () => {
  test('a dependency on a task that is not a sibling', () => {
    expect(() => buildGraphModel(specOf('p', { a: [], b: ['ghost'] }))).toThrow(
      new GraphError("task 'b' depends on 'ghost', which is not a task of the root DAG (tasks there: a, b); the spec is malformed."),
    );
  });
  test('a task whose component is missing', () => {
    const spec = specOf('p', { a: [] });
    delete spec.components['comp-a'];
    expect(() => buildGraphModel(spec)).toThrow(/task 'a' refers to component 'comp-a', which spec.components lacks/);
  });
  test('a component that contains itself', () => {
    const spec: PipelineSpecIr = specOf('p', { a: [] });
    spec.components['comp-a'] = { dag: { tasks: { again: { taskInfo: { name: 'again' }, componentRef: { name: 'comp-a' } } } } };
    expect(() => buildGraphModel(spec)).toThrow(/task 'a\/again' runs component 'comp-a', which contains itself \(comp-a → comp-a\)/);
  });
  test('a cycle of dependencies (found when laying out)', () => {
    const { layoutGraph } = require('../../graph') as typeof import('../../graph');
    const m = buildGraphModel(specOf('p', { a: ['c'], b: ['a'], c: ['b'], d: [] }));
    expect(() => layoutGraph(m)).toThrow(/tasks a, b, c depend on each other in a cycle/);
  });
  test('something that is not a PipelineSpec', () => {
    expect(() => buildGraphModel({} as PipelineSpecIr)).toThrow(/no root\.dag\.tasks/);
  });
});
