/**
 * proto3 JSON forms of Google's well-known types, which do not follow the message rule:
 * Struct/Value/ListValue are plain JSON, Duration is a string like '3600s', and so on.
 */
import { checkScalar, describe, isPlainObject } from './proto-json-scalars';
import { fieldPath, indexPath, keyPath, problem } from './json-path';

export type WellKnownCheck = (v: unknown, path: string, out: string[]) => void;

/** Any JSON value (google.protobuf.Value): what JSON.stringify would write unchanged. */
function jsonValue(v: unknown, path: string, out: string[]): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    // JSON.stringify turns NaN/Infinity into null; proto3 JSON has no form for them in a Value.
    if (!Number.isFinite(v)) out.push(problem(path, `${v} is not representable in JSON (google.protobuf.Value)`));
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => (x === undefined ? out.push(problem(indexPath(path, i), 'undefined in a list (JSON writes null); remove it or give a value')) : jsonValue(x, indexPath(path, i), out)));
    return;
  }
  if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) if (x !== undefined) jsonValue(x, keyPath(path, k), out);
    return;
  }
  out.push(problem(path, `expected a JSON value (google.protobuf.Value), got ${describe(v)}`));
}

function struct(v: unknown, path: string, out: string[]): void {
  if (!isPlainObject(v)) {
    out.push(problem(path, `expected a JSON object (google.protobuf.Struct), got ${describe(v)}`));
    return;
  }
  jsonValue(v, path, out);
}

function listValue(v: unknown, path: string, out: string[]): void {
  if (!Array.isArray(v)) {
    out.push(problem(path, `expected a JSON array (google.protobuf.ListValue), got ${describe(v)}`));
    return;
  }
  jsonValue(v, path, out);
}

const MAX_DURATION_SECONDS = 315_576_000_000;

function duration(v: unknown, path: string, out: string[]): void {
  const m = typeof v === 'string' ? /^-?(\d+)(\.\d{1,9})?s$/.exec(v) : null;
  if (!m) {
    out.push(problem(path, `expected a duration string of seconds with an 's' suffix, like '3600s' or '0.5s' (google.protobuf.Duration), got ${describe(v)}`));
  } else if (Number(m[1]) > MAX_DURATION_SECONDS) {
    out.push(problem(path, `duration ${v} is beyond the limit of ${MAX_DURATION_SECONDS}s (google.protobuf.Duration)`));
  }
}

function timestamp(v: unknown, path: string, out: string[]): void {
  const ok = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v));
  if (!ok) out.push(problem(path, `expected an RFC 3339 timestamp like '2024-01-02T03:04:05Z' (google.protobuf.Timestamp), got ${describe(v)}`));
}

/** Any: an object naming its type in '@type'; the rest is that type's JSON, not checked here. */
function any(v: unknown, path: string, out: string[]): void {
  if (!isPlainObject(v)) out.push(problem(path, `expected an object with '@type' (google.protobuf.Any), got ${describe(v)}`));
  else if (typeof v['@type'] !== 'string' || !v['@type'].includes('/')) {
    out.push(problem(fieldPath(path, '@type'), `expected a type URL like 'type.googleapis.com/pkg.Message' (google.protobuf.Any), got ${describe(v['@type'])}`));
  }
}

function empty(v: unknown, path: string, out: string[]): void {
  if (!isPlainObject(v) || Object.keys(v).length) out.push(problem(path, `expected {} (google.protobuf.Empty), got ${describe(v)}`));
}

function fieldMask(v: unknown, path: string, out: string[]): void {
  if (typeof v !== 'string' || !/^([a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)*(,|$))*$/.test(v)) {
    out.push(problem(path, `expected comma-separated lowerCamel field paths (google.protobuf.FieldMask), got ${describe(v)}`));
  }
}

function wrapper(scalar: string): WellKnownCheck {
  return (v, path, out) => {
    const p = checkScalar(scalar, v);
    if (p) out.push(problem(path, p));
  };
}

const CHECKS: Readonly<Record<string, WellKnownCheck>> = {
  '.google.protobuf.Struct': struct,
  '.google.protobuf.Value': jsonValue,
  '.google.protobuf.ListValue': listValue,
  '.google.protobuf.Duration': duration,
  '.google.protobuf.Timestamp': timestamp,
  '.google.protobuf.Any': any,
  '.google.protobuf.Empty': empty,
  '.google.protobuf.FieldMask': fieldMask,
  '.google.protobuf.DoubleValue': wrapper('double'),
  '.google.protobuf.FloatValue': wrapper('float'),
  '.google.protobuf.Int64Value': wrapper('int64'),
  '.google.protobuf.UInt64Value': wrapper('uint64'),
  '.google.protobuf.Int32Value': wrapper('int32'),
  '.google.protobuf.UInt32Value': wrapper('uint32'),
  '.google.protobuf.BoolValue': wrapper('bool'),
  '.google.protobuf.StringValue': wrapper('string'),
  '.google.protobuf.BytesValue': wrapper('bytes'),
};

/** The JSON rule for a well-known message type (by full name, e.g. '.google.protobuf.Struct'). */
export function wellKnown(fullName: string): WellKnownCheck | undefined {
  return CHECKS[fullName];
}

/** Whether JSON null is a value (not just "unset") for this type: Value and NullValue. */
export function nullIsValue(fullName: string | undefined): boolean {
  return fullName === '.google.protobuf.Value' || fullName === '.google.protobuf.NullValue';
}
