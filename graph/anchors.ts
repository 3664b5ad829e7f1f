/**
 * Where an edge to or from a group attaches in writers whose engines only connect nodes
 * (Graphviz clusters): the group's first source task going in, its first sink task coming out,
 * looking inside nested groups as needed.
 */
import type { GraphGroup, GraphItem } from './model';

function pick(g: GraphGroup, end: 'in' | 'out'): GraphItem | undefined {
  const linked = new Set(g.edges.map((e) => (end === 'in' ? e.to : e.from)));
  return g.children.find((c) => !linked.has(c.id)) ?? g.children[0];
}

/** The task id an edge should attach to for `item`, or undefined for an empty group. */
export function anchorTask(item: GraphItem, end: 'in' | 'out'): string | undefined {
  let cur: GraphItem | undefined = item;
  while (cur && cur.type === 'group') cur = pick(cur, end);
  return cur?.id;
}
