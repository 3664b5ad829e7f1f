/**
 * Names the registry accepts, by Vertex Model Registry's rules so a pipeline that works locally
 * works on Vertex: aliases `[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]`, labels as Vertex labels, and model
 * names that are also safe folder names.
 */
import { RegistryError } from './types';

const MODEL = /^[a-z0-9][a-z0-9_-]{0,127}$/;
const ALIAS = /^[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]$/;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

export function checkModelName(name: unknown): string {
  if (typeof name !== 'string' || !MODEL.test(name)) {
    throw new RegistryError(`model name ${JSON.stringify(name)} is not valid: use lower-case letters, digits, '-' and '_' (at most 128, starting with a letter or digit), e.g. 'scam-classifier'.`);
  }
  return name;
}

export function checkAlias(alias: unknown): string {
  if (typeof alias !== 'string' || !ALIAS.test(alias)) {
    throw new RegistryError(
      `alias ${JSON.stringify(alias)} is not valid: aliases start with a lower-case letter, end with a lower-case letter or digit, and use letters, digits and '-' (2–128 characters), e.g. 'champion'. Version numbers are not aliases.`,
    );
  }
  return alias;
}

export function checkLabels(labels: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!LABEL_KEY.test(k)) throw new RegistryError(`label key '${k}' is not valid: start with a lower-case letter; use a-z, 0-9, '_' and '-' (at most 63).`);
    const s = typeof v === 'string' ? v : String(v);
    if (!LABEL_VALUE.test(s)) throw new RegistryError(`label '${k}' has value '${s}': values use only a-z, 0-9, '_' and '-' (at most 63).`);
    out[k] = s;
  }
  if (Object.keys(out).length > 64) throw new RegistryError(`${Object.keys(out).length} labels given; a model version takes at most 64.`);
  return out;
}

/** 'scam-classifier@champion' → { model, ref: 'champion' }; 'scam-classifier:3' or '@3' → ref '3'; bare name → ref undefined. */
export function parseModelRef(ref: string): { model: string; ref?: string } {
  const m = /^([^@:]+)(?:[@:](.+))?$/.exec(ref.trim());
  if (!m) throw new RegistryError(`model reference '${ref}' is not valid: use NAME, NAME@ALIAS or NAME@VERSION, e.g. 'scam-classifier@champion'.`);
  const model = checkModelName(m[1]);
  const r = m[2];
  if (r !== undefined && !/^\d+$/.test(r)) checkAlias(r);
  return { model, ref: r };
}

/** Label key Vertex keeps an alias's previous version under (rollback history). */
export function previousLabel(alias: string): string {
  return `duckml-prev-${alias.toLowerCase()}`.slice(0, 63);
}
