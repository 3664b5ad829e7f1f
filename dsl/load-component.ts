/**
 * KFP component YAML → a duckml container component. Reads both the IR form (what KFP v2 writes
 * when compiling a component) and the older v1 form (`implementation: container:` with
 * `inputValue`/`inputPath`/`outputPath` placeholders).
 */
import * as fs from 'node:fs';
import { artifactType, type ArtifactType } from './artifacts';
import { bool, double, int, list, string, struct, taskFinalStatus } from './params';
import { container, type Component } from './component';
import { concat, ifPresent, placeholder, type CommandLineElement } from './placeholders';
import type { InputsSpec, IoSpec, OutputsSpec } from './types';
import type { OutputRefs, RefRecord } from './refs';

type Doc = Record<string, unknown>;

function fail(source: string, message: string): never {
  throw new Error(`loadComponent(${source}): ${message}`);
}

const IR_PARAM: Record<string, (o: { default?: unknown; optional?: boolean; description?: string }) => IoSpec> = {
  STRING: (o) => string(o as never),
  NUMBER_INTEGER: (o) => int(o as never),
  NUMBER_DOUBLE: (o) => double(o as never),
  BOOLEAN: (o) => bool(o as never),
  LIST: (o) => list(undefined, o as never),
  STRUCT: (o) => struct(o as never),
  TASK_FINAL_STATUS: (o) => taskFinalStatus({ description: o.description }),
};

function irArtifact(a: Doc): ArtifactType<string, boolean, boolean> {
  const t = (a.artifactType ?? {}) as { schemaTitle?: string; schemaVersion?: string };
  let spec: ArtifactType<string, boolean, boolean> = artifactType(t.schemaTitle ?? 'system.Artifact', t.schemaVersion ?? '0.0.1');
  if (a.isArtifactList) spec = spec.list();
  if (a.isOptional) spec = spec.optional();
  if (typeof a.description === 'string') spec = spec.describe(a.description);
  return spec;
}

/** Undoes `renderElement`: `{"Concat": …}` / `{"IfPresent": …}` strings back into placeholders. */
function irElement(el: unknown): CommandLineElement {
  if (typeof el !== 'string') return irStruct(el);
  if (el.startsWith('{"Concat"') || el.startsWith('{"IfPresent"')) {
    try {
      return irStruct(JSON.parse(el));
    } catch {
      return el;
    }
  }
  return el;
}
function irStruct(v: unknown): CommandLineElement {
  if (typeof v === 'string') return v;
  const d = v as Doc;
  if (Array.isArray(d.Concat)) return concat(d.Concat.map(irStruct));
  const ip = d.IfPresent as Doc | undefined;
  if (ip) {
    const conv = (x: unknown) => (Array.isArray(x) ? x.map(irStruct) : x === undefined ? undefined : irStruct(x));
    return ifPresent(String(ip.InputName), conv(ip.Then)!, conv(ip.Else));
  }
  throw new Error(`unsupported placeholder ${JSON.stringify(v)}`);
}

function fromIr(doc: Doc, source: string): Component<InputsSpec, RefRecord> {
  const info = doc.pipelineInfo as { name?: string; description?: string } | undefined;
  const comps = (doc.components ?? {}) as Record<string, Doc>;
  const execs = ((doc.deploymentSpec as Doc | undefined)?.executors ?? {}) as Record<string, Doc>;
  const entries = Object.values(comps).filter((c) => typeof c.executorLabel === 'string');
  if (entries.length !== 1) fail(source, `expected one container component in the IR document, found ${entries.length}. Load pipelines with their own tools; a component YAML holds one.`);
  const comp = entries[0]!;
  const exec = execs[comp.executorLabel as string]?.container as Doc | undefined;
  if (!exec) fail(source, `executor '${comp.executorLabel}' has no container.`);
  const inputs: Record<string, IoSpec> = {};
  const ins = (comp.inputDefinitions ?? {}) as { parameters?: Record<string, Doc>; artifacts?: Record<string, Doc> };
  for (const [k, p] of Object.entries(ins.parameters ?? {})) {
    const make = IR_PARAM[String(p.parameterType)] ?? fail(source, `input '${k}' has unknown parameterType ${String(p.parameterType)}.`);
    inputs[k] = make({ default: p.defaultValue, optional: p.isOptional === true ? true : undefined, description: p.description as string | undefined });
  }
  for (const [k, a] of Object.entries(ins.artifacts ?? {})) inputs[k] = irArtifact(a);
  const outputs: Record<string, IoSpec> = {};
  const outs = (comp.outputDefinitions ?? {}) as { parameters?: Record<string, Doc>; artifacts?: Record<string, Doc> };
  for (const [k, p] of Object.entries(outs.parameters ?? {})) {
    const make = IR_PARAM[String(p.parameterType)] ?? fail(source, `output '${k}' has unknown parameterType ${String(p.parameterType)}.`);
    outputs[k] = make({});
  }
  for (const [k, a] of Object.entries(outs.artifacts ?? {})) outputs[k] = irArtifact(a);
  const env = Array.isArray(exec.env) ? Object.fromEntries((exec.env as { name: string; value: string }[]).map((e) => [e.name, e.value])) : undefined;
  return container({
    name: info?.name ?? fail(source, 'pipelineInfo.name is missing.'),
    description: info?.description,
    image: String(exec.image ?? fail(source, 'the container has no image.')),
    inputs: inputs as InputsSpec,
    outputs: outputs as OutputsSpec,
    command: Array.isArray(exec.command) ? exec.command.map(irElement) : undefined,
    args: Array.isArray(exec.args) ? exec.args.map(irElement) : undefined,
    env,
  }) as never;
}

// ------------------------------------------------------------------ v1 form

const V1_PARAM: Record<string, string> = {
  string: 'STRING', str: 'STRING', text: 'STRING',
  integer: 'NUMBER_INTEGER', int: 'NUMBER_INTEGER',
  float: 'NUMBER_DOUBLE', double: 'NUMBER_DOUBLE',
  boolean: 'BOOLEAN', bool: 'BOOLEAN',
  jsonarray: 'LIST', list: 'LIST',
  jsonobject: 'STRUCT', dict: 'STRUCT',
};
const V1_ARTIFACT: Record<string, string> = {
  artifact: 'system.Artifact', dataset: 'system.Dataset', model: 'system.Model', metrics: 'system.Metrics',
  classificationmetrics: 'system.ClassificationMetrics', slicedclassificationmetrics: 'system.SlicedClassificationMetrics',
  html: 'system.HTML', markdown: 'system.Markdown',
};

/** KFP `sanitize_input_name`: v1 names like 'Training data' become 'training_data'. */
function sanitize(name: string): string {
  return name.toLowerCase().replace(/[^_0-9a-z]+/g, '_').replace(/^_+|_+$/g, '');
}

function v1Type(t: unknown): { param?: string; artifact?: string } {
  const raw = typeof t === 'string' ? t : t && typeof t === 'object' ? Object.keys(t as Doc)[0] ?? 'String' : 'String';
  const key = raw.toLowerCase().replace(/^system\./, '');
  if (V1_PARAM[key]) return { param: V1_PARAM[key] };
  if (V1_ARTIFACT[key]) return { artifact: V1_ARTIFACT[key] };
  if (raw.includes('.')) return { artifact: raw };
  return { artifact: 'system.Artifact' };
}

function v1Default(value: unknown, type: string): unknown {
  if (value === undefined || value === null || typeof value !== 'string') return value;
  if (type === 'NUMBER_INTEGER' || type === 'NUMBER_DOUBLE') return Number(value);
  if (type === 'BOOLEAN') return value.toLowerCase() === 'true';
  if (type === 'LIST' || type === 'STRUCT') return JSON.parse(value);
  return value;
}

function fromV1(doc: Doc, source: string): Component<InputsSpec, RefRecord> {
  const impl = ((doc.implementation as Doc | undefined)?.container ?? fail(source, "v1 components need 'implementation: container:'.")) as Doc;
  const inputs: Record<string, IoSpec> = {};
  const outputs: Record<string, IoSpec> = {};
  const paramOutputs = new Set<string>();
  for (const i of (doc.inputs ?? []) as Doc[]) {
    const name = sanitize(String(i.name));
    const t = v1Type(i.type);
    const optional = i.optional === true || i.default !== undefined;
    if (t.param) {
      inputs[name] = IR_PARAM[t.param]!({ default: v1Default(i.default, t.param), optional: optional ? true : undefined, description: i.description as string | undefined });
    } else {
      let a: ArtifactType<string, boolean, boolean> = artifactType(t.artifact!);
      if (optional) a = a.optional();
      inputs[name] = a;
    }
  }
  for (const o of (doc.outputs ?? []) as Doc[]) {
    const name = sanitize(String(o.name));
    const t = v1Type(o.type);
    if (t.param) {
      outputs[name] = IR_PARAM[t.param]!({});
      paramOutputs.add(name);
    } else outputs[name] = artifactType(t.artifact!);
  }
  const conv = (el: unknown): CommandLineElement => {
    if (typeof el === 'string' || typeof el === 'number' || typeof el === 'boolean') return String(el);
    const d = el as Doc;
    if ('inputValue' in d) return placeholder.inputValue(sanitize(String(d.inputValue)));
    if ('inputPath' in d) return placeholder.inputPath(sanitize(String(d.inputPath)));
    if ('inputUri' in d) return placeholder.inputUri(sanitize(String(d.inputUri)));
    if ('outputPath' in d) {
      const n = sanitize(String(d.outputPath));
      return paramOutputs.has(n) ? placeholder.outputParameter(n) : placeholder.outputPath(n);
    }
    if ('outputUri' in d) return placeholder.outputUri(sanitize(String(d.outputUri)));
    if ('concat' in d) return concat((d.concat as unknown[]).map(conv));
    if ('if' in d) {
      const c = d.if as Doc;
      const cond = c.cond as Doc;
      const name = cond && 'isPresent' in cond ? sanitize(String(cond.isPresent)) : fail(source, "only 'if: cond: isPresent' is supported.");
      const list = (x: unknown) => (x === undefined ? undefined : Array.isArray(x) ? x.map(conv) : [conv(x)]);
      return ifPresent(name, list(c.then) ?? [], list(c.else));
    }
    return fail(source, `unsupported placeholder ${JSON.stringify(el)}.`);
  };
  return container({
    name: String(doc.name ?? fail(source, "v1 components need a 'name'.")),
    description: doc.description as string | undefined,
    image: String(impl.image ?? fail(source, 'the container has no image.')),
    inputs: inputs as InputsSpec,
    outputs: outputs as OutputsSpec,
    command: Array.isArray(impl.command) ? impl.command.map(conv) : undefined,
    args: Array.isArray(impl.args) ? impl.args.map(conv) : undefined,
    env: impl.env as Record<string, string> | undefined,
  }) as never;
}

/**
 * Parses KFP component YAML text. The type arguments let you state the component's interface
 * (`loadComponent<{ text: ParamSpec<'string', true> }, { out: ParamSpec<'string'> }>(yaml)`) so
 * tasks built from it are checked like any duckml component.
 */
export function loadComponent<I extends InputsSpec = InputsSpec, O extends OutputsSpec = OutputsSpec>(
  text: string,
  source = 'text',
): Component<I, OutputRefs<O>> {
  let doc: unknown;
  try {
    // Loaded on use: every process that imports duckml/dsl (each task's executor) would pay for it.
    doc = (require('yaml') as typeof import('yaml')).parse(text);
  } catch (e) {
    fail(source, `not valid YAML: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') fail(source, 'expected a YAML mapping.');
  const d = doc as Doc;
  if (d.implementation) return fromV1(d, source) as never;
  if (d.pipelineInfo && d.components) return fromIr(d, source) as never;
  return fail(source, "neither a KFP v2 IR component (pipelineInfo, components, deploymentSpec) nor a v1 component ('implementation:').");
}

export function loadComponentFile<I extends InputsSpec = InputsSpec, O extends OutputsSpec = OutputsSpec>(file: string): Component<I, OutputRefs<O>> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`loadComponentFile: cannot read ${file}: ${(e as Error).message}`);
  }
  return loadComponent<I, O>(text, file);
}
