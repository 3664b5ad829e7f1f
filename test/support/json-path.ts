/** JSON paths in problem messages: `root.dag.tasks['x'].inputs.parameters['y']`, `args[2]`. */

export function fieldPath(base: string, name: string): string {
  return base ? `${base}.${name}` : name;
}

export function keyPath(base: string, key: string): string {
  return `${base}['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

export function indexPath(base: string, i: number): string {
  return `${base}[${i}]`;
}

/** One problem line: the path (or `(document)` for the top level), then what is wrong. */
export function problem(path: string, message: string): string {
  return `${path || '(document)'}: ${message}`;
}
