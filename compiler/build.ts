/**
 * Builds the PipelineSpec for one pipeline tree: component and task specs per group, executors,
 * nested pipelines merged in. Mirrors the reference compiler's `build_spec_by_group` so names and
 * shapes come out the same.
 */
import { GroupNode, TaskNode, isChannel, k8sName, type Channel, type BuildError } from '../dsl/graph';
import type { AnyComponent, PipelineDef } from '../dsl/component';
import { isArtifactSpec } from '../dsl/types';
import { ioTypeOf, type IoType } from '../dsl/io';
import { isTemplate } from '../dsl/template';
import { placeholder } from '../dsl/placeholders';
import { pyJsonDumps } from '../dsl/pyjson';
import { durationSeconds } from '../dsl/task-options';
import { additionalInputName, fullName, type CChannel } from './channels';
import { conditionToCel } from './cel';
import { Topology, type DagOutput } from './topology';
import type { ComponentSpecIr, InterfaceIr, Json, PipelineSpecIr, TaskSpecIr } from './ir';
import { addIo, interfaceFromSpecs, setDagOutputs } from './interface';
import { executorFor } from './executors';
import { mergeSubPipelineSpec } from './merge';
import { uniqueName } from './naming';

export interface BuildOptions {
  /** Image for TypeScript components that name none. */
  readonly image: string;
  readonly sdkVersion: string;
}


function outputTypesOf(c: Exclude<AnyComponent, PipelineDef>): Record<string, IoType> {
  const out: Record<string, IoType> = {};
  for (const [k, s] of Object.entries(c.outputs)) out[k] = ioTypeOf(s);
  return out;
}

/** One pipeline → PipelineSpec. Nested pipelines compile through the same class and merge in. */
export class SpecBuilder {
  private readonly spec: PipelineSpecIr;
  private readonly topo: Topology;
  private readonly groupComponent = new Map<GroupNode, ComponentSpecIr>();

  constructor(
    private readonly def: PipelineDef,
    private readonly opts: BuildOptions,
    private readonly errors: BuildError[],
    private readonly subSpecs: Map<PipelineDef, PipelineSpecIr>,
  ) {
    const built = def.build();
    const graph = built.graph;
    this.topo = new Topology(graph, built.outputs);
    const outTypes: Record<string, IoType> = {};
    for (const [k, o] of this.topo.pipelineOutputs) outTypes[k] = o.io;
    const root = interfaceFromSpecs(def.inputs, outTypes);
    root.dag = { tasks: {} };
    const info: PipelineSpecIr['pipelineInfo'] = { name: def.name };
    if (def.displayName) info.displayName = def.displayName;
    if (def.description) info.description = def.description;
    this.spec = {
      components: {},
      deploymentSpec: { executors: {} },
      pipelineInfo: info,
      root,
      schemaVersion: '2.1.0',
      sdkVersion: opts.sdkVersion,
    };
    if (def.pipelineRoot) this.spec.defaultPipelineRoot = def.pipelineRoot;
    this.groupComponent.set(graph.root, root);
    for (const group of this.topo.allGroups) this.buildGroup(group);
    for (const group of this.topo.allGroups) if (group.exitTask) this.buildExitTask(group);
    setDagOutputs(root, this.topo.pipelineOutputs);
    this.checkCycles();
    this.errors.push(...graph.errors);
  }

  result(): PipelineSpecIr {
    return this.spec;
  }

  private err(path: string, message: string): void {
    this.topo.graph.error(path, message);
  }

  private toC = (ch: unknown): CChannel => this.topo.plain(ch as Channel);

  // ------------------------------------------------------------ groups

  private buildGroup(group: GroupNode): void {
    const groupSpec = this.groupComponent.get(group)!;
    const subgroups: (GroupNode | TaskNode)[] = [...group.groups, ...group.tasks];
    const inDag = new Set(subgroups.map((s) => s.name));
    const isRoot = group === this.topo.graph.root;
    for (const sub of subgroups) {
      let taskSpec: TaskSpecIr;
      let compSpec: ComponentSpecIr;
      if (sub instanceof TaskNode) {
        taskSpec = this.taskSpec(sub, groupSpec.inputDefinitions, inDag);
        compSpec = this.componentForTask(sub);
      } else {
        [taskSpec, compSpec] = this.groupTaskAndComponent(sub, inDag, isRoot);
        this.groupComponent.set(sub, compSpec);
      }
      const deps = this.topo.dependencies.get(sub.name);
      if (deps && deps.size > 0) taskSpec.dependentTasks = [...deps].sort();
      if (sub instanceof TaskNode && sub.options.ignoreUpstreamFailure) this.ignoreUpstreamFailure(sub, taskSpec);
      const compName = uniqueName(`comp-${k8sName(sub.name)}`, (n) => n in this.spec.components);
      taskSpec.componentRef.name = compName;
      this.spec.components[compName] = compSpec;
      groupSpec.dag!.tasks[sub.name] = taskSpec;
    }
  }

  private groupTaskAndComponent(group: GroupNode, inDag: ReadonlySet<string>, isRoot: boolean): [TaskSpecIr, ComponentSpecIr] {
    let channels = this.topo.inputsOf(group.name);
    const outputs = this.topo.outputs.get(group.name);
    if (group.type === 'for-loop') {
      const loop = group.loop!;
      const parents = this.topo.groupParents.get(group.name)!;
      channels = channels.filter((c) => {
        if (!((c.kind === 'loop-arg' || c.kind === 'loop-var') && c.withItems)) return true;
        return [...parents].reverse().some((g) => {
          const lg = this.topo.groups.get(g);
          return lg?.type === 'for-loop' && this.toC(lg.loop!.item).name.includes(c.name);
        });
      });
      if (isChannel(loop.items)) channels.push(this.toC(loop.items));
      channels.push(this.toC(loop.item));
    } else if (group.type === 'condition') {
      channels = [...channels, ...this.topo.conditionsOf(group)];
    }
    const comp = this.componentForGroup(channels, outputs);
    const task = this.groupTaskSpec(group, channels, inDag, isRoot);
    if (group.type === 'for-loop') this.loopTaskSpec(group, task);
    if (group.type === 'condition') {
      try {
        task.triggerPolicy = { condition: conditionToCel(group.conditions, this.toC) };
      } catch (e) {
        this.err(group.path, (e as Error).message);
      }
    }
    return [task, comp];
  }

  private componentForGroup(channels: readonly CChannel[], outputs: ReadonlyMap<string, DagOutput> | undefined): ComponentSpecIr {
    const spec: ComponentSpecIr = { dag: { tasks: {} } };
    const ins: InterfaceIr = {};
    for (const c of channels) addIo(ins, additionalInputName(c), c.io);
    if (ins.parameters || ins.artifacts) spec.inputDefinitions = ins;
    const outs: InterfaceIr = {};
    for (const [k, o] of outputs ?? []) addIo(outs, k, o.io);
    if (outs.parameters || outs.artifacts) spec.outputDefinitions = outs;
    setDagOutputs(spec, outputs);
    return spec;
  }

  private groupTaskSpec(group: GroupNode, channels: readonly CChannel[], inDag: ReadonlySet<string>, isRoot: boolean): TaskSpecIr {
    const spec: TaskSpecIr = { componentRef: { name: '' }, taskInfo: { name: group.displayName ?? group.name } };
    const params: Record<string, Record<string, Json>> = {};
    const artifacts: Record<string, Record<string, Json>> = {};
    for (const c of channels) {
      let channelFull = fullName(c);
      let channelName = c.name;
      const inputName = additionalInputName(c);
      if (c.kind === 'loop-var') {
        channelFull = fullName(c.loopArg!);
        (params[inputName] ??= {}).parameterExpressionSelector = `parseJson(string_value)["${c.subvar}"]`;
        if (!c.withItems && c.loopArg!.items) channelName = c.loopArg!.items.name;
      }
      if (c.io.kind === 'artifact') {
        artifacts[inputName] =
          c.taskName && inDag.has(c.taskName)
            ? { taskOutputArtifact: { outputArtifactKey: channelName, producerTask: c.taskName } }
            : { componentInputArtifact: isRoot ? channelFull : inputName };
      } else if (c.taskName && inDag.has(c.taskName)) {
        (params[inputName] ??= {}).taskOutputParameter = { outputParameterKey: channelName, producerTask: c.taskName };
      } else {
        (params[inputName] ??= {}).componentInputParameter = isRoot ? channelFull : additionalInputName(channelFull);
      }
    }
    if (Object.keys(params).length || Object.keys(artifacts).length) {
      spec.inputs = {};
      if (Object.keys(params).length) spec.inputs.parameters = params;
      if (Object.keys(artifacts).length) spec.inputs.artifacts = artifacts;
    }
    return spec;
  }

  private popInput(task: TaskSpecIr, name: string): void {
    if (!task.inputs) return;
    delete task.inputs.parameters?.[name];
    delete task.inputs.artifacts?.[name];
    if (task.inputs.parameters && Object.keys(task.inputs.parameters).length === 0) delete task.inputs.parameters;
    if (task.inputs.artifacts && Object.keys(task.inputs.artifacts).length === 0) delete task.inputs.artifacts;
    if (!task.inputs.parameters && !task.inputs.artifacts) delete task.inputs;
  }

  private loopTaskSpec(group: GroupNode, task: TaskSpecIr): void {
    const loop = group.loop!;
    const arg = this.toC(loop.item);
    if (isChannel(loop.items)) {
      const items = this.toC(loop.items);
      const inputName = additionalInputName(items);
      const itemName = additionalInputName(fullName(arg));
      if (arg.io.kind === 'artifact') {
        task.artifactIterator = { itemInput: itemName, items: { inputArtifact: inputName } };
      } else {
        task.parameterIterator = { itemInput: itemName, items: { inputParameter: inputName } };
      }
      this.popInput(task, itemName);
      if (items.kind === 'loop-var') {
        const p = ((task.inputs ??= {}).parameters ??= {});
        p[inputName] = {
          componentInputParameter: additionalInputName(items.loopArg!),
          parameterExpressionSelector: `parseJson(string_value)["${items.subvar}"]`,
        };
      }
    } else {
      const itemName = additionalInputName(arg);
      task.parameterIterator = { itemInput: itemName, items: { raw: pyJsonDumps(loop.items, { sortKeys: true }) } };
      this.popInput(task, itemName);
    }
    if (loop.parallelism > 0) task.iteratorPolicy = { parallelismLimit: loop.parallelism };
  }

  // ------------------------------------------------------------ tasks

  private taskSpec(task: TaskNode, parentInputs: InterfaceIr | undefined, inDag: ReadonlySet<string>): TaskSpecIr {
    const spec: TaskSpecIr = {
      cachingOptions: {},
      componentRef: { name: '' },
      taskInfo: { name: task.options.displayName ?? task.name },
    };
    if (task.options.caching !== false) spec.cachingOptions!.enableCache = true;
    if (task.options.cacheKey) spec.cachingOptions!.cacheKey = task.options.cacheKey;
    const r = task.options.retry;
    if (r) {
      try {
        const retry: NonNullable<TaskSpecIr['retryPolicy']> = {
          backoffDuration: `${durationSeconds(r.backoffDuration ?? 0, 'retry.backoffDuration')}s`,
          backoffFactor: r.backoffFactor ?? 2,
          backoffMaxDuration: `${durationSeconds(r.backoffMaxDuration ?? 3600, 'retry.backoffMaxDuration')}s`,
          maxRetryCount: r.maxRetryCount,
        };
        if (!r.maxRetryCount) delete (retry as { maxRetryCount?: number }).maxRetryCount;
        spec.retryPolicy = retry;
      } catch (e) {
        this.err(task.path, (e as Error).message);
      }
    }
    const params: Record<string, Record<string, Json>> = {};
    const artifacts: Record<string, Record<string, Json>> = {};
    const channelMap = this.topo.taskArgChannels.get(task)!;
    const parentParams = parentInputs?.parameters ?? {};
    const parentArtifacts = parentInputs?.artifacts ?? {};
    const refFor = (c: CChannel, kind: 'param' | 'artifact'): Record<string, Json> => {
      if (c.taskName) {
        if (inDag.has(c.taskName)) {
          return kind === 'artifact'
            ? { taskOutputArtifact: { outputArtifactKey: c.name, producerTask: c.taskName } }
            : { taskOutputParameter: { outputParameterKey: c.name, producerTask: c.taskName } };
        }
        return kind === 'artifact' ? { componentInputArtifact: additionalInputName(c) } : { componentInputParameter: additionalInputName(c) };
      }
      const full = fullName(c);
      if (kind === 'artifact') return { componentInputArtifact: full in parentArtifacts ? full : additionalInputName(c) };
      return { componentInputParameter: full in parentParams ? full : additionalInputName(c) };
    };
    for (const [name, value] of Object.entries(task.args)) {
      if (value === undefined) continue;
      if (isChannel(value)) {
        const c = channelMap.get(value)!;
        if (c.kind === 'loop-arg') {
          if (c.io.kind === 'artifact') artifacts[name] = { componentInputArtifact: additionalInputName(c) };
          else params[name] = { componentInputParameter: additionalInputName(c) };
        } else if (c.kind === 'loop-var') {
          params[name] = {
            componentInputParameter: additionalInputName(c.loopArg!),
            parameterExpressionSelector: `parseJson(string_value)["${c.subvar}"]`,
          };
        } else if (c.io.kind === 'artifact') {
          artifacts[name] = refFor(c, 'artifact');
        } else {
          params[name] = refFor(c, 'param');
        }
      } else if (isTemplate(value)) {
        let text = '';
        value.strings.forEach((s, i) => {
          text += s;
          if (i < value.values.length) {
            const v = value.values[i]!;
            if (isChannel(v)) {
              const c = channelMap.get(v)!;
              const injected = additionalInputName(c);
              if (injected in task.args) this.err(task.path, `input name '${injected}' collides with a compiler-injected input; rename it.`);
              text += placeholder.inputValue(injected);
              params[injected] = refFor(c, 'param');
            } else {
              text += String(v);
            }
          }
        });
        params[name] = { runtimeValue: { constant: text } };
      } else {
        if (containsRef(value)) {
          this.err(task.path, `input '${name}': a list or object constant cannot contain refs; pass the ref as its own input.`);
          continue;
        }
        params[name] = { runtimeValue: { constant: value as Json } };
      }
    }
    if (Object.keys(params).length || Object.keys(artifacts).length) {
      spec.inputs = {};
      if (Object.keys(artifacts).length) spec.inputs.artifacts = artifacts;
      if (Object.keys(params).length) spec.inputs.parameters = params;
    }
    if (!task.isExitTask && !task.options.ignoreUpstreamFailure) {
      for (const [k, s] of Object.entries(task.component.inputs)) {
        if (!isArtifactSpec(s) && s.tag === 'status' && task.component.type !== 'pipeline') {
          this.err(task.path, `input '${k}' is a task final status, which only an exit task (or one with ignoreUpstreamFailure) receives.`);
        }
      }
    }
    return spec;
  }

  private ignoreUpstreamFailure(task: TaskNode, spec: TaskSpecIr): void {
    spec.triggerPolicy = { ...(spec.triggerPolicy ?? {}), strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' };
    for (const [k, s] of Object.entries(task.component.inputs)) {
      if (isArtifactSpec(s) || s.tag !== 'status') continue;
      const deps = spec.dependentTasks ?? [];
      if (deps.length !== 1) {
        this.err(task.path, `a task with ignoreUpstreamFailure and a task final status input needs exactly one upstream task in its scope; it has ${deps.length}.`);
        continue;
      }
      ((spec.inputs ??= {}).parameters ??= {})[k] = { taskFinalStatus: { producerTask: deps[0]! } };
    }
  }

  private componentForTask(task: TaskNode): ComponentSpecIr {
    const c = task.component;
    if (c.type === 'pipeline') return this.mergeSubPipeline(c);
    const spec = interfaceFromSpecs(c.inputs, outputTypesOf(c));
    const label = uniqueName(`exec-${k8sName(task.name)}`, (n) => n in this.spec.deploymentSpec.executors);
    spec.executorLabel = label;
    this.spec.deploymentSpec.executors[label] = executorFor(task, this.opts.image);
    return spec;
  }

  private buildExitTask(group: GroupNode): void {
    const task = group.exitTask!;
    const spec = this.taskSpec(task, this.spec.root.inputDefinitions, new Set());
    spec.dependentTasks = [group.name];
    spec.triggerPolicy = { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' };
    for (const [k, s] of Object.entries(task.component.inputs)) {
      if (!isArtifactSpec(s) && s.tag === 'status') ((spec.inputs ??= {}).parameters ??= {})[k] = { taskFinalStatus: { producerTask: group.name } };
    }
    const comp = this.componentForTask(task);
    const name = uniqueName(`comp-${k8sName(task.name)}`, (n) => n in this.spec.components);
    spec.componentRef.name = name;
    this.spec.components[name] = comp;
    this.spec.root.dag!.tasks[task.name] = spec;
  }

  // ------------------------------------------------------------ nested pipelines

  private mergeSubPipeline(def: PipelineDef): ComponentSpecIr {
    let sub = this.subSpecs.get(def);
    if (!sub) {
      sub = new SpecBuilder(def, this.opts, this.errors, this.subSpecs).result();
      this.subSpecs.set(def, sub);
    }
    return mergeSubPipelineSpec(this.spec, sub);
  }

  // ------------------------------------------------------------ checks

  /**
   * Cycles cannot be written with scopes (refs exist only after their task); this guards the
   * invariant. Kahn's algorithm: iterative, linear, safe for 10,000-task chains.
   */
  private checkCycles(): void {
    const visit = (spec: ComponentSpecIr, where: string) => {
      const tasks = spec.dag?.tasks ?? {};
      const pending = new Map<string, number>();
      const downstream = new Map<string, string[]>();
      for (const [name, t] of Object.entries(tasks)) {
        pending.set(name, (t.dependentTasks ?? []).length);
        for (const d of t.dependentTasks ?? []) {
          if (!(d in tasks)) continue;
          let list = downstream.get(d);
          if (!list) downstream.set(d, (list = []));
          list.push(name);
        }
      }
      for (const [name, t] of Object.entries(tasks)) for (const d of t.dependentTasks ?? []) if (!(d in tasks)) pending.set(name, pending.get(name)! - 1);
      const ready = [...pending].filter(([, n]) => n === 0).map(([k]) => k);
      let done = 0;
      while (ready.length) {
        const name = ready.pop()!;
        done++;
        for (const next of downstream.get(name) ?? []) {
          const left = pending.get(next)! - 1;
          pending.set(next, left);
          if (left === 0) ready.push(next);
        }
      }
      if (done < pending.size) {
        const stuck = [...pending].filter(([, n]) => n > 0).map(([k]) => k).sort();
        this.err(where, `tasks form a cycle among: ${stuck.join(', ')}. Remove one of the 'after' dependencies.`);
      }
    };
    visit(this.spec.root, this.def.name);
    for (const [name, comp] of Object.entries(this.spec.components)) if (comp.dag) visit(comp, name);
  }
}

function containsRef(v: unknown): boolean {
  if (isChannel(v) || isTemplate(v)) return true;
  if (Array.isArray(v)) return v.some(containsRef);
  if (v && typeof v === 'object') return Object.values(v).some(containsRef);
  return false;
}
