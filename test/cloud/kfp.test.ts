/** `duckml submit --target kfp` and `duckml jobs --target kfp` against a fake KFP API server. */
import { EXIT } from '../../cli/exit-codes';
import { toJson } from '../../compiler/emit';
import { versionName } from '../../cloud/kfp/submit';
import { withCaching } from '../../cloud/caching';
import { runCli } from './fakes/cli';
import { FakeKfp } from './fakes/fake-kfp';
import { tmpDir, trainSpec, writeSpec } from './fakes/specs';

let kfp: FakeKfp;
let specFile: string;
const spec = trainSpec();

beforeAll(async () => {
  kfp = await new FakeKfp().start();
  specFile = writeSpec(tmpDir());
});
afterAll(() => kfp.stop());
beforeEach(() => {
  kfp.calls.length = 0;
  kfp.script = ['PENDING', 'RUNNING', 'SUCCEEDED'];
});

const submit = (args: string[], env: Record<string, string | undefined> = {}) => runCli(['submit', specFile, '--target', 'kfp', '--host', kfp.url, ...args], env);

test('the first submit creates the pipeline, uploads the spec as a version, and creates a run: exact requests', async () => {
  const r = await submit(['--param', 'epochs=3', '--param', 'layers=[[1],[2,3]]', '--pipeline-root', 'minio://mlpipeline/root', '--job-id', 'first-run'], { DUCKML_KFP_TOKEN: 'kfp-token' });
  expect(r.code).toBe(EXIT.ok);
  const vname = versionName(spec);
  expect(vname).toMatch(/^train-model-[0-9a-f]{12}$/);
  expect(kfp.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
    'GET /apis/v2beta1/pipelines/names/train-model',
    'POST /apis/v2beta1/pipelines',
    'GET /apis/v2beta1/pipelines/pl-1/versions',
    'POST /apis/v2beta1/pipelines/upload_version',
    'GET /apis/v2beta1/runs',
    'POST /apis/v2beta1/runs',
  ]);
  expect(kfp.calls.every((c) => c.authorization === 'Bearer kfp-token')).toBe(true);
  expect(kfp.callsOf('createPipeline')[0]!.body).toEqual({ name: 'train-model', display_name: 'train-model', description: 'A pipeline for the cloud tests.' });
  const upload = kfp.callsOf('uploadVersion')[0]!;
  expect(upload.query).toEqual({ pipelineid: 'pl-1', name: vname, display_name: vname, description: 'A pipeline for the cloud tests.' });
  expect(upload.body.filename).toBe('pipeline.json');
  expect(JSON.parse(upload.body.file)).toEqual(spec);
  expect(JSON.parse(kfp.callsOf('listRuns')[0]!.query.filter!)).toEqual({ predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: 'first-run' }] });
  expect(kfp.callsOf('createRun')[0]!.body).toEqual({
    display_name: 'first-run',
    pipeline_version_reference: { pipeline_id: 'pl-1', pipeline_version_id: 'pv-2' },
    runtime_config: { parameters: { epochs: 3, layers: [[1], [2, 3]] }, pipeline_root: 'minio://mlpipeline/root' },
  });
  expect(r.json).toMatchObject({ target: 'kfp', id: 'run-3', name: 'run-3', displayName: 'first-run', state: 'PENDING', url: `${kfp.url}/#/runs/details/run-3`, existing: false, exitCode: 0 });
});

test('an unchanged spec reuses its version; a changed one (--no-caching) uploads a new version', async () => {
  await submit(['--param', 'epochs=1', '--job-id', 'second-run']);
  expect(kfp.callsOf('uploadVersion')).toHaveLength(0);
  expect(kfp.callsOf('createPipeline')).toHaveLength(0);
  expect(kfp.callsOf('createRun')[0]!.body.pipeline_version_reference).toEqual({ pipeline_id: 'pl-1', pipeline_version_id: 'pv-2' });

  kfp.calls.length = 0;
  await submit(['--param', 'epochs=1', '--no-caching', '--job-id', 'uncached-run']);
  const up = kfp.callsOf('uploadVersion');
  expect(up).toHaveLength(1);
  expect(up[0]!.query.name).toBe(versionName(withCaching(spec, false)));
  expect(JSON.parse(up[0]!.body.file)).toEqual(JSON.parse(toJson(withCaching(spec, false))));
});

test('a run name that exists returns that run instead of a second one', async () => {
  const r = await submit(['--param', 'epochs=1', '--job-id', 'first-run']);
  expect(r.json).toMatchObject({ displayName: 'first-run', existing: true });
  expect(kfp.callsOf('createRun')).toHaveLength(0);
});

test('injected 503s are retried; a create that timed out is found, not repeated', async () => {
  kfp.fail('createRun', { status: 503 }, 2);
  const r = await submit(['--param', 'epochs=1', '--job-id', 'flaky-run']);
  expect(r.code).toBe(EXIT.ok);
  expect(kfp.callsOf('createRun')).toHaveLength(3);
  expect([...kfp.runs.values()].filter((x) => x.run.display_name === 'flaky-run')).toHaveLength(1);

  kfp.calls.length = 0;
  kfp.fail('createRun', { delayMs: 800 });
  const slow = await submit(['--param', 'epochs=1', '--job-id', 'slow-run', '--request-timeout', '300ms']);
  expect(slow.code).toBe(EXIT.ok);
  expect(kfp.callsOf('createRun')).toHaveLength(1);
  expect([...kfp.runs.values()].filter((x) => x.run.display_name === 'slow-run')).toHaveLength(1);
  expect(slow.json.displayName).toBe('slow-run');
});

describe('--wait: exit code by final state', () => {
  test.each([
    ['SUCCEEDED', 'SUCCEEDED', EXIT.ok],
    ['FAILED', 'FAILED', EXIT.failed],
    ['CANCELED', 'CANCELLED', EXIT.cancelled],
  ])('%s → %s, exit %i', async (end, state, code) => {
    kfp.script = ['PENDING', 'RUNNING', end];
    const r = await submit(['--param', 'epochs=1', '--job-id', `wait-${end.toLowerCase()}`, '--wait', '--poll-interval', '10ms']);
    expect(r.code).toBe(code);
    expect(r.json).toMatchObject({ state, serviceState: end, exitCode: code });
    if (end === 'FAILED') expect(r.json.error).toBe('task train failed');
  });
  test('--timeout: exit 6', async () => {
    kfp.script = ['RUNNING'];
    const r = await submit(['--param', 'epochs=1', '--job-id', 'wait-timeout', '--wait', '--poll-interval', '10ms', '--timeout', '100ms']);
    expect(r.code).toBe(EXIT.timeout);
  });
});

test('the same parameter checks: nothing is sent', async () => {
  for (const args of [['--param', 'epochs=x'], ['--param', 'nope=1', '--param', 'epochs=1'], []]) {
    const r = await submit(args);
    expect(r.code).toBe(EXIT.usage);
  }
  expect((await submit(['--param', 'epochs=1', '--project', 'p'])).stderr).toContain('--project does not apply to --target kfp');
  expect((await runCli(['submit', specFile, '--target', 'kfp', '--param', 'epochs=1'])).stderr).toContain('no Kubeflow Pipelines host');
  expect(kfp.calls).toHaveLength(0);
});

test('a refused token: exit 7', async () => {
  kfp.fail('pipelineByName', { status: 403 });
  const r = await submit(['--param', 'epochs=1', '--job-id', 'refused']);
  expect(r.code).toBe(EXIT.auth);
  expect(r.stderr).toContain('DUCKML_KFP_TOKEN');
});

test('jobs get / cancel / wait with --target kfp', async () => {
  kfp.script = ['RUNNING'];
  const made = await submit(['--param', 'epochs=1', '--job-id', 'to-cancel']);
  const id = made.json.id as string;
  const jobs = (...a: string[]) => runCli(['jobs', ...a, '--target', 'kfp', '--host', kfp.url]);
  expect((await jobs('get', id)).json).toMatchObject({ id, state: 'RUNNING' });
  const c = await jobs('cancel', id);
  expect(c.code).toBe(EXIT.ok);
  expect(kfp.callsOf('terminateRun').map((x) => x.path)).toEqual([`/apis/v2beta1/runs/${id}:terminate`]);
  const w = await runCli(['jobs', 'wait', id, '--target', 'kfp', '--host', kfp.url, '--poll-interval', '10ms']);
  expect(w.code).toBe(EXIT.cancelled);
  expect((await jobs('get', 'run-nope')).code).toBe(EXIT.usage);
});
