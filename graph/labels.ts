/**
 * What each box and frame says: the lines of text (shared by the layout, which sizes boxes to
 * them, and the writers) and a tooltip with the untruncated details.
 */
import type { GraphGroup, GraphModel, GraphTask } from './model';
import { textWidth, truncate } from './text-width';
import { SIZE } from './theme';

export interface TextLine {
  readonly text: string;
  readonly size: number;
  readonly bold?: boolean;
  readonly mono?: boolean;
  /** Secondary text (drawn greyer). */
  readonly muted?: boolean;
}

export interface ItemLabel {
  readonly lines: readonly TextLine[];
  readonly tooltip: string;
}

const MAX_TITLE = 48;
const MAX_DETAIL = 64;

export function taskLabel(t: GraphTask): ItemLabel {
  const lines: TextLine[] = [{ text: truncate(t.name, MAX_TITLE), size: SIZE.taskTitle, bold: true }];
  const tip = [t.name === t.key ? t.name : `${t.name} (task ${t.key})`, `component: ${t.component}`];
  if (t.kind === 'container' && t.image) {
    lines.push({ text: truncate(t.image, 40), size: SIZE.taskSub, muted: true });
    tip.push(`image: ${t.image}`);
  } else if (t.kind === 'importer') {
    lines.push({ text: truncate(`importer ← ${t.artifactUri ?? '?'}`, 44), size: SIZE.taskSub, muted: true });
    tip.push(`imports: ${t.artifactUri ?? '(unknown URI)'}`);
  } else if (t.kind === 'other') {
    lines.push({ text: truncate(t.component, 40), size: SIZE.taskSub, muted: true });
  }
  if (t.exitFor) tip.push(`runs when ${t.exitFor} finishes, whatever its outcome`);
  return { lines, tooltip: tip.join('\n') };
}

/** The detail line under a group's title: what makes it run. */
export function groupDetail(g: GraphGroup): string | undefined {
  switch (g.kind) {
    case 'condition':
      return `if ${g.conditionText ?? g.condition ?? '?'}`;
    case 'loop': {
      const it = g.iterator;
      const over = it ? (it.source === 'raw' ? it.items : `${it.items}${it.source === 'artifact' ? ' (artifacts)' : ''}`) : '?';
      return `for each in ${over}${g.parallelism ? ` · ${g.parallelism} at a time` : ''}`;
    }
    case 'exit-handler':
      return g.exitTask ? `then always: ${g.exitTask}` : 'exit handler';
    case 'branches':
      return 'one branch runs (if / elif / else)';
    case 'pipeline': {
      const comp = g.component.replace(/^comp-/, '');
      return comp === g.key ? 'nested pipeline' : `nested pipeline ${comp}`;
    }
    default:
      return undefined;
  }
}

export function groupLabel(g: GraphGroup): ItemLabel {
  const detail = groupDetail(g);
  const lines: TextLine[] = [{ text: truncate(g.name, MAX_TITLE), size: SIZE.groupTitle, bold: true }];
  if (detail) lines.push({ text: truncate(detail, MAX_DETAIL), size: SIZE.groupDetail, mono: g.kind === 'condition' || g.kind === 'loop' });
  const tip = [g.name === g.key ? g.name : `${g.name} (task ${g.key})`];
  if (g.condition) tip.push(`condition: ${g.condition}`);
  if (g.iterator) tip.push(`items: ${g.iterator.items}`, `item input: ${g.iterator.itemInput}`);
  if (g.parallelism) tip.push(`parallelism limit: ${g.parallelism}`);
  if (detail && !g.condition && !g.iterator) tip.push(detail);
  return { lines, tooltip: tip.join('\n') };
}

/** The picture's heading: the pipeline's name and the first line of its description. */
export function headingLabel(m: GraphModel): ItemLabel {
  const lines: TextLine[] = [{ text: truncate(m.displayName ?? m.name, 80), size: SIZE.title, bold: true }];
  const first = m.description?.split('\n').find((l) => l.trim());
  if (first) lines.push({ text: truncate(first.trim(), 100), size: SIZE.subtitle, muted: true });
  return { lines, tooltip: m.description ?? m.name };
}

export function lineWidth(l: TextLine): number {
  return textWidth(l.text, l.size, l.mono) * (l.bold ? 1.06 : 1);
}

/** Width and height of a block of lines, `gap` apart. */
export function blockSize(lines: readonly TextLine[], gap: number): { w: number; h: number } {
  let w = 0;
  let h = 0;
  lines.forEach((l, i) => {
    w = Math.max(w, lineWidth(l));
    h += l.size * 1.2 + (i ? gap : 0);
  });
  return { w, h };
}
