/**
 * Readable names for the values a sub-DAG sees. Inside a group, inputs are injected channels
 * ('pipelinechannel--flip-coin-Output'); following each group task's input bindings back up to
 * the root turns them into what the author wrote: 'flip-coin.Output', a pipeline parameter, a
 * loop's item.
 */
import type { Json, TaskSpecIr } from '../compiler/ir';

export interface ChannelScope {
  param(name: string): string;
  artifact(name: string): string;
}

const PREFIX = 'pipelinechannel--';

/** The injected-channel prefix removed, for names nothing binds. */
export function plainName(name: string): string {
  return name.startsWith(PREFIX) ? name.slice(PREFIX.length) : name;
}

/** At the root, inputs are the pipeline's own parameters and artifacts. */
export const ROOT_SCOPE: ChannelScope = { param: plainName, artifact: plainName };

type Binding = Record<string, Json>;

function obj(v: Json | undefined): Record<string, Json> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

/** What a task input binding (as written in the parent DAG) reads, in the parent's terms. */
export function describeParamBinding(b: Binding, parent: ChannelScope): string | undefined {
  if (typeof b.componentInputParameter === 'string') return parent.param(b.componentInputParameter);
  const out = obj(b.taskOutputParameter);
  if (out && typeof out.producerTask === 'string') return `${out.producerTask}.${plainName(String(out.outputParameterKey ?? ''))}`;
  const rv = obj(b.runtimeValue);
  if (rv && 'constant' in rv) return JSON.stringify(rv.constant);
  const st = obj(b.taskFinalStatus);
  if (st && typeof st.producerTask === 'string') return `${st.producerTask}.status`;
  return undefined;
}

function describeArtifactBinding(b: Binding, parent: ChannelScope): string | undefined {
  if (typeof b.componentInputArtifact === 'string') return parent.artifact(b.componentInputArtifact);
  const out = obj(b.taskOutputArtifact);
  if (out && typeof out.producerTask === 'string') return `${out.producerTask}.${plainName(String(out.outputArtifactKey ?? ''))}`;
  return undefined;
}

/** The scope inside the sub-DAG that `task` (a group task keyed `key`) runs. */
export function childScope(key: string, task: TaskSpecIr, parent: ChannelScope): ChannelScope {
  const params = task.inputs?.parameters ?? {};
  const artifacts = task.inputs?.artifacts ?? {};
  const item = task.parameterIterator?.itemInput ?? task.artifactIterator?.itemInput;
  const loopItem = (name: string): string | undefined => {
    if (!item) return undefined;
    if (name === item) return `${key}.item`;
    if (name.startsWith(`${item}-subvar-`)) return `${key}.item.${name.slice(item.length + '-subvar-'.length)}`;
    return undefined;
  };
  return {
    param: (name) => loopItem(name) ?? (params[name] ? describeParamBinding(params[name]!, parent) : undefined) ?? plainName(name),
    artifact: (name) => loopItem(name) ?? (artifacts[name] ? describeArtifactBinding(artifacts[name]!, parent) : undefined) ?? plainName(name),
  };
}

/** A trigger condition with `inputs.parameter_values['…']` replaced by readable names. */
export function readableCondition(cel: string, scope: ChannelScope): string {
  return cel
    .replace(/inputs\.parameter_values\[\s*(['"])(.*?)\1\s*\]/g, (_m, _q, name: string) => scope.param(name))
    .replace(/inputs\.artifacts\[\s*(['"])(.*?)\1\s*\]/g, (_m, _q, name: string) => scope.artifact(name));
}
