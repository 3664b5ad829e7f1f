/**
 * Components: the unit a task runs. Container components name an image and a command line;
 * TypeScript components carry a function that duckml's executor runs inside duckml's image;
 * pipelines (dsl/pipeline.ts) are components too.
 */
import { KIND, type PHANTOM } from './symbols';
import { isArtifactSpec, isParamSpec, type ArtifactSpec, type InputsSpec, type OutputsSpec, type ParamSpec, type ValueOf } from './types';
import { concat, ifPresent, placeholder, type CommandLineElement } from './placeholders';
import type { OutputRefs, RefRecord } from './refs';
import type { Graph } from './graph';
import { findCallerModule } from './caller';

/** Fields every component has at run time. */
export interface ComponentCore {
  readonly [KIND]: 'component' | 'pipeline';
  /** The component name; task keys and `comp-…` names derive from it. */
  readonly name: string;
  readonly description?: string;
  readonly inputs: InputsSpec;
}

export interface ContainerSpecDef {
  readonly image: string;
  readonly command?: readonly CommandLineElement[];
  readonly args?: readonly CommandLineElement[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface ContainerComponentDef extends ComponentCore {
  readonly [KIND]: 'component';
  readonly type: 'container';
  readonly outputs: OutputsSpec;
  readonly container: ContainerSpecDef;
}

export interface TsComponentDef extends ComponentCore {
  readonly [KIND]: 'component';
  readonly type: 'typescript';
  readonly outputs: OutputsSpec;
  /** Image override; otherwise the compile option / project default duckml image. */
  readonly image?: string;
  /** Module that defines it, relative to the project root (the executor loads it). */
  readonly module: string;
  readonly run: TsRunFunction;
}

export interface ImporterComponentDef extends ComponentCore {
  readonly [KIND]: 'component';
  readonly type: 'importer';
  readonly outputs: OutputsSpec;
  readonly artifactType: ArtifactSpec;
  readonly reimport: boolean;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** A pipeline's run-time side; its typed face is `Pipeline<I, R>` in dsl/pipeline.ts. */
export interface PipelineDef extends ComponentCore {
  readonly [KIND]: 'pipeline';
  readonly type: 'pipeline';
  readonly displayName?: string;
  readonly pipelineRoot?: string;
  /** Builds a fresh tree (each compile builds anew, so output is deterministic). */
  build(): BuiltPipeline;
}
export interface BuiltPipeline {
  readonly graph: Graph;
  /** Output name → channel, in declaration order. */
  readonly outputs: Readonly<Record<string, import('./graph').Channel>>;
}

export type AnyComponent = ContainerComponentDef | TsComponentDef | ImporterComponentDef | PipelineDef;

/** The typed face of a component: inputs spec and output refs, checked by tsc at each call. */
export interface Component<I extends InputsSpec, O extends RefRecord> extends ComponentCore {
  readonly inputs: I;
  readonly [PHANTOM]: { readonly outputs: O };
}

export function isComponent(v: unknown): v is AnyComponent {
  const k = (v as { [KIND]?: unknown } | null)?.[KIND];
  return k === 'component' || k === 'pipeline';
}

// ---------------------------------------------------------------- container components

type InputPlaceholders<I extends InputsSpec> = {
  readonly [K in keyof I]: I[K] extends ArtifactSpec<string, true>
    ? string
    : I[K] extends ArtifactSpec
      ? { readonly path: string; readonly uri: string; readonly metadata: string }
      : string;
};
type OutputPlaceholders<O extends OutputsSpec> = {
  readonly [K in keyof O]: O[K] extends ArtifactSpec<string, true>
    ? string
    : O[K] extends ArtifactSpec
      ? { readonly path: string; readonly uri: string; readonly metadata: string }
      : string;
};

/** What `command`/`args` builders receive: placeholders for every input and output. */
export interface ContainerIo<I extends InputsSpec, O extends OutputsSpec> {
  readonly inputs: InputPlaceholders<I>;
  readonly outputs: OutputPlaceholders<O>;
  /** The whole executor input JSON (`{{$}}`). */
  readonly executorInput: string;
  concat(items: readonly CommandLineElement[]): CommandLineElement;
  /** `then` when the optional input was passed, otherwise `otherwise`. */
  ifPresent(
    inputName: keyof I & string,
    then: CommandLineElement | readonly CommandLineElement[],
    otherwise?: CommandLineElement | readonly CommandLineElement[],
  ): CommandLineElement;
}

type CommandLine<I extends InputsSpec, O extends OutputsSpec> =
  | readonly CommandLineElement[]
  | ((io: ContainerIo<I, O>) => readonly CommandLineElement[]);

export interface ContainerComponentOptions<I extends InputsSpec, O extends OutputsSpec> {
  name: string;
  description?: string;
  image: string;
  inputs?: I;
  outputs?: O;
  command?: CommandLine<I, O>;
  args?: CommandLine<I, O>;
  env?: Readonly<Record<string, string>>;
}

/** Placeholder strings for one side (inputs or outputs) of a component's interface. */
function sidePlaceholders(side: 'inputs' | 'outputs', specs: InputsSpec | OutputsSpec): Record<string, unknown> {
  const artifact = (name: string, field: string) => `{{$.${side}.artifacts['${name}']${field}}}`;
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (isArtifactSpec(spec)) {
      out[name] = spec.isList
        ? artifact(name, '')
        : { path: artifact(name, '.path'), uri: artifact(name, '.uri'), metadata: artifact(name, '.metadata') };
    } else {
      out[name] = side === 'inputs' ? placeholder.inputValue(name) : placeholder.outputParameter(name);
    }
  }
  return out;
}

function ioPlaceholders(inputs: InputsSpec, outputs: OutputsSpec): ContainerIo<InputsSpec, OutputsSpec> {
  const ins = sidePlaceholders('inputs', inputs);
  const outs = sidePlaceholders('outputs', outputs);
  return {
    inputs: ins as never,
    outputs: outs as never,
    executorInput: placeholder.executorInput,
    concat,
    ifPresent: (name, then, otherwise) => {
      if (!(name in inputs)) {
        throw new Error(`ifPresent('${name}'): no input named '${name}'. Inputs: ${Object.keys(inputs).join(', ') || '(none)'}.`);
      }
      return ifPresent(name, then, otherwise);
    },
  };
}

function checkSpecs(where: string, inputs: InputsSpec, outputs: OutputsSpec): void {
  for (const [k, v] of Object.entries(inputs)) {
    if (!isParamSpec(v) && !isArtifactSpec(v)) {
      throw new Error(`${where}: input '${k}' is not a type. Use dsl.string(), dsl.int(), … or an artifact type such as dsl.Dataset.`);
    }
  }
  for (const [k, v] of Object.entries(outputs)) {
    if (!isParamSpec(v) && !isArtifactSpec(v)) {
      throw new Error(`${where}: output '${k}' is not a type. Use dsl.string(), dsl.int(), … or an artifact type such as dsl.Model.`);
    }
    if (isParamSpec(v) && v.tag === 'status') throw new Error(`${where}: output '${k}' cannot be a task final status.`);
  }
  for (const k of Object.keys(outputs)) {
    if (k in inputs) throw new Error(`${where}: '${k}' is both an input and an output; give them different names.`);
  }
  for (const k of [...Object.keys(inputs), ...Object.keys(outputs)]) checkIoName(where, k);
}

/** Names the compiler generates start with this prefix; user names must not collide with them. */
export const RESERVED_PREFIX = 'pipelinechannel--';

export function checkIoName(where: string, name: string): void {
  if (name.startsWith(RESERVED_PREFIX)) {
    throw new Error(`${where}: '${name}' starts with '${RESERVED_PREFIX}', which duckml reserves for inputs it injects; rename it.`);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
    throw new Error(`${where}: '${name}' is not a valid input/output name: use letters, digits, '_' and '-', starting with a letter or '_'.`);
  }
}

function checkName(kind: string, name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new Error(`${kind}: a non-empty 'name' is required (it names the tasks that run this component).`);
  }
  return name;
}

/** A component that runs a container image with a command line you write. */
export function container<const I extends InputsSpec = {}, const O extends OutputsSpec = {}>(
  def: ContainerComponentOptions<I, O>,
): Component<I, OutputRefs<O>> {
  const name = checkName('dsl.container()', def.name);
  const inputs = (def.inputs ?? {}) as InputsSpec;
  const outputs = (def.outputs ?? {}) as OutputsSpec;
  checkSpecs(`dsl.container('${name}')`, inputs, outputs);
  if (typeof def.image !== 'string' || def.image === '') {
    throw new Error(`dsl.container('${name}'): 'image' is required, e.g. image: 'python:3.11'.`);
  }
  const io = ioPlaceholders(inputs, outputs);
  const resolve = (c: CommandLine<I, O> | undefined) =>
    c === undefined ? undefined : typeof c === 'function' ? c(io as never) : c;
  const result: ContainerComponentDef = {
    [KIND]: 'component',
    type: 'container',
    name,
    description: def.description,
    inputs,
    outputs,
    container: { image: def.image, command: resolve(def.command), args: resolve(def.args), env: def.env },
  };
  return Object.freeze(result) as unknown as Component<I, OutputRefs<O>>;
}

// ---------------------------------------------------------------- TypeScript components

/** An input artifact as the implementation sees it: a local path plus its URI and metadata. */
export interface InputArtifact {
  readonly name: string;
  readonly uri: string;
  readonly path: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}
/** An output artifact: write files under `path`; set `metadata` fields to record facts. */
export interface OutputArtifact {
  readonly name: string;
  readonly uri: string;
  readonly path: string;
  metadata: Record<string, unknown>;
}

type ParamValue<S> = S extends ParamSpec<infer T, boolean, infer E, infer Sh>
  ? T extends 'list'
    ? E[]
    : T extends 'struct'
      ? unknown extends Sh
        ? Record<string, unknown>
        : Sh
      : ValueOf<T>
  : never;

export type RunInputs<I extends InputsSpec> = {
  readonly [K in keyof I]: I[K] extends ArtifactSpec<string, true, boolean>
    ? InputArtifact[]
    : I[K] extends ArtifactSpec<string, false, infer R>
      ? R extends true
        ? InputArtifact
        : InputArtifact | undefined
      : I[K] extends ParamSpec<ValueTagOf<I[K]>, infer R>
        ? R extends true
          ? ParamValue<I[K]>
          : I[K] extends { readonly hasDefault: true }
            ? ParamValue<I[K]>
            : ParamValue<I[K]> | undefined
        : never;
};
type ValueTagOf<S> = S extends ParamSpec<infer T> ? T : never;

export type RunOutputs<O extends OutputsSpec> = {
  readonly [K in keyof O as O[K] extends ArtifactSpec ? K : never]: O[K] extends ArtifactSpec<string, true>
    ? OutputArtifact[]
    : OutputArtifact;
};
/** Parameter outputs are returned from `run`. */
export type RunResult<O extends OutputsSpec> = {
  [K in keyof O as O[K] extends ParamSpec ? K : never]: ParamValue<O[K]>;
};

/** Facts about the execution handed to a TypeScript component. */
export interface RunContext {
  readonly taskName: string;
  readonly jobName: string;
  /** Print a progress line (shown by `duckml run`, and in the platform's logs). */
  log(message: string): void;
}

export type TsRunFunction = (inputs: never, outputs: never, ctx: RunContext) => unknown;

export interface TsComponentOptions<I extends InputsSpec, O extends OutputsSpec> {
  name: string;
  description?: string;
  inputs?: I;
  outputs?: O;
  /** Image to run in; default: duckml's component image for this version. */
  image?: string;
  /** Module path relative to the project root; found from the call site when left out. */
  module?: string;
  run: (
    inputs: RunInputs<I>,
    outputs: RunOutputs<O>,
    ctx: RunContext,
  ) => RunResult<O> | Promise<RunResult<O>> | ({} extends RunResult<O> ? void | Promise<void> : never);
}

export interface TsComponent<I extends InputsSpec, O extends OutputsSpec> extends Component<I, OutputRefs<O>> {
  readonly type: 'typescript';
  readonly outputs: O;
  readonly module: string;
  readonly run: TsComponentOptions<I, O>['run'];
}

/**
 * A component implemented by a TypeScript function. It compiles to a container task whose image
 * runs duckml's executor: `duckml execute --executor-input {{$}} --module <file> --component <name>`.
 */
export function component<const I extends InputsSpec = {}, const O extends OutputsSpec = {}>(
  def: TsComponentOptions<I, O>,
): TsComponent<I, O> {
  const name = checkName('dsl.component()', def.name);
  const inputs = (def.inputs ?? {}) as InputsSpec;
  const outputs = (def.outputs ?? {}) as OutputsSpec;
  checkSpecs(`dsl.component('${name}')`, inputs, outputs);
  if (typeof def.run !== 'function') throw new Error(`dsl.component('${name}'): 'run' must be a function.`);
  const module = def.module ?? findCallerModule();
  const result: TsComponentDef = {
    [KIND]: 'component',
    type: 'typescript',
    name,
    description: def.description,
    inputs,
    outputs,
    image: def.image,
    module,
    run: def.run as TsRunFunction,
  };
  Object.freeze(result);
  return result as unknown as TsComponent<I, O>;
}

