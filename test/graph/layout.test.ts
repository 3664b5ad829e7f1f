import { compile } from '../../compiler';
import type { PipelineSpecIr } from '../../compiler/ir';
import { coin } from '../../examples/coin/pipeline';
import { buildGraphModel, groupsOf, layoutGraph, tasksOf, type GraphLayout } from '../../graph';
import type { Rect } from '../../graph/layering';
import { PACK_WIDTH } from '../../graph/packing';
import { SIZE } from '../../graph/theme';
import { golden, goldenNames, goldenTest, specOf } from './goldens';

const draw = (spec: PipelineSpecIr): GraphLayout => layoutGraph(buildGraphModel(spec));

function rects(L: GraphLayout): Map<string, Rect> {
  return new Map<string, Rect>([...L.tasks.map((t) => [t.task.id, t.rect] as const), ...L.groups.map((g) => [g.group.id, g.rect] as const)]);
}

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (a: Rect, b: Rect) => a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;

/** Checks every geometric promise of the layout; returns the problems found. */
function problems(spec: PipelineSpecIr): string[] {
  const model = buildGraphModel(spec);
  const L = layoutGraph(model);
  const R = rects(L);
  const out: string[] = [];
  const picture = { x: 0, y: 0, w: L.width, h: L.height };
  for (const e of L.edges) {
    const from = R.get(e.edge.from)!;
    const to = R.get(e.edge.to)!;
    const p = e.points;
    if (Math.abs(p[0]!.y - (from.y + from.h)) > 0.01) out.push(`${e.edge.from}→${e.edge.to} does not leave from the bottom of ${e.edge.from}`);
    if (Math.abs(p[p.length - 1]!.y - to.y) > 0.01) out.push(`${e.edge.from}→${e.edge.to} does not end on the top of ${e.edge.to}`);
    if (!(p[p.length - 1]!.y > p[0]!.y)) out.push(`${e.edge.from}→${e.edge.to} does not go down`);
    for (let i = 1; i < p.length; i++) if (p[i]!.y < p[i - 1]!.y) out.push(`${e.edge.from}→${e.edge.to} goes up at point ${i}`);
    for (const q of p) if (q.x < from.x - 1e6 || q.x < 0 || q.x > L.width) out.push(`${e.edge.from}→${e.edge.to} leaves the picture`);
  }
  for (const g of groupsOf(model.root)) {
    const frame = g.id ? R.get(g.id)! : picture;
    const kids = g.children.map((c) => [c.id, R.get(c.id)!] as const);
    for (const [id, r] of kids) if (!inside(r, frame)) out.push(`${id} sticks out of ${g.id || 'the picture'}`);
    for (let i = 0; i < kids.length; i++) {
      for (let j = i + 1; j < kids.length; j++) if (overlap(kids[i]![1], kids[j]![1])) out.push(`${kids[i]![0]} overlaps ${kids[j]![0]}`);
    }
  }
  if (L.tasks.length !== tasksOf(model.root).length) out.push('not every task was placed');
  return out;
}

/** A seeded pseudo-random DAG: task i depends on up to 3 earlier tasks. */
function randomDag(n: number, seed: number): Record<string, string[]> {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const deps: Record<string, string[]> = {};
  for (let i = 0; i < n; i++) {
    const d = new Set<string>();
    const k = i === 0 ? 0 : Math.floor(rnd() * 4);
    for (let j = 0; j < k; j++) d.add(`t${Math.floor(rnd() * i)}`);
    deps[`t${i}`] = [...d];
  }
  return deps;
}

goldenTest()('every golden lays out with edges going down, nothing overlapping, groups holding their tasks', () => {
  for (const name of goldenNames()) expect([name, problems(golden(name))]).toEqual([name, []]);
});

test('the coin example and random DAGs keep the same promises', () => {
  expect(problems(compile(coin))).toEqual([]);
  for (const seed of [1, 2, 3, 4, 5]) expect([seed, problems(specOf('r', randomDag(40, seed)))]).toEqual([seed, []]);
});

test('layout is deterministic, whatever order the spec lists its tasks in', () => {
  const deps = randomDag(30, 7);
  const a = draw(specOf('r', deps));
  expect(draw(specOf('r', deps))).toEqual(a);
  const reversed = Object.fromEntries(Object.entries(deps).reverse());
  expect(draw(specOf('r', reversed))).toEqual(a);
  expect(layoutGraph(buildGraphModel(compile(coin)))).toEqual(layoutGraph(buildGraphModel(compile(coin))));
});

test('layers follow the longest path: a task sits below everything it depends on', () => {
  const L = draw(specOf('after', { first: [], second: ['first'], third: ['first', 'second'] }));
  const R = rects(L);
  expect(R.get('first')!.y + R.get('first')!.h).toBeLessThan(R.get('second')!.y);
  expect(R.get('second')!.y + R.get('second')!.h).toBeLessThan(R.get('third')!.y);
  // The long edge first→third is routed through the middle row beside 'second', not through it.
  const long = L.edges.find((e) => e.edge.from === 'first' && e.edge.to === 'third')!;
  expect(long.points.length).toBe(4);
  const bend = long.points[1]!;
  expect(bend.x < R.get('second')!.x || bend.x > R.get('second')!.x + R.get('second')!.w).toBe(true);
});

test('a source is pulled down next to its consumer instead of waiting in the top row', () => {
  const R = rects(draw(specOf('p', { a: [], b: ['a'], c: ['b'], late: [], d: ['c', 'late'] })));
  expect(R.get('late')!.y).toBe(R.get('c')!.y);
});

test('barycentre ordering removes the crossing the input order would draw', () => {
  // In input order the middle row is x, y, z: a→y and b→x would cross.
  const L = draw(specOf('p', { a: [], b: [], x: ['b'], y: ['a'], z: ['a', 'b'] }));
  const R = rects(L);
  const cx = (id: string) => R.get(id)!.x + R.get(id)!.w / 2;
  expect(cx('a')).toBeLessThan(cx('b'));
  expect(cx('y')).toBeLessThan(cx('z'));
  expect(cx('z')).toBeLessThan(cx('x'));
});

test('unconnected parts wrap into shelves instead of one endless row', () => {
  const deps = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`independent-task-${i}`, [] as string[]]));
  const L = draw(specOf('wide', deps));
  expect(L.width).toBeLessThanOrEqual(PACK_WIDTH + 2 * SIZE.margin);
  expect(new Set(L.tasks.map((t) => t.rect.y)).size).toBeGreaterThan(1);
  expect(problems(specOf('wide', deps))).toEqual([]);
});

goldenTest()('an exit task is drawn below the exit handler it follows', () => {
  const R = rects(draw(golden('pipeline_with_exit_handler')));
  const eh = R.get('exit-handler-1')!;
  expect(R.get('print-op')!.y).toBeGreaterThan(eh.y + eh.h);
  expect(inside(R.get('exit-handler-1/fail-op')!, eh)).toBe(true);
});
