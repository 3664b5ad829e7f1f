/**
 * `--enable-caching` / `--no-caching`: one switch for every task of the pipeline, in the root DAG
 * and in every sub-DAG (a nested pipeline, a condition, a loop). The Vertex SDK does the same,
 * replacing each task's cachingOptions with `{enableCache}` (a cacheKey is dropped with it).
 */
import type { PipelineSpecIr } from '../compiler/ir';

/** Returns a copy; the spec given is left alone. */
export function withCaching(spec: PipelineSpecIr, enable: boolean): PipelineSpecIr {
  const out = structuredClone(spec);
  for (const comp of [out.root, ...Object.values(out.components ?? {})]) {
    for (const task of Object.values(comp.dag?.tasks ?? {})) task.cachingOptions = { enableCache: enable };
  }
  return out;
}

/** The spec as it will run: unchanged without a switch, else with it applied. */
export function applyCachingSwitch(spec: PipelineSpecIr, enable: boolean | undefined): PipelineSpecIr {
  return enable === undefined ? spec : withCaching(spec, enable);
}
