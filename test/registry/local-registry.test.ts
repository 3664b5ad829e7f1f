import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalRegistry, storeFileFor } from '../../registry/local';
import { parseModelRef } from '../../registry/names';
import { RegistryError, type PushRequest } from '../../registry/types';
import { MetadataStore } from '../../runner/store';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-registry-'));

function modelFolder(tag: string): string {
  const dir = path.join(tmp(), 'model');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'duckml-model.json'), JSON.stringify({ tag }));
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from([1, 2, 3]));
  return dir;
}

const req = (src: string, over: Partial<PushRequest> = {}): PushRequest => ({
  model: 'scam-classifier',
  sourcePath: src,
  sourceUri: src,
  aliases: ['champion'],
  labels: { team: 'trust-safety' },
  metrics: { prAuc: 0.5 },
  metadata: { threshold: 0.3 },
  ...over,
});

describe('local registry (DuckDB metadata store + files)', () => {
  test('push copies the files and numbers versions; aliases move; the first version is the default', async () => {
    const home = tmp();
    const r = new LocalRegistry(home);
    const v1 = await r.push(req(modelFolder('a')));
    expect(v1).toMatchObject({ model: 'scam-classifier', version: '1', aliases: ['champion', 'default'], resourceName: 'local:scam-classifier@1', labels: { team: 'trust-safety' }, metrics: { prAuc: 0.5 } });
    expect(v1.uri).toBe(path.join(home, 'registry', 'scam-classifier', '1'));
    expect(JSON.parse(fs.readFileSync(path.join(v1.uri, 'duckml-model.json'), 'utf8'))).toEqual({ tag: 'a' });
    const v2 = await r.push(req(modelFolder('b'), { metrics: { prAuc: 0.6 } }));
    expect(v2).toMatchObject({ version: '2', aliases: ['champion'] });
    expect((await r.resolve('scam-classifier', 'champion')).version).toBe('2');
    expect((await r.resolve('scam-classifier')).version).toBe('1');
    expect((await r.resolve('scam-classifier', '1')).aliases).toEqual(['default']);
    expect(await r.listModels()).toEqual([{ model: 'scam-classifier', versions: 2, latest: '2', aliases: { champion: '2', default: '1' }, updatedAt: expect.any(String) }]);
    // One embedded database for the project: the registry lives in the runner's metadata store.
    const tables = await new MetadataStore(storeFileFor(home)).query(`SELECT table_name FROM information_schema.tables ORDER BY 1`);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['runs', 'executions', 'registry_versions', 'registry_aliases', 'registry_alias_events']));
  });

  test('promote and rollback: rollback undoes promotions one at a time', async () => {
    const r = new LocalRegistry(tmp());
    for (const t of ['a', 'b', 'c']) await r.push(req(modelFolder(t)));
    expect((await r.resolve('scam-classifier', 'champion')).version).toBe('3');
    expect(await r.rollback('scam-classifier', 'champion')).toEqual({ model: 'scam-classifier', alias: 'champion', from: '3', to: '2' });
    expect(await r.rollback('scam-classifier', 'champion')).toEqual({ model: 'scam-classifier', alias: 'champion', from: '2', to: '1' });
    await expect(r.rollback('scam-classifier', 'champion')).rejects.toThrow(/has no earlier version to roll back to: it has only ever pointed at version 1/);
    expect(await r.promote('scam-classifier', '3', 'champion')).toEqual({ model: 'scam-classifier', alias: 'champion', from: '1', to: '3' });
    expect(await r.promote('scam-classifier', '2', 'canary')).toEqual({ model: 'scam-classifier', alias: 'canary', from: undefined, to: '2' });
    expect(await r.rollback('scam-classifier', 'champion')).toMatchObject({ from: '3', to: '1' });
    expect((await r.listVersions('scam-classifier')).map((v) => [v.version, v.aliases])).toEqual([
      ['1', ['champion', 'default']],
      ['2', ['canary']],
      ['3', []],
    ]);
  });

  test('unknown model, version and alias are RegistryErrors that say what exists', async () => {
    const home = tmp();
    const r = new LocalRegistry(home);
    await expect(r.resolve('scam-classifier', 'champion')).rejects.toThrow(/model 'scam-classifier' is not in the local registry at .*It has no models yet/);
    await r.push(req(modelFolder('a')));
    await expect(r.resolve('scam-classifier', 'golden')).rejects.toThrow(/has no alias 'golden'; its aliases are champion → 1, default → 1.*duckml models promote scam-classifier <version> --alias golden/);
    await expect(r.resolve('scam-classifier', '4')).rejects.toThrow(/has no version 4; its versions are 1/);
    await expect(r.resolve('fraud', 'champion')).rejects.toThrow(/Models there: scam-classifier/);
    await expect(r.promote('scam-classifier', 'latest', 'champion')).rejects.toThrow(/not a version number/);
    await expect(r.push(req(modelFolder('x'), { aliases: ['7'] }))).rejects.toThrow(RegistryError);
    await expect(r.push(req(modelFolder('x'), { labels: { Team: 'x' } }))).rejects.toThrow(/label key 'Team' is not valid/);
    await expect(r.push(req(path.join(home, 'missing')))).rejects.toThrow(/it is not a folder/);
    expect(fs.readdirSync(path.join(home, 'registry', 'scam-classifier'))).toEqual(['1']);
  });

  test('a push that fails in the database leaves no files behind', async () => {
    const home = tmp();
    const r = new LocalRegistry(home);
    await r.push(req(modelFolder('a')));
    // A metrics value JSON cannot hold: the insert fails inside the transaction.
    const bad = { prAuc: BigInt(1) } as unknown as Record<string, number>;
    await expect(r.push(req(modelFolder('b'), { metrics: bad }))).rejects.toThrow(/BigInt/);
    expect(fs.readdirSync(path.join(home, 'registry', 'scam-classifier'))).toEqual(['1']);
    expect((await r.listVersions('scam-classifier')).length).toBe(1);
  });

  test('model references', () => {
    expect(parseModelRef('scam-classifier@champion')).toEqual({ model: 'scam-classifier', ref: 'champion' });
    expect(parseModelRef('scam-classifier:3')).toEqual({ model: 'scam-classifier', ref: '3' });
    expect(parseModelRef('scam-classifier')).toEqual({ model: 'scam-classifier', ref: undefined });
    expect(() => parseModelRef('Scam@x')).toThrow(/model name "Scam" is not valid/);
  });
});
