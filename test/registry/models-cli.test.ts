import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalRegistry } from '../../registry/local';

const ROOT = path.resolve(__dirname, '../..');

function duckml(cwd: string, ...args: string[]) {
  const env = { ...process.env };
  delete env.DUCKML_REGISTRY;
  delete env.DUCKML_HOME;
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/duckml.js'), 'models', ...args], { cwd, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('duckml models list | promote | rollback on the project registry', async () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-models-cli-'));
  const reg = new LocalRegistry(path.join(project, '.duckml'));
  for (const tag of ['a', 'b']) {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-m-'));
    fs.writeFileSync(path.join(src, 'duckml-model.json'), JSON.stringify({ tag }));
    await reg.push({ model: 'scam-classifier', sourcePath: src, sourceUri: src, aliases: ['champion'], labels: {}, metrics: { prAuc: tag === 'a' ? 0.5 : 0.6 }, metadata: { threshold: 0.25 } });
  }
  let r = duckml(project, 'list');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^MODEL +VERSIONS +LATEST +ALIASES +UPDATED\nscam-classifier +2 +2 +champion→2 default→1 /);
  r = duckml(project, 'list', 'scam-classifier');
  expect(r.out.split('\n')[2]).toMatch(/^2 +champion +\S+ +0\.2500 +prAuc=0\.600 +\/.*registry\/scam-classifier\/2$/);
  r = duckml(project, 'rollback', 'scam-classifier');
  expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^scam-classifier@champion: version 2 → version 1 \(local registry, /) });
  r = duckml(project, 'promote', 'scam-classifier', '2', '--alias', 'champion', '--json');
  expect(JSON.parse(r.out)).toEqual({ model: 'scam-classifier', alias: 'champion', from: '1', to: '2' });
  r = duckml(project, 'promote', 'scam-classifier', '7');
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/duckml models: model 'scam-classifier' has no version 7; its versions are 1, 2/);
  r = duckml(project, 'rollback', 'scam-classifier', '--alias', 'canary');
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/has no alias 'canary' to roll back/);
  r = duckml(project, 'list', '--registry', 'vertex://x');
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/expected vertex:\/\/PROJECT\/REGION/);
  r = duckml(fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-empty-')), 'list');
  expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^no models in the local registry/) });
});
