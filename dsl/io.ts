import { IR_PARAMETER_TYPE, isArtifactSpec, type IoSpec, type IrParameterType } from './types';

/** The run-time type of a channel: what the compiler needs to declare it in a DAG's interface. */
export type IoType =
  | { readonly kind: 'param'; readonly irType: IrParameterType; readonly element?: IoType }
  | { readonly kind: 'artifact'; readonly schemaTitle: string; readonly schemaVersion: string; readonly isList: boolean };

export function ioTypeOf(spec: IoSpec): IoType {
  if (isArtifactSpec(spec)) {
    return { kind: 'artifact', schemaTitle: spec.schemaTitle, schemaVersion: spec.schemaVersion, isList: spec.isList };
  }
  return {
    kind: 'param',
    irType: IR_PARAMETER_TYPE[spec.tag],
    element: spec.element ? ioTypeOf(spec.element) : undefined,
  };
}

export function describeIo(io: IoType): string {
  return io.kind === 'param' ? io.irType : `${io.schemaTitle}${io.isList ? '[]' : ''}`;
}

/** IR type of a JSON value, as KFP infers it from a Python value. */
export function irTypeOfValue(value: unknown): IrParameterType {
  if (typeof value === 'string') return 'STRING';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return Number.isInteger(value) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE';
  if (Array.isArray(value)) return 'LIST';
  if (value !== null && typeof value === 'object') return 'STRUCT';
  throw new Error(`Unsupported constant ${String(value)}: parameters take strings, numbers, booleans, lists and objects.`);
}
