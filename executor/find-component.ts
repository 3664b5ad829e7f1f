/**
 * Finds a TypeScript component by module and name, as the compiler recorded them in the
 * executor's args (`--module <file from project root> --component <name>`). There is no global
 * registry: the component is found among the module's exports, or among the tasks of the
 * pipelines it exports (so components used only inside an exported pipeline need no export).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isComponent, type AnyComponent, type TsComponentDef } from '../dsl/component';

function isTs(v: unknown): v is TsComponentDef {
  return isComponent(v) && (v as { type: string }).type === 'typescript';
}

/** A module's exports, and the members of exported plain objects (`export const components = { a, b }`). */
function exportedValues(mod: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const v of Object.values(mod ?? {})) {
    out.push(v);
    if (v && typeof v === 'object' && !isComponent(v) && Object.getPrototypeOf(v) === Object.prototype) out.push(...Object.values(v));
  }
  return out;
}

/** Every TypeScript component reachable from a module's exports, nested pipelines included. */
export function reachableComponents(mod: Record<string, unknown>): TsComponentDef[] {
  const found = new Set<TsComponentDef>();
  const seenPipelines = new Set<AnyComponent>();
  const visit = (c: AnyComponent) => {
    if (c.type === 'typescript') {
      found.add(c);
    } else if (c.type === 'pipeline' && !seenPipelines.has(c)) {
      seenPipelines.add(c);
      let tasks;
      try {
        tasks = c.build().graph.tasks.values();
      } catch {
        return; // a pipeline that cannot build is reported when it is compiled, not here
      }
      for (const t of tasks) visit(t.component);
    }
  };
  for (const v of exportedValues(mod)) if (isComponent(v)) visit(v);
  return [...found];
}

export function findComponent(projectRoot: string, module: string, name: string): TsComponentDef {
  const file = path.resolve(projectRoot, module);
  if (!fs.existsSync(file)) {
    throw new Error(
      `module '${module}' not found under ${projectRoot}. The executor runs in the project root (the folder with package.json) and loads the module the component was defined in.`,
    );
  }
  require('../cli/register.js');
  let mod: Record<string, unknown>;
  try {
    mod = require(file) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`module '${module}' failed while loading: ${(e as Error)?.stack ?? String(e)}`);
  }
  // Exports first (cheap); then what exported pipelines use.
  const direct = exportedValues(mod).filter((v) => isTs(v) && v.name === name) as TsComponentDef[];
  const candidates = direct.length ? direct : reachableComponents(mod).filter((c) => c.name === name);
  const sameModule = candidates.filter((c) => c.module === module.split(path.sep).join('/'));
  const hit = sameModule[0] ?? candidates[0];
  if (hit) return hit;
  const known = reachableComponents(mod).map((c) => c.name);
  throw new Error(
    `module '${module}' exports no TypeScript component named '${name}', and no exported pipeline uses one. ` +
      `Components it exposes: ${known.join(', ') || '(none)'}. Export the component (or a pipeline that uses it), or recompile the pipeline if you renamed it.`,
  );
}
