/**
 * Pipelines: a typed parameter list and a body that adds tasks to a scope. The body runs when the
 * pipeline is compiled (or used inside another pipeline), never at definition time.
 */
import { KIND } from './symbols';
import { Channel, Graph, isChannel } from './graph';
import { ScopeImpl, type Scope } from './scope';
import { checkIoName, type BuiltPipeline, type Component, type PipelineDef } from './component';
import type { AnyRef, ParamRefs, RefRecord } from './refs';
import { isArtifactSpec, isParamSpec, type InputsSpec } from './types';
import { ioTypeOf } from './io';

export type PipelineReturn = AnyRef | RefRecord | void;

/** Outputs of a pipeline used as a component: a single returned ref is named `Output`, as in KFP. */
export type PipelineOutputs<R> = R extends AnyRef ? { readonly Output: R } : R extends RefRecord ? R : {};

export type Pipeline<I extends InputsSpec, R> = Component<I, PipelineOutputs<R>> & Omit<PipelineDef, typeof KIND | 'inputs'>;

export interface PipelineOptions<I extends InputsSpec> {
  /** Pipeline name: lower-case letters, digits and dashes (Vertex and KFP require it). */
  name: string;
  displayName?: string;
  description?: string;
  params?: I;
  /** Default root for artifacts, e.g. 'gs://my-bucket/pipeline-root'. */
  pipelineRoot?: string;
}

const PIPELINE_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;

export function pipeline<const I extends InputsSpec = {}, R extends PipelineReturn = void>(
  def: PipelineOptions<I>,
  body: (p: Scope, params: ParamRefs<I>) => R,
): Pipeline<I, R> {
  if (typeof def?.name !== 'string' || !PIPELINE_NAME.test(def.name)) {
    throw new Error(
      `dsl.pipeline(): name '${def?.name}' is not valid. Use lower-case letters, digits and '-', starting with a letter or digit (at most 128 characters), e.g. 'scam-classifier-train'.`,
    );
  }
  if (typeof body !== 'function') throw new Error(`dsl.pipeline('${def.name}'): the second argument must be the body function (p, params) => …`);
  const inputs = (def.params ?? {}) as InputsSpec;
  for (const [k, v] of Object.entries(inputs)) {
    if (!isParamSpec(v) && !isArtifactSpec(v)) {
      throw new Error(`dsl.pipeline('${def.name}'): param '${k}' is not a type. Use dsl.string(), dsl.int(), … or an artifact type.`);
    }
    checkIoName(`dsl.pipeline('${def.name}')`, k);
  }
  const build = (): BuiltPipeline => {
    const graph = new Graph(def.name);
    for (const [k, spec] of Object.entries(inputs)) {
      graph.params[k] = new Channel({ type: 'pipeline-param', name: k, graph }, ioTypeOf(spec));
    }
    const ret = body(new ScopeImpl(graph, graph.root), Object.freeze({ ...graph.params }) as never);
    const outputs: Record<string, Channel> = {};
    if (isChannel(ret)) {
      outputs.Output = ret;
    } else if (ret !== undefined && ret !== null) {
      if (typeof ret !== 'object') {
        graph.error(def.name, `the pipeline body returned a ${typeof ret}; return nothing, one ref, or an object of refs.`);
      } else {
        for (const [k, v] of Object.entries(ret)) {
          if (isChannel(v)) outputs[k] = v;
          else graph.error(def.name, `pipeline output '${k}' is not a ref (got ${typeof v}); return task outputs.`);
        }
      }
    }
    return { graph, outputs };
  };
  const result: PipelineDef = {
    [KIND]: 'pipeline',
    type: 'pipeline',
    name: def.name,
    displayName: def.displayName,
    description: def.description,
    pipelineRoot: def.pipelineRoot,
    inputs,
    build,
  };
  return Object.freeze(result) as unknown as Pipeline<I, R>;
}
