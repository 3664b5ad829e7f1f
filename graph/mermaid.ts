/**
 * Mermaid flowchart (renders in GitHub and GitLab markdown): groups as subgraphs, which Mermaid
 * lets edges point at directly; colours through classDef / style lines.
 */
import { groupDetail, taskLabel } from './labels';
import type { GraphGroup, GraphItem, GraphModel } from './model';
import { groupsOf } from './model';
import { EXIT_EDGE_COLOUR, KIND_STYLE } from './theme';

/** Text inside a Mermaid "…" label: quotes and markup as Mermaid entity codes. */
export function mermaidText(s: string): string {
  return s
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\r?\n/g, ' ');
}

/** Mermaid ids must be plain words; paths are not, and `end` is a keyword, hence the prefix. */
class Ids {
  private readonly byPath = new Map<string, string>();
  private readonly used = new Set<string>();
  get(prefix: string, path: string): string {
    const known = this.byPath.get(path);
    if (known) return known;
    const base = `${prefix}_${path.replace(/[^A-Za-z0-9]+/g, '_')}`;
    let id = base;
    for (let k = 2; this.used.has(id); k++) id = `${base}_${k}`;
    this.used.add(id);
    this.byPath.set(path, id);
    return id;
  }
}

function emit(items: readonly GraphItem[], ids: Ids, indent: string, out: string[], styles: string[]): void {
  for (const c of items) {
    if (c.type === 'task') {
      const label = taskLabel(c);
      out.push(`${indent}${ids.get('t', c.id)}["${label.lines.map((l) => mermaidText(l.text)).join('<br/>')}"]:::${c.kind}`);
      continue;
    }
    const g: GraphGroup = c;
    const id = ids.get('g', g.id);
    const detail = groupDetail(g);
    out.push(`${indent}subgraph ${id} ["${mermaidText(g.name)}${detail ? `<br/>${mermaidText(detail)}` : ''}"]`);
    emit(g.children, ids, `${indent}  `, out, styles);
    out.push(`${indent}end`);
    const s = KIND_STYLE[g.kind];
    styles.push(`  style ${id} fill:${s.fill},stroke:${s.stroke},color:${s.ink}${g.kind === 'exit-handler' ? ',stroke-dasharray:6 4' : ''}`);
  }
}

export function toMermaid(model: GraphModel): string {
  const ids = new Ids();
  const out: string[] = [`---\ntitle: ${JSON.stringify(model.displayName ?? model.name)}\n---`, 'flowchart TD'];
  const styles: string[] = [];
  emit(model.root.children, ids, '  ', out, styles);
  const idOf = (path: string) => ids.get('t', path);
  const exitLinks: number[] = [];
  let link = 0;
  for (const g of groupsOf(model.root)) {
    const isGroup = new Set(g.children.filter((c) => c.type === 'group').map((c) => c.id));
    const ref = (path: string) => (isGroup.has(path) ? ids.get('g', path) : idOf(path));
    for (const e of g.edges) {
      if (e.kind === 'exit') exitLinks.push(link);
      out.push(`  ${ref(e.from)} ${e.kind === 'exit' ? '-. on exit .->' : '-->'} ${ref(e.to)}`);
      link++;
    }
  }
  for (const kind of ['container', 'importer', 'other'] as const) {
    const s = KIND_STYLE[kind];
    out.push(`  classDef ${kind} fill:${s.fill},stroke:${s.stroke},color:#1f2430`);
  }
  out.push(...styles);
  if (exitLinks.length) out.push(`  linkStyle ${exitLinks.join(',')} stroke:${EXIT_EDGE_COLOUR},color:${EXIT_EDGE_COLOUR}`);
  return `${out.join('\n')}\n`;
}
