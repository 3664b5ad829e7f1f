/**
 * Builds the graph model from a compiled PipelineSpec: walks root.dag, expands every task whose
 * component has a `dag` into a group, and turns `dependentTasks` into edges between siblings.
 */
import type { ComponentSpecIr, PipelineSpecIr, TaskSpecIr } from '../compiler/ir';
import { GraphError } from './errors';
import { childScope, describeParamBinding, readableCondition, ROOT_SCOPE, type ChannelScope } from './channels';
import type { GraphEdge, GraphGroup, GraphItem, GraphModel, GraphTask, GroupKind, LoopIterator } from './model';

/** Natural order ('for-loop-4' before 'for-loop-10'), locale-free so every machine agrees. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Task keys in natural order, so the same spec always gives the same model. */
function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort(naturalCompare);
}

function groupKind(key: string, task: TaskSpecIr): GroupKind {
  if (task.parameterIterator || task.artifactIterator) return 'loop';
  if (/^exit-handler-\d+$/.test(key)) return 'exit-handler';
  if (/^condition-branches-\d+$/.test(key)) return 'branches';
  if (task.triggerPolicy?.condition !== undefined) return 'condition';
  return 'pipeline';
}

function loopIterator(task: TaskSpecIr, scope: ChannelScope): LoopIterator | undefined {
  const p = task.parameterIterator;
  if (p) {
    if (p.items.raw !== undefined) return { source: 'raw', items: p.items.raw, itemInput: p.itemInput };
    return { source: 'parameter', items: scope.param(p.items.inputParameter ?? ''), itemInput: p.itemInput };
  }
  const a = task.artifactIterator;
  if (a) return { source: 'artifact', items: scope.artifact(a.items.inputArtifact), itemInput: a.itemInput };
  return undefined;
}

class Builder {
  constructor(private readonly spec: PipelineSpecIr) {}

  private component(name: string, where: string): ComponentSpecIr {
    const c = this.spec.components?.[name];
    if (!c) throw new GraphError(`${where} refers to component '${name}', which spec.components lacks. Recompile the pipeline; the spec is incomplete.`);
    return c;
  }

  private leaf(id: string, key: string, task: TaskSpecIr, comp: ComponentSpecIr, scope: ChannelScope): GraphTask {
    const base = { type: 'task' as const, id, key, name: task.taskInfo?.name ?? key, component: task.componentRef.name };
    const exec = comp.executorLabel ? this.spec.deploymentSpec?.executors?.[comp.executorLabel] : undefined;
    if (exec?.container) return { ...base, kind: 'container', image: exec.container.image };
    if (exec?.importer) {
      const uri = exec.importer.artifactUri as { constant?: unknown; runtimeParameter?: string } | undefined;
      let artifactUri: string | undefined;
      if (typeof uri?.constant === 'string') artifactUri = uri.constant;
      else if (uri?.runtimeParameter) {
        const b = task.inputs?.parameters?.[uri.runtimeParameter];
        artifactUri = (b && describeParamBinding(b, scope)) ?? uri.runtimeParameter;
      }
      return { ...base, kind: 'importer', ...(artifactUri !== undefined && { artifactUri }) };
    }
    return { ...base, kind: 'other' };
  }

  /** One DAG level: its children (recursively) and the edges between them. */
  group(
    head: Omit<GraphGroup, 'children' | 'edges' | 'exitTask'>,
    comp: ComponentSpecIr,
    scope: ChannelScope,
    ancestry: readonly string[],
  ): GraphGroup {
    const tasks = comp.dag?.tasks ?? {};
    const where = head.id ? `group '${head.id}'` : 'the root DAG';
    const children: GraphItem[] = [];
    for (const key of sortedKeys(tasks)) {
      const task = tasks[key]!;
      const id = head.id ? `${head.id}/${key}` : key;
      if (!task?.componentRef?.name) throw new GraphError(`task '${id}' has no componentRef.name; the spec is malformed.`);
      const ref = task.componentRef.name;
      const sub = this.component(ref, `task '${id}'`);
      if (!sub.dag) {
        children.push(this.leaf(id, key, task, sub, scope));
        continue;
      }
      if (ancestry.includes(ref)) {
        throw new GraphError(`task '${id}' runs component '${ref}', which contains itself (${[...ancestry, ref].join(' → ')}); the spec is malformed.`);
      }
      const kind = groupKind(key, task);
      const inner = childScope(key, task, scope);
      const cond = kind === 'condition' ? task.triggerPolicy?.condition : undefined;
      const iterator = loopIterator(task, inner);
      const parallelism = task.iteratorPolicy?.parallelismLimit;
      children.push(
        this.group(
          {
            type: 'group',
            id,
            key,
            name: task.taskInfo?.name ?? key,
            component: ref,
            kind,
            ...(cond !== undefined && { condition: cond, conditionText: readableCondition(cond, inner) }),
            ...(iterator && { iterator }),
            ...(parallelism !== undefined && parallelism > 0 && { parallelism }),
          },
          sub,
          inner,
          [...ancestry, ref],
        ),
      );
    }
    const byKey = new Map(children.map((c) => [c.key, c]));
    const edges: GraphEdge[] = [];
    const exitTaskOf = new Map<string, string>();
    for (const child of children) {
      const task = tasks[child.key]!;
      const allDone = task.triggerPolicy?.strategy === 'ALL_UPSTREAM_TASKS_COMPLETED';
      for (const dep of [...new Set(task.dependentTasks ?? [])]) {
        const from = byKey.get(dep);
        if (!from) {
          throw new GraphError(
            `task '${child.id}' depends on '${dep}', which is not a task of ${where} (tasks there: ${[...byKey.keys()].join(', ')}); the spec is malformed.`,
          );
        }
        const exit = allDone && from.type === 'group' && from.kind === 'exit-handler';
        edges.push({ from: from.id, to: child.id, kind: exit ? 'exit' : 'after' });
        if (exit) {
          (child as { exitFor?: string }).exitFor = from.id;
          exitTaskOf.set(from.id, child.key);
        }
      }
    }
    const withExit = children.map((c) => (c.type === 'group' && exitTaskOf.has(c.id) ? { ...c, exitTask: exitTaskOf.get(c.id)! } : c));
    return { ...head, children: withExit, edges };
  }
}

export function buildGraphModel(spec: PipelineSpecIr): GraphModel {
  if (!spec?.root?.dag?.tasks) throw new GraphError('the spec has no root.dag.tasks, so there is no graph to draw. Is it a PipelineSpec?');
  const name = spec.pipelineInfo?.name ?? 'pipeline';
  const root = new Builder(spec).group({ type: 'group', id: '', key: '', name, component: 'root', kind: 'root' }, spec.root, ROOT_SCOPE, []);
  return {
    name,
    ...(spec.pipelineInfo?.displayName && { displayName: spec.pipelineInfo.displayName }),
    ...(spec.pipelineInfo?.description && { description: spec.pipelineInfo.description }),
    root,
  };
}
