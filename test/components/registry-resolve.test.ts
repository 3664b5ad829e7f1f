import * as fs from 'node:fs';
import * as path from 'node:path';
import { runComponent } from '../../executor';
import { registryResolve } from '../../components/registry-resolve/component';
import { LocalRegistry } from '../../registry/local';
import { tmpDir } from './fixtures/splits';

const quiet = { log: () => undefined };

async function registryWith(metadata: Record<string, unknown>): Promise<string> {
  const home = tmpDir('duckml-resolve-');
  const src = path.join(home, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'duckml-model.json'), '{}');
  await new LocalRegistry(home).push({ model: 'scam-classifier', sourcePath: src, sourceUri: src, aliases: ['champion'], labels: {}, metrics: {}, metadata });
  return home;
}

describe('registry-resolve', () => {
  test("gives the champion's files, training data, version and threshold as strings", async () => {
    const home = await registryWith({ trainingData: '/data/extract/dataset', threshold: 0.7 });
    const r = await runComponent(registryResolve, { registry: home }, quiet);
    expect(r.outputs).toEqual({ modelUri: path.join(home, 'registry', 'scam-classifier', '1'), trainingDataUri: '/data/extract/dataset', version: '1', threshold: 0.7 });
  });

  test('an unknown alias, a malformed reference, and a version without training data are errors', async () => {
    const home = await registryWith({});
    await expect(runComponent(registryResolve, { registry: home, modelRef: 'scam-classifier@golden' }, quiet)).rejects.toThrow(/has no alias 'golden'/);
    await expect(runComponent(registryResolve, { registry: home, modelRef: 'Scam Classifier' }, quiet)).rejects.toThrow(/model name "Scam Classifier" is not valid/);
    await expect(runComponent(registryResolve, { registry: home }, quiet)).rejects.toThrow(/records no training data .* drift checks need it/);
  });
});
