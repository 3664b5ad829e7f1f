/**
 * Checks made before a run starts, so a run never fails half-way for a reason known up front:
 * parameters (unknown, missing, mistyped) and tasks whose image needs a Docker engine that is not there.
 */
import type { ComponentSpecIr, PipelineSpecIr } from '../compiler/ir';
import type { JsonValue } from '../executor/protocol';
import { coerceParam } from '../executor/values';
import { dockerAvailable, isHostRunnable } from './launcher';

/** A run that cannot start; `kind` picks the CLI exit code. */
export class RunRefused extends Error {
  override name = 'RunRefused';
  constructor(
    message: string,
    readonly kind: 'usage' | 'unavailable' | 'busy',
  ) {
    super(message);
  }
}

/** Root parameter values: given ones typed, defaults filled in, missing required ones named. */
export function rootParams(spec: PipelineSpecIr, given: Readonly<Record<string, unknown>>): Record<string, JsonValue> {
  const defs = spec.root.inputDefinitions?.parameters ?? {};
  const out: Record<string, JsonValue> = {};
  const problems: string[] = [];
  for (const [k, v] of Object.entries(given)) {
    if (!(k in defs)) {
      problems.push(`unknown parameter '${k}'. Parameters of '${spec.pipelineInfo.name}': ${Object.keys(defs).join(', ') || '(none)'}.`);
      continue;
    }
    try {
      out[k] = coerceParam(v, defs[k]!.parameterType, `parameter '${k}'`);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const missing: string[] = [];
  for (const [k, d] of Object.entries(defs)) {
    if (k in out) continue;
    if (d.defaultValue !== undefined) out[k] = d.defaultValue as JsonValue;
    else if (!d.isOptional) missing.push(`${k} (${d.parameterType})`);
  }
  if (missing.length) problems.push(`missing required parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}. Pass ${missing.length > 1 ? 'them' : 'it'} with --param name=value.`);
  const artifacts = Object.entries(spec.root.inputDefinitions?.artifacts ?? {}).filter(([, a]) => !a.isOptional);
  if (artifacts.length) problems.push(`the pipeline takes input artifacts (${artifacts.map(([k]) => k).join(', ')}), which local runs cannot pass yet; wrap the pipeline in one that imports them with p.importer().`);
  if (problems.length) throw new RunRefused(problems.join('\n'), 'usage');
  return out;
}

/** Every task (by path) that uses each component, for naming tasks in messages. */
function tasksByComponent(spec: PipelineSpecIr): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const visit = (c: ComponentSpecIr, prefix: string, seen: Set<ComponentSpecIr>) => {
    if (seen.has(c)) return;
    for (const [name, t] of Object.entries(c.dag?.tasks ?? {})) {
      const p = prefix ? `${prefix}/${name}` : name;
      const list = out.get(t.componentRef.name) ?? [];
      list.push(p);
      out.set(t.componentRef.name, list);
      const child = spec.components[t.componentRef.name];
      if (child?.dag) visit(child, p, new Set([...seen, c]));
    }
  };
  visit(spec.root, '', new Set());
  return out;
}

/** Refuses a run with tasks that need Docker when no engine answers, naming each task and image. */
export function checkEngines(spec: PipelineSpecIr): void {
  const byComponent = tasksByComponent(spec);
  const needDocker: string[] = [];
  for (const [compName, comp] of Object.entries(spec.components)) {
    const exec = spec.deploymentSpec.executors[comp.executorLabel ?? '']?.container;
    if (!exec || isHostRunnable(exec)) continue;
    for (const task of byComponent.get(compName) ?? []) needDocker.push(`  - task '${task}' uses image '${exec.image}'`);
  }
  if (needDocker.length && !dockerAvailable()) {
    throw new RunRefused(
      `these tasks run container images, which need a Docker engine, and none answered ('docker version' failed):\n${needDocker.join('\n')}\n` +
        `Start Docker, or write these steps as TypeScript components (dsl.component), which run without it.`,
      'unavailable',
    );
  }
}
