/**
 * The project config file, duckml.config.json, found in the current folder or the nearest one
 * above it (or named with --config). It holds what would otherwise be repeated on every command
 * line: the Vertex project and region, the pipeline root, the component image, the KFP host.
 * Command-line flags win over DUCKML_* environment variables, which win over this file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, EXIT } from './exit-codes';

export const CONFIG_FILE = 'duckml.config.json';

export interface VertexConfig {
  project?: string;
  region?: string;
  pipelineRoot?: string;
  serviceAccount?: string;
  network?: string;
  kmsKey?: string;
  labels?: Record<string, string>;
  enableCaching?: boolean;
  failurePolicy?: 'fast' | 'slow';
}

export interface KfpConfig {
  host?: string;
  namespace?: string;
  pipelineRoot?: string;
  serviceAccount?: string;
}

export interface ProjectConfig {
  /** Where it was read from; undefined when there is no file. */
  file?: string;
  target?: 'vertex' | 'kfp';
  /** Image for TypeScript components (default duckml/duckml:<duckml version>). */
  image?: string;
  vertex: VertexConfig;
  kfp: KfpConfig;
}

const SHAPE = {
  top: { target: 'vertex|kfp', image: 'string', vertex: 'object', kfp: 'object', $schema: 'string' },
  vertex: {
    project: 'string',
    region: 'string',
    pipelineRoot: 'string',
    serviceAccount: 'string',
    network: 'string',
    kmsKey: 'string',
    labels: 'labels',
    enableCaching: 'boolean',
    failurePolicy: 'fast|slow',
  },
  kfp: { host: 'string', namespace: 'string', pipelineRoot: 'string', serviceAccount: 'string' },
} as const;

function check(file: string, where: string, obj: unknown, shape: Record<string, string>): void {
  const bad = (msg: string) => new CliError(`${file}: ${msg}`, EXIT.usage);
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw bad(`${where || 'the file'} must be a JSON object.`);
  for (const [k, v] of Object.entries(obj)) {
    const key = where ? `${where}.${k}` : k;
    const want = shape[k];
    if (!want) throw bad(`unknown setting '${key}'. Known settings${where ? ` in '${where}'` : ''}: ${Object.keys(shape).filter((x) => x !== '$schema').join(', ')}.`);
    if (want === 'object') continue;
    if (want === 'labels') {
      if (!v || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
        throw bad(`'${key}' must be an object of string values, e.g. {"team": "ml"}.`);
      }
    } else if (want.includes('|')) {
      if (!want.split('|').includes(v as string)) throw bad(`'${key}' is ${JSON.stringify(v)}; expected ${want.split('|').map((x) => `"${x}"`).join(' or ')}.`);
    } else if (typeof v !== want) {
      throw bad(`'${key}' is ${JSON.stringify(v)}; expected a ${want}.`);
    }
  }
}

export function findConfigFile(from: string = process.cwd()): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const f = path.join(dir, CONFIG_FILE);
    if (fs.existsSync(f)) return f;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Reads the named file, or the one found from the current folder; none is an empty config. */
export function loadProjectConfig(explicit?: string, cwd: string = process.cwd()): ProjectConfig {
  const file = explicit ? path.resolve(cwd, explicit) : findConfigFile(cwd);
  if (!file) return { vertex: {}, kfp: {} };
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new CliError(`config file ${file}: ${why}.`, EXIT.usage);
  }
  check(file, '', doc, SHAPE.top);
  const d = doc as { target?: 'vertex' | 'kfp'; image?: string; vertex?: unknown; kfp?: unknown };
  if (d.vertex !== undefined) check(file, 'vertex', d.vertex, SHAPE.vertex);
  if (d.kfp !== undefined) check(file, 'kfp', d.kfp, SHAPE.kfp);
  return { file, target: d.target, image: d.image, vertex: (d.vertex ?? {}) as VertexConfig, kfp: (d.kfp ?? {}) as KfpConfig };
}

/** `a=1,b=2` (DUCKML_LABELS) or repeated `--labels a=1` → a map; the flag name goes into errors. */
export function parseKeyValues(items: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items.flatMap((s) => s.split(','))) {
    if (!item.trim()) continue;
    const i = item.indexOf('=');
    if (i <= 0) throw new CliError(`${flag} '${item}' must look like key=value.`, EXIT.usage);
    out[item.slice(0, i).trim()] = item.slice(i + 1).trim();
  }
  return out;
}

/**
 * The image compiled specs name for TypeScript components: --image, else $DUCKML_IMAGE, else
 * "image" in duckml.config.json; undefined leaves the compiler's default, duckml/duckml:<version>.
 */
export function componentImage(flag: string | undefined, cfg: ProjectConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flag ?? (env.DUCKML_IMAGE || undefined) ?? cfg.image;
}
