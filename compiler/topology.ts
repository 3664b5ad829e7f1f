/**
 * Where every value flows: which group needs which injected inputs, which groups surface which
 * outputs (fan-in, one-of), and which siblings depend on which. This follows the reference KFP
 * compiler's rules step for step, because names and shapes must match its output exactly.
 */
import { Channel, GroupNode, TaskNode, isChannel, type ConditionOp, type Graph } from '../dsl/graph';
import type { IoType } from '../dsl/io';
import { additionalInputName, channelKey, directAndTemplateChannels, fullName, toCChannel, type CChannel, type Node } from './channels';

export interface DagOutput {
  readonly io: IoType;
  /** One selector for a plain output; several for a one-of. */
  readonly selectors: readonly { readonly producer: string; readonly key: string }[];
  readonly oneof: boolean;
}

export interface InputEntry {
  readonly channel: CChannel;
  readonly producer: string | null;
}

export class Topology {
  readonly allGroups: GroupNode[] = [];
  readonly taskParents = new Map<string, string[]>();
  readonly groupParents = new Map<string, string[]>();
  readonly groups = new Map<string, GroupNode>();
  readonly children = new Map<string, string[]>();
  readonly conditionChannels = new Map<string, CChannel[]>();
  /** Per task: argument name → compile-time channel (fan-ins resolved for this consumer). */
  readonly taskArgChannels = new Map<TaskNode, Map<Channel, CChannel>>();
  readonly inputs = new Map<string, Map<string, InputEntry>>();
  readonly outputs = new Map<string, Map<string, DagOutput>>();
  readonly dependencies = new Map<string, Set<string>>();
  readonly pipelineOutputs = new Map<string, DagOutput>();
  private readonly oneofDone = new Set<Channel>();

  constructor(
    readonly graph: Graph,
    pipelineOutputs: Readonly<Record<string, Channel>>,
  ) {
    this.walk(graph.root, []);
    this.collectConditionChannels(graph.root, []);
    for (const task of graph.tasks.values()) this.resolveTaskChannels(task);
    for (const task of graph.tasks.values()) this.addInputsFor(task);
    for (const task of graph.tasks.values()) this.surfaceOneofsFor(task);
    for (const [key, ch] of Object.entries(pipelineOutputs)) this.addPipelineOutput(key, ch);
    for (const task of graph.tasks.values()) this.addDependenciesFor(task);
  }

  // ------------------------------------------------------------ structure

  private walk(group: GroupNode, path: string[]): void {
    this.allGroups.push(group);
    this.groups.set(group.name, group);
    const here = [...path, group.name];
    this.children.set(group.name, [...group.groups.map((g) => g.name), ...group.tasks.map((t) => t.name)]);
    for (const g of group.groups) {
      this.groupParents.set(g.name, [...here, g.name]);
      this.walk(g, here);
    }
    for (const t of group.tasks) this.taskParents.set(t.name, [...here, t.name]);
  }

  lookup = (name: string | undefined): Node | undefined => {
    if (name === undefined) return undefined;
    return this.graph.tasks.get(name) ?? this.groups.get(name);
  };

  private parentsOf(node: Node): string[] {
    const p = node instanceof TaskNode ? this.taskParents.get(node.name) : this.groupParents.get(node.name);
    if (!p) throw new Error(`internal error (a duckml bug): '${node.name}' is not placed in the pipeline tree`);
    return p;
  }

  /** KFP `_get_uncommon_ancestors`. */
  uncommon(a: Node, b: Node): [string[], string[]] {
    const pa = this.parentsOf(a);
    const pb = this.parentsOf(b);
    let i = 0;
    while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
    return [pa.slice(i), pb.slice(i)];
  }

  private conditionOperands(conds: readonly ConditionOp[]): CChannel[] {
    const out: CChannel[] = [];
    for (const c of conds) for (const side of [c.left, c.right]) if (isChannel(side)) out.push(this.plain(side));
    return out;
  }

  /** A non-fan-in channel in compile form. */
  plain(ch: Channel): CChannel {
    if (ch.ref.type === 'collected') {
      throw new Error(`a fan-in (${ch.describe()}) cannot be used here; pass it to a task input.`);
    }
    return toCChannel(ch, this.lookup);
  }

  conditionsOf(group: GroupNode): CChannel[] {
    return this.conditionOperands(group.conditions);
  }

  private collectConditionChannels(group: GroupNode, current: CChannel[]): void {
    const here = group.type === 'condition' ? [...current, ...this.conditionOperands(group.conditions)] : current;
    for (const t of group.tasks) {
      const seen = new Map<string, CChannel>();
      for (const c of here) if (!seen.has(channelKey(c))) seen.set(channelKey(c), c);
      this.conditionChannels.set(t.name, [...seen.values()]);
    }
    for (const g of group.groups) this.collectConditionChannels(g, here);
  }

  // ------------------------------------------------------------ task channels and fan-in

  private resolveTaskChannels(task: TaskNode): void {
    const map = new Map<Channel, CChannel>();
    const { direct, embedded } = directAndTemplateChannels(task.args);
    for (const ch of [...direct, ...embedded]) {
      if (map.has(ch)) continue;
      map.set(ch, ch.ref.type === 'collected' ? this.resolveCollected(ch, task) : this.plain(ch));
    }
    this.taskArgChannels.set(task, map);
  }

  channelsOf(task: TaskNode): CChannel[] {
    return [...this.taskArgChannels.get(task)!.values()];
  }

  private setOutput(group: string, key: string, out: DagOutput): void {
    let m = this.outputs.get(group);
    if (!m) this.outputs.set(group, (m = new Map()));
    m.set(key, out);
  }

  private listIo(io: IoType): IoType {
    return io.kind === 'artifact' ? { ...io, isList: true } : { kind: 'param', irType: 'LIST' };
  }

  /** KFP surfaces a `dsl.Collected` output through each loop between producer and consumer. */
  private resolveCollected(col: Channel, consumer: TaskNode | null): CChannel {
    const ref = col.ref as Extract<Channel['ref'], { type: 'collected' }>;
    const inner = ref.inner;
    if (inner.ref.type !== 'task-output') {
      this.graph.error(consumer?.path ?? this.graph.pipelineName, `a fan-in must collect a task output; got ${inner.describe()}.`);
      return this.plain(inner);
    }
    const producer = inner.ref.task;
    const innerC = this.plain(inner);
    const surfaced = additionalInputName(innerC);
    const io = this.listIo(inner.io);
    let up: string[];
    let parentConsumer: string | undefined;
    const where = consumer?.path ?? this.graph.pipelineName;
    if (consumer) {
      const [u, d] = this.uncommon(producer, consumer);
      up = u;
      parentConsumer = d[0];
      const loops = up.slice(0, -1).map((n) => this.groups.get(n)!);
      if (!loops.some((g) => g.type === 'for-loop')) {
        this.graph.error(
          where,
          `fan-in of ${inner.describe()}: the producer is not inside a loop that excludes this task. Collect outputs from a forEach body in a task outside that loop.`,
        );
        return { ...innerC, io };
      }
      const outer = this.groups.get(up[0]!)!;
      if (outer.type === 'condition' || outer.type === 'exit-handler') {
        this.graph.error(
          where,
          `fan-in of ${inner.describe()} crosses ${outer.type} '${outer.name}': the loop sits inside that ${outer.type}; move this task inside it too.`,
        );
        return { ...innerC, io };
      }
    } else {
      up = this.taskParents.get(producer.name)!.slice(1);
    }
    let producerName = up.pop()!;
    let name = inner.name;
    for (const upstream of [...up].reverse()) {
      this.setOutput(upstream, surfaced, { io, selectors: [{ producer: producerName, key: name }], oneof: false });
      name = surfaced;
      producerName = upstream;
      if (parentConsumer !== undefined) {
        const parents = this.groupParents.get(upstream)!;
        const parentOfSurfacer = parents[parents.length - 2]!;
        if (this.children.get(parentOfSurfacer)!.includes(parentConsumer)) break;
      }
    }
    return { kind: 'plain', name, taskName: producerName, io, inputsTask: producer, depsTask: this.lookup(producerName), source: col };
  }

  // ------------------------------------------------------------ one-of

  private surfaceOneofsFor(task: TaskNode): void {
    for (const c of this.channelsOf(task)) {
      if (c.kind === 'oneof' && c.source && !this.oneofDone.has(c.source)) this.surfaceOneof(c.source, task);
    }
  }

  private surfaceOneof(oneof: Channel, consumer: TaskNode | null): DagOutput {
    this.oneofDone.add(oneof);
    const ref = oneof.ref as Extract<Channel['ref'], { type: 'oneof' }>;
    const wrapper = ref.group;
    if (!wrapper.hasElse) {
      this.graph.error(wrapper.path, `one-of output '${ref.name}' needs an else() branch so that some branch always produces it.`);
    }
    const selectors: { producer: string; key: string }[] = [];
    for (const inner of ref.channels) {
      const producer = (inner.ref as { task: TaskNode }).task;
      const up = consumer ? this.uncommon(producer, consumer)[0] : this.taskParents.get(producer.name)!.slice(1);
      const surfaced = additionalInputName(this.plain(inner));
      let name = inner.name;
      let producerName = producer.name;
      for (const upstream of [...up].reverse()) {
        if (upstream === producer.name) continue;
        if (upstream === wrapper.name) break;
        this.setOutput(upstream, surfaced, { io: inner.io, selectors: [{ producer: producerName, key: name }], oneof: false });
        name = surfaced;
        producerName = upstream;
      }
      selectors.push({ producer: producerName, key: name });
    }
    const out: DagOutput = { io: oneof.io, selectors, oneof: true };
    this.setOutput(wrapper.name, ref.name, out);
    return out;
  }

  // ------------------------------------------------------------ pipeline outputs

  private addPipelineOutput(key: string, ch: Channel): void {
    const where = `${this.graph.pipelineName} (output '${key}')`;
    if (ch.ref.type === 'collected') {
      const c = this.resolveCollected(ch, null);
      this.pipelineOutputs.set(key, { io: c.io, selectors: [{ producer: c.taskName!, key: c.name }], oneof: false });
      return;
    }
    if (ch.ref.type === 'oneof') {
      const wrapper = ch.ref.group;
      if (wrapper.parent !== this.graph.root) {
        this.graph.error(where, `pipeline outputs must come from the top scope; this one-of is inside ${wrapper.parent!.type} '${wrapper.parent!.name}'.`);
        return;
      }
      if (!this.oneofDone.has(ch)) this.surfaceOneof(ch, null);
      const c = this.plain(ch);
      this.pipelineOutputs.set(key, { io: ch.io, selectors: [{ producer: c.taskName!, key: c.name }], oneof: false });
      return;
    }
    if (ch.ref.type !== 'task-output') {
      this.graph.error(where, `a pipeline output must be a task output, a fan-in or a one-of; got ${ch.describe()}.`);
      return;
    }
    const task = ch.ref.task;
    if (task.parent !== this.graph.root || task.isExitTask) {
      this.graph.error(
        where,
        `pipeline outputs must come from tasks in the top scope; '${task.name}' is inside ${task.parent.type} '${task.parent.name}'. Fan it in (loop.outputs) or merge branches (else().outputs).`,
      );
      return;
    }
    this.pipelineOutputs.set(key, { io: ch.io, selectors: [{ producer: task.name, key: ch.ref.key }], oneof: false });
  }

  // ------------------------------------------------------------ group inputs

  private addInput(group: string, channel: CChannel, producer: string | null): void {
    let m = this.inputs.get(group);
    if (!m) this.inputs.set(group, (m = new Map()));
    const k = `${channelKey(channel)}|${producer ?? ''}`;
    if (!m.has(k)) m.set(k, { channel, producer });
  }

  /** KFP `get_inputs_for_all_groups`, for one task. */
  private addInputsFor(task: TaskNode): void {
    const conds = this.conditionChannels.get(task.name) ?? [];
    for (const channel of [...this.channelsOf(task), ...conds]) {
      const toAdd: CChannel[] = [];
      let c: CChannel | undefined = channel;
      while (c && (c.kind === 'loop-arg' || c.kind === 'loop-var')) {
        toAdd.push(c);
        c = c.kind === 'loop-var' ? c.loopArg : c.items;
      }
      if (c) toAdd.push(c);
      const loopOf = (g: string) => {
        const group = this.groups.get(g);
        return group?.type === 'for-loop' ? group : undefined;
      };
      const loopArgName = (g: GroupNode) => fullName(this.plain(g.loop!.item));
      if (channel.inputsTask) {
        // An exit task that reads a task output is already reported (exitHandler); it has no place in the tree.
        if (task.isExitTask) continue;
        const [up, down] = this.uncommon(channel.inputsTask, task);
        for (let i = 0; i < down.length; i++) {
          const g = down[i]!;
          this.addInput(g, toAdd[toAdd.length - 1]!, i === 0 ? up[0]! : null);
          const loop = loopOf(g);
          if (loop && loopArgName(loop).includes(fullName(toAdd[toAdd.length - 1]!))) {
            toAdd.pop();
            if (toAdd.length === 0) break;
          }
        }
      } else {
        if (task.isExitTask) continue;
        const parents = this.taskParents.get(task.name)!;
        if ((channel.kind === 'loop-arg' || channel.kind === 'loop-var') && channel.withItems) {
          for (const g of [...parents].reverse()) {
            this.addInput(g, toAdd[0]!, null);
            const loop = loopOf(g);
            if (loop && loopArgName(loop).includes(fullName(toAdd[0]!))) {
              toAdd.shift();
              if (toAdd.length === 0) break;
            }
          }
        } else {
          for (const g of parents) {
            this.addInput(g, toAdd[toAdd.length - 1]!, null);
            const loop = loopOf(g);
            if (loop && loopArgName(loop).includes(fullName(toAdd[toAdd.length - 1]!))) {
              toAdd.pop();
              if (toAdd.length === 0) break;
            }
          }
        }
      }
    }
  }

  inputsOf(name: string): CChannel[] {
    return [...(this.inputs.get(name)?.values() ?? [])].map((e) => e.channel);
  }

  // ------------------------------------------------------------ dependencies

  private addDependenciesFor(task: TaskNode): void {
    if (task.isExitTask) return;
    const conds = this.conditionChannels.get(task.name) ?? [];
    const upstream = new Set<Node>();
    for (const c of [...this.channelsOf(task), ...conds]) if (c.depsTask) upstream.add(c.depsTask);
    for (const a of task.options.after ?? []) {
      const node = this.lookup(a.name);
      if (!node) {
        this.graph.error(task.path, `after: '${a.name}' is not a task or exit handler of this pipeline.`);
        continue;
      }
      if (node instanceof GroupNode && node.type !== 'exit-handler') {
        this.graph.error(task.path, `after: '${a.name}' is a ${node.type} group; only tasks and exit handlers can be waited for.`);
        continue;
      }
      upstream.add(node);
    }
    const dataProducers = new Set(this.channelsOf(task).map((c) => c.depsTask?.name));
    for (const up of upstream) {
      if (up === task) {
        this.graph.error(task.path, `task '${task.name}' depends on itself.`);
        continue;
      }
      const [upNames, downNames] = this.uncommon(up, task);
      const between = upNames.filter((n) => n !== up.name);
      if (between.length > 0) {
        const g = this.groups.get(between[0]!);
        if (g && (g.type === 'condition' || g.type === 'exit-handler' || g.type === 'condition-branches')) {
          this.graph.error(
            task.path,
            `illegal reference across scopes: '${task.name}' uses '${up.name}', which is inside ${g.type} '${g.name}' that does not contain '${task.name}'. Move the task into that scope, or merge branch outputs with else().outputs.`,
          );
          continue;
        }
        if (g && g.type === 'for-loop' && dataProducers.has(up.name)) {
          this.graph.error(
            task.path,
            `illegal reference across scopes: '${task.name}' uses an output of '${up.name}' inside loop '${g.name}'. Return it from the loop body and use loop.outputs (a fan-in) instead.`,
          );
          continue;
        }
      }
      const downstream = downNames[0]!;
      let set = this.dependencies.get(downstream);
      if (!set) this.dependencies.set(downstream, (set = new Set()));
      set.add(upNames[0]!);
    }
  }
}
