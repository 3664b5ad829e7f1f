import { KIND } from './symbols';
import type { ParamSpec, ValueOf, ValueTag } from './types';

interface ParamOptions<V> {
  /** Value used when the caller passes nothing. Makes the input optional. */
  default?: V;
  /** Optional with no default: the component sees the input as absent. */
  optional?: boolean;
  description?: string;
}

/** Required unless it has a default or is marked optional: drives which args tsc demands. */
type IsRequired<O> = O extends { default: unknown } ? false : O extends { optional: true } ? false : true;
type HasDefault<O> = O extends { default: unknown } ? true : false;

function make<T extends ValueTag>(tag: T, opts: ParamOptions<unknown> | undefined, element?: ParamSpec): ParamSpec<T> {
  const o = opts ?? {};
  const hasDefault = o.default !== undefined;
  if (hasDefault && o.optional === false) {
    throw new Error(`A ${tag} parameter has a default but is marked optional: false. Remove one of the two.`);
  }
  return Object.freeze({
    [KIND]: 'param-spec' as const,
    tag,
    required: !(hasDefault || o.optional === true),
    default: o.default,
    hasDefault,
    optional: hasDefault || o.optional === true,
    description: o.description,
    element,
  }) as ParamSpec<T>;
}

export function string<const O extends ParamOptions<string> = {}>(opts?: O): ParamSpec<'string', IsRequired<O>, unknown, unknown, HasDefault<O>> {
  return make('string', opts) as never;
}
export function int<const O extends ParamOptions<number> = {}>(opts?: O): ParamSpec<'int', IsRequired<O>, unknown, unknown, HasDefault<O>> {
  if (opts?.default !== undefined && !Number.isInteger(opts.default)) {
    throw new Error(`dsl.int(): default ${opts.default} is not an integer. Use dsl.double() for fractional values.`);
  }
  return make('int', opts) as never;
}
export function double<const O extends ParamOptions<number> = {}>(opts?: O): ParamSpec<'double', IsRequired<O>, unknown, unknown, HasDefault<O>> {
  return make('double', opts) as never;
}
export function bool<const O extends ParamOptions<boolean> = {}>(opts?: O): ParamSpec<'bool', IsRequired<O>, unknown, unknown, HasDefault<O>> {
  return make('bool', opts) as never;
}

type ElementOf<P> = P extends ParamSpec<infer T, boolean, infer E, infer S> ? (T extends 'list' ? E[] : T extends 'struct' ? S : ValueOf<T>) : unknown;

/**
 * A list parameter. Pass the element type (`dsl.list(dsl.string())`) so loops over it get typed
 * items; an untyped list's items are strings, as in KFP.
 */
export function list<P extends ParamSpec | undefined = undefined, const O extends ParamOptions<unknown[]> = {}>(
  element?: P,
  opts?: O,
): ParamSpec<'list', IsRequired<O>, P extends ParamSpec ? ElementOf<P> : unknown, unknown, HasDefault<O>> {
  return make('list', opts, element) as never;
}

/** A struct (JSON object) parameter. The type argument types loop-item fields: `dsl.struct<{ a: string }>()`. */
export function struct<S extends Record<string, unknown> = Record<string, unknown>, const O extends ParamOptions<S> = {}>(
  opts?: O,
): ParamSpec<'struct', IsRequired<O>, unknown, S, HasDefault<O>> {
  return make('struct', opts) as never;
}

/**
 * The final status of the task group an exit handler guards (KFP `PipelineTaskFinalStatus`).
 * The compiler fills it in; callers never pass it.
 */
export function taskFinalStatus(opts?: { description?: string }): ParamSpec<'status', false> {
  return make('status', { optional: true, description: opts?.description }) as ParamSpec<'status', false>;
}
