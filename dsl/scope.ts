/**
 * Scopes: the one way to add things to a pipeline. `p.task(component, args)` adds a task;
 * `p.if`, `p.forEach` and `p.exitHandler` open child scopes. Each call only records a node in the
 * tree; the compiler validates and emits everything in one synth step.
 */
import { KIND } from './symbols';
import { Channel, GroupNode, TaskNode, isChannel, k8sName, type ConditionOp, type Graph } from './graph';
import { isComponent, type AnyComponent, type Component, type ImporterComponentDef } from './component';
import type { ArtifactRef, Collected, CommonOutputs, Condition, InputArgs, ParamRef, RefRecord, StructItemRef, TagOfValue, UntypedItemRef } from './refs';
import type { TaskOptions } from './task-options';
import type { ArtifactType } from './artifacts';
import { isArtifactSpec, type InputsSpec } from './types';
import { checkArgs } from './check-args';
import { ioTypeOf, irTypeOfValue, type IoType } from './io';
import * as params from './params';

/** A task in a pipeline: its unique name and the refs of its outputs. */
export interface Task<O extends RefRecord = RefRecord> {
  readonly [KIND]: 'task';
  readonly name: string;
  readonly outputs: O;
}

/** A reference that tasks can be ordered after (`after: [...]`): a task or an exit-handler group. */
export interface Orderable {
  readonly name: string;
}

/** What a branch or loop body may return: refs to surface, or nothing (a returned task is ignored). */
type BranchReturn = RefRecord | void | Task<any>;
type Outs<R> = R extends Task<any> ? {} : R extends RefRecord ? R : {};

export interface IfChain<R> {
  /** Another branch, taken when every earlier condition is false and this one true. */
  elif<R2 extends BranchReturn = void>(condition: Condition, body: (s: Scope) => R2, opts?: { name?: string }): IfChain<CommonOutputs<R, Outs<R2>>>;
  /** The branch taken when every condition is false. */
  else<R2 extends BranchReturn = void>(body: (s: Scope) => R2, opts?: { name?: string }): Branches<CommonOutputs<R, Outs<R2>>>;
}

export interface Branches<R> {
  /** Outputs that every branch returned under the same key, merged: the one that ran (KFP OneOf). */
  readonly outputs: { readonly [K in keyof R]: R[K] };
}

export interface Loop<R> {
  /** The values each iteration returned, fanned in to lists (KFP `dsl.Collected`). */
  readonly outputs: Collected<Outs<R>>;
}

type ItemRef<T> = [T] extends [string]
  ? ParamRef<'string'>
  : [T] extends [number]
    ? ParamRef<'number'>
    : [T] extends [boolean]
      ? ParamRef<'bool'>
      : [T] extends [readonly unknown[]]
        ? ParamRef<'list'>
        : [T] extends [object]
          ? StructItemRef<T>
          : ParamRef<TagOfValue<T>>;

type ListItem<E> = unknown extends E ? UntypedItemRef : ItemRef<E>;

export interface ImporterOptions<T extends ArtifactType<string, false, boolean>> {
  /** The artifact's URI: a constant such as 'gs://bucket/file', or a string ref. */
  artifactUri: string | ParamRef<'string'>;
  artifactType: T;
  /** Register a new artifact even when one with this URI exists. Default false. */
  reimport?: boolean;
  metadata?: Readonly<Record<string, unknown>>;
}

export interface Scope {
  /** Adds a task that runs `component` with `args`. */
  task<I extends InputsSpec, O extends RefRecord>(component: Component<I, O>, args: InputArgs<I>, options?: TaskOptions): Task<O>;
  /** Runs `body` only when `condition` holds. Chain `.elif()` / `.else()` for more branches. */
  if<R extends BranchReturn = void>(condition: Condition, body: (s: Scope) => R, opts?: { name?: string }): IfChain<Outs<R>>;
  /** Runs `body` once per item, in parallel (at most `parallelism` at once when set). */
  forEach<const T, R extends BranchReturn = void>(
    items: readonly T[],
    body: (s: Scope, item: ItemRef<T>) => R,
    opts?: { parallelism?: number; name?: string },
  ): Loop<R>;
  forEach<E, R extends BranchReturn = void>(
    items: ParamRef<'list', E>,
    body: (s: Scope, item: ListItem<E>) => R,
    opts?: { parallelism?: number; name?: string },
  ): Loop<R>;
  forEach<Title extends string, R extends BranchReturn = void>(
    items: ArtifactRef<Title, true>,
    body: (s: Scope, item: ArtifactRef<Title, false>) => R,
    opts?: { parallelism?: number; name?: string },
  ): Loop<R>;
  /** Runs `exitTask` after the tasks in `body` finish, whether they succeeded or failed. */
  exitHandler(exitTask: Task<RefRecord>, body: (s: Scope) => void, opts?: { name?: string }): Orderable;
  /** Brings an existing artifact (by URI) into the pipeline. */
  importer<Title extends string>(
    opts: ImporterOptions<ArtifactType<Title, false, boolean>>,
    options?: TaskOptions,
  ): Task<{ readonly artifact: ArtifactRef<Title, false> }>;
}

/** A body may end with `s.task(...)` as an expression; a returned task surfaces nothing. */
function surfaced(ret: unknown): BranchReturn {
  return ret !== null && typeof ret === 'object' && (ret as { [KIND]?: unknown })[KIND] === 'task' ? undefined : (ret as BranchReturn);
}

function negate(c: ConditionOp): ConditionOp {
  return { ...c, negate: true };
}

function isCondition(v: unknown): v is ConditionOp {
  return typeof v === 'object' && v !== null && (v as ConditionOp)[KIND] === 'condition';
}

function outputTypes(component: AnyComponent): Record<string, IoType> {
  if (component.type === 'pipeline') return pipelineOutputTypes(component);
  const out: Record<string, IoType> = {};
  for (const [k, spec] of Object.entries(component.outputs)) out[k] = ioTypeOf(spec);
  return out;
}

const outputTypeCache = new WeakMap<object, Record<string, IoType>>();
function pipelineOutputTypes(p: Extract<AnyComponent, { type: 'pipeline' }>): Record<string, IoType> {
  let cached = outputTypeCache.get(p);
  if (!cached) {
    cached = {};
    for (const [k, ch] of Object.entries(p.build().outputs)) cached[k] = ch.io;
    outputTypeCache.set(p, cached);
  }
  return cached;
}

export class ScopeImpl implements Scope {
  constructor(
    readonly graph: Graph,
    readonly group: GroupNode,
  ) {}

  private child(group: GroupNode): ScopeImpl {
    return new ScopeImpl(this.graph, group);
  }

  task(component: unknown, args: unknown, options: TaskOptions = {}): never {
    if (!isComponent(component)) {
      throw new Error(
        `${this.group.path}: scope.task() takes a component (from dsl.container, dsl.component, dsl.pipeline or loadComponent), got ${typeof component}.`,
      );
    }
    const argRecord = (args ?? {}) as Record<string, unknown>;
    if (typeof argRecord !== 'object' || Array.isArray(argRecord)) {
      throw new Error(`${this.group.path}: the arguments of '${component.name}' must be an object of input name → value.`);
    }
    const name = this.graph.uniqueTaskName(k8sName(component.name));
    const node = new TaskNode(this.graph, name, component, { ...argRecord }, options, this.group);
    for (const problem of checkArgs(component.name, component.inputs, argRecord)) this.graph.error(node.path, problem);
    this.checkOptions(node);
    for (const [key, io] of Object.entries(outputTypes(component))) {
      node.outputs[key] = new Channel({ type: 'task-output', task: node, key }, io);
    }
    Object.freeze(node.outputs);
    this.graph.tasks.set(name, node);
    this.group.tasks.push(node);
    return node as never;
  }

  private checkOptions(node: TaskNode): void {
    const o = node.options;
    const err = (m: string) => this.graph.error(node.path, m);
    for (const key of ['cpuRequest', 'cpuLimit'] as const) {
      const v = o[key];
      if (v !== undefined && !/^([0-9]*[.])?[0-9]+m?$/.test(v)) err(`${key} '${v}' is not a CPU quantity: use a number ('2', '0.5') or millicores ('500m').`);
    }
    for (const key of ['memoryRequest', 'memoryLimit'] as const) {
      const v = o[key];
      if (v !== undefined && !/^[0-9]+(E|Ei|P|Pi|T|Ti|G|Gi|M|Mi|K|Ki)?$/.test(v)) err(`${key} '${v}' is not a memory quantity: use e.g. '512Mi', '4G', '1Gi'.`);
    }
    if (o.accelerator) {
      if (!o.accelerator.type) err("accelerator needs a type, e.g. { type: 'NVIDIA_TESLA_T4', count: 1 }.");
      const c = o.accelerator.count;
      if (c !== undefined && (!Number.isInteger(c) || c < 0)) err(`accelerator count ${c} must be a non-negative integer.`);
    }
    if (o.retry) {
      const r = o.retry.maxRetryCount;
      if (!Number.isInteger(r) || r < 0) err(`retry.maxRetryCount ${r} must be a non-negative integer.`);
    }
    if (o.after) {
      for (const a of o.after) {
        if (!a || typeof a.name !== 'string') err('after: each entry must be a task (from scope.task) or an exit handler.');
      }
    }
    if (node.component.type === 'pipeline' && (o.cpuLimit || o.cpuRequest || o.memoryLimit || o.memoryRequest || o.accelerator || o.env)) {
      err(`resources and env apply to container tasks; '${node.component.name}' is a pipeline. Set them on the tasks inside it.`);
    }
  }

  if(condition: Condition, body: (s: Scope) => BranchReturn, opts?: { name?: string }): IfChain<never> {
    const cond = this.requireCondition(condition, 'if');
    const group = new GroupNode(this.graph, `condition-${this.graph.nextGroupId()}`, 'condition', this.group, opts?.name);
    group.conditions = [cond];
    group.negatedUpstream = [negate(cond)];
    this.group.groups.push(group);
    const ret = surfaced(body(this.child(group)));
    return new IfChainImpl(this, group, [{ group, ret }]) as never;
  }

  requireCondition(condition: unknown, where: string): ConditionOp {
    if (!isCondition(condition)) {
      throw new Error(
        `${this.group.path}: ${where}() needs a condition on a run-time value, e.g. task.outputs.Output.eq('heads'); got ${typeof condition === 'boolean' ? `the constant ${condition}` : typeof condition}. A plain JavaScript comparison is evaluated once, when the pipeline is defined.`,
      );
    }
    for (const side of [condition.left, condition.right]) {
      if (isChannel(side) && (side.io.kind === 'artifact' || side.io.irType === 'LIST' || side.io.irType === 'STRUCT')) {
        this.graph.error(this.group.path, `conditions compare strings, numbers and booleans; ${side.describe()} is ${side.typeName}.`);
      }
    }
    return condition;
  }

  forEach(items: unknown, body: (s: Scope, item: never) => BranchReturn, opts?: { parallelism?: number; name?: string }): Loop<never> {
    const parallelism = opts?.parallelism ?? 0;
    if (!Number.isInteger(parallelism) || parallelism < 0) {
      throw new Error(`${this.group.path}: forEach parallelism must be a non-negative integer (0 = unlimited); got ${parallelism}.`);
    }
    let group: GroupNode;
    let item: Channel;
    if (isChannel(items)) {
      const io = items.io;
      const isArtifactList = io.kind === 'artifact' && io.isList;
      const isParamList = io.kind === 'param' && io.irType === 'LIST';
      if (!isArtifactList && !isParamList && !(items.ref.type === 'loop-subvar' || items.ref.type === 'loop-item')) {
        throw new Error(`${this.group.path}: forEach() iterates over a list; ${items.describe()} is ${items.typeName}.`);
      }
      group = new GroupNode(this.graph, `for-loop-${this.graph.nextGroupId()}`, 'for-loop', this.group, opts?.name);
      const itemIo: IoType = isArtifactList
        ? { ...(io as Extract<IoType, { kind: 'artifact' }>), isList: false }
        : io.kind === 'param' && io.element
          ? io.element
          : { kind: 'param', irType: 'STRING' };
      item = new Channel({ type: 'loop-item', group, name: `${items.name}-loop-item`, taskName: items.taskName }, itemIo);
    } else if (Array.isArray(items)) {
      if (items.length === 0) throw new Error(`${this.group.path}: forEach() got an empty list; a loop needs at least one item.`);
      const code = this.graph.nextGroupId();
      group = new GroupNode(this.graph, `for-loop-${this.graph.nextGroupId()}`, 'for-loop', this.group, opts?.name);
      item = new Channel({ type: 'loop-item', group, name: `loop-item-param-${code}` }, { kind: 'param', irType: irTypeOfValue(items[0]) });
    } else {
      throw new Error(`${this.group.path}: forEach() takes an array or a list ref; got ${typeof items}.`);
    }
    group.loop = { item, items: isChannel(items) ? items : [...(items as unknown[])], parallelism };
    this.group.groups.push(group);
    const ret = surfaced(body(this.child(group), item as never));
    const outputs: Record<string, Channel> = {};
    for (const [key, value] of Object.entries((ret ?? {}) as Record<string, unknown>)) {
      if (!isChannel(value)) {
        this.graph.error(group.path, `the loop body returned '${key}', which is not a ref; return task outputs to fan them in.`);
        continue;
      }
      const inner = value.ref.type === 'collected' ? value.ref.inner : value;
      const io: IoType = inner.io.kind === 'artifact' ? { ...inner.io, isList: true } : { kind: 'param', irType: 'LIST' };
      outputs[key] = new Channel({ type: 'collected', inner }, io);
    }
    return { outputs: Object.freeze(outputs) } as never;
  }

  exitHandler(exitTask: Task<RefRecord>, body: (s: Scope) => void, opts?: { name?: string }): Orderable {
    const node = exitTask as unknown as TaskNode;
    if (!(node instanceof TaskNode) || node.graph !== this.graph) {
      throw new Error(`${this.group.path}: exitHandler() takes a task created in this pipeline with scope.task().`);
    }
    if (this.group.type !== 'pipeline') {
      throw new Error(
        `${this.group.path}: exitHandler() can only be used in the pipeline's top scope, not inside ${this.group.type} '${this.group.name}'.`,
      );
    }
    const idx = this.group.tasks.indexOf(node);
    if (idx < 0) throw new Error(`${this.group.path}: the exit task '${node.name}' must be created in the same scope as the exit handler.`);
    const dependsOnTask =
      (node.options.after?.length ?? 0) > 0 || Object.values(node.args).some((v) => isChannel(v) && v.taskName !== undefined);
    if (dependsOnTask) {
      this.graph.error(node.path, `exit task '${node.name}' cannot depend on other tasks: it runs after the guarded group whatever happens.`);
    }
    const group = new GroupNode(this.graph, `exit-handler-${this.graph.nextGroupId()}`, 'exit-handler', this.group, opts?.name);
    this.group.tasks.splice(idx, 1);
    node.isExitTask = true;
    group.exitTask = node;
    this.group.groups.push(group);
    body(this.child(group));
    return { name: group.name };
  }

  importer(opts: ImporterOptions<ArtifactType<string, false, boolean>>, options?: TaskOptions): never {
    if (!isArtifactSpec(opts.artifactType) || opts.artifactType.isList) {
      throw new Error(`${this.group.path}: importer() needs artifactType, a single artifact type such as dsl.Dataset.`);
    }
    const def: ImporterComponentDef = {
      [KIND]: 'component',
      type: 'importer',
      name: 'importer',
      inputs: { uri: params.string() },
      outputs: { artifact: opts.artifactType },
      artifactType: opts.artifactType,
      reimport: opts.reimport ?? false,
      metadata: opts.metadata,
    };
    return this.task(def, { uri: opts.artifactUri }, options);
  }
}

interface Branch {
  readonly group: GroupNode;
  readonly ret: BranchReturn;
}

class IfChainImpl {
  private closed = false;
  constructor(
    private readonly scope: ScopeImpl,
    private last: GroupNode,
    private readonly branches: Branch[],
  ) {}

  /** KFP wraps If/Elif/Else in a `condition-branches-N` group, taking the If's number (ids swap). */
  private wrapper(): GroupNode {
    const parent = this.last.parent!;
    if (parent.type === 'condition-branches' && this.branches.length > 1) return parent;
    const siblings = parent.groups;
    if (siblings[siblings.length - 1] !== this.last) {
      throw new Error(`${parent.path}: elif()/else() must directly follow its if(); another group was added in between.`);
    }
    const wrapperId = this.scope.graph.nextGroupId();
    const ifId = this.last.name.slice('condition-'.length);
    const wrapper = new GroupNode(this.scope.graph, `condition-branches-${ifId}`, 'condition-branches', parent);
    this.last.name = `condition-${wrapperId}`;
    (this.last as { parent: GroupNode }).parent = wrapper;
    siblings[siblings.length - 1] = wrapper;
    wrapper.groups.push(this.last);
    return wrapper;
  }

  private add(condition: ConditionOp | undefined, body: (s: Scope) => BranchReturn, name?: string): GroupNode {
    if (this.closed) throw new Error(`${this.last.path}: nothing can follow else().`);
    const wrapper = this.wrapper();
    const upstream = this.last.negatedUpstream;
    const group = new GroupNode(this.scope.graph, `condition-${this.scope.graph.nextGroupId()}`, 'condition', wrapper, name);
    group.conditions = condition ? [...upstream, condition] : upstream;
    group.negatedUpstream = condition ? [...upstream, negate(condition)] : upstream;
    wrapper.groups.push(group);
    const ret = surfaced(body(new ScopeImpl(this.scope.graph, group)));
    this.branches.push({ group, ret });
    this.last = group;
    return wrapper;
  }

  elif(condition: Condition, body: (s: Scope) => BranchReturn, opts?: { name?: string }): this {
    this.add(this.scope.requireCondition(condition, 'elif'), body, opts?.name);
    return this;
  }

  else(body: (s: Scope) => BranchReturn, opts?: { name?: string }): Branches<RefRecord> {
    const wrapper = this.add(undefined, body, opts?.name);
    wrapper.hasElse = true;
    this.closed = true;
    const branches = this.branches;
    const graph = this.scope.graph;
    const keys = Object.keys(branches[0]!.ret ?? {}).filter((k) => branches.every((b) => b.ret && k in b.ret));
    const made = new Map<string, Channel>();
    const outputs = {} as Record<string, Channel>;
    for (const key of keys) {
      Object.defineProperty(outputs, key, {
        enumerable: true,
        get: () => {
          let ch = made.get(key);
          if (!ch) {
            ch = oneOf(graph, wrapper, key, branches);
            made.set(key, ch);
          }
          return ch;
        },
      });
    }
    return { outputs: Object.freeze(outputs) } as never;
  }
}

function oneOf(graph: Graph, wrapper: GroupNode, key: string, branches: readonly Branch[]): Channel {
  const channels: Channel[] = [];
  for (const b of branches) {
    const value = (b.ret as Record<string, unknown>)[key];
    if (!isChannel(value) || value.ref.type !== 'task-output' || value.ref.task.parent !== b.group) {
      graph.error(
        b.group.path,
        `branch output '${key}' must be an output of a task created directly in that branch (got ${isChannel(value) ? value.describe() : typeof value}).`,
      );
      continue;
    }
    channels.push(value);
  }
  const first = channels[0];
  const io: IoType = first ? first.io : { kind: 'param', irType: 'STRING' };
  for (const c of channels.slice(1)) {
    if (JSON.stringify(c.io) !== JSON.stringify(io)) {
      graph.error(wrapper.path, `branch outputs under '${key}' have different types (${first!.typeName} and ${c.typeName}); a one-of needs one type.`);
    }
  }
  const name = `pipelinechannel--${wrapper.name}-oneof-${++wrapper.oneofCounter}`;
  return new Channel({ type: 'oneof', group: wrapper, name, channels }, io);
}
