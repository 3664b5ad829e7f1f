import * as fs from 'node:fs';
import * as path from 'node:path';

const DSL_DIR = __dirname;

/** Nearest folder at or above `start` that has a package.json: the project root. */
export function projectRootOf(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
}

/**
 * The file that called into the DSL, relative to its project root. The executor loads that
 * module inside the image to find the component's function again.
 */
export function findCallerModule(): string {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:\/|[A-Za-z]:\\)[^():]+):\d+:\d+\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1]!;
    if (path.dirname(file) === DSL_DIR || file.includes(`${path.sep}node_modules${path.sep}`) || file.startsWith('node:')) continue;
    const root = projectRootOf(path.dirname(file));
    return path.relative(root, file).split(path.sep).join('/');
  }
  throw new Error(
    "dsl.component(): could not tell which file defines this component. Pass module: 'path/from/project/root.ts'.",
  );
}
