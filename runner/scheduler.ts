/**
 * Walks the compiled PipelineSpec's DAGs: a task starts when the tasks it depends on are done;
 * conditions, loops (with parallelism limits and fan-in), nested DAGs, OneOf outputs, exit
 * handlers and ignore-upstream-failure follow the IR's trigger policies as the KFP driver reads them.
 * Fail-fast stops starting new tasks after a failure (tasks that run on completion still run).
 */
import type { ComponentSpecIr, PipelineSpecIr } from '../compiler/ir';
import type { JsonValue } from '../executor/protocol';
import { coerceParam } from '../executor/values';
import { evaluateCondition } from './cel';
import { cacheLookup, newId, runContainer, runImporter, type ExecutionEnv, type LeafResult } from './execution';
import { applyInterface, collectIterations, dagOutputs, dependenciesOf, resolveInputs, type DagNode, type DagScope } from './inputs';
import { FAILED, emptyIo, type ExecutionRecord, type IoValues, type TaskKind, type TaskRecord, type TaskState } from './model';
import { Semaphore } from './semaphore';

export interface SchedulerEnv extends ExecutionEnv {
  readonly spec: PipelineSpecIr;
  readonly failFast: boolean;
  readonly jobResourceName: string;
  /** Leaf tasks that finished in an earlier attempt at this run (resume), by path. */
  readonly resumed: ReadonlyMap<string, ExecutionRecord>;
  taskChanged(t: TaskRecord): void;
}

export interface DagResult {
  readonly state: 'succeeded' | 'failed' | 'cancelled';
  readonly io: IoValues;
  readonly fromLoops: ReadonlySet<string>;
  readonly error?: string;
}

const ALL_DONE = 'ALL_UPSTREAM_TASKS_COMPLETED';

export class Scheduler {
  /** Set once a task fails and the run fails fast: no new tasks start. */
  private stopping = false;

  constructor(private readonly env: SchedulerEnv) {}

  private component(name: string, where: string): ComponentSpecIr {
    const c = this.env.spec.components[name];
    if (!c) throw new Error(`${where}: the spec has no component '${name}' (componentRef). The spec file is inconsistent; recompile it.`);
    return c;
  }

  private path(scope: string, name: string): string {
    return scope ? `${scope}/${name}` : name;
  }

  private set(record: TaskRecord, state: TaskState, extra: Partial<TaskRecord> = {}): void {
    Object.assign(record, extra);
    record.state = state;
    if (state === 'running') record.startedAt = extra.startedAt ?? Date.now();
    else if (state !== 'pending') record.finishedAt = extra.finishedAt ?? Date.now();
    this.env.taskChanged(record);
  }

  async runDag(scopePath: string, component: ComponentSpecIr, inputs: IoValues): Promise<DagResult> {
    const tasks = component.dag?.tasks ?? {};
    const nodes = new Map<string, DagNode>();
    for (const [name, spec] of Object.entries(tasks)) {
      const comp = this.env.spec.components[spec.componentRef.name];
      const kind: TaskKind = spec.parameterIterator || spec.artifactIterator ? 'loop' : comp?.dag ? 'dag' : comp?.executorLabel && this.env.spec.deploymentSpec.executors[comp.executorLabel]?.importer ? 'importer' : 'container';
      nodes.set(name, {
        name,
        spec,
        isLoop: kind === 'loop',
        record: { runId: this.env.runId, path: this.path(scopePath, name), name: spec.taskInfo.name, parent: scopePath, kind, state: 'pending', cached: false },
      });
    }
    const scope: DagScope = { path: scopePath, inputs, nodes, jobResourceName: this.env.jobResourceName };
    const started = new Map<string, Promise<void>>();
    const start = (name: string, trail: string[]): Promise<void> => {
      let p = started.get(name);
      if (p) return p;
      const node = nodes.get(name)!;
      const deps = dependenciesOf(node.spec);
      const unknown = deps.filter((d) => !nodes.has(d));
      const cycle = deps.find((d) => trail.includes(d));
      p = (async () => {
        if (unknown.length || cycle) {
          this.set(node.record, 'failed', { error: unknown.length ? `depends on '${unknown.join("', '")}', which is not a task in this DAG` : `dependency cycle through '${cycle}'` });
          return;
        }
        await Promise.all(deps.map((d) => start(d, [...trail, name])));
        await this.runTask(scope, node);
      })();
      started.set(name, p);
      return p;
    };
    await Promise.all([...nodes.keys()].map((n) => start(n, [])));
    const states = [...nodes.values()].map((n) => n.record.state);
    const failed = [...nodes.values()].filter((n) => FAILED.has(n.record.state));
    if (failed.length) {
      return { state: 'failed', io: emptyIo(), fromLoops: new Set(), error: `failed: ${failed.map((n) => n.name).join(', ')}` };
    }
    if (states.includes('cancelled')) return { state: 'cancelled', io: emptyIo(), fromLoops: new Set() };
    const { io, fromLoops } = dagOutputs(component, nodes);
    return { state: 'succeeded', io, fromLoops };
  }

  private async runTask(scope: DagScope, node: DagNode): Promise<void> {
    const { spec, record } = node;
    const runsOnCompletion = spec.triggerPolicy?.strategy === ALL_DONE;
    const upstream = dependenciesOf(spec).map((d) => scope.nodes.get(d)!);
    if (!runsOnCompletion) {
      const bad = upstream.filter((u) => FAILED.has(u.record.state) || u.record.state === 'cancelled');
      if (bad.length) {
        const anyFailed = bad.some((u) => FAILED.has(u.record.state));
        this.set(record, anyFailed ? 'upstream_failed' : 'cancelled', { error: `upstream ${bad.map((u) => `'${u.name}'`).join(', ')} ${anyFailed ? 'failed' : 'was cancelled'}` });
        return;
      }
      if (this.stopping) return this.set(record, 'cancelled', { error: 'not started: an earlier task failed (fail-fast)' });
    }
    if (this.env.signal.aborted) return this.set(record, 'cancelled', { error: 'the run was stopped' });
    try {
      const component = this.component(spec.componentRef.name, record.path);
      const iteratorInput = spec.parameterIterator?.itemInput ?? spec.artifactIterator?.itemInput;
      const inputs = resolveInputs(scope, spec, component, this.env.runtime(spec.taskInfo.name, newId()), { deferred: new Set(iteratorInput ? [iteratorInput] : []) });
      const condition = spec.triggerPolicy?.condition;
      if (condition && !evaluateCondition(condition, inputs.params)) {
        return this.set(record, 'skipped', { error: undefined });
      }
      if (record.kind === 'loop') return await this.runLoop(scope, node, component, inputs);
      if (record.kind === 'dag') {
        this.set(record, 'running');
        const r = await this.runDag(record.path, component, inputs);
        node.outputs = r.io;
        return this.set(record, r.state, { error: r.error });
      }
      return await this.runLeaf(node, component, inputs);
    } catch (e) {
      this.fail(record, (e as Error).message);
    }
  }

  private fail(record: TaskRecord, error: string): void {
    this.set(record, 'failed', { error });
    if (this.env.failFast) this.stopping = true;
  }

  private async runLeaf(node: DagNode, component: ComponentSpecIr, inputs: IoValues): Promise<void> {
    const { spec, record } = node;
    const earlier = this.env.resumed.get(record.path);
    if (earlier?.outputs) {
      node.outputs = earlier.outputs;
      return this.set(record, earlier.state === 'cached' ? 'cached' : 'succeeded', {
        cached: earlier.state === 'cached',
        executionId: earlier.id,
        error: undefined,
        startedAt: earlier.startedAt,
        finishedAt: earlier.finishedAt,
      });
    }
    const executor = this.env.spec.deploymentSpec.executors[component.executorLabel ?? ''];
    if (!executor) throw new Error(`component '${spec.componentRef.name}' names executor '${component.executorLabel}', which the spec does not define.`);
    let r: LeafResult;
    if (executor.importer) {
      this.set(record, 'running');
      r = runImporter(this.env, record, spec, component, executor.importer, inputs);
    } else if (executor.container) {
      const { key, hit } = cacheLookup(this.env, record, spec, component, executor.container, inputs);
      if (hit) {
        record.startedAt = Date.now();
      } else {
        this.set(record, 'running');
      }
      r = hit ?? (await runContainer(this.env, record, spec, component, executor.container, inputs, key));
    } else {
      throw new Error(`executor '${component.executorLabel}' is neither a container nor an importer; the local runner cannot run it.`);
    }
    node.outputs = r.outputs;
    if (r.state === 'failed') return this.fail(record, r.error!);
    this.set(record, r.state, { cached: r.state === 'cached', executionId: r.executionId, error: r.error });
  }

  private async runLoop(scope: DagScope, node: DagNode, component: ComponentSpecIr, inputs: IoValues): Promise<void> {
    const { spec, record } = node;
    let items: unknown[];
    let itemInput: string;
    let artifactItems = false;
    if (spec.parameterIterator) {
      itemInput = spec.parameterIterator.itemInput;
      const src = spec.parameterIterator.items;
      let raw: JsonValue | undefined;
      if (typeof src.raw === 'string') {
        try {
          raw = JSON.parse(src.raw) as JsonValue;
        } catch (e) {
          throw new Error(`loop items ${src.raw} are not JSON: ${(e as Error).message}`);
        }
      } else {
        raw = inputs.params[src.inputParameter ?? ''];
        if (raw === undefined) throw new Error(`loop items come from input '${src.inputParameter}', which has no value.`);
      }
      items = coerceParam(raw, 'LIST', 'loop items') as JsonValue[];
    } else {
      itemInput = spec.artifactIterator!.itemInput;
      items = inputs.artifacts[spec.artifactIterator!.items.inputArtifact] ?? [];
      artifactItems = true;
    }
    this.set(record, 'running');
    const limit = new Semaphore(spec.iteratorPolicy?.parallelismLimit ?? 0);
    const results = await Promise.all(
      items.map((item, i) =>
        limit.run(async () => {
          const path = `${record.path}/${i}`;
          const iteration: TaskRecord = { runId: this.env.runId, path, name: `${record.name}[${i}]`, parent: record.path, kind: 'iteration', state: 'pending', cached: false };
          const io: IoValues = { params: { ...inputs.params }, artifacts: { ...inputs.artifacts } };
          if (artifactItems) io.artifacts[itemInput] = [item as never];
          else io.params[itemInput] = item as JsonValue;
          if (this.stopping || this.env.signal.aborted) {
            this.set(iteration, 'cancelled');
            return { state: 'cancelled' as const, io: emptyIo(), fromLoops: new Set<string>() };
          }
          applyInterface(io, component, new Set());
          this.set(iteration, 'running');
          const r = await this.runDag(path, component, io);
          this.set(iteration, r.state, { error: r.error });
          return r;
        }),
      ),
    );
    const failed = results.map((r, i) => [r, i] as const).filter(([r]) => r.state === 'failed');
    if (failed.length) return this.set(record, 'failed', { error: `iteration${failed.length > 1 ? 's' : ''} ${failed.map(([, i]) => i).join(', ')} failed` });
    if (results.some((r) => r.state === 'cancelled')) return this.set(record, 'cancelled');
    node.outputs = collectIterations(component, results);
    this.set(record, 'succeeded');
  }
}

