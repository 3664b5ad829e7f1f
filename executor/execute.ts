/**
 * Runs one TypeScript component against an ExecutorInput, exactly as inside the component image:
 * typed inputs, output artifacts with their folders made, parameter outputs written to their
 * files and everything recorded in the ExecutorOutput file the launcher reads back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InputArtifact, OutputArtifact, RunContext, TsComponentDef } from '../dsl/component';
import { IR_PARAMETER_TYPE, isArtifactSpec, type ArtifactSpec, type ParamSpec } from '../dsl/types';
import { metricsProblems } from '../dsl/metrics';
import type { ExecutorInputJson, ExecutorOutputJson, JsonValue, RuntimeArtifactJson } from './protocol';
import { uriToPath } from './uri';
import { coerceParam, paramFileText, toJson } from './values';

export interface ExecuteOptions {
  readonly taskName?: string;
  readonly jobName?: string;
  /** Where ctx.log lines go (default: stdout). */
  readonly log?: (message: string) => void;
}

/** A failure of the component's own code or of its declared interface; the CLI exits non-zero with it. */
export class ExecutionError extends Error {
  override name = 'ExecutionError';
}

/** Metrics types whose content is their metadata: the UIs render metadata, no file is needed. */
export const METADATA_ONLY_TYPES = new Set(['system.Metrics', 'system.ClassificationMetrics', 'system.SlicedClassificationMetrics']);

function inputArtifact(name: string, a: RuntimeArtifactJson): InputArtifact {
  return Object.freeze({ name: a.name ?? name, uri: a.uri!, path: uriToPath(a.uri!), metadata: Object.freeze({ ...(a.metadata ?? {}) }) });
}

function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export async function executeComponent(
  component: TsComponentDef,
  ei: ExecutorInputJson,
  opts: ExecuteOptions = {},
): Promise<ExecutorOutputJson> {
  const where = `component '${component.name}'`;
  const params = ei.inputs?.parameterValues ?? {};
  const inArtifacts = ei.inputs?.artifacts ?? {};
  const inputs: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(component.inputs)) {
    if (isArtifactSpec(spec)) {
      const list = inArtifacts[name]?.artifacts ?? [];
      if (spec.isList) inputs[name] = list.map((a) => inputArtifact(name, a));
      else if (list.length > 0) inputs[name] = inputArtifact(name, list[0]!);
      else if (spec.required) throw new ExecutionError(`${where}: input artifact '${name}' is required but the executor input has none.`);
      continue;
    }
    const p = spec as ParamSpec;
    let v: unknown = params[name];
    if (v === undefined || v === null) {
      if (p.hasDefault) v = p.default;
      else if (p.required) throw new ExecutionError(`${where}: input '${name}' is required but the executor input has no value for it.`);
      else continue;
    }
    inputs[name] = coerceParam(v, IR_PARAMETER_TYPE[p.tag], `${where}: input '${name}'`);
  }

  const outArtifacts = ei.outputs?.artifacts ?? {};
  const outParams = ei.outputs?.parameters ?? {};
  const outputs: Record<string, OutputArtifact | OutputArtifact[]> = {};
  const outputList: [string, ArtifactSpec, OutputArtifact[]][] = [];
  for (const [name, spec] of Object.entries(component.outputs)) {
    if (!isArtifactSpec(spec)) {
      if (!outParams[name]) throw new ExecutionError(`${where}: the executor input has no output file for parameter '${name}'.`);
      continue;
    }
    const list = outArtifacts[name]?.artifacts ?? [];
    if (list.length === 0) throw new ExecutionError(`${where}: the executor input has no URI for output artifact '${name}'.`);
    const arts = list.map((a) => {
      const p = uriToPath(a.uri!);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      return { name: a.name ?? name, uri: a.uri!, path: p, metadata: { ...(a.metadata ?? {}) } } as OutputArtifact;
    });
    outputs[name] = spec.isList ? arts : arts[0]!;
    outputList.push([name, spec, arts]);
  }

  const write = opts.log ?? ((m: string) => process.stdout.write(`${m}\n`));
  const log = (m: string): void => void write(String(m));
  const ctx: RunContext = Object.freeze({ taskName: opts.taskName ?? component.name, jobName: opts.jobName ?? '', log });
  let result: unknown;
  try {
    result = await (component.run as (i: unknown, o: unknown, c: RunContext) => unknown)(Object.freeze(inputs), Object.freeze(outputs), ctx);
  } catch (e) {
    const err = e as Error;
    throw new ExecutionError(`${where} failed: ${err?.stack ?? String(e)}`);
  }

  const parameterValues: Record<string, JsonValue> = {};
  const declared = Object.entries(component.outputs).filter(([, s]) => !isArtifactSpec(s)) as [string, ParamSpec][];
  const returned = result === undefined || result === null ? {} : result;
  if (typeof returned !== 'object' || Array.isArray(returned)) {
    throw new ExecutionError(`${where}: run() must return an object of parameter outputs (or nothing); it returned ${typeof returned}.`);
  }
  for (const key of Object.keys(returned)) {
    if (!declared.some(([n]) => n === key)) {
      throw new ExecutionError(`${where}: run() returned '${key}', which is not a declared parameter output (${declared.map(([n]) => n).join(', ') || 'none'}).`);
    }
  }
  for (const [name, spec] of declared) {
    const v = (returned as Record<string, unknown>)[name];
    if (v === undefined) throw new ExecutionError(`${where}: run() returned no value for output '${name}'.`);
    parameterValues[name] = coerceParam(v, IR_PARAMETER_TYPE[spec.tag], `${where}: output '${name}'`);
  }

  const artifactsOut: Record<string, { artifacts: RuntimeArtifactJson[] }> = {};
  for (const [name, spec, arts] of outputList) {
    for (const a of arts) {
      const metadata = toJson(a.metadata, `${where}: output '${name}' metadata`) as Record<string, JsonValue>;
      const problems = metricsProblems(spec.schemaTitle, metadata);
      if (problems.length) throw new ExecutionError(`${where}: output '${name}' (${spec.schemaTitle}): ${problems.join('; ')}.`);
      // Metrics live in metadata; a copy at the path makes them readable where the artifact lives.
      if (METADATA_ONLY_TYPES.has(spec.schemaTitle) && !fs.existsSync(a.path)) writeAtomic(a.path, `${JSON.stringify(metadata, null, 2)}\n`);
    }
    artifactsOut[name] = {
      artifacts: arts.map((a) => ({
        name: a.name,
        uri: a.uri,
        metadata: toJson(a.metadata, `${where}: output '${name}' metadata`) as Record<string, JsonValue>,
      })),
    };
  }

  for (const [name, value] of Object.entries(parameterValues)) writeAtomic(outParams[name]!.outputFile, paramFileText(value));
  const out: ExecutorOutputJson = { parameterValues, artifacts: artifactsOut };
  if (ei.outputs?.outputFile) writeAtomic(ei.outputs.outputFile, JSON.stringify(out));
  return out;
}
