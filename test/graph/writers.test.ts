import { compile } from '../../compiler';
import { coin } from '../../examples/coin/pipeline';
import { buildGraphModel, groupsOf, tasksOf, toDot, toMermaid, toSvg } from '../../graph';
import { KIND_STYLE } from '../../graph/theme';
import { findAll, hasClass, parseXml, textOf, XmlError, type XmlElement } from '../support/xml';
import { golden, goldenNames, goldenTest, specOf } from './goldens';

const byClass = (root: XmlElement, cls: string) => findAll(root, (e) => e.name === 'g' && hasClass(e, cls));
const firstChild = (e: XmlElement, name: string) => e.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);

test('the test XML parser rejects what is not well-formed', () => {
  for (const bad of ['<a><b></a></b>', '<a x="1" x="2"/>', '<a>&nbsp;</a>', '<a>x < y</a>', '<a/><b/>', '<a x=1/>', '<a>']) {
    expect(() => parseXml(bad)).toThrow(XmlError);
  }
  expect(textOf(parseXml('<?xml version="1.0"?><a t="&lt;&amp;">x &gt; <b>y</b></a>'))).toBe('x > y');
});

describe('SVG', () => {
  test('the coin example: well-formed, one <g class="task"> per task and one cluster per group', () => {
    const model = buildGraphModel(compile(coin));
    const svg = parseXml(toSvg(model));
    expect(svg.name).toBe('svg');
    expect(svg.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(Number(svg.attrs.width)).toBeGreaterThan(100);
    expect(svg.attrs.viewBox).toBe(`0 0 ${svg.attrs.width} ${svg.attrs.height}`);
    const tasks = byClass(svg, 'task');
    expect(tasks.map((t) => t.attrs['data-id'])).toEqual(tasksOf(model.root).map((t) => t.id));
    for (const t of tasks) {
      expect(firstChild(t, 'title')).toBeDefined();
      expect(firstChild(t, 'rect')!.attrs.fill).toBe(KIND_STYLE.container.fill);
    }
    expect(textOf(tasks.find((t) => t.attrs['data-id'] === 'flip-coin')!)).toContain('alpine:3.20');
    const clusters = byClass(svg, 'cluster');
    expect(clusters.map((c) => c.attrs['data-id']).sort()).toEqual(groupsOf(model.root).slice(1).map((g) => g.id).sort());
    const cond = clusters.find((c) => c.attrs['data-id'] === 'condition-branches-1/condition-2')!;
    expect(hasClass(cond, 'cluster-condition')).toBe(true);
    expect(textOf(cond)).toContain("if flip-coin.side == 'heads'");
    expect(textOf(clusters.find((c) => c.attrs['data-id'] === 'for-loop-5')!)).toContain('for each in [1, 2, 3] · 2 at a time');
    const edges = findAll(svg, (e) => e.name === 'path' && hasClass(e, 'edge'));
    expect(edges.map((e) => `${e.attrs['data-from']}>${e.attrs['data-to']}`)).toEqual(['flip-coin>condition-branches-1', 'condition-branches-1>for-loop-5']);
    for (const e of edges) expect(e.attrs['marker-end']).toBe('url(#arrow)');
  });

  test('standalone: no external references, scripts or stylesheets', () => {
    const text = toSvg(buildGraphModel(compile(coin)));
    const svg = parseXml(text);
    expect(findAll(svg, (e) => ['image', 'script', 'style', 'foreignObject', 'use'].includes(e.name))).toEqual([]);
    expect(findAll(svg, (e) => Object.keys(e.attrs).some((a) => /href$/.test(a)))).toEqual([]);
    expect(text.match(/https?:\/\/[^"]*/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  test('text that looks like markup is escaped and reads back unchanged', () => {
    const spec = specOf('p', { 'a': [], 'b': ['a'] });
    spec.pipelineInfo.description = 'Compares <x> & "y" with \'z\'';
    spec.deploymentSpec.executors['exec-a'] = { container: { image: 'registry/img:<tag>&"q"' } };
    const svg = parseXml(toSvg(buildGraphModel(spec)));
    expect(textOf(findAll(svg, (e) => e.name === 'g' && hasClass(e, 'heading'))[0]!)).toContain('Compares <x> & "y" with \'z\'');
    expect(textOf(byClass(svg, 'task')[0]!)).toContain('registry/img:<tag>&"q"');
    // Paths that flatten to the same XML id still get distinct ids.
    const twins = parseXml(toSvg(buildGraphModel(specOf('p', { 'a.b': [], 'a/b': [] }))));
    expect(byClass(twins, 'task').map((t) => t.attrs.id)).toEqual(['t-a.b', 't-a.b-2']);
  });

  goldenTest()('every golden draws as well-formed XML with a <g> per task; kinds get their colours', () => {
    for (const name of goldenNames()) {
      const model = buildGraphModel(golden(name));
      const svg = parseXml(toSvg(model));
      expect([name, byClass(svg, 'task').length]).toEqual([name, tasksOf(model.root).length]);
      expect([name, byClass(svg, 'cluster').length]).toEqual([name, groupsOf(model.root).length - 1]);
      const ids = findAll(svg, (e) => e.attrs.id !== undefined).map((e) => e.attrs.id);
      expect([name, ids.length]).toEqual([name, new Set(ids).size]);
    }
    const svg = parseXml(toSvg(buildGraphModel(golden('pipeline_with_importer'))));
    const importer = byClass(svg, 'task').find((t) => t.attrs['data-id'] === 'importer')!;
    expect(hasClass(importer, 'task-importer')).toBe(true);
    expect(firstChild(importer, 'rect')!.attrs.fill).toBe(KIND_STYLE.importer.fill);
    const exit = parseXml(toSvg(buildGraphModel(golden('pipeline_with_exit_handler'))));
    const edge = findAll(exit, (e) => e.name === 'path' && hasClass(e, 'edge-exit'));
    expect(edge.map((e) => [e.attrs['data-from'], e.attrs['data-to'], e.attrs['marker-end']])).toEqual([['exit-handler-1', 'print-op', 'url(#arrow-exit)']]);
    expect(textOf(exit)).toContain('on exit');
    expect(textOf(exit)).toContain('then always: print-op');
  });
});

describe('DOT', () => {
  goldenTest()('clusters per group, edges between tasks, group edges through lhead/ltail', () => {
    const after = toDot(buildGraphModel(golden('pipeline_with_after')));
    expect(after).toContain('"print-text" -> "print-text-2";');
    expect(after).toContain('"print-text" -> "print-text-3";');
    expect(after).toContain('"print-text-2" -> "print-text-3";');

    const exit = toDot(buildGraphModel(golden('pipeline_with_exit_handler')));
    expect(exit).toContain('subgraph "cluster_exit-handler-1" {');
    expect(exit).toMatch(/"exit-handler-1\/fail-op" -> "print-op" \[ltail="cluster_exit-handler-1", style=dashed, .*label="on exit"/);

    const nested = toDot(buildGraphModel(golden('pipeline_in_pipeline')));
    expect(nested).toContain('subgraph "cluster_inner-pipeline" {');
    expect(nested).toContain('"inner-pipeline/print-op1" -> "inner-pipeline/print-op2";');
  });

  test('the coin example: balanced braces, one cluster per group, condition text escaped for DOT', () => {
    const model = buildGraphModel(compile(coin));
    const dot = toDot(model);
    expect(dot.startsWith('digraph "coin" {')).toBe(true);
    expect((dot.match(/\{/g) ?? []).length).toBe((dot.match(/\}/g) ?? []).length);
    expect((dot.match(/subgraph "cluster_/g) ?? []).length).toBe(groupsOf(model.root).length - 1);
    expect(dot).toContain(`label="condition-2\\lif flip-coin.side == 'heads'\\l"`);
    expect(dot).toContain('"flip-coin" -> "condition-branches-1/condition-2/shout" [lhead="cluster_condition-branches-1"];');
    expect(dot).toContain('"condition-branches-1/condition-2/shout" -> "for-loop-5/shout-3" [ltail="cluster_condition-branches-1", lhead="cluster_for-loop-5"];');
  });
});

describe('Mermaid', () => {
  test('the coin example: subgraphs per group and edges to them', () => {
    const model = buildGraphModel(compile(coin));
    const mmd = toMermaid(model);
    expect(mmd).toContain('\nflowchart TD\n');
    expect(mmd).toContain('  t_flip_coin --> g_condition_branches_1\n');
    expect(mmd).toContain('  g_condition_branches_1 --> g_for_loop_5\n');
    expect(mmd).toContain('subgraph g_condition_branches_1_condition_2 ["condition-2<br/>if flip-coin.side == \'heads\'"]');
    expect((mmd.match(/^\s*subgraph /gm) ?? []).length).toBe(groupsOf(model.root).length - 1);
    expect((mmd.match(/^\s*end$/gm) ?? []).length).toBe(groupsOf(model.root).length - 1);
  });

  goldenTest()('exit edges are dotted and labelled; quotes in labels become entities', () => {
    const mmd = toMermaid(buildGraphModel(golden('pipeline_with_exit_handler')));
    expect(mmd).toContain('  g_exit_handler_1 -. on exit .-> t_print_op\n');
    expect(mmd).toMatch(/linkStyle 0 stroke:/);
    const loops = toMermaid(buildGraphModel(golden('pipeline_with_loops')));
    expect(loops).toContain('for each in [{#quot;A_a#quot;: #quot;1#quot;');
    expect(loops).toContain('  t_args_generator_op --> g_for_loop_2\n');
  });

  test('ids stay distinct when paths differ only in punctuation', () => {
    const mmd = toMermaid(buildGraphModel(specOf('p', { 'a-b': [], a_b: ['a-b'] })));
    expect(mmd).toContain('t_a_b["a-b');
    expect(mmd).toContain('t_a_b_2["a_b');
    expect(mmd).toContain('  t_a_b --> t_a_b_2\n');
  });
});
