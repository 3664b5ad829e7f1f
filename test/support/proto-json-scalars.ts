/**
 * proto3 JSON scalars, enums and map keys. Accepts the forms a proto3 JSON writer emits, plus a
 * JSON number for 64-bit integers; readers also take numeric strings for 32-bit integers and
 * floats, but an emitter that writes those has mixed up a type, so they count as problems here.
 */
import type * as protobuf from 'protobufjs';

/** Short description of a JSON value for messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string '${v.length > 40 ? `${v.slice(0, 37)}...` : v}'`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const INT_RANGE: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};
const FLOAT_MAX = 3.4028234663852886e38;
const SPECIAL_FLOATS = new Set(['NaN', 'Infinity', '-Infinity']);

function checkInteger(type: string, v: unknown): string | undefined {
  const [min, max] = INT_RANGE[type]!;
  const wide = type.endsWith('64');
  let n: bigint;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return `expected an integer (${type}), got ${describe(v)}`;
    if (wide && !Number.isSafeInteger(v)) return `${v} is beyond 2^53 and loses precision as a JSON number; write ${type} values that large as a decimal string`;
    n = BigInt(v);
  } else if (typeof v === 'string' && wide) {
    if (!/^-?\d+$/.test(v)) return `expected ${type} as a JSON number or a decimal string, got ${describe(v)}`;
    n = BigInt(v);
  } else {
    return wide
      ? `expected ${type} as a JSON number or a decimal string, got ${describe(v)}`
      : `expected a JSON number (${type}), got ${describe(v)}${typeof v === 'string' ? '; write it without quotes' : ''}`;
  }
  if (n < min || n > max) return `${v} is out of range for ${type} (${min}..${max})`;
  return undefined;
}

/** A problem with the scalar `v` of proto type `type`, or undefined when it is valid. */
export function checkScalar(type: string, v: unknown): string | undefined {
  switch (type) {
    case 'string':
      return typeof v === 'string' ? undefined : `expected a string, got ${describe(v)}`;
    case 'bool':
      return typeof v === 'boolean' ? undefined : `expected true or false (bool), got ${describe(v)}`;
    case 'bytes':
      return typeof v === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(v) ? undefined : `expected base64 text (bytes), got ${describe(v)}`;
    case 'double':
    case 'float':
      if (typeof v === 'string' && SPECIAL_FLOATS.has(v)) return undefined;
      if (typeof v !== 'number') {
        return `expected a JSON number (${type}) or 'NaN', 'Infinity', '-Infinity', got ${describe(v)}${typeof v === 'string' ? '; write numbers without quotes' : ''}`;
      }
      // JSON.stringify writes NaN and ±Infinity as null: the value would not survive serialisation.
      if (!Number.isFinite(v)) return `${v} is not a JSON number; write it as the string '${v}'`;
      if (type === 'float' && Math.abs(v) > FLOAT_MAX) return `${v} is out of range for float`;
      return undefined;
    default:
      if (type in INT_RANGE) return checkInteger(type, v);
      return `the validator has no proto3 JSON rule for scalar type '${type}'`;
  }
}

/** Enums: a value name as a string, or the number of a defined value. */
export function checkEnum(e: protobuf.Enum, v: unknown): string | undefined {
  const label = e.fullName.replace(/^\./, '');
  const names = Object.keys(e.values);
  if (typeof v === 'string') {
    if (Object.prototype.hasOwnProperty.call(e.values, v)) return undefined;
    return `unknown value '${v}' for enum ${label}; expected one of: ${names.join(', ')}`;
  }
  if (typeof v === 'number') {
    if (Number.isInteger(v) && e.valuesById[v] !== undefined) return undefined;
    return `${v} is not a value number of enum ${label}; expected one of: ${names.map((n) => `${n} (${e.values[n]})`).join(', ')}`;
  }
  return `expected an enum value name (string) of ${label}, got ${describe(v)}`;
}

/** Map keys are JSON object keys: strings, spelling the key type's value. */
export function checkMapKey(keyType: string, k: string): string | undefined {
  if (keyType === 'string') return undefined;
  if (keyType === 'bool') return k === 'true' || k === 'false' ? undefined : `map key '${k}' is not a bool key ('true' or 'false')`;
  if (keyType in INT_RANGE) {
    if (!/^-?\d+$/.test(k)) return `map key '${k}' is not a decimal ${keyType}`;
    const [min, max] = INT_RANGE[keyType]!;
    const n = BigInt(k);
    return n < min || n > max ? `map key '${k}' is out of range for ${keyType}` : undefined;
  }
  return `the validator has no proto3 JSON rule for map key type '${keyType}'`;
}
