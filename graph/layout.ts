/**
 * Positions for the whole picture: each group is laid out inside-out (its children first, so a
 * group enters its parent's level as one box of known size), then translated into place. The
 * root's frame is the picture itself: heading on top, legend at the bottom.
 */
import { blockSize, groupLabel, headingLabel, taskLabel, type ItemLabel, type TextLine } from './labels';
import type { Point, Rect } from './layering';
import type { GraphEdge, GraphGroup, GraphModel, GraphTask, NodeKind } from './model';
import { groupsOf, tasksOf } from './model';
import { layoutPacked } from './packing';
import { textWidth } from './text-width';
import { KIND_STYLE, LEGEND_ORDER, SIZE } from './theme';

export type { Point, Rect } from './layering';

export interface PlacedTask {
  readonly task: GraphTask;
  readonly rect: Rect;
  readonly label: ItemLabel;
}
export interface PlacedGroup {
  readonly group: GraphGroup;
  readonly rect: Rect;
  readonly label: ItemLabel;
  /** 1 for a group directly in the root, 2 inside that, … */
  readonly depth: number;
}
export interface PlacedEdge {
  readonly edge: GraphEdge;
  readonly points: readonly Point[];
}
export interface LegendEntry {
  readonly kind: NodeKind;
  readonly text: string;
  readonly x: number;
}
export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly heading: { readonly label: ItemLabel; readonly x: number; readonly y: number };
  /** Groups outermost first, so drawing in order nests frames correctly. */
  readonly groups: readonly PlacedGroup[];
  readonly tasks: readonly PlacedTask[];
  readonly edges: readonly PlacedEdge[];
  readonly legend: { readonly y: number; readonly entries: readonly LegendEntry[] };
}

interface Local {
  readonly w: number;
  readonly h: number;
  readonly groups: PlacedGroup[];
  readonly tasks: PlacedTask[];
  readonly edges: PlacedEdge[];
}

const SPACING = { gapX: SIZE.gapX, gapY: SIZE.gapY, gapDummy: SIZE.gapDummy };

const shift = (r: Rect, dx: number, dy: number): Rect => ({ x: r.x + dx, y: r.y + dy, w: r.w, h: r.h });
const shiftPts = (ps: readonly Point[], dx: number, dy: number): Point[] => ps.map((p) => ({ x: p.x + dx, y: p.y + dy }));

export function taskSize(label: ItemLabel): { w: number; h: number } {
  const b = blockSize(label.lines, SIZE.taskLineGap);
  return { w: Math.ceil(Math.max(SIZE.taskMinWidth, b.w + 2 * SIZE.taskPadX)), h: Math.ceil(b.h + 2 * SIZE.taskPadY) };
}

/** Lays out `g`'s children under a header of `header` lines, with `pad` around everything. */
function layoutGroup(g: GraphGroup, header: readonly TextLine[], pad: number, depth: number, minWidth = 0): Local {
  const sizes = new Map<string, { w: number; h: number }>();
  const inner = new Map<string, Local>();
  const labels = new Map<string, ItemLabel>();
  for (const c of g.children) {
    if (c.type === 'task') {
      const label = taskLabel(c);
      labels.set(c.id, label);
      sizes.set(c.id, taskSize(label));
    } else {
      const label = groupLabel(c);
      labels.set(c.id, label);
      const sub = layoutGroup(c, label.lines, SIZE.groupPad, depth + 1);
      inner.set(c.id, sub);
      sizes.set(c.id, { w: sub.w, h: sub.h });
    }
  }
  const level = layoutPacked(
    g.children.map((c) => ({ id: c.id, ...sizes.get(c.id)! })),
    g.edges,
    SPACING,
  );
  const head = blockSize(header, SIZE.groupLineGap);
  const headerH = header.length ? head.h + SIZE.groupHeaderGap : 0;
  const w = Math.ceil(Math.max(level.width, head.w, minWidth - 2 * pad) + 2 * pad);
  const h = Math.ceil(pad + headerH + level.height + pad);
  const ox = (w - level.width) / 2;
  const oy = pad + headerH;

  const out: Local = { w, h, groups: [], tasks: [], edges: [] };
  for (const c of g.children) {
    const r = level.nodes.get(c.id)!;
    const rect = { x: r.x + ox, y: r.y + oy, w: r.w, h: r.h };
    if (c.type === 'task') {
      out.tasks.push({ task: c, rect, label: labels.get(c.id)! });
      continue;
    }
    out.groups.push({ group: c, rect, label: labels.get(c.id)!, depth });
    const sub = inner.get(c.id)!;
    out.groups.push(...sub.groups.map((x) => ({ ...x, rect: shift(x.rect, rect.x, rect.y) })));
    out.tasks.push(...sub.tasks.map((x) => ({ ...x, rect: shift(x.rect, rect.x, rect.y) })));
    out.edges.push(...sub.edges.map((x) => ({ ...x, points: shiftPts(x.points, rect.x, rect.y) })));
  }
  g.edges.forEach((e, i) => out.edges.push({ edge: e, points: shiftPts(level.edges[i]!, ox, oy) }));
  return out;
}

const SWATCH = 12;

function legendEntries(model: GraphModel): { entries: LegendEntry[]; width: number } {
  const present = new Set<NodeKind>([...tasksOf(model.root).map((t) => t.kind), ...groupsOf(model.root).map((g) => g.kind)]);
  const entries: LegendEntry[] = [];
  let x = 0;
  for (const kind of LEGEND_ORDER) {
    if (!present.has(kind)) continue;
    const text = KIND_STYLE[kind].legend;
    entries.push({ kind, text, x });
    x += SWATCH + 6 + textWidth(text, SIZE.legend) + 18;
  }
  return { entries, width: Math.max(0, x - 18) };
}

export function layoutGraph(model: GraphModel): GraphLayout {
  const heading = headingLabel(model);
  const legend = legendEntries(model);
  const root = layoutGroup(model.root, heading.lines, SIZE.margin, 1, legend.width + 2 * SIZE.margin);
  const legendH = legend.entries.length ? SWATCH + SIZE.margin : 0;
  // Depth-first collection already lists each group before its descendants; stable-sort by depth
  // so every frame is drawn before any frame nested in it.
  const groups = [...root.groups].sort((a, b) => a.depth - b.depth);
  return {
    width: root.w,
    height: root.h + legendH,
    heading: { label: heading, x: SIZE.margin, y: SIZE.margin },
    groups,
    tasks: root.tasks,
    edges: root.edges,
    legend: { y: root.h, entries: legend.entries.map((e) => ({ ...e, x: e.x + SIZE.margin })) },
  };
}
