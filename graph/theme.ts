/** Colours, fonts and spacing shared by the layout (sizes) and the writers (drawing). */
import type { NodeKind } from './model';

export interface KindStyle {
  readonly fill: string;
  readonly stroke: string;
  /** Colour of titles drawn in this kind's colour (group titles). */
  readonly ink: string;
  readonly legend: string;
}

export const KIND_STYLE: Readonly<Record<NodeKind, KindStyle>> = {
  container: { fill: '#e3edff', stroke: '#3b6fd8', ink: '#1d3f8a', legend: 'container' },
  importer: { fill: '#ddf5e6', stroke: '#2f9e5a', ink: '#1b6138', legend: 'importer' },
  other: { fill: '#eceff3', stroke: '#7a8494', ink: '#3b4250', legend: 'other executor' },
  condition: { fill: '#fffaeb', stroke: '#d49a00', ink: '#8a5a00', legend: 'condition' },
  branches: { fill: '#fff5ec', stroke: '#e07b28', ink: '#9a4a0c', legend: 'if / else branches' },
  loop: { fill: '#eefbfc', stroke: '#1597a8', ink: '#0b5f6b', legend: 'loop' },
  'exit-handler': { fill: '#fff1f3', stroke: '#d6455d', ink: '#9b1c33', legend: 'exit handler' },
  pipeline: { fill: '#f7f2ff', stroke: '#8552d1', ink: '#52288f', legend: 'nested pipeline' },
  root: { fill: '#ffffff', stroke: '#ffffff', ink: '#1f2430', legend: 'pipeline' },
};

/** Order of the legend's entries. */
export const LEGEND_ORDER: readonly NodeKind[] = ['container', 'importer', 'other', 'condition', 'branches', 'loop', 'exit-handler', 'pipeline'];

export const FONT = 'Helvetica, Arial, "DejaVu Sans", sans-serif';
export const MONO = '"DejaVu Sans Mono", Menlo, Consolas, monospace';
export const EDGE_COLOUR = '#5b6472';
export const EXIT_EDGE_COLOUR = KIND_STYLE['exit-handler'].stroke;

export const SIZE = {
  /** Task boxes. */
  taskTitle: 13,
  taskSub: 11,
  taskPadX: 14,
  taskPadY: 9,
  taskLineGap: 4,
  taskMinWidth: 110,
  taskRadius: 9,
  /** Group frames. */
  groupTitle: 12,
  groupDetail: 11,
  groupPad: 16,
  groupHeaderGap: 12,
  groupLineGap: 4,
  groupRadius: 12,
  /** Between items in a row, between rows, between routed edges. */
  gapX: 28,
  gapY: 46,
  gapDummy: 14,
  /** The whole picture. */
  title: 17,
  subtitle: 12,
  margin: 20,
  legend: 11,
} as const;
