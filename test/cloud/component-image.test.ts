/**
 * The component image cannot be built here (no Docker engine). What can be checked: the command
 * the compiler emits is the one the image provides (`duckml` → bin/duckml.js), the image name
 * specs carry, and that the emitted command runs a TypeScript component under the local runner.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile, DEFAULT_IMAGE } from '../../compiler';
import { tmpDir } from './fakes/specs';
import { imagePipeline } from './fixtures/image-pipeline';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string>; engines: { node: string } };
const dockerfile = fs.readFileSync(path.join(ROOT, 'docker/Dockerfile'), 'utf8');
/** Instructions with continuation lines joined and comments dropped. */
const instructions = dockerfile
  .split('\n')
  .filter((l) => !/^\s*#/.test(l))
  .join('\n')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter(Boolean);
const stages = instructions.join('\n').split(/^FROM /m).slice(1);
const finalStage = stages[stages.length - 1]!;

describe('what the compiler emits for a TypeScript component', () => {
  const spec = compile(imagePipeline);
  const [label, exec] = Object.entries(spec.deploymentSpec.executors)[0]!;

  test('the command is `duckml execute` with the executor input, module and component', () => {
    expect(label).toBe('exec-shout');
    expect(exec.container).toEqual({
      image: `duckml/duckml:${pkg.version}`,
      command: ['duckml', 'execute'],
      args: ['--executor-input', '{{$}}', '--module', 'test/cloud/fixtures/image-pipeline.ts', '--component', 'shout'],
    });
    // The module path is relative to the project root, where the image's WORKDIR puts the project.
    expect(fs.existsSync(path.join(ROOT, exec.container!.args![3]!))).toBe(true);
  });

  test('the default image tag is the package version; a project names its own', () => {
    expect(DEFAULT_IMAGE).toBe(`duckml/duckml:${pkg.version}`);
    expect(compile(imagePipeline, { image: 'eu.gcr.io/p/app:7' }).deploymentSpec.executors['exec-shout']!.container!.image).toBe('eu.gcr.io/p/app:7');
  });
});

describe('docker/Dockerfile', () => {
  test('CUDA with cuDNN 8 (what tfjs-node-gpu 4.x needs), Node 20 (package engines)', () => {
    expect(dockerfile).toMatch(/^ARG CUDA_IMAGE=nvidia\/cuda:11\.\d+\.\d+-cudnn8-runtime-ubuntu\d+\.\d+$/m);
    expect(pkg.engines.node).toBe('>=20');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-/m);
    expect(instructions).toContain('RUN npm install --prefix /opt/duckml --omit=dev --no-audit --no-fund @tensorflow/tfjs-node-gpu@${TFJS_NODE_GPU_VERSION}');
  });

  test('`duckml` on PATH is the package bin, bin/duckml.js, which exists and is a node script', () => {
    expect(pkg.bin).toEqual({ duckml: 'bin/duckml.js' });
    expect(finalStage).toContain('RUN ln -s /opt/duckml/node_modules/duckml/bin/duckml.js /usr/local/bin/duckml');
    expect(instructions).toContain('WORKDIR /opt/duckml/node_modules/duckml');
    const bin = path.join(ROOT, pkg.bin.duckml!);
    expect(fs.readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
  });

  test('the executor runs in the project root /app, preferring the project\'s own duckml', () => {
    expect(finalStage).toMatch(/^WORKDIR \/app$/m);
    expect(finalStage).toMatch(/PATH=\/app\/node_modules\/\.bin:\$\{PATH\}/);
    expect(finalStage).toMatch(/NODE_PATH=\/opt\/duckml\/node_modules/);
  });

  test('the build context leaves out node_modules (installed in the image) and tests', () => {
    const ignore = fs.readFileSync(path.join(ROOT, 'docker/Dockerfile.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '.git', 'test']));
  });
});

test('the emitted command runs the component under the local runner', () => {
  const root = tmpDir('duckml-image-run-');
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bin/duckml.js'), 'run', 'test/cloud/fixtures/image-pipeline.ts', '--param', 'text=quack', '--root', root, '--progress', 'lines', '--no-typecheck'],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DUCKML_NO_DOCKER: '1' } },
  );
  expect(r.stderr + r.stdout).toMatch(/succeeded/);
  expect(r.status).toBe(0);
  // What the component wrote, wherever the runner keeps the task's outputs.
  const files = (fs.readdirSync(root, { recursive: true }) as string[]).map((f) => path.join(root, f));
  const output = files.find((f) => f.endsWith(`shout${path.sep}.executor_output.json`));
  expect(JSON.parse(fs.readFileSync(output!, 'utf8')).parameterValues).toEqual({ loud: 'QUACK!' });
  expect(fs.readFileSync(files.find((f) => f.endsWith(`shout${path.sep}note`))!, 'utf8')).toBe('5 chars\n');
}, 60_000);
