/**
 * Resolves a task's inputs inside its DAG, as the KFP driver does: from the DAG's own inputs,
 * from upstream tasks' outputs, from constants (with f-string and run-time placeholders), from an
 * upstream task's final status, then through any CEL selector; then the component's defaults
 * and types apply. Also a DAG's outputs from its tasks (including OneOf and loop fan-in).
 */
import type { ComponentSpecIr, Json, TaskSpecIr } from '../compiler/ir';
import type { JsonValue } from '../executor/protocol';
import { coerceParam } from '../executor/values';
import { selectValue } from './cel';
import { substituteInputParams, substituteRuntime, type RuntimeContext } from './placeholders';
import { DONE_OK, emptyIo, type ArtifactRef, type IoValues, type TaskRecord, type TaskState } from './model';

export class InputError extends Error {
  override name = 'InputError';
}

/** What a DAG knows while it runs: its inputs and its tasks' states and outputs. */
export interface DagScope {
  readonly path: string;
  readonly inputs: IoValues;
  readonly nodes: ReadonlyMap<string, DagNode>;
  /** Pipeline job resource name, for task final status. */
  readonly jobResourceName: string;
}

export interface DagNode {
  readonly name: string;
  readonly spec: TaskSpecIr;
  readonly record: TaskRecord;
  outputs?: IoValues;
  /** A loop task: its outputs are fanned-in lists (an enclosing loop flattens them one level). */
  readonly isLoop: boolean;
}

/** The upstream tasks a task waits for: its dependentTasks plus every producer it reads from. */
export function dependenciesOf(spec: TaskSpecIr): string[] {
  const deps = new Set(spec.dependentTasks ?? []);
  for (const p of Object.values(spec.inputs?.parameters ?? {})) {
    const t = (p.taskOutputParameter as { producerTask?: string } | undefined)?.producerTask ?? (p.taskFinalStatus as { producerTask?: string } | undefined)?.producerTask;
    if (t) deps.add(t);
  }
  for (const a of Object.values(spec.inputs?.artifacts ?? {})) {
    const t = (a.taskOutputArtifact as { producerTask?: string } | undefined)?.producerTask;
    if (t) deps.add(t);
  }
  return [...deps];
}

function producerOutputs(scope: DagScope, producer: string, what: string): IoValues {
  const n = scope.nodes.get(producer);
  if (!n) throw new InputError(`${what} comes from task '${producer}', which is not in this DAG.`);
  if (!DONE_OK.has(n.record.state) || !n.outputs) {
    const why: Partial<Record<TaskState, string>> = { skipped: 'its condition was false', failed: 'it failed', upstream_failed: 'an upstream task failed', cancelled: 'it was cancelled' };
    throw new InputError(`${what} comes from task '${producer}', which did not produce outputs (${why[n.record.state] ?? n.record.state}).`);
  }
  return n.outputs;
}

const STATUS_STATE: Partial<Record<TaskState, string>> = { succeeded: 'SUCCEEDED', cached: 'SUCCEEDED', skipped: 'SUCCEEDED', failed: 'FAILED', upstream_failed: 'FAILED', cancelled: 'CANCELLED' };

/** PipelineTaskFinalStatus, in its proto3 JSON form. */
export function finalStatus(scope: DagScope, producer: string): JsonValue {
  const n = scope.nodes.get(producer);
  if (!n) throw new InputError(`task final status: no task '${producer}' in this DAG.`);
  const error: Record<string, JsonValue> = {};
  if (n.record.error) Object.assign(error, { code: 2, message: n.record.error });
  return { state: STATUS_STATE[n.record.state] ?? 'FAILED', error, pipelineJobResourceName: scope.jobResourceName, pipelineTaskName: n.spec.taskInfo.name };
}

export interface ResolveOptions {
  /** Inputs the caller supplies later (a loop's item). */
  readonly deferred?: ReadonlySet<string>;
}

export function resolveInputs(scope: DagScope, task: TaskSpecIr, component: ComponentSpecIr, runtime: RuntimeContext, opts: ResolveOptions = {}): IoValues {
  const out = emptyIo();
  const where = (k: string) => `input '${k}'`;
  const constants: [string, string][] = [];
  for (const [name, p] of Object.entries(task.inputs?.parameters ?? {})) {
    let v: JsonValue | undefined;
    if (typeof p.componentInputParameter === 'string') {
      v = scope.inputs.params[p.componentInputParameter];
    } else if (p.taskOutputParameter) {
      const t = p.taskOutputParameter as { producerTask: string; outputParameterKey: string };
      const outs = producerOutputs(scope, t.producerTask, where(name));
      v = outs.params[t.outputParameterKey];
      if (v === undefined) throw new InputError(`${where(name)}: task '${t.producerTask}' has no output parameter '${t.outputParameterKey}'.`);
    } else if (p.runtimeValue) {
      const c = (p.runtimeValue as { constant?: Json }).constant;
      if (typeof c === 'string') {
        constants.push([name, c]);
        continue;
      }
      v = c as JsonValue;
    } else if (p.taskFinalStatus) {
      v = finalStatus(scope, (p.taskFinalStatus as { producerTask: string }).producerTask);
    } else {
      throw new InputError(`${where(name)}: unsupported input kind ${Object.keys(p).join(', ')}.`);
    }
    if (v !== undefined && typeof p.parameterExpressionSelector === 'string') v = selectValue(p.parameterExpressionSelector, v);
    if (v !== undefined) out.params[name] = v;
  }
  // f-string constants refer to sibling inputs ({{$.inputs.parameters['pipelinechannel--x']}}).
  for (const [name, text] of constants) {
    const p = task.inputs!.parameters![name]!;
    let v: JsonValue = substituteInputParams(substituteRuntime(text, runtime), out.params, where(name));
    if (typeof p.parameterExpressionSelector === 'string') v = selectValue(p.parameterExpressionSelector, v);
    out.params[name] = v;
  }
  for (const [name, a] of Object.entries(task.inputs?.artifacts ?? {})) {
    let list: ArtifactRef[] | undefined;
    if (typeof a.componentInputArtifact === 'string') {
      list = scope.inputs.artifacts[a.componentInputArtifact];
    } else if (a.taskOutputArtifact) {
      const t = a.taskOutputArtifact as { producerTask: string; outputArtifactKey: string };
      list = producerOutputs(scope, t.producerTask, where(name)).artifacts[t.outputArtifactKey];
      if (!list) throw new InputError(`${where(name)}: task '${t.producerTask}' has no output artifact '${t.outputArtifactKey}'.`);
    } else {
      throw new InputError(`${where(name)}: unsupported artifact input kind ${Object.keys(a).join(', ')}.`);
    }
    if (list) out.artifacts[name] = list;
  }
  applyInterface(out, component, opts.deferred ?? new Set());
  return out;
}

/** Defaults, types and required inputs from the component's inputDefinitions. */
export function applyInterface(io: IoValues, component: ComponentSpecIr, deferred: ReadonlySet<string>): void {
  for (const [name, def] of Object.entries(component.inputDefinitions?.parameters ?? {})) {
    if (deferred.has(name)) continue;
    let v = io.params[name];
    if (v === undefined || v === null) {
      if (def.defaultValue !== undefined) v = def.defaultValue as JsonValue;
      else if (def.isOptional || def.parameterType === 'TASK_FINAL_STATUS') continue;
      else throw new InputError(`input '${name}' (${def.parameterType}) is required but has no value.`);
    }
    io.params[name] = coerceParam(v, def.parameterType, `input '${name}'`);
  }
  for (const [name, def] of Object.entries(component.inputDefinitions?.artifacts ?? {})) {
    if (deferred.has(name)) continue;
    const list = io.artifacts[name];
    if ((!list || list.length === 0) && !def.isOptional && !def.isArtifactList) {
      throw new InputError(`input artifact '${name}' (${def.artifactType.schemaTitle}) is required but has none.`);
    }
  }
}

/** Outputs of a finished DAG from its `dag.outputs` selectors. */
export function dagOutputs(component: ComponentSpecIr, nodes: ReadonlyMap<string, DagNode>): { io: IoValues; fromLoops: Set<string> } {
  const io = emptyIo();
  const fromLoops = new Set<string>();
  const outs = component.dag?.outputs;
  const available = (producer: string) => {
    const n = nodes.get(producer);
    return n && DONE_OK.has(n.record.state) && n.outputs ? n : undefined;
  };
  for (const [key, sel] of Object.entries(outs?.parameters ?? {})) {
    const s = sel as { valueFromParameter?: Selector; valueFromOneof?: { parameterSelectors: Selector[] } };
    const selectors = s.valueFromParameter ? [s.valueFromParameter] : (s.valueFromOneof?.parameterSelectors ?? []);
    for (const one of selectors) {
      const n = available(one.producerSubtask);
      const v = n?.outputs!.params[one.outputParameterKey];
      if (v === undefined) continue;
      io.params[key] = v;
      if (n!.isLoop) fromLoops.add(key);
      break;
    }
  }
  for (const [key, sel] of Object.entries(outs?.artifacts ?? {})) {
    const selectors = ((sel as { artifactSelectors?: ArtifactSelector[] }).artifactSelectors ?? []);
    for (const one of selectors) {
      const n = available(one.producerSubtask);
      const v = n?.outputs!.artifacts[one.outputArtifactKey];
      if (v === undefined) continue;
      io.artifacts[key] = v;
      if (n!.isLoop) fromLoops.add(key);
      break;
    }
  }
  return { io, fromLoops };
}

interface Selector {
  producerSubtask: string;
  outputParameterKey: string;
}
interface ArtifactSelector {
  producerSubtask: string;
  outputArtifactKey: string;
}

/** A loop's outputs: each output collected over its iterations in order (nested fan-ins flattened). */
export function collectIterations(component: ComponentSpecIr, iterations: readonly { io: IoValues; fromLoops: ReadonlySet<string> }[]): IoValues {
  const io = emptyIo();
  for (const key of Object.keys(component.outputDefinitions?.parameters ?? {})) {
    const list: JsonValue[] = [];
    for (const it of iterations) {
      const v = it.io.params[key];
      if (v === undefined) continue;
      if (it.fromLoops.has(key) && Array.isArray(v)) list.push(...v);
      else list.push(v);
    }
    io.params[key] = list;
  }
  for (const key of Object.keys(component.outputDefinitions?.artifacts ?? {})) {
    io.artifacts[key] = iterations.flatMap((it) => it.io.artifacts[key] ?? []);
  }
  return io;
}
