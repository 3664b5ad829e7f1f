/**
 * Loads what a command was pointed at: a pipeline file (.ts/.js, exports a dsl.pipeline or a
 * component) or an already compiled spec (.json/.yaml).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isComponent } from '../dsl/component';
import { compile, CompileError, type CompileOptions, type PipelineSpecIr } from '../compiler';
import { CliError, EXIT } from './exit-codes';
import { typecheckFile } from './typecheck';

export interface Loaded {
  readonly spec: PipelineSpecIr;
  /** The export that was compiled, when loaded from source. */
  readonly exportName?: string;
  readonly source: 'module' | 'spec';
}

const SPEC_EXT = new Set(['.json', '.yaml', '.yml']);
const MODULE_EXT = new Set(['.ts', '.mts', '.cts', '.js', '.cjs', '.mjs']);

export function readSpecFile(file: string): PipelineSpecIr {
  let doc: unknown;
  try {
    const text = fs.readFileSync(file, 'utf8');
    // KFP writes a second YAML document (PlatformSpec) when platform features are used; the first is the PipelineSpec.
    if (file.endsWith('.json')) doc = JSON.parse(text);
    else {
      const first = Array.from(parseAllDocuments(text))[0];
      if (first?.errors.length) throw first.errors[0];
      doc = first?.toJS();
    }
  } catch (e) {
    throw new CliError(`${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`, EXIT.usage);
  }
  const spec = doc as Partial<PipelineSpecIr> | null;
  if (!spec || typeof spec !== 'object' || !spec.pipelineInfo || !spec.root || !spec.schemaVersion) {
    throw new CliError(`${file} is not a PipelineSpec: it needs pipelineInfo, root and schemaVersion. Compile a pipeline with 'duckml compile' first.`, EXIT.usage);
  }
  return spec as PipelineSpecIr;
}

function requireModule(file: string): Record<string, unknown> {
  require('./register.js');
  try {
    return require(file) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error & { errors?: { text: string; location?: { line: number; column: number } }[] };
    if (err.errors?.length) {
      const lines = err.errors.map((x) => `${file}:${x.location?.line ?? '?'}:${x.location?.column ?? '?'}: ${x.text}`);
      throw new CliError(`syntax error:\n${lines.join('\n')}`, EXIT.compile);
    }
    throw new CliError(`${file} failed while loading: ${err.stack ?? err.message}`, EXIT.compile);
  }
}

/** Picks the pipeline to compile from a module's exports. */
export function pickExport(mod: Record<string, unknown>, file: string, exportName?: string): [string, unknown] {
  if (exportName) {
    if (!(exportName in mod)) {
      throw new CliError(`${file} has no export named '${exportName}'. Exports: ${Object.keys(mod).sort().join(', ') || '(none)'}.`, EXIT.usage);
    }
    const v = mod[exportName];
    if (!isComponent(v)) throw new CliError(`export '${exportName}' of ${file} is not a pipeline or component.`, EXIT.usage);
    return [exportName, v];
  }
  if (isComponent(mod.default)) return ['default', mod.default];
  const pipelines = Object.entries(mod).filter(([, v]) => isComponent(v) && (v as { type: string }).type === 'pipeline');
  if (pipelines.length === 1) return pipelines[0]!;
  if (pipelines.length === 0) {
    const comps = Object.entries(mod).filter(([, v]) => isComponent(v));
    if (comps.length === 1) return comps[0]!;
    throw new CliError(`${file} exports no pipeline. Export one made with dsl.pipeline(...), or name it with --export.`, EXIT.usage);
  }
  throw new CliError(
    `${file} exports several pipelines (${pipelines.map(([n]) => n).join(', ')}); choose one with --export NAME.`,
    EXIT.usage,
  );
}

export interface LoadOptions extends CompileOptions {
  exportName?: string;
  /** Run tsc's checks on a .ts file first (default true). */
  typecheck?: boolean;
}

export async function loadPipeline(fileArg: string, opts: LoadOptions = {}): Promise<Loaded> {
  const file = path.resolve(fileArg);
  if (!fs.existsSync(file)) throw new CliError(`${fileArg}: no such file.`, EXIT.usage);
  const ext = path.extname(file).toLowerCase();
  if (SPEC_EXT.has(ext)) return { spec: readSpecFile(file), source: 'spec' };
  if (!MODULE_EXT.has(ext)) {
    throw new CliError(`${fileArg}: expected a pipeline file (.ts, .js) or a compiled spec (.json, .yaml).`, EXIT.usage);
  }
  const typecheck = opts.typecheck !== false && /\.[mc]?ts$/.test(ext) ? typecheckFile(file) : undefined;
  const mod = requireModule(file);
  const [exportName, target] = pickExport(mod, fileArg, opts.exportName);
  if (typecheck) {
    const diagnostics = await typecheck;
    if (diagnostics.length) throw new CliError(`type errors:\n${diagnostics.join('\n')}`, EXIT.compile);
  }
  try {
    return { spec: compile(target, opts), exportName, source: 'module' };
  } catch (e) {
    if (e instanceof CompileError) throw new CliError(e.message, EXIT.compile);
    throw e;
  }
}
