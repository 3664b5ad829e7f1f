/**
 * Unconnected parts of a DAG level (independent tasks, separate chains) are laid out one by one
 * and packed in shelves, left to right, starting a new shelf past a target width; otherwise a
 * pipeline of many independent loops becomes one very wide row.
 */
import { layoutLevel, type LevelEdge, type LevelLayout, type LevelNode, type Point, type Rect, type Spacing } from './layering';

/** Shelves wrap past this width (px), unless one part alone is wider. */
export const PACK_WIDTH = 1200;

/** Weakly connected parts, each as node indices in input order; parts ordered by first node. */
export function connectedParts(nodes: readonly LevelNode[], edges: readonly LevelEdge[]): number[][] {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const parent = nodes.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const e of edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined) continue; // layoutLevel reports it
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const parts = new Map<number, number[]>();
  nodes.forEach((_, i) => {
    const r = find(i);
    if (!parts.has(r)) parts.set(r, []);
    parts.get(r)!.push(i);
  });
  return [...parts.values()];
}

export function layoutPacked(nodes: readonly LevelNode[], edges: readonly LevelEdge[], sp: Spacing, maxWidth = PACK_WIDTH): LevelLayout {
  const parts = connectedParts(nodes, edges);
  if (parts.length <= 1) return layoutLevel(nodes, edges, sp);
  const partOf = new Map<string, number>();
  parts.forEach((p, k) => p.forEach((i) => partOf.set(nodes[i]!.id, k)));
  const edgesOf = parts.map(() => [] as number[]);
  edges.forEach((e, i) => edgesOf[partOf.get(e.from) ?? 0]!.push(i));
  const laid = parts.map((p, k) =>
    layoutLevel(
      p.map((i) => nodes[i]!),
      edgesOf[k]!.map((i) => edges[i]!),
      sp,
    ),
  );

  const target = Math.max(maxWidth, ...laid.map((l) => l.width));
  const shelves: { items: number[]; w: number; h: number }[] = [];
  for (let k = 0; k < laid.length; k++) {
    const l = laid[k]!;
    const cur = shelves[shelves.length - 1];
    if (cur && cur.w + sp.gapX + l.width <= target) {
      cur.items.push(k);
      cur.w += sp.gapX + l.width;
      cur.h = Math.max(cur.h, l.height);
    } else shelves.push({ items: [k], w: l.width, h: l.height });
  }
  const width = Math.max(...shelves.map((s) => s.w));
  const rects = new Map<string, Rect & { layer: number }>();
  const polylines: (readonly Point[])[] = new Array(edges.length);
  let y = 0;
  for (const s of shelves) {
    let x = (width - s.w) / 2;
    for (const k of s.items) {
      const l = laid[k]!;
      for (const [id, r] of l.nodes) rects.set(id, { ...r, x: r.x + x, y: r.y + y });
      edgesOf[k]!.forEach((ei, j) => (polylines[ei] = l.edges[j]!.map((p) => ({ x: p.x + x, y: p.y + y }))));
      x += l.width + sp.gapX;
    }
    y += s.h + sp.gapY;
  }
  return { width, height: y - sp.gapY, nodes: rects, edges: polylines };
}
