/**
 * A standalone SVG of the laid-out graph: no stylesheets, fonts or scripts to fetch, only
 * presentation attributes, so it looks the same in a browser, an image viewer or a PR comment.
 * Every task is one <g class="task …">, every group one <g class="cluster …">, each with a
 * <title> tooltip carrying the untruncated details.
 */
import type { ItemLabel, TextLine } from './labels';
import { layoutGraph, type GraphLayout, type Point } from './layout';
import type { GraphModel } from './model';
import { EDGE_COLOUR, EXIT_EDGE_COLOUR, FONT, KIND_STYLE, MONO, SIZE } from './theme';

/** Escapes text for XML content and attribute values, dropping characters XML 1.0 forbids. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const n = (v: number): string => String(Math.round(v * 10) / 10);

/** XML ids for task paths: NCNames (paths contain '/'), unique within one picture. */
function idMaker(): (prefix: string, path: string) => string {
  const used = new Set<string>();
  return (prefix, path) => {
    const base = `${prefix}-${path.replace(/\//g, '.').replace(/[^A-Za-z0-9._-]/g, '_')}`;
    let id = base;
    for (let k = 2; used.has(id); k++) id = `${base}-${k}`;
    used.add(id);
    return id;
  };
}

/** Lines stacked from `top`; `anchor` 'middle' centres them on x. */
function textBlock(lines: readonly TextLine[], x: number, top: number, gap: number, anchor: 'start' | 'middle', ink: string): string {
  let y = top;
  return lines
    .map((l, i) => {
      y += i ? gap : 0;
      const base = y + l.size * 0.92;
      y += l.size * 1.2;
      const attrs = [
        `x="${n(x)}"`,
        `y="${n(base)}"`,
        `font-size="${l.size}"`,
        anchor === 'middle' ? 'text-anchor="middle"' : '',
        l.bold ? 'font-weight="bold"' : '',
        l.mono ? `font-family="${xmlEscape(MONO)}"` : '',
        `fill="${l.muted ? '#5f6b7a' : ink}"`,
      ].filter(Boolean);
      return `<text ${attrs.join(' ')}>${xmlEscape(l.text)}</text>`;
    })
    .join('');
}

/** Vertical-tangent cubic segments, straight where a segment is vertical (routing through a row). */
function edgePath(pts: readonly Point[]): string {
  let d = `M${n(pts[0]!.x)},${n(pts[0]!.y)}`;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    if (Math.abs(a.x - b.x) < 0.5) d += ` L${n(b.x)},${n(b.y)}`;
    else {
      const my = (a.y + b.y) / 2;
      d += ` C${n(a.x)},${n(my)} ${n(b.x)},${n(my)} ${n(b.x)},${n(b.y)}`;
    }
  }
  return d;
}

const title = (label: ItemLabel): string => `<title>${xmlEscape(label.tooltip)}</title>`;

export function svgFromLayout(model: GraphModel, L: GraphLayout): string {
  const xmlId = idMaker();
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(L.width)}" height="${n(L.height)}" viewBox="0 0 ${n(L.width)} ${n(L.height)}" font-family="${xmlEscape(FONT)}" role="img" aria-label="${xmlEscape(`pipeline ${model.name}`)}">`,
  );
  out.push(`<title>${xmlEscape(model.displayName ?? model.name)}</title>`);
  const marker = (id: string, colour: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="${colour}"/></marker>`;
  out.push(`<defs>${marker('arrow', EDGE_COLOUR)}${marker('arrow-exit', EXIT_EDGE_COLOUR)}</defs>`);
  out.push(`<rect x="0" y="0" width="${n(L.width)}" height="${n(L.height)}" fill="#ffffff"/>`);
  out.push(`<g class="heading">${textBlock(L.heading.label.lines, L.heading.x, L.heading.y, SIZE.groupLineGap, 'start', KIND_STYLE.root.ink)}</g>`);

  out.push('<g class="clusters">');
  for (const g of L.groups) {
    const s = KIND_STYLE[g.group.kind];
    const r = g.rect;
    out.push(
      `<g class="cluster cluster-${g.group.kind}" id="${xmlId('g', g.group.id)}" data-id="${xmlEscape(g.group.id)}">${title(g.label)}` +
        `<rect x="${n(r.x)}" y="${n(r.y)}" width="${n(r.w)}" height="${n(r.h)}" rx="${SIZE.groupRadius}" fill="${s.fill}" stroke="${s.stroke}" stroke-width="1.5"${g.group.kind === 'exit-handler' ? ' stroke-dasharray="7 4"' : ''}/>` +
        `${textBlock(g.label.lines, r.x + SIZE.groupPad, r.y + SIZE.groupPad, SIZE.groupLineGap, 'start', s.ink)}</g>`,
    );
  }
  out.push('</g>');

  out.push('<g class="edges" fill="none">');
  for (const e of L.edges) {
    const exit = e.edge.kind === 'exit';
    const colour = exit ? EXIT_EDGE_COLOUR : EDGE_COLOUR;
    const attrs = `class="edge edge-${e.edge.kind}" data-from="${xmlEscape(e.edge.from)}" data-to="${xmlEscape(e.edge.to)}" stroke="${colour}" stroke-width="1.6"${exit ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#${exit ? 'arrow-exit' : 'arrow'})"`;
    let label = '';
    if (exit) {
      const a = e.points[e.points.length - 2]!;
      const b = e.points[e.points.length - 1]!;
      label = `<text x="${n((a.x + b.x) / 2 + 8)}" y="${n((a.y + b.y) / 2 + 4)}" font-size="${SIZE.legend}" fill="${colour}" stroke="none">on exit</text>`;
    }
    out.push(`<g><path ${attrs} d="${edgePath(e.points)}"/>${label}</g>`);
  }
  out.push('</g>');

  out.push('<g class="tasks">');
  for (const t of L.tasks) {
    const s = KIND_STYLE[t.task.kind];
    const r = t.rect;
    const lines = t.label.lines;
    const blockH = lines.reduce((h, l, i) => h + l.size * 1.2 + (i ? SIZE.taskLineGap : 0), 0);
    out.push(
      `<g class="task task-${t.task.kind}" id="${xmlId('t', t.task.id)}" data-id="${xmlEscape(t.task.id)}">${title(t.label)}` +
        `<rect x="${n(r.x)}" y="${n(r.y)}" width="${n(r.w)}" height="${n(r.h)}" rx="${SIZE.taskRadius}" fill="${s.fill}" stroke="${s.stroke}" stroke-width="1.5"/>` +
        `${textBlock(lines, r.x + r.w / 2, r.y + (r.h - blockH) / 2, SIZE.taskLineGap, 'middle', '#1f2430')}</g>`,
    );
  }
  out.push('</g>');

  out.push('<g class="legend">');
  for (const e of L.legend.entries) {
    const s = KIND_STYLE[e.kind];
    const y = L.legend.y;
    out.push(
      `<rect x="${n(e.x)}" y="${n(y)}" width="12" height="12" rx="3" fill="${s.fill}" stroke="${s.stroke}" stroke-width="1.5"/>` +
        `<text x="${n(e.x + 18)}" y="${n(y + 10)}" font-size="${SIZE.legend}" fill="#5f6b7a">${xmlEscape(e.text)}</text>`,
    );
  }
  out.push('</g>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function toSvg(model: GraphModel): string {
  return svgFromLayout(model, layoutGraph(model));
}
