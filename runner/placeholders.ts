/**
 * Resolves a container's command line as the KFP launcher does: IfPresent / Concat structures
 * first (they decide which elements exist), then `{{$}}`, input/output placeholders and the
 * run-time placeholders (job name, task id, …).
 */
import type { ExecutorInputJson, JsonValue, RuntimeArtifactJson } from '../executor/protocol';
import { uriToPath } from '../executor/uri';

/** Values of the run-time placeholders (dsl.runtime.*). */
export interface RuntimeContext {
  readonly jobName: string;
  readonly jobResourceName: string;
  readonly jobId: string;
  readonly taskName: string;
  readonly taskId: string;
  readonly pipelineRoot: string;
  readonly createTime: string;
  readonly scheduleTime: string;
}

export class PlaceholderError extends Error {
  override name = 'PlaceholderError';
}

const RUNTIME: Record<string, keyof RuntimeContext> = {
  '{{$.pipeline_job_name}}': 'jobName',
  '{{$.pipeline_job_resource_name}}': 'jobResourceName',
  '{{$.pipeline_job_uuid}}': 'jobId',
  '{{$.pipeline_task_name}}': 'taskName',
  '{{$.pipeline_task_uuid}}': 'taskId',
  '{{$.pipeline_root}}': 'pipelineRoot',
  '{{$.pipeline_job_create_time_utc}}': 'createTime',
  '{{$.pipeline_job_schedule_time_utc}}': 'scheduleTime',
};
const RUNTIME_RE = /\{\{\$\.pipeline_[a-z_]+\}\}/g;

/** Replaces run-time placeholders in a string (unknown `{{$.pipeline_…}}` names are left alone). */
export function substituteRuntime(text: string, ctx: RuntimeContext): string {
  if (!text.includes('{{$.pipeline_')) return text;
  return text.replace(RUNTIME_RE, (m) => (m in RUNTIME ? ctx[RUNTIME[m]!] : m));
}

/** Text of a parameter value inside a string: strings as they are, everything else as JSON. */
export function valueText(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const INPUT_PARAM_RE = /\{\{\$\.inputs\.parameters\['([^']+)'\]\}\}/g;

/** Resolves `{{$.inputs.parameters['x']}}` references inside a string against sibling values (f-strings). */
export function substituteInputParams(text: string, values: Readonly<Record<string, JsonValue | undefined>>, where: string): string {
  if (!text.includes('{{$.inputs.parameters[')) return text;
  return text.replace(INPUT_PARAM_RE, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new PlaceholderError(`${where}: '{{$.inputs.parameters['${name}']}}' refers to an input with no value.`);
    return valueText(v);
  });
}

type Struct = string | { Concat?: Struct[]; IfPresent?: { InputName: string; Then?: Struct | Struct[]; Else?: Struct | Struct[] } };
type Resolved = string | null | Resolved[];

function isStructText(s: string): boolean {
  return s.startsWith('{"Concat"') || s.startsWith('{"IfPresent"');
}

function resolveStruct(s: Struct, provided: ReadonlySet<string>, where: string): Resolved {
  if (typeof s === 'string') return s;
  if (Array.isArray(s)) throw new PlaceholderError(`${where}: an IfPresent inside Concat must have a single element in Then/Else, not a list.`);
  if (s.Concat) {
    const parts = s.Concat.map((p) => resolveStruct(p, provided, where));
    if (parts.some((p) => Array.isArray(p))) throw new PlaceholderError(`${where}: Concat items must resolve to single strings.`);
    return parts.filter((p) => p !== null).join('');
  }
  if (s.IfPresent) {
    const branch = provided.has(s.IfPresent.InputName) ? s.IfPresent.Then : s.IfPresent.Else;
    if (branch === undefined) return null;
    if (Array.isArray(branch)) return branch.map((b) => resolveStruct(b, provided, where)).filter((b) => b !== null);
    return resolveStruct(branch, provided, where);
  }
  throw new PlaceholderError(`${where}: unknown placeholder structure ${JSON.stringify(s)}; expected Concat or IfPresent.`);
}

function flatten(r: Resolved, out: string[]): void {
  if (r === null) return;
  if (Array.isArray(r)) for (const x of r) flatten(x, out);
  else out.push(r);
}

const IO_RE = /\{\{\$\.(inputs|outputs)\.(parameters|artifacts)\['([^']+)'\](?:\.(path|uri|metadata|output_file))?\}\}/g;

function artifactJson(list: RuntimeArtifactJson[]): string {
  return JSON.stringify(list.map((a) => ({ name: a.name, type: a.type, uri: a.uri, metadata: a.metadata ?? {} })));
}

function resolveIo(text: string, ei: ExecutorInputJson, where: string): string {
  return text.replace(IO_RE, (m, side: 'inputs' | 'outputs', kind: 'parameters' | 'artifacts', name: string, field?: string) => {
    if (side === 'inputs' && kind === 'parameters') {
      const v = ei.inputs?.parameterValues?.[name];
      if (v === undefined || v === null) {
        throw new PlaceholderError(`${where}: ${m} refers to input '${name}', which has no value. Guard optional inputs with ifPresent.`);
      }
      return valueText(v);
    }
    if (side === 'outputs' && kind === 'parameters') {
      const p = ei.outputs?.parameters?.[name];
      if (!p) throw new PlaceholderError(`${where}: ${m} refers to output parameter '${name}', which the component does not declare.`);
      return p.outputFile;
    }
    const list = (side === 'inputs' ? ei.inputs?.artifacts : ei.outputs?.artifacts)?.[name]?.artifacts;
    if (!list || (field && list.length === 0)) {
      throw new PlaceholderError(`${where}: ${m} refers to ${side === 'inputs' ? 'input' : 'output'} artifact '${name}', which has none. Guard optional inputs with ifPresent.`);
    }
    if (!field) return artifactJson(list);
    const a = list[0]!;
    if (field === 'uri') return a.uri!;
    if (field === 'path') return uriToPath(a.uri!);
    if (field === 'metadata') return JSON.stringify(a.metadata ?? {});
    throw new PlaceholderError(`${where}: ${m} is not a placeholder the launcher knows.`);
  });
}

/** Names of inputs that were passed (IfPresent tests these). */
export function providedInputs(ei: ExecutorInputJson): Set<string> {
  const s = new Set<string>();
  for (const [k, v] of Object.entries(ei.inputs?.parameterValues ?? {})) if (v !== null && v !== undefined) s.add(k);
  for (const [k, v] of Object.entries(ei.inputs?.artifacts ?? {})) if (v?.artifacts?.length) s.add(k);
  return s;
}

/** The command line a container runs, every placeholder resolved. */
export function resolveCommandLine(items: readonly string[], ei: ExecutorInputJson, ctx: RuntimeContext, where: string): string[] {
  const provided = providedInputs(ei);
  const expanded: string[] = [];
  for (const item of items) {
    if (isStructText(item)) {
      let s: Struct;
      try {
        s = JSON.parse(item) as Struct;
      } catch (e) {
        throw new PlaceholderError(`${where}: malformed placeholder ${item}: ${(e as Error).message}`);
      }
      flatten(resolveStruct(s, provided, where), expanded);
    } else {
      expanded.push(item);
    }
  }
  const whole = JSON.stringify(ei);
  return expanded.map((el) => el.split('{{$}}').map((part) => resolveIo(substituteRuntime(part, ctx), ei, where)).join(whole));
}
