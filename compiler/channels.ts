/**
 * Compile-time view of channels, shaped like the reference compiler's PipelineChannel so its
 * naming rules (`pipelinechannel--<task>-<output>`, `-loop-item`, `-subvar-`) carry over exactly.
 */
import { Channel, GroupNode, TaskNode, isChannel } from '../dsl/graph';
import type { IoType } from '../dsl/io';
import { isTemplate } from '../dsl/template';

export type Node = TaskNode | GroupNode;

export interface CChannel {
  readonly kind: 'plain' | 'loop-arg' | 'loop-var' | 'oneof';
  readonly name: string;
  readonly taskName?: string;
  readonly io: IoType;
  /** The node KFP's `channel.task` resolves to when group inputs are computed. */
  readonly inputsTask?: Node;
  /** The node `channel.task` resolves to when dependencies are computed (differs for fan-in). */
  readonly depsTask?: Node;
  /** loop-arg: the list iterated (a channel), absent for a raw list. */
  readonly items?: CChannel;
  /** loop-arg / loop-var: iterating a raw list (KFP `is_with_items_loop_argument`). */
  readonly withItems?: boolean;
  /** loop-var: the loop argument and the field read from it. */
  readonly loopArg?: CChannel;
  readonly subvar?: string;
  /** oneof: the surfaced branch outputs. */
  readonly oneofSelectors?: { producer: string; key: string }[];
  readonly source?: Channel;
}

export function fullName(c: CChannel): string {
  return c.taskName ? `${c.taskName}-${c.name}` : c.name;
}

/** The name of a compiler-injected input for a channel (or a channel's full name). */
export function additionalInputName(c: CChannel | string): string {
  return `pipelinechannel--${typeof c === 'string' ? c : fullName(c)}`;
}

/** Identity used to de-duplicate channels, as KFP hashes them by pattern. */
export function channelKey(c: CChannel): string {
  const t = c.io.kind === 'param' ? c.io.irType : `${c.io.schemaTitle}@${c.io.schemaVersion}${c.io.isList ? '[]' : ''}`;
  return `${c.taskName ?? ''}|${c.name}|${t}`;
}

export function isLoopChannel(c: CChannel): boolean {
  return c.kind === 'loop-arg' || c.kind === 'loop-var';
}

/** Resolves `channel.task` by name, as KFP does: a task, else a group. */
export type NodeLookup = (name: string | undefined) => Node | undefined;

/** Converts a DSL channel (not a fan-in) to its compile-time form. */
export function toCChannel(ch: Channel, lookup: NodeLookup): CChannel {
  const ref = ch.ref;
  switch (ref.type) {
    case 'task-output':
      return { kind: 'plain', name: ref.key, taskName: ref.task.name, io: ch.io, inputsTask: ref.task, depsTask: ref.task, source: ch };
    case 'pipeline-param':
      return { kind: 'plain', name: ref.name, io: ch.io, source: ch };
    case 'loop-item': {
      const loop = ref.group.loop!;
      if (isChannel(loop.items)) {
        const items = toCChannel(loop.items, lookup);
        const task = lookup(ref.taskName);
        return { kind: 'loop-arg', name: ref.name, taskName: ref.taskName, io: ch.io, items, withItems: false, inputsTask: task, depsTask: task, source: ch };
      }
      return { kind: 'loop-arg', name: ref.name, io: ch.io, withItems: true, source: ch };
    }
    case 'loop-subvar': {
      const loopArg = toCChannel(ref.item, lookup);
      const task = lookup(loopArg.taskName);
      return {
        kind: 'loop-var',
        name: `${loopArg.name}-subvar-${ref.field}`,
        taskName: loopArg.taskName,
        io: ch.io,
        loopArg,
        subvar: ref.field,
        withItems: loopArg.withItems,
        inputsTask: task,
        depsTask: task,
        source: ch,
      };
    }
    case 'oneof':
      return { kind: 'oneof', name: ref.name, taskName: ref.group.name, io: ch.io, inputsTask: ref.group, depsTask: ref.group, source: ch };
    case 'collected':
      throw new Error('internal error (a duckml bug): a fan-in reached toCChannel without being resolved for its consumer');
  }
}

/** Channels passed to a task: direct refs first, then refs inside dsl.fmt templates (KFP order). */
export function directAndTemplateChannels(args: Readonly<Record<string, unknown>>): { direct: Channel[]; embedded: Channel[] } {
  const direct: Channel[] = [];
  const embedded: Channel[] = [];
  for (const v of Object.values(args)) {
    if (isChannel(v)) direct.push(v);
    else if (isTemplate(v)) for (const x of v.values) if (isChannel(x)) embedded.push(x);
  }
  return { direct, embedded };
}
