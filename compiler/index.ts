/** duckml's compiler: a pipeline (or a lone component) → KFP PipelineSpec, IR schema 2.1.0. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KIND } from '../dsl/symbols';
import { isComponent, type AnyComponent, type PipelineDef } from '../dsl/component';
import { pipeline as definePipeline } from '../dsl/pipeline';
import type { BuildError } from '../dsl/graph';
import { SpecBuilder } from './build';
import { toJson, toYaml } from './emit';
import { parseParamValue } from './params';
import type { PipelineSpecIr } from './ir';
import { VERSION } from '../version';

export type { PipelineSpecIr } from './ir';
export { toJson, toYaml, sortKeysDeep } from './emit';
export { parseParams, parseParamValue, missingRequired, ParamError } from './params';

export const DEFAULT_IMAGE = `duckml/duckml:${VERSION}`;

export interface CompileOptions {
  /** Image for TypeScript components that name none (default: env DUCKML_IMAGE, else duckml/duckml:<version>). */
  image?: string;
  /** Override root parameter defaults (KFP `pipeline_parameters`). */
  params?: Readonly<Record<string, unknown>>;
}

/** All problems found in one compile, each prefixed with the task path where it was found. */
export class CompileError extends Error {
  override name = 'CompileError';
  constructor(readonly errors: readonly BuildError[]) {
    super(`pipeline did not compile (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n${errors.map((e) => `  - ${e.path}: ${e.message}`).join('\n')}`);
  }
}

/** A lone component compiles as a one-task pipeline of the same name, as in KFP. */
function asPipeline(c: Exclude<AnyComponent, PipelineDef>): PipelineDef {
  const name = c.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return definePipeline({ name, description: c.description, params: c.inputs }, (p, params) => {
    const t = p.task(c as never, params as never);
    return (Object.keys(t.outputs).length ? t.outputs : undefined) as never;
  }) as unknown as PipelineDef;
}

/** Compiles to the PipelineSpec object. Throws CompileError with every problem found. */
export function compile(target: unknown, opts: CompileOptions = {}): PipelineSpecIr {
  if (!isComponent(target)) {
    throw new TypeError(`compile() takes a pipeline (dsl.pipeline) or a component; got ${target === null ? 'null' : typeof target}.`);
  }
  const def = target[KIND] === 'pipeline' ? (target as PipelineDef) : asPipeline(target as Exclude<AnyComponent, PipelineDef>);
  const errors: BuildError[] = [];
  let spec: PipelineSpecIr;
  try {
    spec = new SpecBuilder(def, { image: opts.image ?? process.env.DUCKML_IMAGE ?? DEFAULT_IMAGE, sdkVersion: `duckml-${VERSION}` }, errors, new Map()).result();
  } catch (e) {
    if (errors.length) throw new CompileError([...errors, { path: def.name, message: (e as Error).message }]);
    throw e;
  }
  if (errors.length) throw new CompileError(dedupe(errors));
  if (opts.params) applyParamOverrides(spec, opts.params);
  return spec;
}

function dedupe(errors: BuildError[]): BuildError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.path}\n${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function applyParamOverrides(spec: PipelineSpecIr, params: Readonly<Record<string, unknown>>): void {
  const defs = spec.root.inputDefinitions?.parameters ?? {};
  for (const [k, v] of Object.entries(params)) {
    const d = defs[k];
    if (!d) throw new CompileError([{ path: spec.pipelineInfo.name, message: `parameter '${k}' does not match any pipeline input (${Object.keys(defs).join(', ') || 'none'}).` }]);
    d.defaultValue = (typeof v === 'string' && d.parameterType !== 'STRING' ? parseParamValue(k, v, d) : v) as never;
    d.isOptional = true;
  }
}

/** YAML header as the reference compiler writes it (comments; not data). */
function header(spec: PipelineSpecIr): string {
  const lines = ['# PIPELINE DEFINITION', `# Name: ${spec.pipelineInfo.name}`];
  if (spec.pipelineInfo.description) lines.push(`# Description: ${spec.pipelineInfo.description.split('\n').join('\n#              ')}`);
  for (const [title, iface] of [['Inputs', spec.root.inputDefinitions], ['Outputs', spec.root.outputDefinitions]] as const) {
    if (!iface) continue;
    lines.push(`# ${title}:`);
    const rows: [string, string][] = [];
    for (const [n, p] of Object.entries(iface.parameters ?? {})) {
      let s = `${n}: ${p.parameterType}`;
      if (p.defaultValue !== undefined) s += ` [Default: ${typeof p.defaultValue === 'string' ? `'${p.defaultValue}'` : JSON.stringify(p.defaultValue)}]`;
      rows.push([n, s]);
    }
    for (const [n, a] of Object.entries(iface.artifacts ?? {})) rows.push([n, `${n}: ${a.artifactType.schemaTitle}`]);
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).forEach(([, s]) => lines.push(`#    ${s}`));
  }
  return `${lines.join('\n')}\n`;
}

export function serialize(spec: PipelineSpecIr, format: 'json' | 'yaml'): string {
  return format === 'json' ? toJson(spec) : toYaml(spec, header(spec));
}

export function formatFor(file: string): 'json' | 'yaml' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  throw new Error(`output file '${file}' must end in .json, .yaml or .yml.`);
}

/** Writes atomically: a temporary file in the same folder, then a rename. */
export function writeFileAtomic(file: string, data: string): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Compiles and writes JSON or YAML by the file's extension. */
export function compileToFile(target: unknown, file: string, opts: CompileOptions = {}): PipelineSpecIr {
  const format = formatFor(file);
  const spec = compile(target, opts);
  writeFileAtomic(file, serialize(spec, format));
  return spec;
}

/** For tests: the compiled spec as a plain sorted object (cdk8s `Testing.synth` style). */
export const testing = {
  synth(target: unknown, opts: CompileOptions = {}): PipelineSpecIr {
    return JSON.parse(toJson(compile(target, opts))) as PipelineSpecIr;
  },
};
