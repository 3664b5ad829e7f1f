/**
 * Run-time twin of the tsc checks on task arguments, for JavaScript callers and casts: every
 * mistake becomes a gathered build error with the task's path, never a silent miswiring.
 */
import { isArtifactSpec, type InputsSpec, type IoSpec } from './types';
import { isChannel } from './graph';
import { isTemplate } from './template';
import { describeIo, ioTypeOf } from './io';

const PARAM_COMPAT: Record<string, readonly string[]> = {
  STRING: ['STRING'],
  NUMBER_INTEGER: ['NUMBER_INTEGER'],
  NUMBER_DOUBLE: ['NUMBER_DOUBLE', 'NUMBER_INTEGER'],
  BOOLEAN: ['BOOLEAN'],
  LIST: ['LIST'],
  STRUCT: ['STRUCT'],
};

function literalMatches(spec: IoSpec, value: unknown): boolean {
  if (isArtifactSpec(spec)) return false;
  switch (spec.tag) {
    case 'string':
      return typeof value === 'string' || isTemplate(value);
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'double':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'list':
      return Array.isArray(value);
    case 'struct':
      return typeof value === 'object' && value !== null && !Array.isArray(value) && !isTemplate(value) && !isChannel(value);
    default:
      return false;
  }
}

/** Returns one message per problem; empty when the arguments fit the inputs. */
export function checkArgs(componentName: string, inputs: InputsSpec, args: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(args)) {
    if (!(name in inputs)) {
      const known = Object.keys(inputs).join(', ') || '(none)';
      problems.push(`unknown input '${name}' for component '${componentName}'. Its inputs are: ${known}.`);
    }
  }
  for (const [name, spec] of Object.entries(inputs)) {
    const value = args[name];
    if (!isArtifactSpec(spec) && spec.tag === 'status') {
      if (value !== undefined) problems.push(`input '${name}' is a task final status: the compiler fills it in; do not pass it.`);
      continue;
    }
    if (value === undefined) {
      if (spec.required) {
        problems.push(`missing required input '${name}' (${describeIo(ioTypeOf(spec))}) of component '${componentName}'. Pass it, or give the input a default.`);
      }
      continue;
    }
    const want = ioTypeOf(spec);
    if (isChannel(value)) {
      const got = value.io;
      if (want.kind === 'artifact') {
        if (got.kind !== 'artifact') {
          problems.push(`input '${name}' expects an artifact (${describeIo(want)}) but got ${value.describe()}, a parameter (${describeIo(got)}).`);
        } else if ((want.schemaTitle !== 'system.Artifact' && want.schemaTitle !== got.schemaTitle) || want.isList !== got.isList) {
          problems.push(`input '${name}' expects ${describeIo(want)} but got ${value.describe()} of type ${describeIo(got)}.`);
        }
      } else if (got.kind === 'artifact') {
        problems.push(`input '${name}' expects a parameter (${want.irType}) but got ${value.describe()}, an artifact (${describeIo(got)}). Pass an artifact to an artifact input.`);
      } else if (!PARAM_COMPAT[want.irType]!.includes(got.irType) && !(value.ref.type === 'loop-item' || value.ref.type === 'loop-subvar')) {
        problems.push(`input '${name}' expects ${want.irType} but got ${value.describe()} of type ${got.irType}.`);
      }
      continue;
    }
    if (want.kind === 'artifact') {
      problems.push(`input '${name}' expects an artifact (${describeIo(want)}); pass a task's artifact output or an importer's, not a constant.`);
    } else if (!literalMatches(spec, value)) {
      problems.push(`input '${name}' expects ${want.irType} but got the constant ${JSON.stringify(value) ?? String(value)}.`);
    }
  }
  return problems;
}
