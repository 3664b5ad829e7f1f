/**
 * The IR's CEL strings, evaluated with a real CEL implementation (@bufbuild/cel) in the two
 * environments the KFP driver uses:
 *   - trigger conditions see the task's ExecutorInput: `inputs.parameter_values['x'] == 'heads'`;
 *   - parameter selectors see one google.protobuf.Value: `parseJson(string_value)["a"]`.
 * Values bind as protobuf Values do: numbers are doubles, structs are maps, lists are lists.
 */
import { celEnv, celFunc, CelScalar, isCelError, isCelList, isCelMap, isCelUint, parse, plan } from '@bufbuild/cel';
import type { JsonValue } from '../executor/protocol';

export class CelEvalError extends Error {
  override name = 'CelEvalError';
}

function toCel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  return v;
}

function fromCel(v: unknown): JsonValue {
  if (typeof v === 'bigint') return Number(v);
  if (isCelUint(v)) return Number(v.value);
  if (isCelList(v)) return [...v].map(fromCel);
  if (isCelMap(v)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of v) out[String(k)] = fromCel(x);
    return out;
  }
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Map) return fromCel(toCel(Object.fromEntries(v)));
  throw new CelEvalError(`the expression produced a ${typeof v}, which is not a parameter value`);
}

const parseJson = celFunc('parseJson', [CelScalar.STRING], CelScalar.DYN, (s: string) => {
  try {
    return toCel(JSON.parse(s)) as never;
  } catch (e) {
    throw new CelEvalError(`parseJson: ${(e as Error).message}`);
  }
});

const env = celEnv({ funcs: [parseJson] });
const plans = new Map<string, (ctx: Record<string, unknown>) => unknown>();

function compiled(expr: string): (ctx: Record<string, unknown>) => unknown {
  let p = plans.get(expr);
  if (!p) {
    let ast;
    try {
      ast = parse(expr);
    } catch (e) {
      throw new CelEvalError(`'${expr}' is not valid CEL: ${(e as Error).message}`);
    }
    p = plan(env, ast) as never;
    plans.set(expr, p!);
  }
  return p!;
}

function evaluate(expr: string, bindings: Record<string, unknown>): unknown {
  const r = compiled(expr)(bindings);
  if (isCelError(r)) throw new CelEvalError(`'${expr}': ${r.message}`);
  return r;
}

/** A trigger condition against the task's resolved parameter inputs. */
export function evaluateCondition(expr: string, parameterValues: Readonly<Record<string, JsonValue>>): boolean {
  const inputs = new Map<string, unknown>([['parameter_values', toCel(parameterValues)]]);
  const r = evaluate(expr, { inputs });
  if (typeof r !== 'boolean') throw new CelEvalError(`condition '${expr}' gave ${String(r)}, not true or false`);
  return r;
}

/** A parameterExpressionSelector applied to one value (KFP's driver binds the Value's fields). */
export function selectValue(expr: string, value: JsonValue): JsonValue {
  const bindings: Record<string, unknown> = { string_value: typeof value === 'string' ? value : JSON.stringify(value) };
  if (typeof value === 'number') bindings.number_value = value;
  else if (typeof value === 'boolean') bindings.bool_value = value;
  else if (Array.isArray(value)) bindings.list_value = toCel(value);
  else if (value !== null && typeof value === 'object') bindings.struct_value = toCel(value);
  return fromCel(evaluate(expr, bindings));
}
