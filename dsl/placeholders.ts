/**
 * Container command-line placeholders, resolved by the KFP launcher at run time. Simple ones are
 * plain strings (so they work inside template literals, as KFP's do inside f-strings); Concat and
 * IfPresent are structures that serialise to KFP's JSON form.
 */
import { KIND } from './symbols';
import { pyJsonDumps } from './pyjson';

export interface ConcatPlaceholder {
  readonly [KIND]: 'placeholder';
  readonly type: 'concat';
  readonly items: readonly CommandLineElement[];
}
export interface IfPresentPlaceholder {
  readonly [KIND]: 'placeholder';
  readonly type: 'if-present';
  readonly inputName: string;
  readonly then: CommandLineElement | readonly CommandLineElement[];
  readonly else?: CommandLineElement | readonly CommandLineElement[];
}
export type StructuredPlaceholder = ConcatPlaceholder | IfPresentPlaceholder;
export type CommandLineElement = string | StructuredPlaceholder;

export function concat(items: readonly CommandLineElement[]): ConcatPlaceholder {
  for (const item of items) {
    if (typeof item !== 'string' && item.type === 'if-present' && (Array.isArray(item.then) || Array.isArray(item.else))) {
      throw new Error(
        `concat(): an ifPresent('${item.inputName}') inside concat must have a single element in then/else, not a list.`,
      );
    }
  }
  return { [KIND]: 'placeholder', type: 'concat', items };
}

export function ifPresent(
  inputName: string,
  then: CommandLineElement | readonly CommandLineElement[],
  otherwise?: CommandLineElement | readonly CommandLineElement[],
): IfPresentPlaceholder {
  return { [KIND]: 'placeholder', type: 'if-present', inputName, then, else: otherwise };
}

function toStruct(el: CommandLineElement): unknown {
  if (typeof el === 'string') return el;
  if (el.type === 'concat') return { Concat: el.items.map(toStruct) };
  const body: Record<string, unknown> = {
    InputName: el.inputName,
    Then: Array.isArray(el.then) ? el.then.map(toStruct) : toStruct(el.then as CommandLineElement),
  };
  const hasElse = Array.isArray(el.else) ? el.else.length > 0 : el.else !== undefined && el.else !== '';
  if (hasElse) body.Else = Array.isArray(el.else) ? el.else.map(toStruct) : toStruct(el.else as CommandLineElement);
  return { IfPresent: body };
}

/** The string form the IR carries for one command-line element. */
export function renderElement(el: CommandLineElement): string {
  return typeof el === 'string' ? el : pyJsonDumps(toStruct(el));
}

export const placeholder = {
  inputValue: (name: string) => `{{$.inputs.parameters['${name}']}}`,
  inputPath: (name: string) => `{{$.inputs.artifacts['${name}'].path}}`,
  inputUri: (name: string) => `{{$.inputs.artifacts['${name}'].uri}}`,
  inputMetadata: (name: string) => `{{$.inputs.artifacts['${name}'].metadata}}`,
  inputList: (name: string) => `{{$.inputs.artifacts['${name}']}}`,
  outputParameter: (name: string) => `{{$.outputs.parameters['${name}'].output_file}}`,
  outputPath: (name: string) => `{{$.outputs.artifacts['${name}'].path}}`,
  outputUri: (name: string) => `{{$.outputs.artifacts['${name}'].uri}}`,
  outputMetadata: (name: string) => `{{$.outputs.artifacts['${name}'].metadata}}`,
  outputList: (name: string) => `{{$.outputs.artifacts['${name}']}}`,
  executorInput: '{{$}}',
} as const;

/** Run-time values the platform substitutes (usable as task arguments and in container args). */
export const runtime = {
  jobName: '{{$.pipeline_job_name}}',
  jobResourceName: '{{$.pipeline_job_resource_name}}',
  jobId: '{{$.pipeline_job_uuid}}',
  taskName: '{{$.pipeline_task_name}}',
  taskId: '{{$.pipeline_task_uuid}}',
  pipelineRoot: '{{$.pipeline_root}}',
  jobCreateTime: '{{$.pipeline_job_create_time_utc}}',
  jobScheduleTime: '{{$.pipeline_job_schedule_time_utc}}',
} as const;
