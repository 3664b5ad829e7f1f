/**
 * Compile-time types of references (zod/tRPC style): a ref carries the type of the value it
 * stands for, and component inputs are remapped into required / optional argument keys, so wiring
 * mistakes are tsc errors. Nothing here exists at run time except as a type.
 */
import type { PHANTOM } from './symbols';
import type { ArtifactSpec, InputsSpec, OutputsSpec, ParamSpec, ValueTag } from './types';

/** Value tags of refs: parameter tags plus 'number' (a numeric loop item: fits int and double). */
export type RefTag = ValueTag | 'number';

/** A reference to a parameter value produced at run time. */
export interface ParamRef<T extends RefTag = RefTag, E = unknown, S = unknown> {
  readonly [PHANTOM]: { readonly tag: T; readonly element: E; readonly shape: S };
  eq(other: Operand<T>): Condition;
  ne(other: Operand<T>): Condition;
  lt(other: Operand<T>): Condition;
  le(other: Operand<T>): Condition;
  gt(other: Operand<T>): Condition;
  ge(other: Operand<T>): Condition;
}

/** A loop item over structs: `item.field('name')` reads one field (KFP `item.name`). */
export interface StructItemRef<S> extends ParamRef<'struct', unknown, S> {
  field<K extends keyof S & string>(name: K): ParamRef<TagOfValue<S[K]>>;
}

/**
 * An item of an untyped list (a list output declared without an element type, or loaded from a
 * component file): a string to KFP, yet its fields can be read as on any loop item. Field types are
 * unknown until run time, so they fit any parameter input.
 */
export interface UntypedItemRef extends ParamRef<'string'> {
  field(name: string): ParamRef<any>;
}

/** A reference to an artifact (or a list of artifacts) produced at run time. */
export interface ArtifactRef<Title extends string = string, IsList extends boolean = boolean> {
  readonly [PHANTOM]: { readonly artifact: Title; readonly list: IsList };
}

export type AnyRef = ParamRef<any, any, any> | ArtifactRef<any, any>;

/** A condition on refs, built with `ref.eq(…)` etc. A plain boolean is not a Condition. */
export interface Condition {
  readonly [PHANTOM]: 'condition';
}

type NumberTags = 'int' | 'double' | 'number';
export type Operand<T extends RefTag> = T extends 'string'
  ? string | ParamRef<'string'>
  : T extends NumberTags
    ? number | ParamRef<NumberTags>
    : T extends 'bool'
      ? boolean | ParamRef<'bool'>
      : never;

export type TagOfValue<V> = V extends string
  ? 'string'
  : V extends number
    ? 'number'
    : V extends boolean
      ? 'bool'
      : V extends readonly unknown[]
        ? 'list'
        : V extends object
          ? 'struct'
          : RefTag;

/** A `dsl.fmt` template: a string assembled at run time from refs. */
export interface Template {
  readonly [PHANTOM]: 'template';
}

/** What a caller may pass for an input of the given spec. */
export type ArgFor<S> =
  S extends ParamSpec<infer T, boolean, infer E, infer Sh>
    ? T extends 'string'
      ? string | ParamRef<'string'> | Template
      : T extends 'int'
        ? number | ParamRef<'int' | 'number'>
        : T extends 'double'
          ? number | ParamRef<NumberTags>
          : T extends 'bool'
            ? boolean | ParamRef<'bool'>
            : T extends 'list'
              ? readonly unknown[] | ParamRef<'list'>
              : T extends 'struct'
                ? (unknown extends Sh ? Record<string, unknown> : Sh) | ParamRef<'struct'>
                : E extends never ? never : never
    : S extends ArtifactSpec<infer Title, infer L>
      ? ArtifactRef<Title extends 'system.Artifact' ? string : Title, L>
      : never;

type IsStatus<S> = S extends ParamSpec<'status'> ? true : false;
type IsRequiredSpec<S> = S extends { readonly required: true } ? true : false;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** `{}` accepts any object in TypeScript; a component without inputs must reject every key. */
type NoExtraKeys<T> = keyof T extends never ? Record<string, never> : T;

/** Component inputs remapped to call arguments: required keys, then optional ones; status inputs are filled by the compiler. */
export type InputArgs<I extends InputsSpec> = NoExtraKeys<Simplify<
  {
    [K in keyof I as IsStatus<I[K]> extends true ? never : IsRequiredSpec<I[K]> extends true ? K : never]: ArgFor<I[K]>;
  } & {
    [K in keyof I as IsStatus<I[K]> extends true ? never : IsRequiredSpec<I[K]> extends true ? never : K]?: ArgFor<I[K]>;
  }
>>;

/** The refs a task exposes for a component's declared outputs. */
export type OutputRefs<O extends OutputsSpec> = {
  readonly [K in keyof O]: O[K] extends ParamSpec<infer T, boolean, infer E, infer S>
    ? ParamRef<T, E, S>
    : O[K] extends ArtifactSpec<infer Title, infer L>
      ? ArtifactRef<Title, L>
      : never;
};

/** Pipeline parameters as refs inside the pipeline body. */
export type ParamRefs<I extends InputsSpec> = OutputRefs<I>;

/** The fan-in of refs produced inside a loop. */
export type Collected<R> = {
  readonly [K in keyof R]: R[K] extends ParamRef<any, any, any>
    ? ParamRef<'list'>
    : R[K] extends ArtifactRef<infer T, boolean>
      ? ArtifactRef<T, true>
      : never;
};

/** Keys returned by every branch of an if/elif/else chain, merged (KFP OneOf). */
export type CommonOutputs<A, B> = { readonly [K in keyof A & keyof B]: A[K] | B[K] };

export type RefRecord = Readonly<Record<string, AnyRef>>;
