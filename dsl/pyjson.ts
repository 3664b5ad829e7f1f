/**
 * `json.dumps` as Python writes it: `", "` and `": "` separators, non-ASCII escaped. KFP embeds
 * such strings in specs (loop items `raw`, Concat/IfPresent placeholders), and the reference output
 * must be reproduced byte for byte.
 */
export function pyJsonDumps(value: unknown, opts: { sortKeys?: boolean } = {}): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => pyJsonDumps(v, opts)).join(', ')}]`;
  if (typeof value === 'object') {
    let keys = Object.keys(value as object);
    if (opts.sortKeys) keys = [...keys].sort(comparePyStrings);
    return `{${keys.map((k) => `${pyString(k)}: ${pyJsonDumps((value as Record<string, unknown>)[k], opts)}`).join(', ')}}`;
  }
  throw new Error(`Cannot serialise ${typeof value} to JSON`);
}

function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Python sorts str by code point; JS `<` on UTF-16 differs only for astral characters. */
export function comparePyStrings(a: string, b: string): number {
  const aa = Array.from(a);
  const bb = Array.from(b);
  for (let i = 0; i < Math.min(aa.length, bb.length); i++) {
    const d = aa[i]!.codePointAt(0)! - bb[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return aa.length - bb.length;
}
