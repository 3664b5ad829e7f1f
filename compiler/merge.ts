/**
 * Nested pipelines: a pipeline used as a component is compiled on its own, then its executors and
 * components are merged into the parent, renamed with `-2`, `-3`… where names clash — the reference
 * compiler's `merge_deployment_spec_and_component_spec`, so merged names match KFP's.
 */
import { uniqueName } from './naming';
import type { ComponentSpecIr, PipelineSpecIr } from './ir';

/** Merges `sub` into `main` (in place) and returns the sub-pipeline's root, to be the task's component. */
export function mergeSubPipelineSpec(main: PipelineSpecIr, sub: PipelineSpecIr): ComponentSpecIr {
  // A JSON round trip, not structuredClone: under jest's VM context structuredClone yields objects
  // of the outer realm, which plain-object checks downstream (e.g. the IR validator) reject.
  const copy = JSON.parse(JSON.stringify(sub)) as typeof sub;
  const executors = main.deploymentSpec.executors;
  for (const [label, exec] of Object.entries(copy.deploymentSpec.executors)) {
    const newLabel = uniqueName(label, (n) => n in executors);
    if (newLabel !== label) for (const comp of Object.values(copy.components)) if (comp.executorLabel === label) comp.executorLabel = newLabel;
    executors[newLabel] = exec;
  }
  const existing = Object.keys(main.components);
  const renames: [string, string][] = [];
  for (const name of Object.keys(copy.components)) {
    const used = new Set([...existing, ...renames.flat()]);
    renames.push([name, uniqueName(name, (n) => used.has(n))]);
  }
  const dags = [...Object.values(copy.components).map((c) => c.dag), copy.root.dag];
  for (const [oldName, newName] of [...renames].reverse()) {
    if (oldName === newName) continue;
    for (const dag of dags) for (const t of Object.values(dag?.tasks ?? {})) if (t.componentRef.name === oldName) t.componentRef.name = newName;
  }
  for (const [oldName, newName] of renames) main.components[newName] = copy.components[oldName]!;
  return copy.root;
}
