/**
 * Atomic outputs: everything is written to a temporary name beside its target (same folder, so
 * the same file system) and renamed into place only once complete, so a failure never leaves a
 * partial artifact behind.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A fresh temporary path in the target's folder (the folder is created). */
export function tempBeside(target: string, suffix = ''): string {
  const dir = path.dirname(path.resolve(target));
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `.${path.basename(target)}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp${suffix}`);
}

/** Removes a file or folder, ignoring one that is not there. */
export function removeQuietly(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    /* best effort: cleaning up after a failure must not hide the failure */
  }
}

/** Renames temp → target, replacing a previous file or folder at target. */
export function commit(temp: string, target: string): void {
  const abs = path.resolve(target);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory() && fs.statSync(temp).isDirectory()) {
    // rename(2) replaces only an empty folder; move the old one aside first.
    const old = tempBeside(abs, '.old');
    fs.renameSync(abs, old);
    fs.renameSync(temp, abs);
    removeQuietly(old);
    return;
  }
  fs.renameSync(temp, abs);
}

/**
 * Runs `write` with temporary paths for several targets, then renames them all into place; on
 * any failure removes every temporary and rethrows.
 */
export async function writeAllAtomically<T>(targets: readonly string[], write: (temps: string[]) => Promise<T>): Promise<T> {
  const temps = targets.map((t) => tempBeside(t));
  try {
    const result = await write(temps);
    targets.forEach((t, i) => commit(temps[i]!, t));
    return result;
  } catch (e) {
    temps.forEach(removeQuietly);
    throw e;
  }
}
