/**
 * Starts one container execution as a process: duckml's own image runs on the host (its command,
 * with `duckml` meaning this duckml's bin/duckml.js), any other image under Docker. Output goes
 * to the attempt's log file; the last lines are kept for error messages.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerIr } from '../compiler/ir';
import { DUCKML_BIN, type WarmPool } from './prewarm';

/** duckml's component image: runs as a host subprocess. */
export function isHostRunnable(container: ContainerIr): boolean {
  return container.image.startsWith('duckml/duckml') || (container.command?.[0] === 'duckml' && container.command?.[1] === 'execute');
}

let dockerChecked: boolean | undefined;
/** Whether a Docker engine answers (checked once per process). */
export function dockerAvailable(): boolean {
  if (dockerChecked === undefined) {
    if (process.env.DUCKML_NO_DOCKER === '1') return (dockerChecked = false);
    const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 10_000, stdio: 'ignore' });
    dockerChecked = r.status === 0;
  }
  return dockerChecked;
}

export interface LaunchSpec {
  readonly container: ContainerIr;
  /** The resolved command and args (placeholders substituted). */
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly cwd: string;
  /** Extra environment for the process (container env and duckml's task variables). */
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;
  /** Host folders a Docker container needs at the same path (the pipeline root). */
  readonly mounts: readonly string[];
  readonly onOutput?: (text: string) => void;
  readonly signal?: AbortSignal;
  readonly warm?: WarmPool;
}

export interface LaunchResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Last lines of output, for the error message. */
  readonly tail: string[];
}

function hostArgv(spec: LaunchSpec): string[] {
  const argv = [...spec.command, ...spec.args];
  if (argv.length === 0) throw new Error(`image ${spec.container.image} has no command to run on the host.`);
  if (argv[0] === 'duckml') return [process.execPath, DUCKML_BIN, ...argv.slice(1)];
  return argv;
}

/** The `docker run` command line for a container task: the pipeline root mounted at the same path, so URIs work inside. */
export function dockerArgv(spec: LaunchSpec): string[] {
  const argv = ['docker', 'run', '--rm', '-i'];
  for (const m of spec.mounts) argv.push('-v', `${m}:${m}`);
  for (const [k, v] of Object.entries(spec.env)) argv.push('-e', `${k}=${v}`);
  if (spec.command.length) argv.push('--entrypoint', spec.command[0]!);
  argv.push(spec.container.image, ...spec.command.slice(1), ...spec.args);
  return argv;
}

export function launch(spec: LaunchSpec): Promise<LaunchResult> {
  fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
  const log = fs.openSync(spec.logFile, 'w');
  const host = isHostRunnable(spec.container);
  let child: ChildProcess | undefined;
  if (host && spec.warm && spec.command[0] === 'duckml' && spec.command[1] === 'execute') {
    child = spec.warm.take([...spec.command.slice(2), ...spec.args], spec.env as Record<string, string>);
  }
  if (!child) {
    const argv = host ? hostArgv(spec) : dockerArgv(spec);
    child = spawn(argv[0]!, argv.slice(1), {
      cwd: spec.cwd,
      env: host ? { ...process.env, ...spec.env } : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so stopping a task stops what it started too (sh -c …).
      detached: true,
    });
  }
  const tail: string[] = [];
  let partial = '';
  const onData = (d: Buffer) => {
    fs.writeSync(log, d);
    const text = d.toString('utf8');
    spec.onOutput?.(text);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    tail.push(...lines);
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child!.pid!, sig);
    } catch {
      child!.kill(sig);
    }
  };
  const kill = () => {
    signalGroup('SIGTERM');
    setTimeout(() => child!.exitCode === null && signalGroup('SIGKILL'), 5000).unref();
  };
  spec.signal?.addEventListener('abort', kill, { once: true });
  return new Promise((resolve) => {
    let spawnError: Error | undefined;
    child!.on('error', (e) => {
      spawnError = e;
    });
    child!.on('close', (code, signal) => {
      spec.signal?.removeEventListener('abort', kill);
      if (partial) tail.push(partial);
      if (spawnError) tail.push(`could not start ${host ? 'the command' : 'docker'}: ${spawnError.message}`);
      fs.closeSync(log);
      resolve({ code: spawnError ? -1 : code, signal, tail: tail.slice(-20) });
    });
  });
}
