/**
 * Executor processes started ahead of time. A `duckml execute` process spends most of its life
 * starting Node and loading duckml; a warm one has done that before its task is known and waits
 * for the task's argv on stdin. Each still runs exactly one task and exits, so tasks stay isolated
 * (fresh process, fresh module state) while the start-up cost overlaps other work.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export const DUCKML_BIN = path.resolve(__dirname, '..', 'bin', 'duckml.js');

export class WarmPool {
  private readonly idle: ChildProcess[] = [];
  private closed = false;
  private started = false;

  /** Starts nothing until the first task needs a process, so a fully cached run starts none. */
  constructor(
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly size: number,
  ) {}

  private start(): ChildProcess {
    const child = spawn(process.execPath, [DUCKML_BIN, 'execute', '--await-args'], { cwd: this.cwd, env: this.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    child.on('error', () => undefined);
    child.on('exit', () => {
      const i = this.idle.indexOf(child);
      if (i >= 0) this.idle.splice(i, 1);
    });
    // Output before a task is assigned is a start-up problem; keep it for whoever takes the process.
    return child;
  }

  private fill(): void {
    while (!this.closed && this.idle.length < this.size) this.idle.push(this.start());
  }

  /** A warm process, told to run `argv` with `env` added (refilling the pool), or undefined: start one cold. */
  take(argv: readonly string[], env: Readonly<Record<string, string>>): ChildProcess | undefined {
    if (this.closed) return undefined;
    if (!this.started) {
      this.started = true;
      setImmediate(() => this.fill());
      return undefined;
    }
    let child = this.idle.shift();
    while (child && (child.exitCode !== null || child.signalCode !== null)) child = this.idle.shift();
    if (!child) return undefined;
    child.stdin!.write(`${JSON.stringify({ argv, env })}\n`);
    child.stdin!.end();
    setImmediate(() => this.fill());
    return child;
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) {
      c.stdin?.end();
      c.kill('SIGTERM');
    }
  }
}
