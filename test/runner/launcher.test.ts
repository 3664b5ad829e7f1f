/** Launching container executions: host processes for duckml's image, Docker command lines for the rest. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dockerArgv, isHostRunnable, launch, type LaunchSpec } from '../../runner/launcher';
import { tempRoot } from './helpers';

const base = (over: Partial<LaunchSpec>): LaunchSpec => ({
  container: { image: 'duckml/duckml:0.1.0' },
  command: [],
  args: [],
  cwd: process.cwd(),
  env: {},
  logFile: path.join(tempRoot(), 'log'),
  mounts: [],
  ...over,
});

test('duckml images and `duckml execute` commands run on the host; other images need Docker', () => {
  expect(isHostRunnable({ image: 'duckml/duckml:0.1.0', command: ['sh', '-c', 'true'] })).toBe(true);
  expect(isHostRunnable({ image: 'europe-docker.pkg.dev/p/r/x:1', command: ['duckml', 'execute'] })).toBe(true);
  expect(isHostRunnable({ image: 'python:3.11', command: ['python3'] })).toBe(false);
});

test('the Docker command line mounts the pipeline root at the same path and passes env and entrypoint', () => {
  const argv = dockerArgv(base({ container: { image: 'python:3.11' }, command: ['python3', '-c'], args: ['print(1)'], env: { A: '1' }, mounts: ['/runs'] }));
  expect(argv).toEqual(['docker', 'run', '--rm', '-i', '-v', '/runs:/runs', '-e', 'A=1', '--entrypoint', 'python3', 'python:3.11', '-c', 'print(1)']);
});

test('a host process: output to the log, last lines kept, exit code and env passed', async () => {
  const spec = base({ command: ['sh', '-c', 'echo one; echo two >&2; echo "$GREETING"; exit 3'], env: { GREETING: 'hi' } });
  const r = await launch(spec);
  expect(r.code).toBe(3);
  expect(r.tail).toEqual(expect.arrayContaining(['one', 'two', 'hi']));
  expect(fs.readFileSync(spec.logFile, 'utf8')).toMatch(/one\n[\s\S]*hi\n/);
});

test('an abort stops the process', async () => {
  const stop = new AbortController();
  const p = launch(base({ command: ['sh', '-c', 'sleep 30'], signal: stop.signal }));
  setTimeout(() => stop.abort(), 100);
  const r = await p;
  expect(r.signal).toBe('SIGTERM');
});
