/**
 * A real `duckml` process against the fake Vertex server, run as Airflow runs it: SIGTERM while
 * `duckml submit --wait` waits (what Airflow sends when it kills a task), and the last line of
 * the merged output (what the BashOperator pushes to XCom).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { EXIT } from '../../cli/exit-codes';
import { FakeVertex } from './fakes/fake-vertex';
import { tmpDir, writeSpec } from './fakes/specs';

const BIN = path.resolve(__dirname, '../../bin/duckml.js');
let fake: FakeVertex;
let specFile: string;

beforeAll(async () => {
  fake = await new FakeVertex().start();
  specFile = writeSpec(tmpDir());
});
afterAll(() => fake.stop());

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts a submit --wait, sends `signal` once the job is RUNNING, and collects how it ends. */
function submitThenSignal(jobId: string, signal: NodeJS.Signals, extra: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(DUCKML_|AIRFLOW_CTX_|GOOGLE_)/.test(k)) env[k] = v;
    Object.assign(env, { DUCKML_VERTEX_ENDPOINT: fake.endpoint, DUCKML_ACCESS_TOKEN: 'tok', DUCKML_PROJECT: 'my-proj', DUCKML_PIPELINE_ROOT: 'gs://bucket/root' });
    const child = spawn(process.execPath, [BIN, 'submit', specFile, '--param', 'epochs=1', '--job-id', jobId, '--wait', '--poll-interval', '50ms', ...extra], { env });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`duckml did not finish in time.\nstderr:\n${stderr}`));
    }, 30_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && /: RUNNING/.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

test('SIGTERM with --cancel-on-interrupt cancels the job before exiting (exit 5)', async () => {
  fake.script = ['PIPELINE_STATE_PENDING', 'PIPELINE_STATE_RUNNING'];
  const r = await submitThenSignal('sigterm-1', 'SIGTERM', ['--cancel-on-interrupt']);
  expect(fake.callsOf('CancelPipelineJob').map((c) => c.request.name)).toEqual(['projects/my-proj/locations/us-central1/pipelineJobs/sigterm-1']);
  expect(r.stderr).toContain('SIGTERM received: cancelling the job.');
  expect(r.code).toBe(EXIT.cancelled);
  expect(lastJson(r.stdout)).toMatchObject({ id: 'sigterm-1', state: 'CANCELLED', interrupted: 'SIGTERM', cancelRequested: true, exitCode: EXIT.cancelled });
}, 40_000);

test('SIGINT without --cancel-on-interrupt leaves the job running (exit 9)', async () => {
  fake.script = ['PIPELINE_STATE_PENDING', 'PIPELINE_STATE_RUNNING'];
  const before = fake.callsOf('CancelPipelineJob').length;
  const r = await submitThenSignal('sigint-1', 'SIGINT', []);
  expect(r.code).toBe(EXIT.interrupted);
  expect(fake.callsOf('CancelPipelineJob')).toHaveLength(before);
  expect(lastJson(r.stdout)).toMatchObject({ id: 'sigint-1', state: 'RUNNING', interrupted: 'SIGINT', exitCode: EXIT.interrupted });
}, 40_000);

test("as Airflow's BashOperator runs it (stderr merged into stdout), the last line is the JSON result", async () => {
  fake.script = ['PIPELINE_STATE_PENDING', 'PIPELINE_STATE_RUNNING', 'PIPELINE_STATE_SUCCEEDED'];
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(DUCKML_|AIRFLOW_CTX_|GOOGLE_)/.test(k)) env[k] = v;
  Object.assign(env, {
    DUCKML_VERTEX_ENDPOINT: fake.endpoint,
    DUCKML_ACCESS_TOKEN: 'tok',
    DUCKML_PROJECT: 'my-proj',
    DUCKML_PIPELINE_ROOT: 'gs://bucket/root',
    AIRFLOW_CTX_DAG_ID: 'duckml_train_nightly',
    AIRFLOW_CTX_TASK_ID: 'train',
    AIRFLOW_CTX_DAG_RUN_ID: 'scheduled__2024-05-01T03:00:00+00:00',
  });
  const cmd = `"${process.execPath}" "${BIN}" submit "${specFile}" --param epochs=1 --wait --poll-interval 20ms 2>&1`;
  // Asynchronously: the fake server answers from this process.
  const r = await new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn('sh', ['-c', cmd], { env });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout }));
  });
  expect(r.status).toBe(EXIT.ok);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines.length).toBeGreaterThan(3); // progress lines came first
  expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ state: 'SUCCEEDED', id: expect.stringMatching(/^duckml-train-nightly-train-scheduled-2024-05-01t03-00-00-00-00-[0-9a-f]{8}$/), exitCode: 0 });
}, 40_000);
