/** What duckml submit would send, and the local checks before it sends anything (no server). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { PipelineSpecIr } from '../../compiler/ir';
import { CliError } from '../../cli/exit-codes';
import { withCaching } from '../../cloud/caching';
import { parseDuration } from '../../cloud/duration';
import { checkJobId, deriveJobId, JOB_ID_RE } from '../../cloud/job-id';
import { loadProjectConfig } from '../../cli/project-config';
import { withRetry, RetriesExhausted } from '../../cloud/retry';
import { isTransient } from '../../cloud/vertex/grpc-errors';
import { buildCreateRequest } from '../../cloud/vertex/pipeline-job';
import { checkCron } from '../../cloud/vertex/schedules';
import { resolveVertexSettings } from '../../cloud/vertex/settings';
import { fromProtoStruct, fromProtoValue, toProtoStruct, toProtoValue } from '../../cloud/vertex/struct';
import { tmpDir, trainSpec } from './fakes/specs';

const settings = (over: object = {}) => ({ region: 'europe-west4', labels: {}, pipelineRoot: 'gs://bucket/root', ...over });

describe('protobuf Struct and Value', () => {
  test('a spec survives the round trip, lists in lists and nulls included', () => {
    const doc = { a: [[1, 2], [3, [4, 'x']]], b: { c: null, d: true, e: -0.5 }, s: '' };
    expect(fromProtoStruct(toProtoStruct(doc))).toEqual(doc);
  });
  test('each JSON type has its own Value case', () => {
    expect(toProtoValue(3)).toEqual({ numberValue: 3 });
    expect(toProtoValue('3')).toEqual({ stringValue: '3' });
    expect(toProtoValue(false)).toEqual({ boolValue: false });
    expect(toProtoValue(null)).toEqual({ nullValue: 'NULL_VALUE' });
    expect(toProtoValue([1])).toEqual({ listValue: { values: [{ numberValue: 1 }] } });
    expect(toProtoValue({ k: 'v' })).toEqual({ structValue: { fields: { k: { stringValue: 'v' } } } });
  });
  test('decodes the oneof form the client returns', () => {
    expect(fromProtoValue({ kind: 'numberValue', numberValue: 0, stringValue: null })).toBe(0);
    expect(fromProtoValue({ kind: 'listValue', listValue: { values: [{ kind: 'boolValue', boolValue: true }] } })).toEqual([true]);
  });
  test('values JSON cannot hold are refused with their path', () => {
    expect(() => toProtoStruct({ a: { b: Number.NaN } })).toThrow('struct.a.b is NaN');
  });
});

describe('the CreatePipelineJobRequest', () => {
  test('is exactly: parent, id, display name, spec as a Struct, typed values, settings', () => {
    const spec = trainSpec();
    const req = buildCreateRequest({
      spec,
      params: { epochs: 3, layers: [[1], [2, 3]], cfg: { lr: 0.5 }, dry: true, tag: 'prod' },
      settings: settings({
        serviceAccount: 'runner@p.iam.gserviceaccount.com',
        network: 'projects/123/global/networks/vpc',
        kmsKey: 'projects/p/locations/europe-west4/keyRings/r/cryptoKeys/k',
        labels: { team: 'ml' },
        failurePolicy: 'fast',
      }),
      project: 'my-proj',
      jobId: 'train-model-1',
    });
    expect(req).toEqual({
      parent: 'projects/my-proj/locations/europe-west4',
      pipelineJobId: 'train-model-1',
      pipelineJob: {
        displayName: 'train-model',
        pipelineSpec: toProtoStruct(spec as never),
        runtimeConfig: {
          gcsOutputDirectory: 'gs://bucket/root',
          failurePolicy: 'PIPELINE_FAILURE_POLICY_FAIL_FAST',
          parameterValues: {
            epochs: { numberValue: 3 },
            layers: { listValue: { values: [{ listValue: { values: [{ numberValue: 1 }] } }, { listValue: { values: [{ numberValue: 2 }, { numberValue: 3 }] } }] } },
            cfg: { structValue: { fields: { lr: { numberValue: 0.5 } } } },
            dry: { boolValue: true },
            tag: { stringValue: 'prod' },
          },
        },
        labels: { team: 'ml' },
        serviceAccount: 'runner@p.iam.gserviceaccount.com',
        network: 'projects/123/global/networks/vpc',
        encryptionSpec: { kmsKeyName: 'projects/p/locations/europe-west4/keyRings/r/cryptoKeys/k' },
      },
    });
  });

  test('the pipeline root falls back to the spec, and is required', () => {
    const spec = { ...trainSpec(), defaultPipelineRoot: 'gs://from-spec/root' };
    const req = buildCreateRequest({ spec, params: { epochs: 1 }, settings: settings({ pipelineRoot: undefined }), project: 'p-1', jobId: 'j' });
    expect(req.pipelineJob.runtimeConfig.gcsOutputDirectory).toBe('gs://from-spec/root');
    expect(() => buildCreateRequest({ spec: trainSpec(), params: {}, settings: settings({ pipelineRoot: undefined }), project: 'p-1', jobId: 'j' })).toThrow(/no pipeline root.*--pipeline-root/);
  });

  test('--enable-caching/--no-caching reaches every task, sub-DAGs included', () => {
    const spec = trainSpec();
    const tasks = (s: PipelineSpecIr) => [s.root, ...Object.values(s.components)].flatMap((c) => Object.values(c.dag?.tasks ?? {}));
    expect(tasks(spec).length).toBeGreaterThanOrEqual(3);
    const sentSpec = (enableCaching: boolean) =>
      fromProtoStruct(buildCreateRequest({ spec, params: { epochs: 1 }, settings: settings({ enableCaching }), project: 'p-1', jobId: 'j' }).pipelineJob.pipelineSpec) as unknown as PipelineSpecIr;
    for (const on of [true, false]) expect(tasks(sentSpec(on)).map((t) => t.cachingOptions)).toEqual(tasks(spec).map(() => ({ enableCache: on })));
    // Without the flag the spec goes as compiled.
    expect(fromProtoStruct(buildCreateRequest({ spec, params: { epochs: 1 }, settings: settings(), project: 'p-1', jobId: 'j' }).pipelineJob.pipelineSpec)).toEqual(spec);
  });

  const golden = path.resolve(__dirname, '../../../shared/kfp-conformance/pipeline_with_loops.yaml');
  (fs.existsSync(golden) ? test : test.skip)('caching override on a KFP-compiled spec with loops and conditions', () => {
    const spec = parse(fs.readFileSync(golden, 'utf8')) as PipelineSpecIr;
    const off = withCaching(spec, false);
    const all = [off.root, ...Object.values(off.components)].flatMap((c) => Object.values(c.dag?.tasks ?? {}));
    expect(all.length).toBeGreaterThan(3);
    expect(all.every((t) => t.cachingOptions?.enableCache === false && Object.keys(t.cachingOptions).length === 1)).toBe(true);
    expect(withCaching(spec, false)).toEqual(off); // the input is left alone
    expect(spec).toEqual(parse(fs.readFileSync(golden, 'utf8')));
  });
});

describe('job ids', () => {
  test('under Airflow: the same for every try of a task run, different across runs, valid', () => {
    const env = { AIRFLOW_CTX_DAG_ID: 'Daily_Train', AIRFLOW_CTX_TASK_ID: 'submit.train', AIRFLOW_CTX_DAG_RUN_ID: 'scheduled__2024-05-01T00:00:00+00:00', AIRFLOW_CTX_TRY_NUMBER: '1' };
    const a = deriveJobId('train', { env });
    expect(deriveJobId('train', { env: { ...env, AIRFLOW_CTX_TRY_NUMBER: '2' }, now: new Date(0) })).toBe(a);
    expect(a).toMatch(/^daily-train-submit-train-scheduled-2024-05-01t00-00-00-00-00-[0-9a-f]{8}$/);
    expect(deriveJobId('train', { env: { ...env, AIRFLOW_CTX_DAG_RUN_ID: 'manual__2024-05-01T00:00:00+00:00' } })).not.toBe(a);
    // Runs that slug alike still differ (the hash is of the raw values).
    expect(deriveJobId('t', { env: { ...env, AIRFLOW_CTX_DAG_RUN_ID: 'a_b' } })).not.toBe(deriveJobId('t', { env: { ...env, AIRFLOW_CTX_DAG_RUN_ID: 'a.b' } }));
  });
  test('elsewhere: the pipeline name and the UTC time', () => {
    expect(deriveJobId('My_Pipeline', { env: {}, now: new Date('2024-01-31T23:59:58Z') })).toBe('my-pipeline-20240131235958');
  });
  test('always valid for Vertex, whatever the input', () => {
    const odd = ['', '9lives', '---', 'Ünïcødé pipeline', 'x'.repeat(300), '_'];
    for (const name of odd) expect(deriveJobId(name, { env: {} })).toMatch(JOB_ID_RE);
    for (const dag of odd) expect(deriveJobId('p', { env: { AIRFLOW_CTX_DAG_ID: dag || 'd', AIRFLOW_CTX_TASK_ID: dag || 't', AIRFLOW_CTX_DAG_RUN_ID: 'r'.repeat(200) } })).toMatch(JOB_ID_RE);
    expect(checkJobId('Bad_Id')).toMatch(/must start with a lower-case letter/);
    expect(checkJobId('good-id-1')).toBeUndefined();
  });
});

describe('settings: flag, then DUCKML_* env, then duckml.config.json', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'duckml.config.json');
  fs.writeFileSync(file, JSON.stringify({ image: 'eu.gcr.io/p/duckml:1', vertex: { project: 'cfg-proj', region: 'asia-east1', pipelineRoot: 'gs://cfg/root', labels: { team: 'ml', env: 'dev' } } }));
  const cfg = loadProjectConfig(undefined, path.join(dir));

  test('each layer overrides the one below; labels merge', () => {
    expect(resolveVertexSettings({}, cfg, {})).toMatchObject({ project: 'cfg-proj', region: 'asia-east1', pipelineRoot: 'gs://cfg/root', labels: { team: 'ml', env: 'dev' } });
    const env = { DUCKML_PROJECT: 'env-proj', DUCKML_LABELS: 'env=ci,run=7' };
    expect(resolveVertexSettings({}, cfg, env)).toMatchObject({ project: 'env-proj', region: 'asia-east1', labels: { team: 'ml', env: 'ci', run: '7' } });
    expect(resolveVertexSettings({ project: 'flag-proj', labels: ['run=8'] }, cfg, env)).toMatchObject({ project: 'flag-proj', labels: { team: 'ml', env: 'ci', run: '8' } });
    // The generic Google variables rank below the project's own file.
    expect(resolveVertexSettings({}, cfg, { GOOGLE_CLOUD_PROJECT: 'gcp-proj' }).project).toBe('cfg-proj');
    expect(resolveVertexSettings({}, { vertex: {}, kfp: {} }, { GOOGLE_CLOUD_PROJECT: 'gcp-proj' })).toMatchObject({ project: 'gcp-proj', region: 'us-central1' });
  });
  test('the config file is found from a subfolder', () => {
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    expect(loadProjectConfig(undefined, path.join(dir, 'a', 'b')).file).toBe(file);
  });
  test('bad values name the setting and where it came from', () => {
    expect(() => resolveVertexSettings({ region: 'US Central' }, cfg, {})).toThrow("region 'US Central' (from --region) is not valid: expected a region such as us-central1");
    expect(() => resolveVertexSettings({}, cfg, { DUCKML_PIPELINE_ROOT: 's3://x' })).toThrow('(from $DUCKML_PIPELINE_ROOT)');
    expect(() => resolveVertexSettings({ labels: ['Team=ML'] }, cfg, {})).toThrow(/label key 'Team'[\s\S]*label 'Team' has value 'ML'/);
    expect(() => resolveVertexSettings({ failurePolicy: 'quick' }, cfg, {})).toThrow("must be 'fast'");
    expect(() => resolveVertexSettings({ kmsKey: 'my-key' }, cfg, {})).toThrow('keyRings');
  });
  test('a config file with an unknown setting or a wrong type is refused', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ vertex: { projcet: 'x' } }));
    expect(() => loadProjectConfig(bad)).toThrow(/unknown setting 'vertex.projcet'. Known settings in 'vertex': project, region/);
    fs.writeFileSync(bad, JSON.stringify({ vertex: { enableCaching: 'yes' } }));
    expect(() => loadProjectConfig(bad)).toThrow(`'vertex.enableCaching' is "yes"; expected a boolean.`);
    expect(() => loadProjectConfig(path.join(dir, 'missing.json'))).toThrow(CliError);
  });
});

test('durations and crons', () => {
  expect(parseDuration('90', '--timeout')).toBe(90_000);
  expect(parseDuration('1h30m', '--timeout')).toBe(5_400_000);
  expect(parseDuration('250ms', '--poll-interval')).toBe(250);
  expect(() => parseDuration('soon', '--timeout')).toThrow("--timeout 'soon' is not a duration");
  expect(checkCron('TZ=Europe/Paris 0 6 * * 1-5')).toBeUndefined();
  expect(checkCron('*/15 * * * *')).toBeUndefined();
  expect(checkCron('0 6 * *')).toMatch(/five fields/);
});

describe('retries', () => {
  const err = (code: number) => Object.assign(new Error(`${code} X: boom`), { code });
  test('UNAVAILABLE, RESOURCE_EXHAUSTED (429), INTERNAL (500) and DEADLINE_EXCEEDED are retried; nothing else', () => {
    expect([14, 8, 13, 4].map((c) => isTransient(err(c)))).toEqual([true, true, true, true]);
    expect([3, 5, 6, 7, 9, 16, 2, 12].some((c) => isTransient(err(c)))).toBe(false);
  });
  test('stops at the first non-transient failure; gives up after the attempts', async () => {
    let n = 0;
    await expect(withRetry(async () => { n++; throw err(7); }, isTransient, { baseMs: 1 })).rejects.toMatchObject({ code: 7 });
    expect(n).toBe(1);
    n = 0;
    const delays: number[] = [];
    const p = withRetry(async () => { n++; throw err(14); }, isTransient, { attempts: 4, baseMs: 2, onRetry: (_e, _a, d) => delays.push(d), random: () => 1 });
    await expect(p).rejects.toBeInstanceOf(RetriesExhausted);
    expect(n).toBe(4);
    expect(delays).toEqual([2, 4, 8]); // doubling backoff
  });
});

test('the cloud commands load the Vertex client only when they run (it costs over a second)', () => {
  const script = `require('./cli/register.js');
    require('./cli/main.ts');
    for (const c of ['submit', 'jobs', 'schedule', 'compile']) require('./cli/commands/' + c + '.ts').command.summary;
    console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules[\\/](@google-cloud|google-gax|@grpc)[\\/]/.test(k))));`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual([]);
});
