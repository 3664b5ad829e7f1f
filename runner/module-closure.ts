/**
 * What a TypeScript component's code is, for the cache key: its module and every project file
 * that module loads — static imports and literal requires (esbuild's bundle graph, packages left
 * out), plus files named by a string literal next to them, such as a worker started with
 * `path.join(__dirname, 'score-worker.ts')` — transitively; and the versions of the packages
 * they import. Editing a helper the component imports, or upgrading a package it uses,
 * invalidates its cache entries as editing the component itself does (on a platform the image
 * tag would).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { isFile } from '../warehouse/duckdb';

export interface ModuleClosure {
  /** Absolute paths of the project files, sorted. */
  readonly files: readonly string[];
  /** 'name@version' of each package imported from those files, sorted. */
  readonly packages: readonly string[];
}

const SOURCE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;
/** A quoted file name with a script extension, e.g. 'score-worker.ts' or "./lib/x.js". */
const FILE_LITERAL = /['"`]((?:\.{0,2}\/)?[\w@][\w@./-]*\.(?:[cm]?[jt]s))['"`]/g;
const BUILTIN = new Set(builtinModules);

function packageName(spec: string): string | undefined {
  if (spec.startsWith('node:') || BUILTIN.has(spec) || BUILTIN.has(spec.split('/')[0]!)) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function packageVersion(name: string, from: string): string {
  try {
    const file = require.resolve(`${name}/package.json`, { paths: [path.dirname(from)] });
    return `${name}@${(JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? '?'}`;
  } catch {
    return `${name}@?`; // not resolvable from here (or exports hide package.json): the name alone
  }
}

/** One module's static graph: esbuild bundles it in memory and reports what it read. */
function staticGraph(entry: string): { files: string[]; packages: Set<string> } {
  const esbuild = require('esbuild') as typeof import('esbuild');
  const cwd = path.dirname(entry);
  try {
    const r = esbuild.buildSync({ entryPoints: [entry], absWorkingDir: cwd, bundle: true, write: false, metafile: true, platform: 'node', format: 'cjs', packages: 'external', logLevel: 'silent' });
    const files: string[] = [];
    const packages = new Set<string>();
    for (const [input, info] of Object.entries(r.metafile!.inputs)) {
      const file = path.resolve(cwd, input);
      files.push(file);
      for (const imp of info.imports) {
        if (!imp.external) continue;
        const name = packageName(imp.path);
        if (name) packages.add(packageVersion(name, file));
      }
    }
    return { files, packages };
  } catch {
    // A module esbuild cannot bundle (a syntax error, an import that does not resolve) fails
    // when it runs; until then its own text is what its key can stand on.
    return { files: [entry], packages: new Set() };
  }
}

/**
 * The files a quoted name may mean from `dir`: dir/name, else files with that base name in
 * dir's subfolders two levels down (`path.join(__dirname, 'workers', 'x.ts')` quotes only 'x.ts').
 * Taking one too many only costs a needless re-run, never a stale cache hit.
 */
function namedFiles(dir: string, name: string): string[] {
  const direct = path.resolve(dir, name);
  if (direct.includes(`${path.sep}node_modules${path.sep}`)) return [];
  if (isFile(direct)) return [direct];
  if (name.includes('/')) return [];
  const found: string[] = [];
  const walk = (d: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const sub = path.join(d, e.name);
      if (isFile(path.join(sub, name))) found.push(path.join(sub, name));
      if (depth > 1) walk(sub, depth - 1);
    }
  };
  walk(dir, 2);
  return found;
}

export function moduleClosure(entry: string): ModuleClosure {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [path.resolve(entry)];
  while (queue.length) {
    const next = queue.pop()!;
    if (files.has(next)) continue;
    const g = staticGraph(next);
    for (const p of g.packages) packages.add(p);
    for (const f of g.files) {
      if (files.has(f)) continue;
      files.add(f);
      if (!SOURCE.test(f) || f.includes(`${path.sep}node_modules${path.sep}`)) continue;
      // Files loaded by a computed path (workers): follow quoted file names that exist beside it.
      let text: string;
      try {
        text = fs.readFileSync(f, 'utf8');
      } catch {
        continue;
      }
      for (const m of text.matchAll(FILE_LITERAL)) {
        for (const candidate of namedFiles(path.dirname(f), m[1]!)) if (!files.has(candidate)) queue.push(candidate);
      }
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

interface Known {
  readonly stamps: ReadonlyMap<string, string>;
  readonly hash: string;
}

const known = new Map<string, Known>();

function stamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/**
 * sha256 over a module's closure (each file's path relative to the module and its contents, and
 * the package versions), or undefined when the module does not exist. Recomputed only when a
 * file of the closure changes size or modification time.
 */
export function moduleClosureHash(entry: string): string | undefined {
  const file = path.resolve(entry);
  if (!fs.existsSync(file)) return undefined;
  const was = known.get(file);
  if (was && [...was.stamps].every(([f, s]) => stamp(f) === s)) return was.hash;
  const closure = moduleClosure(file);
  const h = crypto.createHash('sha256');
  const stamps = new Map<string, string>();
  for (const f of closure.files) {
    stamps.set(f, stamp(f));
    h.update(`${path.relative(path.dirname(file), f)}\0`);
    try {
      h.update(fs.readFileSync(f));
    } catch {
      h.update('\0missing');
    }
    h.update('\0');
  }
  h.update(closure.packages.join('\n'));
  const hash = h.digest('hex');
  known.set(file, { stamps, hash });
  return hash;
}
