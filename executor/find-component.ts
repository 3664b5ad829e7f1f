/**
 * Finds a TypeScript component by module and name, as the compiler recorded them in the
 * executor's args (`--module <file from project root> --component <name>`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { definedComponents, isComponent, type TsComponentDef } from '../dsl/component';

function isTs(v: unknown): v is TsComponentDef {
  return isComponent(v) && (v as { type: string }).type === 'typescript';
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
  const registered = definedComponents.get(`${module.split(path.sep).join('/')}#${name}`);
  if (registered) return registered;
  // A component defined with an explicit `module` elsewhere, or re-exported: look at the exports.
  const exported = Object.values(mod ?? {}).filter((v) => isTs(v) && v.name === name) as TsComponentDef[];
  if (exported.length >= 1) return exported[0]!;
  const known = [...definedComponents.values()].filter((c) => c.module === module).map((c) => c.name);
  throw new Error(
    `module '${module}' defines no TypeScript component named '${name}'. Components it defines: ${known.join(', ') || '(none)'}. Recompile the pipeline if you renamed it.`,
  );
}
