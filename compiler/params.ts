/**
 * Pipeline parameter values given on a command line (`--param k=v`), typed by the spec's root
 * inputs: `3` for an int, `true` for a bool, JSON for lists and structs. Shared by compile, run and submit.
 */
import type { ParameterSpecIr, PipelineSpecIr } from './ir';

export class ParamError extends Error {
  override name = 'ParamError';
}

export function splitParamArg(arg: string): [string, string] {
  const i = arg.indexOf('=');
  if (i <= 0) throw new ParamError(`--param '${arg}' must look like name=value.`);
  return [arg.slice(0, i), arg.slice(i + 1)];
}

export function parseParamValue(name: string, raw: string, spec: ParameterSpecIr): unknown {
  const type = spec.parameterType;
  const bad = (what: string) => new ParamError(`parameter '${name}' is ${type}: '${raw}' is not ${what}.`);
  switch (type) {
    case 'STRING':
      return raw;
    case 'NUMBER_INTEGER': {
      if (!/^[-+]?\d+$/.test(raw.trim())) throw bad('an integer');
      return Number(raw);
    }
    case 'NUMBER_DOUBLE': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw bad('a number');
      return n;
    }
    case 'BOOLEAN': {
      const v = raw.trim().toLowerCase();
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      throw bad('true or false');
    }
    case 'LIST':
    case 'STRUCT': {
      let v: unknown;
      try {
        v = JSON.parse(raw);
      } catch {
        throw bad(`valid JSON (${type === 'LIST' ? 'e.g. ["a","b"]' : 'e.g. {"k":1}'})`);
      }
      if (type === 'LIST' && !Array.isArray(v)) throw bad('a JSON list');
      if (type === 'STRUCT' && (v === null || typeof v !== 'object' || Array.isArray(v))) throw bad('a JSON object');
      return v;
    }
    default:
      throw new ParamError(`parameter '${name}' has type ${type}, which cannot be given on the command line.`);
  }
}

/** Typed values for `name=value` strings; every problem is reported at once. */
export function parseParams(spec: PipelineSpecIr, args: readonly string[]): Record<string, unknown> {
  const defs = spec.root.inputDefinitions?.parameters ?? {};
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const arg of args) {
    try {
      const [name, raw] = splitParamArg(arg);
      const def = defs[name];
      if (!def) {
        problems.push(`unknown parameter '${name}'. Parameters of '${spec.pipelineInfo.name}': ${Object.keys(defs).join(', ') || '(none)'}.`);
        continue;
      }
      out[name] = parseParamValue(name, raw, def);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length) throw new ParamError(problems.join('\n'));
  return out;
}

/** Names of root parameters that have neither a default nor a value. */
export function missingRequired(spec: PipelineSpecIr, values: Readonly<Record<string, unknown>>): string[] {
  const defs = spec.root.inputDefinitions?.parameters ?? {};
  return Object.entries(defs)
    .filter(([k, d]) => !d.isOptional && d.defaultValue === undefined && !(k in values))
    .map(([k]) => k);
}
