/**
 * Progress of a local run: a live task table on a terminal, one line per state change otherwise
 * (CI logs, pipes). Loop iterations are folded into their loop's row.
 */
import type { TaskRecord, TaskState } from './model';

export interface Display {
  taskChanged(t: TaskRecord): void;
  /** A task's output (shown with --verbose). */
  output(taskPath: string, text: string): void;
  /** A line that is not about one task (start, summary). */
  print(line: string): void;
  close(): void;
}

/** 'summary': no progress, only the start line and the run's summary (the CLI's --progress none); 'none': silent (the API). */
export type DisplayMode = 'auto' | 'tty' | 'lines' | 'summary' | 'none';

const SYMBOL: Record<TaskState, string> = {
  pending: '·',
  running: '▶',
  succeeded: '✓',
  cached: '≡',
  failed: '✗',
  skipped: '–',
  upstream_failed: '✗',
  cancelled: '○',
};

const LABEL: Record<TaskState, string> = {
  pending: 'pending',
  running: 'running',
  succeeded: 'succeeded',
  cached: 'cached',
  failed: 'FAILED',
  skipped: 'skipped',
  upstream_failed: 'not run',
  cancelled: 'cancelled',
};

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

export function duration(t: { startedAt?: number; finishedAt?: number }, now = Date.now()): string {
  if (t.startedAt === undefined) return '';
  const ms = (t.finishedAt ?? now) - t.startedAt;
  return ms < 1000 ? `${ms}ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

function note(t: TaskRecord): string {
  if (t.state === 'skipped') return 'condition false';
  if (t.state === 'running' && t.attempt && t.attempt > 1) return `attempt ${t.attempt}`;
  if (t.error && t.state !== 'succeeded' && t.state !== 'cached') return t.error.split('\n')[0]!;
  return '';
}

class NoDisplay implements Display {
  taskChanged(): void {}
  output(): void {}
  print(): void {}
  close(): void {}
}

/** No progress at all, only what the run has to say at the end (its result, failures, warnings). */
class SummaryOnlyDisplay implements Display {
  constructor(private readonly out: NodeJS.WritableStream) {}
  taskChanged(): void {}
  output(): void {}
  print(line: string): void {
    this.out.write(`${line}\n`);
  }
  close(): void {}
}

class LineDisplay implements Display {
  private readonly printed = new Map<string, string>();
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly verbose: boolean,
  ) {}

  taskChanged(t: TaskRecord): void {
    if (t.kind === 'iteration' || t.state === 'pending') return;
    const sig = `${t.state}|${t.attempt ?? 1}|${t.state === 'running' ? (t.error ?? '') : ''}`;
    if (this.printed.get(t.path) === sig) return;
    this.printed.set(t.path, sig);
    let label = LABEL[t.state];
    let extra = [duration(t) && `(${duration(t)})`, note(t)].filter(Boolean).join(' ');
    if (t.state === 'running') {
      // While running, an error text means the attempt failed and a retry is waiting.
      label = t.error ? 'retrying' : t.attempt && t.attempt > 1 ? `attempt ${t.attempt}` : 'started';
      extra = t.error ? t.error.split('\n')[0]! : '';
    }
    this.out.write(`${clock(Date.now())}  ${label.padEnd(9)}  ${t.path}${extra ? `  ${extra}` : ''}\n`);
  }

  output(taskPath: string, text: string): void {
    if (!this.verbose) return;
    for (const line of text.replace(/\n$/, '').split('\n')) this.out.write(`  [${taskPath}] ${line}\n`);
  }

  print(line: string): void {
    this.out.write(`${line}\n`);
  }

  close(): void {}
}

class TableDisplay implements Display {
  private readonly rows = new Map<string, TaskRecord>();
  private drawn = 0;
  private timer: NodeJS.Timeout;
  private readonly started = Date.now();
  private closed = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly verbose: boolean,
  ) {
    this.timer = setInterval(() => this.render(), 100);
    this.timer.unref();
  }

  taskChanged(t: TaskRecord): void {
    if (t.kind === 'iteration') return;
    this.rows.set(t.path, { ...t });
  }

  private clear(): void {
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A\r\x1b[J`);
    this.drawn = 0;
  }

  output(taskPath: string, text: string): void {
    if (!this.verbose) return;
    this.clear();
    for (const line of text.replace(/\n$/, '').split('\n')) this.out.write(`  [${taskPath}] ${line}\n`);
    this.render();
  }

  print(line: string): void {
    if (this.closed) return void this.out.write(`${line}\n`);
    this.clear();
    this.out.write(`${line}\n`);
    this.render();
  }

  private render(): void {
    if (this.closed) return;
    const width = Math.max(40, (this.out.columns || 100) - 1);
    const height = Math.max(6, (this.out.rows || 30) - 4);
    const all = [...this.rows.values()].filter((t) => t.state !== 'pending');
    const leaves = all.filter((t) => t.kind === 'container' || t.kind === 'importer');
    const count = (s: TaskState[]) => leaves.filter((t) => s.includes(t.state)).length;
    const header = `  ${duration({ startedAt: this.started })}  ✓ ${count(['succeeded'])} done  ≡ ${count(['cached'])} cached  ▶ ${count(['running'])} running  – ${all.filter((t) => t.state === 'skipped').length} skipped  ✗ ${count(['failed', 'upstream_failed'])} failed`;
    // Running and failed tasks first when the table is taller than the terminal.
    let shown = all;
    if (all.length > height) {
      const urgent = all.filter((t) => t.state === 'running' || t.state === 'failed');
      const rest = all.filter((t) => !urgent.includes(t)).slice(-(Math.max(0, height - urgent.length)));
      shown = all.filter((t) => urgent.includes(t) || rest.includes(t));
    }
    const pathWidth = Math.min(48, Math.max(12, ...shown.map((t) => t.path.length)));
    const lines = shown.map((t) => {
      const row = `  ${SYMBOL[t.state]} ${t.path.padEnd(pathWidth)}  ${LABEL[t.state].padEnd(9)}  ${duration(t).padStart(6)}  ${note(t)}`;
      return row.length > width ? `${row.slice(0, width - 1)}…` : row;
    });
    if (all.length > shown.length) lines.push(`  … ${all.length - shown.length} more finished`);
    lines.push(header.slice(0, width));
    this.clear();
    this.out.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  /** Draws the final table and leaves it on screen; later lines print below it. */
  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    this.render();
    this.closed = true;
  }
}

export function createDisplay(mode: DisplayMode, out: NodeJS.WriteStream, opts: { verbose?: boolean } = {}): Display {
  const m = mode === 'auto' ? (out.isTTY && process.env.TERM !== 'dumb' && !process.env.CI ? 'tty' : 'lines') : mode;
  if (m === 'none') return new NoDisplay();
  if (m === 'summary') return new SummaryOnlyDisplay(out);
  if (m === 'tty') return new TableDisplay(out, !!opts.verbose);
  return new LineDisplay(out, !!opts.verbose);
}
