/**
 * Graphviz DOT: tasks as rounded boxes, groups as `cluster_…` subgraphs (so `dot` draws the
 * frames), edges to groups attached through a task inside with lhead/ltail (compound=true).
 */
import { anchorTask } from './anchors';
import { groupDetail, taskLabel } from './labels';
import type { GraphGroup, GraphItem, GraphModel } from './model';
import { groupsOf } from './model';
import { EDGE_COLOUR, EXIT_EDGE_COLOUR, KIND_STYLE } from './theme';

/** A DOT double-quoted string; lines joined with DOT's centred line break. */
export function dotString(...lines: string[]): string {
  return `"${lines.map(escapeLine).join('\\n')}"`;
}

/** A DOT label whose lines are left-justified (each line ends in DOT's `\l`). */
export function dotLeftLabel(...lines: string[]): string {
  return `"${lines.map((l) => `${escapeLine(l)}\\l`).join('')}"`;
}

function escapeLine(l: string): string {
  return l.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, ' ');
}

const EMPTY_ANCHOR = '/__empty';

function cluster(g: GraphGroup, indent: string, out: string[]): void {
  const s = KIND_STYLE[g.kind];
  const detail = groupDetail(g);
  out.push(`${indent}subgraph ${dotString(`cluster_${g.id}`)} {`);
  const inner = `${indent}  `;
  out.push(
    `${inner}label=${dotLeftLabel(g.name, ...(detail ? [detail] : []))}; labeljust=l; style=${g.kind === 'exit-handler' ? '"rounded,filled,dashed"' : '"rounded,filled"'}; fillcolor="${s.fill}"; color="${s.stroke}"; fontcolor="${s.ink}";`,
  );
  children(g.children, inner, out);
  if (!g.children.length) out.push(`${inner}${dotString(g.id + EMPTY_ANCHOR)} [shape=point, style=invis, label=""];`);
  out.push(`${indent}}`);
}

function children(items: readonly GraphItem[], indent: string, out: string[]): void {
  for (const c of items) {
    if (c.type === 'group') {
      cluster(c, indent, out);
      continue;
    }
    const s = KIND_STYLE[c.kind];
    const label = taskLabel(c);
    out.push(
      `${indent}${dotString(c.id)} [label=${dotString(...label.lines.map((l) => l.text))}, fillcolor="${s.fill}", color="${s.stroke}", tooltip=${dotString(...label.tooltip.split('\n'))}];`,
    );
  }
}

export function toDot(model: GraphModel): string {
  const out: string[] = [];
  out.push(`digraph ${dotString(model.name)} {`);
  out.push(`  graph [rankdir=TB, compound=true, fontname="Helvetica", fontsize=12, labelloc=t, label=${dotString(model.displayName ?? model.name)}, nodesep=0.35, ranksep=0.45];`);
  out.push('  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, penwidth=1.4];');
  out.push(`  edge [color="${EDGE_COLOUR}", arrowsize=0.7, penwidth=1.3];`);
  children(model.root.children, '  ', out);
  const items = new Map<string, GraphItem>();
  for (const g of groupsOf(model.root)) for (const c of g.children) items.set(c.id, c);
  for (const g of groupsOf(model.root)) {
    for (const e of g.edges) {
      const from = items.get(e.from)!;
      const to = items.get(e.to)!;
      const tail = anchorTask(from, 'out') ?? from.id + EMPTY_ANCHOR;
      const head = anchorTask(to, 'in') ?? to.id + EMPTY_ANCHOR;
      const attrs: string[] = [];
      if (from.type === 'group') attrs.push(`ltail=${dotString(`cluster_${from.id}`)}`);
      if (to.type === 'group') attrs.push(`lhead=${dotString(`cluster_${to.id}`)}`);
      if (e.kind === 'exit') attrs.push('style=dashed', `color="${EXIT_EDGE_COLOUR}"`, `fontcolor="${EXIT_EDGE_COLOUR}"`, 'label="on exit"', 'fontsize=10');
      out.push(`  ${dotString(tail)} -> ${dotString(head)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
    }
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
