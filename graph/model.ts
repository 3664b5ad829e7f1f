/**
 * The pipeline graph as the writers see it: a tree of groups (the root DAG, then one group per
 * sub-DAG task: condition, loop, exit handler, if/elif/else branches, nested pipeline) whose
 * children are tasks or further groups, with `dependentTasks` edges between siblings. Ids are
 * paths from the root ('exit-handler-1/fail-op') because task names repeat across sub-DAGs.
 */

export type TaskKind = 'container' | 'importer' | 'other';
export type GroupKind = 'root' | 'condition' | 'loop' | 'exit-handler' | 'branches' | 'pipeline';
export type NodeKind = TaskKind | GroupKind;

interface ItemBase {
  /** Path from the root, '/'-separated task keys; '' for the root. */
  readonly id: string;
  /** The task's key in its DAG. */
  readonly key: string;
  /** taskInfo.name (a display name when the pipeline set one). */
  readonly name: string;
  /** componentRef.name. */
  readonly component: string;
  /** Set when this runs after the exit-handler group with that id, however the group ends. */
  readonly exitFor?: string;
}

export interface GraphTask extends ItemBase {
  readonly type: 'task';
  readonly kind: TaskKind;
  /** Container image, for container tasks. */
  readonly image?: string;
  /** The artifact URI (constant or the parameter it comes from), for importers. */
  readonly artifactUri?: string;
}

export interface LoopIterator {
  /** 'raw': a literal JSON list; 'parameter' / 'artifact': a list that arrives at run time. */
  readonly source: 'raw' | 'parameter' | 'artifact';
  /** The raw JSON text, or the input the list comes from, made readable ('args-generator-op.Output'). */
  readonly items: string;
  /** The name each iteration's item is bound to inside the loop. */
  readonly itemInput: string;
}

export interface GraphGroup extends ItemBase {
  readonly type: 'group';
  readonly kind: GroupKind;
  /** The trigger condition as written in the spec (CEL), for conditions. */
  readonly condition?: string;
  /** The same condition with channel names resolved to 'task.output' / pipeline parameters. */
  readonly conditionText?: string;
  readonly iterator?: LoopIterator;
  /** iteratorPolicy.parallelismLimit, for loops that set one. */
  readonly parallelism?: number;
  /** For an exit handler: the key of the sibling task that runs after it. */
  readonly exitTask?: string;
  readonly children: readonly GraphItem[];
  /** dependentTasks edges between this group's children. */
  readonly edges: readonly GraphEdge[];
}

export type GraphItem = GraphTask | GraphGroup;

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** 'exit': the exit task of an exit handler, which runs whatever the group's outcome. */
  readonly kind: 'after' | 'exit';
}

export interface GraphModel {
  readonly name: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly root: GraphGroup;
}

/** Every group below (and including) `g`, parents before children. */
export function groupsOf(g: GraphGroup): GraphGroup[] {
  const out: GraphGroup[] = [g];
  for (const c of g.children) if (c.type === 'group') out.push(...groupsOf(c));
  return out;
}

/** Every leaf task below `g`, in tree order. */
export function tasksOf(g: GraphGroup): GraphTask[] {
  const out: GraphTask[] = [];
  for (const c of g.children) {
    if (c.type === 'task') out.push(c);
    else out.push(...tasksOf(c));
  }
  return out;
}

/** Every edge in the tree. */
export function edgesOf(g: GraphGroup): GraphEdge[] {
  return groupsOf(g).flatMap((x) => x.edges);
}
