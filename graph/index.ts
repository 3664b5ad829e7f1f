/** `duckml graph`: a compiled PipelineSpec drawn as SVG, Graphviz DOT or a Mermaid flowchart. */
import * as path from 'node:path';
import type { PipelineSpecIr } from '../compiler/ir';
import { toDot } from './dot';
import { GraphError } from './errors';
import { buildGraphModel } from './from-spec';
import { toMermaid } from './mermaid';
import { toSvg } from './svg';

export { GraphError } from './errors';
export { buildGraphModel } from './from-spec';
export { layoutGraph } from './layout';
export type { GraphLayout, PlacedEdge, PlacedGroup, PlacedTask } from './layout';
export * from './model';
export { toDot } from './dot';
export { toMermaid } from './mermaid';
export { toSvg } from './svg';

export type GraphFormat = 'svg' | 'dot' | 'mermaid';

const BY_EXT: Readonly<Record<string, GraphFormat>> = { '.svg': 'svg', '.dot': 'dot', '.gv': 'dot', '.mmd': 'mermaid', '.mermaid': 'mermaid' };

/** The format an output file's extension asks for. */
export function graphFormatFor(file: string): GraphFormat {
  const f = BY_EXT[path.extname(file).toLowerCase()];
  if (!f) throw new GraphError(`output file '${file}' must end in .svg (picture), .dot or .gv (Graphviz) or .mmd (Mermaid).`);
  return f;
}

export function renderGraph(spec: PipelineSpecIr, format: GraphFormat): string {
  const model = buildGraphModel(spec);
  return format === 'svg' ? toSvg(model) : format === 'dot' ? toDot(model) : toMermaid(model);
}
