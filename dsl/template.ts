import { KIND } from './symbols';
import { Channel, isChannel } from './graph';
import type { ParamRef, Template } from './refs';

export interface TemplateData {
  readonly [KIND]: 'template';
  readonly strings: readonly string[];
  readonly values: readonly (Channel | string | number | boolean)[];
}

export function isTemplate(v: unknown): v is TemplateData {
  return typeof v === 'object' && v !== null && (v as TemplateData)[KIND] === 'template';
}

type Interpolable = string | number | boolean | ParamRef<any, any, any>;

/**
 * A string assembled at run time from refs: dsl.fmt`Hello ${params.name}!`. Compiles to KFP's
 * injected-input form (a constant with `{{$.inputs.parameters['pipelinechannel--…']}}`).
 */
export function fmt(strings: TemplateStringsArray, ...values: Interpolable[]): Template {
  for (const v of values) {
    if (isChannel(v) && v.io.kind === 'artifact') {
      throw new Error(
        `dsl.fmt: ${v.describe()} is an artifact; only parameters can be interpolated into strings. Pass the artifact to an artifact input instead.`,
      );
    }
    if (!isChannel(v) && !['string', 'number', 'boolean'].includes(typeof v)) {
      throw new Error(`dsl.fmt: cannot interpolate a ${typeof v}; use refs, strings, numbers or booleans.`);
    }
  }
  const data: TemplateData = { [KIND]: 'template', strings: [...strings], values: values as never };
  return data as unknown as Template;
}
