/**
 * A strict proto3 JSON check of a parsed document against protobufjs message descriptors
 * (loaded with keepCase, so `field.name` is the .proto spelling). Every problem is reported,
 * each with the JSON path where it is.
 */
import * as protobuf from 'protobufjs';
import { fieldPath, indexPath, keyPath, problem } from './json-path';
import { checkEnum, checkMapKey, checkScalar, describe, isPlainObject } from './proto-json-scalars';
import { nullIsValue, wellKnown } from './proto-json-wkt';

export interface WalkOptions {
  /** google.protobuf.Struct fields (by field full name) whose content is checked as this message. */
  readonly structAs?: ReadonlyMap<string, protobuf.Type>;
}

/** The proto3 JSON name of a field: its json_name option, else protoc's lowerCamel of the name. */
export function jsonName(f: protobuf.Field): string {
  const explicit = (f.options as Record<string, unknown> | undefined)?.json_name;
  if (typeof explicit === 'string') return explicit;
  let out = '';
  let upper = false;
  for (const ch of f.name) {
    if (ch === '_') upper = true;
    else {
      out += upper ? ch.toUpperCase() : ch;
      upper = false;
    }
  }
  return out;
}

interface FieldIndex {
  readonly byJson: ReadonlyMap<string, protobuf.Field>;
  readonly byProto: ReadonlyMap<string, protobuf.Field>;
}
const indexes = new WeakMap<protobuf.Type, FieldIndex>();

function fieldIndex(type: protobuf.Type): FieldIndex {
  let idx = indexes.get(type);
  if (!idx) {
    idx = {
      byJson: new Map(type.fieldsArray.map((f) => [jsonName(f), f])),
      byProto: new Map(type.fieldsArray.map((f) => [f.name, f])),
    };
    indexes.set(type, idx);
  }
  return idx;
}

const label = (t: protobuf.ReflectionObject): string => t.fullName.replace(/^\./, '');
const typeName = (f: protobuf.Field): string => (f.resolvedType ? label(f.resolvedType) : f.type);

/** Checks `v` as the proto3 JSON of message `type`; problems go to `out`. */
export function checkMessage(type: protobuf.Type, v: unknown, path: string, out: string[], opts: WalkOptions = {}): void {
  const wkt = wellKnown(type.fullName);
  if (wkt) {
    wkt(v, path, out);
    return;
  }
  if (!isPlainObject(v)) {
    out.push(problem(path, `expected an object (message ${label(type)}), got ${describe(v)}`));
    return;
  }
  const idx = fieldIndex(type);
  const oneofs = new Map<protobuf.OneOf, string[]>();
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue; // JSON.stringify leaves it out
    const p = fieldPath(path, k);
    let f = idx.byJson.get(k);
    if (!f) {
      f = idx.byProto.get(k);
      if (!f) {
        out.push(problem(p, `unknown field '${k}' in ${label(type)}; its fields are: ${[...idx.byJson.keys()].join(', ') || 'none'}`));
        continue;
      }
      out.push(problem(p, `'${k}' is the .proto spelling; in proto3 JSON this field of ${label(type)} is '${jsonName(f)}'`));
    }
    if (f.partOf) oneofs.set(f.partOf, [...(oneofs.get(f.partOf) ?? []), k]);
    checkField(f, x, p, out, opts);
  }
  for (const [o, keys] of oneofs) {
    if (keys.length > 1) {
      out.push(problem(path, `${keys.map((k) => `'${k}'`).join(' and ')} are ${keys.length === 2 ? 'both' : 'all'} set, but they are members of oneof '${o.name}' in ${label(type)}; keep only one`));
    }
  }
}

function checkField(f: protobuf.Field, x: unknown, p: string, out: string[], opts: WalkOptions): void {
  if (f instanceof protobuf.MapField) {
    const keyType = f.keyType;
    if (!isPlainObject(x)) {
      out.push(problem(p, `expected an object (map<${keyType}, ${typeName(f)}>), got ${describe(x)}`));
      return;
    }
    for (const [k, y] of Object.entries(x)) {
      if (y === undefined) continue;
      const kp = keyPath(p, k);
      const bad = checkMapKey(keyType, k);
      if (bad) out.push(problem(kp, bad));
      checkSingle(f, y, kp, out, opts);
    }
    return;
  }
  if (f.repeated) {
    if (!Array.isArray(x)) {
      out.push(problem(p, `expected an array (repeated ${typeName(f)}), got ${describe(x)}`));
      return;
    }
    x.forEach((y, i) => checkSingle(f, y, indexPath(p, i), out, opts));
    return;
  }
  checkSingle(f, x, p, out, opts);
}

/** One value of field `f` (a map value, a list element, or the field's own value). */
function checkSingle(f: protobuf.Field, y: unknown, p: string, out: string[], opts: WalkOptions): void {
  const t = f.resolvedType;
  if (y === undefined) {
    out.push(problem(p, `undefined where a ${typeName(f)} belongs (JSON writes null); give a value or remove it`));
    return;
  }
  if (y === null) {
    if (nullIsValue(t?.fullName)) return;
    // proto3 JSON readers take null as "unset" for a singular field; an emitter should just omit it.
    out.push(problem(p, `null is not a ${typeName(f)}; leave it out instead`));
    return;
  }
  const as = opts.structAs?.get(f.fullName);
  if (as) checkMessage(as, y, p, out, opts);
  else if (t instanceof protobuf.Type) checkMessage(t, y, p, out, opts);
  else if (t instanceof protobuf.Enum) {
    const bad = checkEnum(t, y);
    if (bad) out.push(problem(p, bad));
  } else {
    const bad = checkScalar(f.type, y);
    if (bad) out.push(problem(p, bad));
  }
}
