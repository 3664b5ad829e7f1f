/**
 * Text width without a font engine: per-character advance classes close to DejaVu Sans (the
 * widest of the usual fallbacks), so boxes sized here fit their text in every common viewer.
 * Monospace text is exact: 0.602 em per character in DejaVu Sans Mono, a little less elsewhere.
 */

const NARROW = new Set("il.,:;'|!`ijlI()[]{} ");
const SEMI = new Set('frt-/"*\\');
const WIDE = new Set('mwMW@%');

function advance(ch: string): number {
  if (NARROW.has(ch)) return 0.34;
  if (SEMI.has(ch)) return 0.45;
  if (WIDE.has(ch)) return 0.98;
  if (ch >= 'A' && ch <= 'Z') return 0.74;
  if (ch.charCodeAt(0) > 0x7f) return 0.8;
  return 0.63;
}

export function textWidth(text: string, fontSize: number, monospace = false): number {
  if (monospace) return [...text].length * 0.602 * fontSize;
  let em = 0;
  for (const ch of text) em += advance(ch);
  return em * fontSize;
}

/** Cuts `text` to at most `max` characters, ending in '…' when it was cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, ' ')];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}
