import { KIND } from './symbols';

/** The value kinds of KFP parameters, as duckml names them in types. */
export type ValueTag = 'string' | 'int' | 'double' | 'bool' | 'list' | 'struct' | 'status';

/** IR `ParameterType` enum names. */
export type IrParameterType =
  | 'STRING'
  | 'NUMBER_INTEGER'
  | 'NUMBER_DOUBLE'
  | 'BOOLEAN'
  | 'LIST'
  | 'STRUCT'
  | 'TASK_FINAL_STATUS';

export const IR_PARAMETER_TYPE: Record<ValueTag, IrParameterType> = {
  string: 'STRING',
  int: 'NUMBER_INTEGER',
  double: 'NUMBER_DOUBLE',
  bool: 'BOOLEAN',
  list: 'LIST',
  struct: 'STRUCT',
  status: 'TASK_FINAL_STATUS',
};

/** The TypeScript value a tag stands for. */
export interface TaskFinalStatus {
  state: string;
  pipelineJobResourceName: string;
  pipelineTaskName: string;
  error: { code?: number; message?: string };
}
export type ValueOf<T extends ValueTag, E = unknown, S = Record<string, unknown>> = T extends 'string'
  ? string
  : T extends 'int' | 'double'
    ? number
    : T extends 'bool'
      ? boolean
      : T extends 'list'
        ? E[]
        : T extends 'struct'
          ? S
          : T extends 'status'
            ? TaskFinalStatus
            : never;

/**
 * A parameter's declared type. `T` is the value tag, `E` the element type of a list,
 * `S` the shape of a struct, `R` whether a caller must pass it (no default, not optional).
 */
export interface ParamSpec<T extends ValueTag = ValueTag, R extends boolean = boolean, E = unknown, S = unknown, D extends boolean = boolean> {
  readonly [KIND]: 'param-spec';
  readonly tag: T;
  readonly required: R;
  readonly default?: unknown;
  readonly hasDefault: D;
  readonly optional: boolean;
  readonly description?: string;
  /** Element spec of a typed list, used for loop item types. */
  readonly element?: ParamSpec;
  /** Phantom: the element type of a list or the shape of a struct. */
  readonly __types?: { element: E; shape: S };
}

/** An artifact's declared type: `schemaTitle` and `schemaVersion` as in KFP's type registry. */
export interface ArtifactSpec<Title extends string = string, IsList extends boolean = boolean, R extends boolean = boolean> {
  readonly [KIND]: 'artifact-spec';
  readonly schemaTitle: Title;
  readonly schemaVersion: string;
  readonly isList: IsList;
  readonly required: R;
  readonly isOptional: boolean;
  readonly description?: string;
}

export type IoSpec = ParamSpec | ArtifactSpec;
export type InputsSpec = Record<string, IoSpec>;
export type OutputsSpec = Record<string, ParamSpec | ArtifactSpec>;

export function isParamSpec(v: unknown): v is ParamSpec {
  return typeof v === 'object' && v !== null && (v as ParamSpec)[KIND] === 'param-spec';
}
export function isArtifactSpec(v: unknown): v is ArtifactSpec {
  return typeof v === 'object' && v !== null && (v as ArtifactSpec)[KIND] === 'artifact-spec';
}
