/** Serialisation: keys sorted at every level (as the reference compiler writes), so output is byte-stable. */
import { stringify } from 'yaml';
import type { Json } from './ir';

export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeysDeep) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeysDeep((value as Record<string, unknown>)[k]);
    return out as T;
  }
  return value;
}

export function toJson(spec: unknown): string {
  return `${JSON.stringify(sortKeysDeep(spec as Json), null, 2)}\n`;
}

export function toYaml(spec: unknown, header?: string): string {
  const body = stringify(sortKeysDeep(spec as Json), { lineWidth: 0, aliasDuplicateObjects: false });
  return header ? `${header}${body}` : body;
}
