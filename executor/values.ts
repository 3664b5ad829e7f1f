/**
 * Parameter values by IR type: coercion of what arrives (protobuf Value JSON, strings read from
 * output files, CEL selections) to what the type promises, and the text form written to files.
 * Shared by the executor and the local runner so both read values the same way.
 */
import type { JsonValue } from './protocol';

export class ValueError extends Error {
  override name = 'ValueError';
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Coerces `value` to the IR parameter type; `what` names it in errors ("input 'x'"). */
export function coerceParam(value: unknown, irType: string, what: string): JsonValue {
  const bad = (expected: string) => new ValueError(`${what} is ${irType} but got ${describe(value)}; expected ${expected}.`);
  switch (irType) {
    case 'STRING':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      if (value !== null && typeof value === 'object') return JSON.stringify(value);
      throw bad('a string');
    case 'NUMBER_INTEGER': {
      const n = typeof value === 'string' && /^\s*[-+]?\d+(\.0*)?\s*$/.test(value) ? Number(value) : value;
      if (typeof n === 'number' && Number.isInteger(n)) return n;
      throw bad('an integer');
    }
    case 'NUMBER_DOUBLE': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n === 'number' && Number.isFinite(n)) return n;
      throw bad('a number');
    }
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'True') return true;
      if (value === 'false' || value === 'False') return false;
      throw bad('true or false');
    case 'LIST':
    case 'STRUCT':
    case 'TASK_FINAL_STATUS': {
      let v = value;
      if (typeof v === 'string') {
        try {
          v = JSON.parse(v);
        } catch {
          throw bad(irType === 'LIST' ? 'a JSON list' : 'a JSON object');
        }
      }
      if (irType === 'LIST' ? Array.isArray(v) : v !== null && typeof v === 'object' && !Array.isArray(v)) return toJson(v, what);
      throw bad(irType === 'LIST' ? 'a list' : 'an object');
    }
    default:
      // Unknown or unspecified types pass through as JSON.
      return toJson(value, what);
  }
}

/** A deep copy that is plain JSON; NaN, functions, cycles and the like are errors. */
export function toJson(value: unknown, what: string): JsonValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_k, v) => {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new ValueError(`${what} contains ${v}, which JSON cannot hold.`);
      if (typeof v === 'bigint') return Number(v);
      return v;
    });
  } catch (e) {
    if (e instanceof ValueError) throw e;
    throw new ValueError(`${what} is not JSON-serialisable: ${(e as Error).message}`);
  }
  if (text === undefined) throw new ValueError(`${what} is ${String(value)}, not a JSON value.`);
  return JSON.parse(text) as JsonValue;
}

/** The text written to an output parameter file: strings raw, everything else JSON (as KFP does). */
export function paramFileText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Reads an output parameter file's text back by type. */
export function parseParamFile(text: string, irType: string, what: string): JsonValue {
  if (irType === 'STRING') return text;
  return coerceParam(irType === 'LIST' || irType === 'STRUCT' ? text : text.trim(), irType, what);
}
