/**
 * Runs one TypeScript component in this process, the way the executor would inside its image:
 * handy in unit tests (`const r = await runComponent(train, { rows: 10 })`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TsComponentDef } from '../dsl/component';
import { isArtifactSpec, type ArtifactSpec } from '../dsl/types';
import { executeComponent, type ExecuteOptions } from './execute';
import type { ExecutorInputJson, JsonValue, RuntimeArtifactJson } from './protocol';

/** An input artifact: a local path, or its uri (local path or gs://…) with optional metadata. */
export type ArtifactArg = string | { readonly path?: string; readonly uri?: string; readonly metadata?: Record<string, JsonValue> };

export interface RunComponentOptions extends ExecuteOptions {
  /** Folder for outputs (default: a new temporary folder). */
  readonly outputDir?: string;
}

export interface ComponentResult {
  /** Parameter outputs, by name. */
  readonly outputs: Record<string, JsonValue>;
  /** Output artifacts, by name (lists for list outputs). Metadata is JSON, loosely typed for tests' convenience. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly artifacts: Record<string, { uri: string; path: string; metadata: Record<string, any> }>;
  readonly outputDir: string;
}

function toRuntime(name: string, spec: ArtifactSpec, arg: ArtifactArg): RuntimeArtifactJson {
  const a = typeof arg === 'string' ? { path: arg } : arg;
  const uri = a.uri ?? (a.path ? path.resolve(a.path) : undefined);
  if (!uri) throw new Error(`runComponent: input artifact '${name}' needs a path or a uri.`);
  return { name, uri, type: { schemaTitle: spec.schemaTitle, schemaVersion: spec.schemaVersion }, metadata: a.metadata ?? {} };
}

export async function runComponent(
  component: { readonly type: 'typescript'; readonly name: string },
  args: Record<string, unknown> = {},
  opts: RunComponentOptions = {},
): Promise<ComponentResult> {
  const c = component as unknown as TsComponentDef;
  if (c?.type !== 'typescript' || typeof c.run !== 'function') throw new TypeError('runComponent() takes a component made with dsl.component().');
  const outputDir = opts.outputDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `duckml-${c.name}-`));
  const ei: ExecutorInputJson = { inputs: { parameterValues: {}, artifacts: {} }, outputs: { parameters: {}, artifacts: {}, outputFile: path.join(outputDir, 'executor_output.json') } };
  for (const [name, value] of Object.entries(args)) {
    const spec = c.inputs[name];
    if (!spec) throw new Error(`runComponent('${c.name}'): no input named '${name}'. Inputs: ${Object.keys(c.inputs).join(', ') || '(none)'}.`);
    if (value === undefined) continue;
    if (isArtifactSpec(spec)) {
      const list = spec.isList ? (value as ArtifactArg[]) : [value as ArtifactArg];
      ei.inputs!.artifacts![name] = { artifacts: list.map((v) => toRuntime(name, spec, v)) };
    } else {
      ei.inputs!.parameterValues![name] = value as JsonValue;
    }
  }
  for (const [name, spec] of Object.entries(c.outputs)) {
    if (isArtifactSpec(spec)) {
      ei.outputs!.artifacts![name] = {
        artifacts: [{ name, uri: path.join(outputDir, name), type: { schemaTitle: spec.schemaTitle, schemaVersion: spec.schemaVersion }, metadata: {} }],
      };
    } else {
      ei.outputs!.parameters![name] = { outputFile: path.join(outputDir, '.params', name) };
    }
  }
  const out = await executeComponent(c, ei, opts);
  const artifacts: ComponentResult['artifacts'] = {};
  for (const [name, list] of Object.entries(out.artifacts ?? {})) {
    const arts = (list.artifacts ?? []).map((a) => ({ uri: a.uri!, path: a.uri!, metadata: (a.metadata ?? {}) as Record<string, JsonValue> }));
    const spec = c.outputs[name] as ArtifactSpec;
    (artifacts as Record<string, unknown>)[name] = spec.isList ? arts : arts[0];
  }
  return { outputs: out.parameterValues ?? {}, artifacts, outputDir };
}
