/**
 * Strict validation of a PipelineSpec document (parsed JSON/YAML, or compile()'s object) against
 * the KFP IR schema ../shared/kfp-ir/pipeline_spec.proto: proto3 JSON field by field, with
 * deploymentSpec (a Struct in the schema) checked as the PipelineDeploymentConfig it holds, then
 * the references between parts that the schema implies.
 */
import { fieldPath, keyPath, problem } from './json-path';
import { loadIrSchema, type IrSchema } from './ir-schema';
import { checkMessage } from './proto-json';
import { describe, isPlainObject } from './proto-json-scalars';

export { loadIrSchema, haveIrSchema, IR_PROTO, type IrSchema } from './ir-schema';

/** Every problem with `doc` as a PipelineSpec, one message each, prefixed with its JSON path. */
export function validatePipelineSpec(doc: unknown, schema: IrSchema = loadIrSchema()): string[] {
  const out: string[] = [];
  if (!isPlainObject(doc)) return [problem('', `expected a PipelineSpec object, got ${describe(doc)}`)];
  checkMessage(schema.pipelineSpec, doc, '', out, { structAs: schema.structAs });
  checkReferences(doc, out);
  return out;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isPlainObject(v) ? v : {});
const has = (o: Obj, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function names(o: Obj): string {
  const keys = Object.keys(o);
  if (!keys.length) return 'there are none';
  return `have: ${keys.slice(0, 12).join(', ')}${keys.length > 12 ? `, … (${keys.length} in all)` : ''}`;
}

/**
 * Facts the schema states in comments or implies by its references: the required fields, every
 * task's componentRef naming a component, every executorLabel naming an executor.
 */
function checkReferences(doc: Obj, out: string[]): void {
  if (doc.schemaVersion === undefined || doc.schemaVersion === '') {
    out.push(problem('schemaVersion', 'missing: a PipelineSpec names its IR schema version (duckml writes 2.1.0)'));
  }
  const info = obj(doc.pipelineInfo);
  if (info.name === undefined || info.name === '') {
    out.push(problem('pipelineInfo.name', 'missing: the schema marks the pipeline name as a required field'));
  }
  if (doc.root === undefined) out.push(problem('root', 'missing: the main pipeline component (a DAG)'));

  const components = obj(doc.components);
  const executors = obj(obj(doc.deploymentSpec).executors);
  const specs: [string, unknown][] = [['root', doc.root], ...Object.entries(components).map(([k, c]): [string, unknown] => [keyPath('components', k), c])];
  for (const [at, spec] of specs) {
    const c = obj(spec);
    if (typeof c.executorLabel === 'string' && !has(executors, c.executorLabel)) {
      out.push(problem(fieldPath(at, 'executorLabel'), `executor '${c.executorLabel}' is not in deploymentSpec.executors (${names(executors)}); add that executor or fix the label`));
    }
    for (const [key, task] of Object.entries(obj(obj(c.dag).tasks))) {
      if (!isPlainObject(task)) continue;
      const tp = keyPath(`${at}.dag.tasks`, key);
      const ref = obj(task.componentRef).name;
      if (ref === undefined) {
        out.push(problem(`${tp}.componentRef.name`, 'missing: every task names the component it runs'));
      } else if (typeof ref === 'string' && !has(components, ref)) {
        out.push(problem(`${tp}.componentRef.name`, `component '${ref}' is not in components (${names(components)}); add that component or fix the name`));
      }
    }
  }
}
