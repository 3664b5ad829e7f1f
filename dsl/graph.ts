/**
 * The tree that pipeline code builds. Scopes (dsl/scope.ts) append to it; the compiler reads it.
 * Names follow the reference KFP compiler: tasks are named after their component and made unique
 * per pipeline with `-2`, `-3`…; groups are `<type>-<n>` from one counter per pipeline.
 */
import { KIND } from './symbols';
import type { IoType } from './io';
import { describeIo } from './io';
import type { AnyComponent } from './component';
import type { TaskOptions } from './task-options';

export type GroupType = 'pipeline' | 'condition' | 'condition-branches' | 'for-loop' | 'exit-handler';

export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface ConditionOp {
  readonly [KIND]: 'condition';
  readonly left: Channel | Literal;
  readonly operator: Operator;
  readonly right: Channel | Literal;
  readonly negate: boolean;
}
export type Literal = string | number | boolean;

export interface BuildError {
  readonly path: string;
  readonly message: string;
}

export type ChannelRef =
  | { readonly type: 'task-output'; readonly task: TaskNode; readonly key: string }
  | { readonly type: 'pipeline-param'; readonly name: string; readonly graph: Graph }
  | { readonly type: 'loop-item'; readonly group: GroupNode; readonly name: string; readonly taskName?: string }
  | { readonly type: 'loop-subvar'; readonly item: Channel; readonly field: string }
  | { readonly type: 'collected'; readonly inner: Channel }
  | { readonly type: 'oneof'; readonly group: GroupNode; readonly name: string; readonly channels: readonly Channel[] };

const REF_IN_STRING =
  'A duckml reference was turned into a string (a plain template literal or `+` concatenation). ' +
  'Build strings from references with dsl.fmt`...${ref}...` so the compiler can wire the value at run time.';

/** A typed reference to a value that exists only at run time (KFP's PipelineChannel). */
export class Channel {
  readonly [KIND] = 'channel' as const;
  constructor(
    readonly ref: ChannelRef,
    readonly io: IoType,
  ) {}

  /** KFP channel `name`. */
  get name(): string {
    switch (this.ref.type) {
      case 'task-output':
        return this.ref.key;
      case 'pipeline-param':
        return this.ref.name;
      case 'loop-item':
        return this.ref.name;
      case 'loop-subvar':
        return `${this.ref.item.name}-subvar-${this.ref.field}`;
      case 'collected':
        return this.ref.inner.name;
      case 'oneof':
        return this.ref.name;
    }
  }

  /** KFP channel `task_name`: the producing task, or undefined for pipeline-level values. */
  get taskName(): string | undefined {
    switch (this.ref.type) {
      case 'task-output':
        return this.ref.task.name;
      case 'pipeline-param':
        return undefined;
      case 'loop-item':
        return this.ref.taskName;
      case 'loop-subvar':
        return this.ref.item.taskName;
      case 'collected':
        return this.ref.inner.taskName;
      case 'oneof':
        return this.ref.group.name;
    }
  }

  get fullName(): string {
    const t = this.taskName;
    return t ? `${t}-${this.name}` : this.name;
  }

  /** Human description for error messages. */
  describe(): string {
    switch (this.ref.type) {
      case 'task-output':
        return `output '${this.ref.key}' of task '${this.ref.task.name}'`;
      case 'pipeline-param':
        return `pipeline parameter '${this.ref.name}'`;
      case 'loop-item':
        return `the item of loop '${this.ref.group.name}'`;
      case 'loop-subvar':
        return `field '${this.ref.field}' of ${this.ref.item.describe()}`;
      case 'collected':
        return `the fan-in of ${this.ref.inner.describe()}`;
      case 'oneof':
        return `the one-of output '${this.ref.name}' of '${this.ref.group.name}'`;
    }
  }

  get typeName(): string {
    return describeIo(this.io);
  }

  private cond(operator: Operator, other: unknown): ConditionOp {
    return { [KIND]: 'condition', left: this, operator, right: other as Channel | Literal, negate: false };
  }
  eq(other: unknown): ConditionOp {
    return this.cond('==', other);
  }
  ne(other: unknown): ConditionOp {
    return this.cond('!=', other);
  }
  lt(other: unknown): ConditionOp {
    return this.cond('<', other);
  }
  le(other: unknown): ConditionOp {
    return this.cond('<=', other);
  }
  gt(other: unknown): ConditionOp {
    return this.cond('>', other);
  }
  ge(other: unknown): ConditionOp {
    return this.cond('>=', other);
  }

  /** A field of a struct loop item (KFP `item.field`). */
  field(name: string): Channel {
    if (this.ref.type !== 'loop-item') {
      throw new Error(`.field('${name}') works on loop items only; ${this.describe()} is not a loop item.`);
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new Error(`.field('${name}'): a loop item field name must be an identifier (letters, digits, _).`);
    }
    return new Channel({ type: 'loop-subvar', item: this, field: name }, { kind: 'param', irType: 'STRING' });
  }

  toString(): never {
    throw new Error(`${REF_IN_STRING} (reference: ${this.describe()})`);
  }
  [Symbol.toPrimitive](): never {
    throw new Error(`${REF_IN_STRING} (reference: ${this.describe()})`);
  }
  toJSON(): never {
    throw new Error(
      `A duckml reference (${this.describe()}) was serialised with JSON.stringify. ` +
        'References only have values at run time: pass them as task arguments instead.',
    );
  }
}

export function isChannel(v: unknown): v is Channel {
  return typeof v === 'object' && v !== null && (v as Channel)[KIND] === 'channel';
}

export class TaskNode {
  readonly [KIND] = 'task' as const;
  readonly outputs: Record<string, Channel> = {};
  isExitTask = false;
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly component: AnyComponent,
    readonly args: Readonly<Record<string, unknown>>,
    readonly options: TaskOptions,
    readonly parent: GroupNode,
  ) {}
  get path(): string {
    return `${this.parent.path}/${this.name}`;
  }
}

export interface LoopSpec {
  /** The loop item channel (`pipelinechannel--<...>-loop-item` or `loop-item-param-N`). */
  readonly item: Channel;
  /** The list being iterated: a channel, or raw JSON values. */
  readonly items: Channel | readonly unknown[];
  readonly parallelism: number;
}

export class GroupNode {
  readonly groups: GroupNode[] = [];
  readonly tasks: TaskNode[] = [];
  /** Children in authoring order; KFP emits groups before tasks but both orders are kept. */
  conditions: readonly ConditionOp[] = [];
  /** Conditions the next elif/else must negate (KFP `_negated_upstream_conditions`). */
  negatedUpstream: readonly ConditionOp[] = [];
  loop?: LoopSpec;
  exitTask?: TaskNode;
  /** For condition-branches: counter of OneOf outputs. */
  oneofCounter = 0;
  /** For condition-branches: whether the last branch is an else. */
  hasElse = false;
  constructor(
    readonly graph: Graph,
    public name: string,
    readonly type: GroupType,
    /** Mutable only so an if() can be re-parented under the condition-branches group elif/else add. */
    public parent: GroupNode | undefined,
    readonly displayName?: string,
  ) {}
  get path(): string {
    return this.parent ? `${this.parent.path}/${this.name}` : this.name;
  }
  isAncestorOf(other: GroupNode | TaskNode): boolean {
    let g: GroupNode | undefined = other.parent;
    while (g) {
      if (g === this) return true;
      g = g.parent;
    }
    return false;
  }
}

/** One pipeline's tree: tasks by unique name, the root group, gathered build errors. */
export class Graph {
  private groupCounter = 0;
  readonly tasks = new Map<string, TaskNode>();
  readonly root: GroupNode;
  readonly errors: BuildError[] = [];
  readonly params: Record<string, Channel> = {};
  constructor(readonly pipelineName: string) {
    this.root = new GroupNode(this, pipelineName, 'pipeline', undefined);
  }
  nextGroupId(): number {
    return ++this.groupCounter;
  }
  /** Next free `-N` per base name. Names are only ever added, so the smallest free N never decreases. */
  private readonly nextSuffix = new Map<string, number>();
  /** KFP's rule: the name itself, else the smallest free `name-N` with N ≥ 2. */
  uniqueTaskName(base: string): string {
    const name = base === '' ? 'task' : base;
    if (!this.tasks.has(name)) return name;
    let i = this.nextSuffix.get(name) ?? 2;
    while (this.tasks.has(`${name}-${i}`)) i++;
    this.nextSuffix.set(name, i + 1);
    return `${name}-${i}`;
  }
  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }
}

/** KFP `maybe_rename_for_k8s`: lower-case, runs of other characters to one dash, no edge dashes. */
export function k8sName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-0-9a-z]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '')
    .replace(/-+$/, '');
}
