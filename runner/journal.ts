/**
 * A run's journal: one JSON line per event, appended as it happens. It is the run's own durable
 * record (one writer: the run's process), so a run killed at any point can be resumed from it, and
 * the shared metadata store can be brought up to date from it later.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionRecord, RunEvent, RunRecord, TaskRecord } from './model';

export class Journal {
  private fd: number | undefined;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  append(event: RunEvent): void {
    if (this.fd === undefined) return;
    fs.writeSync(this.fd, `${JSON.stringify(event)}\n`);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /** Events in order; a torn last line (the process died mid-write) is ignored. */
  static read(file: string): RunEvent[] {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    const events: RunEvent[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        events.push(JSON.parse(line) as RunEvent);
      } catch {
        /* torn write */
      }
    }
    return events;
  }
}

/** The latest state of everything a journal mentions. */
export interface JournalState {
  run?: RunRecord;
  tasks: Map<string, TaskRecord>;
  executions: Map<string, ExecutionRecord>;
}

export function foldJournal(events: readonly RunEvent[]): JournalState {
  const s: JournalState = { tasks: new Map(), executions: new Map() };
  for (const e of events) {
    if (e.type === 'run') s.run = e.run;
    else if (e.type === 'task') s.tasks.set(e.task.path, e.task);
    else s.executions.set(e.execution.id, e.execution);
  }
  return s;
}
