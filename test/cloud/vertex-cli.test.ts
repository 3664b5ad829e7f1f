/** `duckml submit`, `jobs` and `schedule` against the fake Vertex server: output, exit codes, checks. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../cli/exit-codes';
import { fromProtoStruct } from '../../cloud/vertex/struct';
import { runCli } from './fakes/cli';
import { FakeVertex, STATUS } from './fakes/fake-vertex';
import { tmpDir, writeSpec } from './fakes/specs';

let fake: FakeVertex;
let dir: string;
let specFile: string;
let env: Record<string, string>;
const DEFAULT_SCRIPT = ['PIPELINE_STATE_PENDING', 'PIPELINE_STATE_RUNNING', 'PIPELINE_STATE_SUCCEEDED'];

beforeAll(async () => {
  fake = await new FakeVertex().start();
  fake.token = 'tok-1';
  dir = tmpDir();
  specFile = writeSpec(dir);
  env = { DUCKML_VERTEX_ENDPOINT: fake.endpoint, DUCKML_ACCESS_TOKEN: 'tok-1', DUCKML_PROJECT: 'my-proj', DUCKML_PIPELINE_ROOT: 'gs://bucket/root' };
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.calls.length = 0;
  fake.script = DEFAULT_SCRIPT;
});

const submit = (args: string[], extraEnv: Record<string, string | undefined> = {}) => runCli(['submit', specFile, '--param', 'epochs=3', ...args], { ...env, ...extraEnv });

describe('duckml submit --wait: the exit code follows the final state', () => {
  test.each([
    ['SUCCEEDED', EXIT.ok],
    ['FAILED', EXIT.failed],
    ['CANCELLED', EXIT.cancelled],
  ])('%s → exit %i', async (end, code) => {
    fake.script = ['PIPELINE_STATE_PENDING', 'PIPELINE_STATE_RUNNING', `PIPELINE_STATE_${end}`];
    const r = await submit(['--wait', '--poll-interval', '10ms', '--job-id', `end-${end.toLowerCase()}`]);
    expect(r.code).toBe(code);
    expect(r.json).toMatchObject({
      target: 'vertex',
      name: `projects/my-proj/locations/us-central1/pipelineJobs/end-${end.toLowerCase()}`,
      id: `end-${end.toLowerCase()}`,
      state: end,
      serviceState: `PIPELINE_STATE_${end}`,
      url: `https://console.cloud.google.com/vertex-ai/locations/us-central1/pipelines/runs/end-${end.toLowerCase()}?project=my-proj`,
      existing: false,
      exitCode: code,
    });
    if (end === 'FAILED') expect(r.json.error).toMatch(/The DAG failed/);
    else expect(r.json).not.toHaveProperty('error');
    // Readable progress on stderr, one line per state; the JSON is the only stdout line.
    expect(r.stderr).toMatch(new RegExp(`RUNNING[\\s\\S]*${end}`));
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  test('--timeout gives up with exit 6 and leaves the job running', async () => {
    fake.script = ['PIPELINE_STATE_RUNNING'];
    const r = await submit(['--wait', '--poll-interval', '10ms', '--timeout', '150ms', '--job-id', 'slow-job']);
    expect(r.code).toBe(EXIT.timeout);
    expect(r.json).toMatchObject({ id: 'slow-job', state: 'RUNNING', timedOut: true, exitCode: EXIT.timeout });
    expect(fake.callsOf('CancelPipelineJob')).toHaveLength(0);
  });

  test('without --wait: exit 0 once submitted', async () => {
    const r = await submit(['--job-id', 'fire-and-forget']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.json).toMatchObject({ id: 'fire-and-forget', state: 'PENDING', exitCode: 0 });
    expect(fake.callsOf('GetPipelineJob')).toHaveLength(0);
  });
});

describe('nothing is sent when the input is wrong', () => {
  // No credentials at all: the checks must come first, so the answer is 2, never 7.
  const noCreds = { DUCKML_ACCESS_TOKEN: undefined, GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/adc.json' };
  test.each([
    [['--param', 'epochs=3', '--param', 'epoch=4'], "unknown parameter 'epoch'. Parameters of 'train-model': cfg, dry, epochs, layers, rate, tag."],
    [['--param', 'epochs=three'], "parameter 'epochs' is NUMBER_INTEGER: 'three' is not an integer."],
    [['--param', 'epochs=3', '--param', 'layers={"a":1}'], "parameter 'layers' is LIST: '{\"a\":1}' is not a JSON list."],
    [['--param', 'epochs=3', '--param', 'cfg=[1'], "parameter 'cfg' is STRUCT: '[1' is not valid JSON"],
    [['--param', 'rate=0.5'], "missing required parameter of 'train-model': epochs (NUMBER_INTEGER). Pass --param epochs=..."],
    [['--param', 'epochs=3', '--job-id', 'Not_Valid'], "job id 'Not_Valid' is not valid for Vertex AI"],
    [['--param', 'epochs=3', '--enable-caching', '--no-caching'], '--enable-caching and --no-caching contradict each other'],
    [['--param', 'epochs=3', '--failure-policy', 'sometimes'], "failure policy 'sometimes' (from --failure-policy) must be 'fast'"],
    [['--param', 'epochs=3', '--timeout', '1h'], '--timeout does not apply without --wait'],
    [['--param', 'epochs=3', '--host', 'http://kfp'], '--host does not apply to --target vertex'],
  ])('%j', async (args, message) => {
    const r = await runCli(['submit', specFile, ...args], { ...env, ...noCreds });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(message);
    expect(r.json).toEqual({ error: expect.stringContaining(message), exitCode: EXIT.usage });
    expect(fake.calls).toHaveLength(0);
  });

  test('--dry-run checks everything, prints what would go, and needs no credentials', async () => {
    const r = await submit(['--param', 'layers=[[1]]', '--job-id', 'dry-1', '--dry-run'], noCreds);
    expect(r.code).toBe(EXIT.ok);
    expect(r.json).toEqual({ dryRun: true, target: 'vertex', id: 'dry-1', displayName: 'train-model', project: 'my-proj', region: 'us-central1', pipelineRoot: 'gs://bucket/root', parameters: { epochs: 3, layers: [[1]] }, exitCode: 0 });
    expect(fake.calls).toHaveLength(0);
    expect((await submit(['--param', 'epochs=x', '--dry-run'], noCreds)).code).toBe(EXIT.usage);
  });

  test('a pipeline root is required (flag, env, config or spec)', async () => {
    const r = await submit([], { DUCKML_PIPELINE_ROOT: undefined });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('no pipeline root');
    expect(fake.calls).toHaveLength(0);
  });
});

describe('credentials', () => {
  test('no Application Default Credentials: a clear message, exit 7, nothing sent', async () => {
    const r = await submit([], { DUCKML_ACCESS_TOKEN: undefined, GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, 'missing-adc.json') });
    expect(r.code).toBe(EXIT.auth);
    expect(r.stderr).toMatch(/GOOGLE_APPLICATION_CREDENTIALS names .*missing-adc.json, which does not exist[\s\S]*gcloud auth application-default login/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.json.exitCode).toBe(EXIT.auth);
    expect(fake.calls).toHaveLength(0);
  });
  test('credentials the server refuses: exit 7', async () => {
    const r = await submit(['--job-id', 'refused'], { DUCKML_ACCESS_TOKEN: 'expired' });
    expect(r.code).toBe(EXIT.auth);
    expect(r.stderr).toContain('UNAUTHENTICATED');
  });
});

test('503s are retried and told on stderr', async () => {
  fake.fail('CreatePipelineJob', { code: STATUS.UNAVAILABLE, message: 'try later' }, 2);
  const r = await submit(['--job-id', 'flaky']);
  // Two 503s, then success: retried, and the retries are told on stderr.
  expect(r.code).toBe(EXIT.ok);
  expect(fake.callsOf('CreatePipelineJob')).toHaveLength(3);
  expect(r.stderr).toMatch(/attempt 1 failed \(14 UNAVAILABLE: try later\); retrying in/);
});

test('under Airflow the job id comes from the task run, and a retry of the task returns the same job', async () => {
  const airflow = { AIRFLOW_CTX_DAG_ID: 'nightly', AIRFLOW_CTX_TASK_ID: 'train', AIRFLOW_CTX_DAG_RUN_ID: 'scheduled__2024-05-01T00:00:00+00:00' };
  fake.script = ['PIPELINE_STATE_RUNNING', 'PIPELINE_STATE_FAILED'];
  const first = await submit(['--wait', '--poll-interval', '10ms'], airflow);
  expect(first.code).toBe(EXIT.failed);
  expect(first.json.id).toMatch(/^nightly-train-scheduled-2024-05-01t00-00-00-00-00-[0-9a-f]{8}$/);
  const again = await submit(['--wait', '--poll-interval', '10ms'], airflow);
  expect(again.json).toMatchObject({ id: first.json.id, existing: true, state: 'FAILED' });
  expect(again.code).toBe(EXIT.failed);
  expect([...fake.jobs.keys()].filter((k) => k.endsWith(first.json.id))).toHaveLength(1);
});

test('settings come from duckml.config.json; --no-caching reaches the wire', async () => {
  const proj = tmpDir();
  fs.writeFileSync(path.join(proj, 'duckml.config.json'), JSON.stringify({ vertex: { project: 'cfg-proj', region: 'europe-west4', labels: { team: 'ml' }, failurePolicy: 'slow' } }));
  const r = await runCli(['submit', specFile, '--param', 'epochs=1', '--no-caching', '--display-name', 'Nightly train', '--job-id', 'from-config'], { ...env, DUCKML_PROJECT: undefined }, proj);
  expect(r.code).toBe(EXIT.ok);
  const req = fake.callsOf('CreatePipelineJob')[0]!.request;
  expect(req.parent).toBe('projects/cfg-proj/locations/europe-west4');
  expect(req.pipelineJob).toMatchObject({ displayName: 'Nightly train', labels: { team: 'ml' }, runtimeConfig: { failurePolicy: 'PIPELINE_FAILURE_POLICY_FAIL_SLOW' } });
  const sent = fromProtoStruct(req.pipelineJob.pipelineSpec) as any;
  const tasks = [sent.root, ...Object.values(sent.components)].flatMap((c: any) => Object.values(c.dag?.tasks ?? {})) as any[];
  expect(tasks.map((t) => t.cachingOptions)).toEqual(tasks.map(() => ({ enableCache: false })));
});

test('a .ts pipeline file is compiled and submitted', async () => {
  const hello = path.resolve(__dirname, '../../examples/hello/pipeline.ts');
  const r = await runCli(['submit', hello, '--no-typecheck', '--param', 'who=you', '--job-id', 'hello-ts'], env);
  expect(r.code).toBe(EXIT.ok);
  const req = fake.callsOf('CreatePipelineJob')[0]!.request;
  expect(fromProtoStruct(req.pipelineJob.pipelineSpec)).toMatchObject({ pipelineInfo: { name: 'hello' } });
  expect(req.pipelineJob.runtimeConfig.parameterValues).toEqual({ who: { stringValue: 'you' } });
});

test('the component image comes from "image" in duckml.config.json', async () => {
  const proj = tmpDir();
  fs.writeFileSync(path.join(proj, 'duckml.config.json'), JSON.stringify({ image: 'us-docker.pkg.dev/p/ml/app:1.2.3' }));
  const r = await runCli(['submit', path.resolve(__dirname, 'fixtures/image-pipeline.ts'), '--no-typecheck', '--job-id', 'img-1'], env, proj);
  expect(r.code).toBe(EXIT.ok);
  const sent = fromProtoStruct(fake.callsOf('CreatePipelineJob')[0]!.request.pipelineJob.pipelineSpec) as any;
  expect(sent.deploymentSpec.executors['exec-shout'].container).toMatchObject({ image: 'us-docker.pkg.dev/p/ml/app:1.2.3', command: ['duckml', 'execute'] });
  // --image wins over the file.
  await runCli(['submit', path.resolve(__dirname, 'fixtures/image-pipeline.ts'), '--no-typecheck', '--job-id', 'img-2', '--image', 'x/y:1'], env, proj);
  expect((fromProtoStruct(fake.callsOf('CreatePipelineJob')[1]!.request.pipelineJob.pipelineSpec) as any).deploymentSpec.executors['exec-shout'].container.image).toBe('x/y:1');
});

describe('duckml jobs', () => {
  beforeAll(async () => {
    fake.script = ['PIPELINE_STATE_RUNNING'];
    await submit(['--job-id', 'job-a']);
    fake.script = ['PIPELINE_STATE_RUNNING', 'PIPELINE_STATE_RUNNING', 'PIPELINE_STATE_SUCCEEDED'];
    await submit(['--job-id', 'job-b']);
  });

  test('get prints the state as the JSON line', async () => {
    const r = await runCli(['jobs', 'get', 'job-a'], env);
    expect(r.code).toBe(EXIT.ok);
    expect(r.json).toMatchObject({ id: 'job-a', state: 'RUNNING', exitCode: 0 });
  });
  test('wait follows to the end and exits by the final state', async () => {
    const r = await runCli(['jobs', 'wait', 'projects/my-proj/locations/us-central1/pipelineJobs/job-b', '--poll-interval', '10ms'], env);
    expect(r.code).toBe(EXIT.ok);
    expect(r.json).toMatchObject({ id: 'job-b', state: 'SUCCEEDED' });
  });
  test('cancel asks Vertex to cancel', async () => {
    const r = await runCli(['jobs', 'cancel', 'job-a'], env);
    expect(r.code).toBe(EXIT.ok);
    expect(fake.callsOf('CancelPipelineJob').map((c) => c.request.name)).toEqual(['projects/my-proj/locations/us-central1/pipelineJobs/job-a']);
    expect(r.json).toMatchObject({ id: 'job-a', cancelRequested: true });
    const after = await runCli(['jobs', 'wait', 'job-a', '--poll-interval', '10ms'], env);
    expect(after.code).toBe(EXIT.cancelled);
  });
  test('list shows the newest first, as a table or JSON', async () => {
    const table = await runCli(['jobs', 'list', '--limit', '2'], env);
    expect(table.code).toBe(EXIT.ok);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATE\s+CREATED\s+DISPLAY NAME$/);
    expect(table.stdout).toMatch(/job-b\s+SUCCEEDED/);
    const json = await runCli(['jobs', 'list', '--limit', '2', '--json'], env);
    expect(json.json.jobs.map((j: any) => j.id)).toEqual(['job-b', 'job-a']);
  });
  test('a job that does not exist: exit 2', async () => {
    const r = await runCli(['jobs', 'get', 'no-such-job'], env);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('pipelineJobs/no-such-job not found');
  });
});

describe('duckml schedule', () => {
  test('create, list, pause, resume, delete', async () => {
    const create = ['schedule', 'create', specFile, '--cron', 'TZ=Europe/Paris 0 6 * * 1-5', '--param', 'epochs=2', '--display-name', 'weekday-train', '--max-concurrent-runs', '2'];
    const made = await runCli(create, env);
    expect(made.code).toBe(EXIT.ok);
    expect(made.json).toMatchObject({ displayName: 'weekday-train', state: 'ACTIVE', cron: 'TZ=Europe/Paris 0 6 * * 1-5', existing: false });
    const req = fake.callsOf('CreateSchedule')[0]!.request;
    expect(req.parent).toBe('projects/my-proj/locations/us-central1');
    expect(req.schedule).toMatchObject({
      displayName: 'weekday-train',
      cron: 'TZ=Europe/Paris 0 6 * * 1-5',
      maxConcurrentRunCount: '2',
      createPipelineJobRequest: { parent: 'projects/my-proj/locations/us-central1', pipelineJob: { runtimeConfig: { gcsOutputDirectory: 'gs://bucket/root', parameterValues: { epochs: { numberValue: 2 } } } } },
    });
    expect(fromProtoStruct(req.schedule.createPipelineJobRequest.pipelineJob.pipelineSpec)).toMatchObject({ pipelineInfo: { name: 'train-model' } });

    // The same name again reports the schedule that exists.
    const again = await runCli(create, env);
    expect(again.json).toMatchObject({ id: made.json.id, existing: true });
    expect(fake.callsOf('CreateSchedule')).toHaveLength(1);

    expect((await runCli(['schedule', 'pause', made.json.id], env)).json.state).toBe('PAUSED');
    expect((await runCli(['schedule', 'resume', made.json.name], env)).json.state).toBe('ACTIVE');
    const list = await runCli(['schedule', 'list', '--json'], env);
    expect(list.json.schedules.map((s: any) => s.displayName)).toEqual(['weekday-train']);
    const del = await runCli(['schedule', 'delete', made.json.id], env);
    expect(del.json).toMatchObject({ deleted: true, exitCode: 0 });
    expect(fake.schedules.size).toBe(0);
  });
  test('a bad cron is refused before anything is sent', async () => {
    const r = await runCli(['schedule', 'create', specFile, '--cron', '0 6 * *', '--param', 'epochs=2'], env);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('five fields');
    expect(fake.calls).toHaveLength(0);
  });
});
