/**
 * Layered (Sugiyama-style) layout of one DAG level, top to bottom:
 *  1. layers by longest path from the sources (sources then pulled down next to their first
 *     consumer, so a lone producer does not sit far above what reads it);
 *  2. edges spanning several layers get a dummy vertex per crossed layer, so they route between
 *     boxes instead of through them;
 *  3. order within layers by barycentre sweeps, keeping the order with the fewest crossings;
 *  4. x by least-squares placement towards the neighbours' centres under the order's minimum
 *     separations (isotonic regression), alternating down and up passes.
 * Everything iterates in input order with index tie-breaks, so the result is deterministic.
 */
import { GraphError } from './errors';

export interface LevelNode {
  readonly id: string;
  readonly w: number;
  readonly h: number;
}
export interface LevelEdge {
  readonly from: string;
  readonly to: string;
}
export interface Point {
  readonly x: number;
  readonly y: number;
}
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}
export interface LevelLayout {
  readonly width: number;
  readonly height: number;
  /** Top-left placement of each node, in the level's own coordinates. */
  readonly nodes: ReadonlyMap<string, Rect & { readonly layer: number }>;
  /** One polyline per input edge, same order, from the source's bottom to the target's top. */
  readonly edges: readonly (readonly Point[])[];
}

export interface Spacing {
  readonly gapX: number;
  readonly gapY: number;
  readonly gapDummy: number;
}

interface Vertex {
  readonly index: number;
  readonly node?: LevelNode;
  readonly w: number;
  readonly h: number;
  readonly layer: number;
  readonly up: number[];
  readonly down: number[];
  /** For ordering ties: topological rank of the node, or of the edge's source for a dummy. */
  readonly rank: number;
}

const SWEEPS = 24;
const PLACE_PASSES = 8;

function topoOrder(nodes: readonly LevelNode[], preds: number[][], succs: number[][]): number[] {
  const indeg = preds.map((p) => p.length);
  const ready = nodes.map((_, i) => i).filter((i) => indeg[i] === 0);
  const order: number[] = [];
  while (ready.length) {
    ready.sort((a, b) => a - b);
    const n = ready.shift()!;
    order.push(n);
    for (const s of succs[n]!) if (--indeg[s]! === 0) ready.push(s);
  }
  if (order.length < nodes.length) {
    const stuck = nodes.filter((_, i) => indeg[i]! > 0).map((n) => n.id);
    throw new GraphError(`tasks ${stuck.join(', ')} depend on each other in a cycle; a pipeline DAG cannot. Check their dependentTasks.`);
  }
  return order;
}

function assignLayers(order: number[], preds: number[][], succs: number[][]): number[] {
  const layer = new Array<number>(order.length).fill(0);
  for (const n of order) for (const p of preds[n]!) layer[n] = Math.max(layer[n]!, layer[p]! + 1);
  for (const n of order) {
    if (preds[n]!.length === 0 && succs[n]!.length > 0) layer[n] = Math.min(...succs[n]!.map((s) => layer[s]!)) - 1;
  }
  return layer;
}

function crossings(rows: number[][], pos: number[], verts: Vertex[]): number {
  let total = 0;
  for (let l = 0; l + 1 < rows.length; l++) {
    const segs: [number, number][] = [];
    for (const v of rows[l]!) for (const d of verts[v]!.down) segs.push([pos[v]!, pos[d]!]);
    for (let i = 0; i < segs.length; i++) {
      for (let j = i + 1; j < segs.length; j++) {
        if ((segs[i]![0] - segs[j]![0]) * (segs[i]![1] - segs[j]![1]) < 0) total++;
      }
    }
  }
  return total;
}

function reorder(row: number[], pos: number[], neighbours: (v: number) => number[]): number[] {
  const keyed = row.map((v) => {
    const ns = neighbours(v);
    const bary = ns.length ? ns.reduce((s, n) => s + pos[n]!, 0) / ns.length : pos[v]!;
    return { v, bary, was: pos[v]! };
  });
  keyed.sort((a, b) => a.bary - b.bary || a.was - b.was);
  return keyed.map((k) => k.v);
}

/** Least-squares positions for a row: as close to `want` as the minimum separations allow. */
function placeRow(want: number[], sep: number[]): number[] {
  const offset: number[] = [];
  want.forEach((_, i) => offset.push(i === 0 ? 0 : offset[i - 1]! + sep[i]!));
  const blocks: { sum: number; n: number }[] = [];
  for (let i = 0; i < want.length; i++) {
    blocks.push({ sum: want[i]! - offset[i]!, n: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.sum / blocks[blocks.length - 2]!.n > blocks[blocks.length - 1]!.sum / blocks[blocks.length - 1]!.n) {
      const top = blocks.pop()!;
      blocks[blocks.length - 1]!.sum += top.sum;
      blocks[blocks.length - 1]!.n += top.n;
    }
  }
  const out: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.n; k++) out.push(b.sum / b.n + offset[out.length]!);
  return out;
}

export function layoutLevel(nodes: readonly LevelNode[], edges: readonly LevelEdge[], sp: Spacing): LevelLayout {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const preds: number[][] = nodes.map(() => []);
  const succs: number[][] = nodes.map(() => []);
  const edgeIdx = edges.map((e) => {
    const f = index.get(e.from);
    const t = index.get(e.to);
    if (f === undefined || t === undefined) throw new GraphError(`edge ${e.from} → ${e.to} names a task that is not in this DAG.`);
    if (!succs[f]!.includes(t)) {
      succs[f]!.push(t);
      preds[t]!.push(f);
    }
    return [f, t] as const;
  });
  const topo = topoOrder(nodes, preds, succs);
  const rankOf = new Array<number>(nodes.length);
  topo.forEach((n, r) => (rankOf[n] = r));
  const layerOf = assignLayers(topo, preds, succs);

  // Vertices: the nodes, then dummies for each multi-layer edge.
  const verts: Vertex[] = nodes.map((node, i) => ({ index: i, node, w: node.w, h: node.h, layer: layerOf[i]!, up: [], down: [], rank: rankOf[i]! }));
  const chains = new Map<string, number[]>();
  for (let f = 0; f < nodes.length; f++) {
    for (const t of succs[f]!) {
      const chain = [f];
      for (let l = layerOf[f]! + 1; l < layerOf[t]!; l++) {
        const v: Vertex = { index: verts.length, w: 0, h: 0, layer: l, up: [], down: [], rank: rankOf[f]! + rankOf[t]! / (nodes.length + 1) };
        verts.push(v);
        chain.push(v.index);
      }
      chain.push(t);
      for (let k = 0; k + 1 < chain.length; k++) {
        verts[chain[k]!]!.down.push(chain[k + 1]!);
        verts[chain[k + 1]!]!.up.push(chain[k]!);
      }
      chains.set(`${f}>${t}`, chain);
    }
  }
  const layers = verts.length ? Math.max(...verts.map((v) => v.layer)) + 1 : 0;
  let rows: number[][] = Array.from({ length: layers }, () => []);
  for (const v of [...verts].sort((a, b) => a.rank - b.rank || a.index - b.index)) rows[v.layer]!.push(v.index);

  // Ordering.
  const pos = new Array<number>(verts.length).fill(0);
  const setPos = (rs: number[][]) => rs.forEach((r) => r.forEach((v, i) => (pos[v] = i)));
  setPos(rows);
  let best = rows.map((r) => [...r]);
  let bestCross = crossings(rows, pos, verts);
  for (let s = 0; s < SWEEPS && bestCross > 0; s++) {
    const down = s % 2 === 0;
    const seq = down ? rows.map((_, l) => l).slice(1) : rows.map((_, l) => l).reverse().slice(1);
    for (const l of seq) {
      rows[l] = reorder(rows[l]!, pos, (v) => (down ? verts[v]!.up : verts[v]!.down));
      rows[l]!.forEach((v, i) => (pos[v] = i));
    }
    const c = crossings(rows, pos, verts);
    if (c < bestCross) {
      bestCross = c;
      best = rows.map((r) => [...r]);
    }
  }
  rows = best;
  setPos(rows);

  // x: centres.
  const cx = new Array<number>(verts.length).fill(0);
  const seps = rows.map((row) =>
    row.map((v, i) => {
      if (i === 0) return 0;
      const a = verts[row[i - 1]!]!;
      const b = verts[v]!;
      const gap = a.node && b.node ? sp.gapX : a.node || b.node ? sp.gapX / 2 : sp.gapDummy;
      return (a.w + b.w) / 2 + gap;
    }),
  );
  rows.forEach((row, l) => placeRow(row.map(() => 0), seps[l]!).forEach((x, i) => (cx[row[i]!] = x)));
  const pass = (l: number, neighbours: (v: Vertex) => number[]) => {
    const row = rows[l]!;
    const want = row.map((v) => {
      const ns = neighbours(verts[v]!);
      return ns.length ? ns.reduce((s, n) => s + cx[n]!, 0) / ns.length : cx[v]!;
    });
    placeRow(want, seps[l]!).forEach((x, i) => (cx[row[i]!] = x));
  };
  for (let p = 0; p < PLACE_PASSES; p++) {
    for (let l = 1; l < layers; l++) pass(l, (v) => v.up);
    for (let l = layers - 2; l >= 0; l--) pass(l, (v) => v.down);
  }
  for (let l = 0; l < layers; l++) pass(l, (v) => [...v.up, ...v.down]);
  const left = verts.length ? Math.min(...verts.map((v) => cx[v.index]! - v.w / 2)) : 0;
  for (const v of verts) cx[v.index] = cx[v.index]! - left;

  // y: rows as tall as their tallest box, boxes centred in their row.
  const rowH = rows.map((row) => Math.max(0, ...row.map((v) => verts[v]!.h)));
  const rowTop: number[] = [];
  rowH.forEach((_h, l) => rowTop.push(l === 0 ? 0 : rowTop[l - 1]! + rowH[l - 1]! + sp.gapY));
  const rects = new Map<string, Rect & { layer: number }>();
  for (const v of verts) {
    if (!v.node) continue;
    rects.set(v.node.id, { x: cx[v.index]! - v.w / 2, y: rowTop[v.layer]! + (rowH[v.layer]! - v.h) / 2, w: v.w, h: v.h, layer: v.layer });
  }

  // Edges: ports spread along the bottom/top of a box, ordered by where the edge heads.
  const port = (v: number, other: number, side: 'down' | 'up'): number => {
    const vert = verts[v]!;
    const ns = [...(side === 'down' ? vert.down : vert.up)].sort((a, b) => cx[a]! - cx[b]! || a - b);
    const k = ns.length;
    if (k <= 1) return cx[v]!;
    const step = Math.min(14, (vert.w * 0.7) / (k - 1));
    return cx[v]! + (ns.indexOf(other) - (k - 1) / 2) * step;
  };
  const polylines = edgeIdx.map(([f, t]) => {
    const chain = chains.get(`${f}>${t}`)!;
    const pts: Point[] = [];
    const src = rects.get(nodes[f]!.id)!;
    const dst = rects.get(nodes[t]!.id)!;
    pts.push({ x: port(f, chain[1]!, 'down'), y: src.y + src.h });
    for (const d of chain.slice(1, -1)) {
      const l = verts[d]!.layer;
      pts.push({ x: cx[d]!, y: rowTop[l]! }, { x: cx[d]!, y: rowTop[l]! + rowH[l]! });
    }
    pts.push({ x: port(t, chain[chain.length - 2]!, 'up'), y: dst.y });
    return pts;
  });

  const width = verts.length ? Math.max(...verts.map((v) => cx[v.index]! + v.w / 2)) : 0;
  const height = layers ? rowTop[layers - 1]! + rowH[layers - 1]! : 0;
  return { width, height, nodes: rects, edges: polylines };
}
