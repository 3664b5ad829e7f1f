import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { executeComponent, runComponent, ExecutionError, uriToPath, type ExecutorInputJson } from '../../executor';
import { badMetrics, countRows, evaluate, fails, makeRows, wrongReturn } from './fixtures/components';

const ROOT = path.resolve(__dirname, '../..');
const MODULE = 'test/executor/fixtures/components.ts';
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-exec-'));

describe('runComponent (in-process)', () => {
  test('typed inputs, defaults, artifact outputs with metadata, typed parameter outputs', async () => {
    const r = await runComponent(makeRows, { count: '3' });
    expect(r.outputs).toEqual({ total: 3, noted: false });
    const rows = r.artifacts.rows as { path: string; metadata: Record<string, unknown> };
    expect(fs.readFileSync(rows.path, 'utf8')).toBe('row-0\nrow-1\nrow-2\n');
    expect(rows.metadata).toEqual({ rows: 3 });
    // The executor output file the launcher reads back.
    const eo = JSON.parse(fs.readFileSync(path.join(r.outputDir, 'executor_output.json'), 'utf8'));
    expect(eo.parameterValues).toEqual({ total: 3, noted: false });
    expect(eo.artifacts.rows.artifacts[0]).toMatchObject({ name: 'rows', uri: rows.path, metadata: { rows: 3 } });
    expect(fs.readFileSync(path.join(r.outputDir, '.params', 'total'), 'utf8')).toBe('3');
  });

  test('artifact lists and struct defaults come through typed', async () => {
    const dir = tmp();
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.writeFileSync(a, 'x\ny\n');
    fs.writeFileSync(b, 'z\n');
    const r = await runComponent(countRows, { data: { path: a, metadata: { rows: 2 } }, parts: [b, a] });
    expect(r.outputs).toEqual({ n: 5, summary: { from: 2, parts: 2 }, files: ['b', 'a'] });
  });

  test('metrics in the forms the Vertex and KFP UIs render', async () => {
    const r = await runComponent(evaluate);
    const scores = r.artifacts.scores as { path: string; metadata: unknown };
    const report = r.artifacts.report as { metadata: unknown };
    expect(scores.metadata).toEqual({ accuracy: 0.75, loss: 0.5 });
    expect(report.metadata).toEqual({
      confusionMatrix: {
        annotationSpecs: [{ displayName: 'cat' }, { displayName: 'dog' }],
        rows: [{ row: [3, 1] }, { row: [0, 4] }],
      },
      confidenceMetrics: [
        { confidenceThreshold: 1, recall: 0, falsePositiveRate: 0 },
        { confidenceThreshold: 0.5, recall: 0.9, falsePositiveRate: 0.25 },
        { confidenceThreshold: 0, recall: 1, falsePositiveRate: 1 },
      ],
    });
    // A metrics artifact's content is its metadata; a copy is written at its path.
    expect(JSON.parse(fs.readFileSync(scores.path, 'utf8'))).toEqual({ accuracy: 0.75, loss: 0.5 });
  });

  test('metrics the UIs would not render are an error naming the output', async () => {
    await expect(runComponent(badMetrics)).rejects.toThrow(/output 'scores' \(system.Metrics\): metric 'accuracy' is "high", not a number/);
  });

  test('a thrown error, a missing input and a mistyped output are ExecutionErrors', async () => {
    await expect(runComponent(fails, { message: 'boom' })).rejects.toThrow(ExecutionError);
    await expect(runComponent(fails, { message: 'boom' })).rejects.toThrow(/component 'fails' failed: Error: boom/);
    await expect(runComponent(fails, {})).rejects.toThrow(/input 'message' is required/);
    await expect(runComponent(wrongReturn)).rejects.toThrow(/output 'n' is NUMBER_INTEGER but got 1.5/);
  });
});

describe('executeComponent with a launcher-style ExecutorInput', () => {
  test('maps gs:// URIs to the /gcs mount and writes outputs where the launcher said', async () => {
    const mount = tmp();
    const prev = process.env.DUCKML_GCS_MOUNT;
    process.env.DUCKML_GCS_MOUNT = mount;
    try {
      fs.mkdirSync(path.join(mount, 'bucket/in'), { recursive: true });
      fs.writeFileSync(path.join(mount, 'bucket/in/data'), 'a\nb\n');
      const outDir = tmp();
      // The shape Vertex passes as {{$}} (proto3 JSON).
      const ei: ExecutorInputJson = {
        inputs: {
          parameterValues: { config: { scale: 2 } },
          artifacts: {
            data: { artifacts: [{ name: 'projects/p/locations/l/metadataStores/default/artifacts/1', type: { schemaTitle: 'system.Dataset' }, uri: 'gs://bucket/in/data', metadata: {} }] },
            parts: { artifacts: [] },
          },
        },
        outputs: {
          parameters: { n: { outputFile: path.join(outDir, 'n') }, summary: { outputFile: path.join(outDir, 'summary') }, files: { outputFile: path.join(outDir, 'files') } },
          outputFile: path.join(outDir, 'gcs/executor_output.json'),
        },
      };
      const out = await executeComponent(countRows as never, ei);
      expect(out.parameterValues).toEqual({ n: 4, summary: { from: null, parts: 0 }, files: [] });
      expect(fs.readFileSync(path.join(outDir, 'summary'), 'utf8')).toBe('{"from":null,"parts":0}');
      expect(JSON.parse(fs.readFileSync(path.join(outDir, 'gcs/executor_output.json'), 'utf8')).parameterValues.n).toBe(4);
      expect(uriToPath('gs://bucket/in/data')).toBe(path.join(mount, 'bucket/in/data'));
    } finally {
      if (prev === undefined) delete process.env.DUCKML_GCS_MOUNT;
      else process.env.DUCKML_GCS_MOUNT = prev;
    }
  });

  test('uri mapping follows the platforms: /gcs, /s3, /minio, file:// and absolute paths', () => {
    expect(uriToPath('gs://b/x/y')).toBe('/gcs/b/x/y');
    expect(uriToPath('s3://b/x')).toBe('/s3/b/x');
    expect(uriToPath('minio://b/x')).toBe('/minio/b/x');
    expect(uriToPath('file:///tmp/a%20b')).toBe('/tmp/a b');
    expect(uriToPath('/abs/path')).toBe('/abs/path');
    expect(() => uriToPath('relative/x')).toThrow(/no local path/);
  });
});

describe('duckml execute (the container command)', () => {
  const execute = (args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin/duckml.js'), 'execute', ...args], { cwd: ROOT, encoding: 'utf8' });

  test('runs a component the module does not export but an exported pipeline uses, from the compiled command line', () => {
    const out = tmp();
    const ei: ExecutorInputJson = {
      inputs: { parameterValues: { who: 'Ada' } },
      outputs: { parameters: { greeting: { outputFile: path.join(out, 'greeting') } }, outputFile: path.join(out, 'executor_output.json') },
    };
    const r = execute(['--executor-input', JSON.stringify(ei), '--module', MODULE, '--component', 'hidden']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('greeting Ada');
    expect(fs.readFileSync(path.join(out, 'greeting'), 'utf8')).toBe('hello Ada');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'executor_output.json'), 'utf8'))).toEqual({ parameterValues: { greeting: 'hello Ada' }, artifacts: {} });
  });

  test('exits non-zero with the error message when the component fails', () => {
    const ei = { inputs: { parameterValues: { message: 'disk on fire' } }, outputs: {} };
    const r = execute(['--executor-input', JSON.stringify(ei), '--module', MODULE, '--component', 'fails']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/duckml execute: component 'fails' failed: Error: disk on fire/);
  });

  test('bad input names the problem: not JSON, unknown component, missing flags', () => {
    let r = execute(['--executor-input', '{nope', '--module', MODULE, '--component', 'fails']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--executor-input is not JSON/);
    r = execute(['--executor-input', '{}', '--module', MODULE, '--component', 'nope']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/exports no TypeScript component named 'nope'.*make-rows.*Export the component/);
    r = execute(['--executor-input', '{}', '--module', MODULE, '--component', 'orphan']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/exports no TypeScript component named 'orphan', and no exported pipeline uses one/);
    r = execute(['--module', MODULE]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing --executor-input, --component/);
  });
});
