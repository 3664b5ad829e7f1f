/**
 * Flags shared by the cloud commands (submit, jobs, schedule), and the steps they share: load a
 * pipeline or spec, type its --param values, read the project config.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { missingRequired, parseParams, ParamError } from '../compiler/params';
import type { PipelineSpecIr } from '../compiler/ir';
import { parseDuration } from '../cloud/duration';
import { componentImage, loadProjectConfig, type ProjectConfig } from './project-config';
import type { VertexFlags } from '../cloud/vertex/settings';
import { CliError, EXIT } from './exit-codes';
import { loadPipeline } from './load-pipeline';

type Options = NonNullable<ParseArgsConfig['options']>;

export const CONFIG_FLAGS: Options = { config: { type: 'string' }, target: { type: 'string' } };
export const PIPELINE_FLAGS: Options = { export: { type: 'string' }, image: { type: 'string' }, 'no-typecheck': { type: 'boolean' }, param: { type: 'string', multiple: true } };
export const VERTEX_FLAGS: Options = {
  project: { type: 'string' },
  region: { type: 'string' },
  'request-timeout': { type: 'string' },
};
export const VERTEX_JOB_FLAGS: Options = {
  'pipeline-root': { type: 'string' },
  'service-account': { type: 'string' },
  network: { type: 'string' },
  labels: { type: 'string', multiple: true },
  'kms-key': { type: 'string' },
  'enable-caching': { type: 'boolean' },
  'no-caching': { type: 'boolean' },
  'failure-policy': { type: 'string' },
  'display-name': { type: 'string' },
};
export const KFP_FLAGS: Options = { host: { type: 'string' }, namespace: { type: 'string' } };
export const WAIT_FLAGS: Options = {
  timeout: { type: 'string' },
  'poll-interval': { type: 'string' },
  'cancel-on-interrupt': { type: 'boolean' },
};

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export function parse(argv: string[], options: Options, usage: string): { values: Values; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${usage}`, EXIT.usage);
  }
}

export const str = (v: Values, k: string): string | undefined => v[k] as string | undefined;
export const list = (v: Values, k: string): string[] => (v[k] as string[] | undefined) ?? [];

export function duration(v: Values, k: string): number | undefined {
  const raw = str(v, k);
  if (raw === undefined) return undefined;
  try {
    const ms = parseDuration(raw, `--${k}`);
    if (ms <= 0) throw new Error(`--${k} must be more than zero.`);
    return ms;
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.usage);
  }
}

export function config(v: Values): ProjectConfig {
  return loadProjectConfig(str(v, 'config'));
}

export type Target = 'vertex' | 'kfp';

export function target(v: Values, cfg: ProjectConfig, env: NodeJS.ProcessEnv = process.env): Target {
  const t = str(v, 'target') ?? env.DUCKML_TARGET ?? cfg.target ?? 'vertex';
  if (t !== 'vertex' && t !== 'kfp') throw new CliError(`target '${t}' is not known: use --target vertex (Vertex AI Pipelines, the default) or --target kfp (Kubeflow Pipelines, with --host).`, EXIT.usage);
  return t;
}

/** Flags that mean nothing for the chosen target are an error, not silently ignored. */
export function rejectFlags(v: Values, names: readonly string[], why: string): void {
  const given = names.filter((n) => v[n] !== undefined);
  if (given.length) throw new CliError(`${given.map((n) => `--${n}`).join(', ')} ${given.length === 1 ? 'does' : 'do'} not apply ${why}.`, EXIT.usage);
}

export function caching(v: Values): boolean | undefined {
  if (v['enable-caching'] && v['no-caching']) throw new CliError('--enable-caching and --no-caching contradict each other; give one.', EXIT.usage);
  return v['enable-caching'] ? true : v['no-caching'] ? false : undefined;
}

export function vertexFlags(v: Values): VertexFlags {
  return {
    project: str(v, 'project'),
    region: str(v, 'region'),
    pipelineRoot: str(v, 'pipeline-root'),
    serviceAccount: str(v, 'service-account'),
    network: str(v, 'network'),
    kmsKey: str(v, 'kms-key'),
    labels: list(v, 'labels'),
    enableCaching: caching(v),
    failurePolicy: str(v, 'failure-policy'),
  };
}

/**
 * The spec and its typed parameter values. Unknown names, wrong types and missing required
 * parameters are all reported here, before any credentials are looked at or anything is sent.
 */
export async function loadWithParams(file: string, v: Values, cfg: ProjectConfig): Promise<{ spec: PipelineSpecIr; params: Record<string, unknown> }> {
  const image = componentImage(str(v, 'image'), cfg);
  const { spec } = await loadPipeline(file, { exportName: str(v, 'export'), image, typecheck: !v['no-typecheck'] });
  let params: Record<string, unknown>;
  try {
    params = parseParams(spec, list(v, 'param'));
  } catch (e) {
    if (e instanceof ParamError) throw new CliError(`${e.message}\nNothing was submitted.`, EXIT.usage);
    throw e;
  }
  const missing = missingRequired(spec, params);
  if (missing.length) {
    const defs = spec.root.inputDefinitions?.parameters ?? {};
    throw new CliError(
      `missing required parameter${missing.length === 1 ? '' : 's'} of '${spec.pipelineInfo.name}': ${missing.map((m) => `${m} (${defs[m]?.parameterType})`).join(', ')}. Pass ${missing.map((m) => `--param ${m}=...`).join(' ')}. Nothing was submitted.`,
      EXIT.usage,
    );
  }
  return { spec, params };
}
