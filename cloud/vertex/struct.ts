/**
 * JSON ↔ google.protobuf.Struct / Value in the object form the gRPC client encodes.
 *
 * Why: the client encodes message objects field by field, so a plain JSON object given where a
 * Struct is expected is silently sent as `{}` (it has no `fields`), and a plain number where a
 * Value is expected is dropped. Everything that is a Struct or Value on the wire goes through here.
 */

export type ProtoValue =
  | { nullValue: 'NULL_VALUE' }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: ProtoStruct }
  | { listValue: { values: ProtoValue[] } };

export interface ProtoStruct {
  fields: Record<string, ProtoValue>;
}

export function toProtoValue(v: unknown, where = 'value'): ProtoValue {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`${where} is ${v}, which JSON (and a protobuf Value) cannot hold.`);
      return { numberValue: v };
    case 'object':
      if (Array.isArray(v)) return { listValue: { values: v.map((x, i) => toProtoValue(x, `${where}[${i}]`)) } };
      return { structValue: toProtoStruct(v as Record<string, unknown>, where) };
    default:
      throw new TypeError(`${where} is a ${typeof v}, which JSON (and a protobuf Value) cannot hold.`);
  }
}

/** Keys whose value is undefined are left out, as JSON.stringify does. */
export function toProtoStruct(obj: Readonly<Record<string, unknown>>, where = 'struct'): ProtoStruct {
  const fields: Record<string, ProtoValue> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) fields[k] = toProtoValue(v, `${where}.${k}`);
  return { fields };
}

/**
 * Decodes either form the client may hand back: with `oneofs: true` a Value also carries
 * `kind: 'stringValue'`, and with `defaults: true` unset members appear as null or 0.
 */
export function fromProtoValue(v: unknown): unknown {
  if (v === null || v === undefined || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const kind = typeof o.kind === 'string' ? o.kind : Object.keys(o).find((k) => o[k] !== undefined && o[k] !== null);
  switch (kind) {
    case 'stringValue':
      return o.stringValue;
    case 'numberValue':
      return o.numberValue;
    case 'boolValue':
      return o.boolValue;
    case 'structValue':
      return fromProtoStruct(o.structValue);
    case 'listValue':
      return ((o.listValue as { values?: unknown[] } | null)?.values ?? []).map(fromProtoValue);
    default:
      return null;
  }
}

export function fromProtoStruct(s: unknown): Record<string, unknown> {
  const fields = (s as { fields?: Record<string, unknown> } | null)?.fields ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = fromProtoValue(v);
  return out;
}
