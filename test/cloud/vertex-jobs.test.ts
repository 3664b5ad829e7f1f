/**
 * The production Vertex client (PipelineServiceClient over gRPC) against a fake Vertex server on
 * 127.0.0.1: what arrives on the wire, retries, and idempotent creates.
 */
import { EXIT } from '../../cli/exit-codes';
import { resolveCredentials } from '../../cloud/vertex/credentials';
import { VertexJobs } from '../../cloud/vertex/jobs';
import { buildCreateRequest } from '../../cloud/vertex/pipeline-job';
import { fromProtoStruct } from '../../cloud/vertex/struct';
import { FakeVertex, STATUS } from './fakes/fake-vertex';
import { trainSpec } from './fakes/specs';

let fake: FakeVertex;
let jobs: VertexJobs;
const spec = trainSpec();
const retries: number[] = [];

beforeAll(async () => {
  fake = await new FakeVertex().start();
  fake.token = 'ya29.test-token';
  // A real google-auth-library client holding a fixed token: the "fake auth client".
  const credentials = await resolveCredentials({ DUCKML_ACCESS_TOKEN: 'ya29.test-token' });
  jobs = new VertexJobs({
    project: 'my-proj',
    region: 'us-central1',
    connection: { region: 'us-central1', endpoint: fake.endpoint, credentials, requestTimeoutMs: 1000 },
    retry: { baseMs: 5, maxMs: 20, onRetry: (_e, attempt) => retries.push(attempt) },
  });
});
afterAll(async () => {
  await jobs.close();
  await fake.stop();
});
beforeEach(() => {
  fake.calls.length = 0;
  retries.length = 0;
});

const request = (jobId: string, params: Record<string, unknown> = { epochs: 3 }) =>
  buildCreateRequest({ spec, params, settings: { region: 'us-central1', labels: { team: 'ml' }, pipelineRoot: 'gs://bucket/root', enableCaching: undefined }, project: 'my-proj', jobId });

test('the server receives the spec as a Struct and each parameter as a Value, with the token', async () => {
  const { status, existing } = await jobs.submit(request('wire-1', { epochs: 3, layers: [[1, 2], [3]], cfg: { a: { b: [true, null] } } }));
  expect(existing).toBe(false);
  expect(status).toMatchObject({ name: 'projects/my-proj/locations/us-central1/pipelineJobs/wire-1', id: 'wire-1', state: 'PENDING' });
  const [call] = fake.callsOf('CreatePipelineJob');
  expect(call!.authorization).toBe('Bearer ya29.test-token');
  const { pipelineSpec, ...rest } = call!.request.pipelineJob;
  // Decoded from the bytes on the wire: the whole spec arrived (a plain object would arrive as {}).
  expect(fromProtoStruct(pipelineSpec)).toEqual(spec);
  expect({ ...call!.request, pipelineJob: rest }).toEqual({
    parent: 'projects/my-proj/locations/us-central1',
    pipelineJobId: 'wire-1',
    pipelineJob: {
      displayName: 'train-model',
      labels: { team: 'ml' },
      runtimeConfig: {
        gcsOutputDirectory: 'gs://bucket/root',
        parameterValues: {
          epochs: { numberValue: 3 },
          // Lists nested in lists arrive intact over gRPC (the REST fallback corrupts them).
          layers: { listValue: { values: [{ listValue: { values: [{ numberValue: 1 }, { numberValue: 2 }] } }, { listValue: { values: [{ numberValue: 3 }] } }] } },
          cfg: { structValue: { fields: { a: { structValue: { fields: { b: { listValue: { values: [{ boolValue: true }, { nullValue: 'NULL_VALUE' }] } } } } } } } },
        },
      },
    },
  });
});

test('injected 503s (UNAVAILABLE) are retried with backoff until the create goes through', async () => {
  fake.fail('CreatePipelineJob', { code: STATUS.UNAVAILABLE, message: 'The service is currently unavailable.' }, 2);
  const { status } = await jobs.submit(request('retry-1'));
  expect(fake.callsOf('CreatePipelineJob')).toHaveLength(3);
  expect(retries).toEqual([1, 2]);
  expect(status.id).toBe('retry-1');
  expect([...fake.jobs.keys()].filter((k) => k.endsWith('/retry-1'))).toHaveLength(1);
});

test('a service that stays unavailable: exit 8 after the attempts, one job at most', async () => {
  fake.fail('CreatePipelineJob', { code: STATUS.UNAVAILABLE, message: 'down' }, 6);
  await expect(jobs.submit(request('down-1'))).rejects.toMatchObject({ code: EXIT.unavailable, message: expect.stringContaining('kept failing after 6 attempts') });
  expect(fake.callsOf('CreatePipelineJob')).toHaveLength(6);
  expect(retries).toEqual([1, 2, 3, 4, 5]);
});

test('429 (RESOURCE_EXHAUSTED) is retried too; a permission error is not, and exits 7', async () => {
  fake.fail('CreatePipelineJob', { code: STATUS.RESOURCE_EXHAUSTED, message: 'Quota exceeded' });
  await jobs.submit(request('quota-1'));
  expect(fake.callsOf('CreatePipelineJob')).toHaveLength(2);

  fake.calls.length = 0;
  fake.fail('CreatePipelineJob', { code: STATUS.PERMISSION_DENIED, message: "Permission 'aiplatform.pipelineJobs.create' denied" });
  await expect(jobs.submit(request('denied-1'))).rejects.toMatchObject({ code: EXIT.auth, message: expect.stringContaining("Permission 'aiplatform.pipelineJobs.create' denied") });
  expect(fake.callsOf('CreatePipelineJob')).toHaveLength(1);
});

test('a bad request is not retried and is invalid input (exit 2)', async () => {
  fake.fail('CreatePipelineJob', { code: STATUS.INVALID_ARGUMENT, message: 'pipelineSpec is invalid' });
  await expect(jobs.submit(request('bad-1'))).rejects.toMatchObject({ code: EXIT.usage, message: expect.stringContaining('INVALID_ARGUMENT') });
  expect(fake.callsOf('CreatePipelineJob')).toHaveLength(1);
});

test('a create that times out is retried and returns the job it made: no duplicate', async () => {
  // The server makes the job at once but answers after the client's 1 s deadline.
  fake.fail('CreatePipelineJob', { delayMs: 1500 });
  const { status, existing } = await jobs.submit(request('slow-1'));
  expect(status).toMatchObject({ id: 'slow-1', name: 'projects/my-proj/locations/us-central1/pipelineJobs/slow-1' });
  expect(existing).toBe(false); // it was ours, made by the attempt whose answer was lost
  expect(fake.callsOf('CreatePipelineJob')).toHaveLength(2);
  expect(fake.callsOf('GetPipelineJob')).toHaveLength(1);
  expect([...fake.jobs.keys()].filter((k) => k.endsWith('/slow-1'))).toHaveLength(1);
});

test('submitting an id that exists returns that job (an Airflow retry), without creating another', async () => {
  await jobs.submit(request('again-1'));
  const second = await jobs.submit(request('again-1'));
  expect(second.existing).toBe(true);
  expect(second.status.id).toBe('again-1');
  expect([...fake.jobs.keys()].filter((k) => k.endsWith('/again-1'))).toHaveLength(1);
});

test('an id taken by another pipeline is an error, not that pipeline\'s job', async () => {
  await jobs.submit(request('taken-1'));
  const other = request('taken-1');
  (other.pipelineJob.pipelineSpec.fields.pipelineInfo as any).structValue.fields.name.stringValue = 'other-pipeline';
  await expect(jobs.submit(other)).rejects.toMatchObject({ code: EXIT.usage, message: expect.stringContaining("already used by a job of pipeline 'train-model', not 'other-pipeline'") });
});

test('get follows the state; cancel asks for it; list reads names and states', async () => {
  fake.script = ['PIPELINE_STATE_QUEUED', 'PIPELINE_STATE_RUNNING'];
  await jobs.submit(request('life-1'));
  expect((await jobs.get('life-1')).state).toBe('RUNNING');
  await jobs.cancel('projects/my-proj/locations/us-central1/pipelineJobs/life-1');
  expect(fake.callsOf('CancelPipelineJob')[0]!.request).toEqual({ name: 'projects/my-proj/locations/us-central1/pipelineJobs/life-1' });
  expect((await jobs.get('life-1')).state).toBe('CANCELLED');
  // Cancelling a job that ended is not an error.
  await expect(jobs.cancel('life-1')).resolves.toBeUndefined();
  const listed = await jobs.list({ limit: 2 });
  expect(listed.map((j) => j.id)).toEqual(['life-1', 'taken-1']);
  expect(fake.callsOf('ListPipelineJobs')[0]!.request).toEqual({
    parent: 'projects/my-proj/locations/us-central1',
    pageSize: 2,
    orderBy: 'create_time desc',
    readMask: { paths: ['name', 'display_name', 'state', 'create_time', 'error'] },
  });
  fake.script = ['PIPELINE_STATE_PENDING', 'PIPELINE_STATE_RUNNING', 'PIPELINE_STATE_SUCCEEDED'];
});

test('a missing job is invalid input naming it', async () => {
  await expect(jobs.get('nope-1')).rejects.toMatchObject({ code: EXIT.usage, message: expect.stringContaining('pipelineJobs/nope-1 not found') });
});
