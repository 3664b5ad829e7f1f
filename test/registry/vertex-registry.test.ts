import { resolveCredentials } from '../../cloud/vertex/credentials';
import { VertexRegistry } from '../../registry/vertex';
import { parseRegistryTarget } from '../../registry/open';
import { RegistryError, type PushRequest } from '../../registry/types';
import { startFakeModelRegistry, type FakeModelService } from './fake-model-service';
import type { FakeVertex } from '../cloud/fakes/fake-vertex';

const TOKEN = 'ya29.registry-test';
let vertex: FakeVertex;
let models: FakeModelService;
let registry: VertexRegistry;

beforeAll(async () => {
  ({ vertex, models } = await startFakeModelRegistry(TOKEN));
  const credentials = await resolveCredentials({ DUCKML_ACCESS_TOKEN: TOKEN });
  registry = new VertexRegistry('test-project', 'us-central1', { region: 'us-central1', endpoint: vertex.endpoint, credentials, requestTimeoutMs: 5000 });
});
afterAll(async () => {
  await registry?.close();
  await vertex?.stop();
});

const push = (over: Partial<PushRequest> = {}): PushRequest => ({
  model: 'scam-classifier',
  sourcePath: '/gcs/bucket/run-1/train/model',
  sourceUri: 'gs://bucket/run-1/train/model',
  aliases: ['champion'],
  labels: { pipeline: 'scam-classifier-train' },
  metrics: { prAuc: 0.61 },
  metadata: { threshold: 0.42, trainingData: 'gs://bucket/run-1/extract/data' },
  ...over,
});

describe('Vertex AI Model Registry through the production ModelServiceClient (fake gRPC server)', () => {
  test('the first push uploads a new model: artifact URI, serving container, labels, aliases', async () => {
    const v = await registry.push(push());
    expect(v).toMatchObject({ model: 'scam-classifier', version: '1', aliases: ['champion', 'default'], uri: 'gs://bucket/run-1/train/model/' });
    expect(v.resourceName).toMatch(/^projects\/test-project\/locations\/us-central1\/models\/\d+@1$/);
    expect(v.metrics).toEqual({ prAuc: 0.61 });
    expect(v.metadata).toMatchObject({ threshold: 0.42, trainingData: 'gs://bucket/run-1/extract/data' });
    const [upload] = vertex.callsOf('UploadModel');
    expect(upload!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(upload!.request.parent).toBe('projects/test-project/locations/us-central1');
    expect(upload!.request.parentModel).toBeUndefined();
    expect(upload!.request.model).toMatchObject({
      displayName: 'scam-classifier',
      artifactUri: 'gs://bucket/run-1/train/model/',
      // duckml's image serves the model with `duckml serve` on the routes Vertex is told about.
      containerSpec: { imageUri: expect.stringMatching(/^duckml\/duckml:/), command: ['duckml'], args: ['serve'], predictRoute: '/predict', healthRoute: '/health', ports: [{ containerPort: 8080 }] },
      labels: { pipeline: 'scam-classifier-train' },
      versionAliases: ['champion'],
    });
  });

  test('a second push is a new version of the same model; the alias moves and remembers where it was', async () => {
    const v = await registry.push(push({ sourceUri: 'gs://bucket/run-2/train/model', metrics: { prAuc: 0.7 } }));
    expect(v).toMatchObject({ version: '2', aliases: ['champion'] });
    const upload = vertex.callsOf('UploadModel')[1]!;
    expect(upload.request.parentModel).toMatch(/^projects\/test-project\/locations\/us-central1\/models\/\d+$/);
    expect(upload.request.model.labels).toEqual({ pipeline: 'scam-classifier-train', 'duckml-prev-champion': '1' });
    expect((await registry.resolve('scam-classifier', 'champion')).version).toBe('2');
    expect((await registry.resolve('scam-classifier')).version).toBe('1'); // 'default' stays on the first
    expect((await registry.listVersions('scam-classifier')).map((x) => [x.version, x.aliases])).toEqual([
      ['1', ['default']],
      ['2', ['champion']],
    ]);
    expect(await registry.listModels()).toEqual([{ model: 'scam-classifier', versions: 2, latest: '2', aliases: { default: '1', champion: '2' }, updatedAt: expect.any(String) }]);
  });

  test('rollback follows the label back; promote moves an alias with MergeVersionAliases', async () => {
    expect(await registry.rollback('scam-classifier', 'champion')).toEqual({ model: 'scam-classifier', alias: 'champion', from: '2', to: '1' });
    expect((await registry.resolve('scam-classifier', 'champion')).version).toBe('1');
    await expect(registry.rollback('scam-classifier', 'champion')).rejects.toThrow(/has no earlier version to roll back to/);
    expect(await registry.promote('scam-classifier', '2', 'champion')).toEqual({ model: 'scam-classifier', alias: 'champion', from: '1', to: '2' });
    expect(vertex.callsOf('MergeVersionAliases').at(-1)!.request).toEqual({ name: expect.stringMatching(/models\/\d+@2$/), versionAliases: ['champion'] });
    expect((await registry.resolve('scam-classifier', 'champion')).version).toBe('2');
  });

  test('unknown models, versions and aliases, and local files, are clear errors', async () => {
    await expect(registry.resolve('fraud', 'champion')).rejects.toThrow(/model 'fraud' is not in Vertex AI Model Registry \(projects\/test-project\/locations\/us-central1\)/);
    await expect(registry.resolve('scam-classifier', 'golden')).rejects.toThrow(/has no alias 'golden'; its aliases are default → 1, champion → 2/);
    await expect(registry.resolve('scam-classifier', '9')).rejects.toThrow(/has no version 9; its versions are 1, 2/);
    await expect(registry.resolve('scam-classifier', 'Bad_Alias')).rejects.toThrow(RegistryError);
    await expect(registry.push(push({ sourceUri: '/tmp/model' }))).rejects.toThrow(/registers model files in Cloud Storage, but the model is at '\/tmp\/model'/);
    expect(models.models.size).toBe(1);
  });

  test('registry targets', () => {
    expect(parseRegistryTarget('vertex://my-project/europe-west4')).toEqual({ kind: 'vertex', project: 'my-project', region: 'europe-west4' });
    expect(parseRegistryTarget('local:/x/.duckml')).toEqual({ kind: 'local', home: '/x/.duckml' });
    expect(parseRegistryTarget('', { DUCKML_REGISTRY: '/y' })).toEqual({ kind: 'local', home: '/y' });
    expect(() => parseRegistryTarget('vertex://P/nowhere')).toThrow(/expected vertex:\/\/PROJECT\/REGION/);
    expect(() => parseRegistryTarget('s3://bucket')).toThrow(/unknown scheme/);
  });
});
