import { FakeVertex } from './fakes/fake-vertex';
import { trainSpec } from './fakes/specs';
import { VertexJobs } from '../../cloud/vertex/jobs';
import { buildCreateRequest } from '../../cloud/vertex/pipeline-job';
import { fromProtoStruct } from '../../cloud/vertex/struct';

test('scratch', async () => {
  const fake = await new FakeVertex().start();
  const creds = { auth: undefined, token: 't0k', source: 'DUCKML_ACCESS_TOKEN' as const, projectId: async () => undefined };
  const gax = require('google-gax');
  const c = new gax.googleAuthLibrary.OAuth2Client(); c.setCredentials({access_token: 't0k'});
  (creds as any).auth = new gax.GoogleAuth({authClient: c});
  const jobs = new VertexJobs({ project: 'p1', region: 'us-central1', connection: { region: 'us-central1', endpoint: fake.endpoint, credentials: creds } });
  const spec = trainSpec();
  const req = buildCreateRequest({ spec, params: { epochs: 3, layers: [[1], [2, 3]] }, settings: { region: 'us-central1', labels: {}, pipelineRoot: 'gs://b/r' }, project: 'p1', jobId: 'abc' });
  const r = await jobs.submit(req);
  console.log(JSON.stringify(r), JSON.stringify(fake.calls[0]!.request.pipelineJob.runtimeConfig), fake.calls[0]!.authorization);
  expect(fromProtoStruct(fake.calls[0]!.request.pipelineJob.pipelineSpec)).toEqual(spec);
  const r2 = await jobs.submit(req);
  console.log(JSON.stringify(r2));
  console.log(await jobs.get('abc'), await jobs.list({limit: 5}));
  await jobs.close();
  await fake.stop();
});
