/**
 * registry-push: registers a trained model as a new version in a model registry (the local one,
 * or Vertex AI Model Registry), with aliases such as `champion`, labels, its evaluation metrics,
 * the decision threshold and the data it was trained on. Outputs a google.VertexModel artifact
 * (resourceName in its metadata, as google-cloud-pipeline-components write it) and the version.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dsl from '../../dsl';
import { withRegistry } from '../../registry/open';
import { DUCKML_MODEL_JSON, readModelFolder } from '../train/model-files';
import { commit, removeQuietly, tempBeside } from '../../warehouse/atomic';

/** A copy of the model folder with the threshold written into duckml-model.json. */
function stageWithThreshold(src: string, threshold: number | undefined): { dir: string; cleanup(): void } {
  if (threshold === undefined) return { dir: src, cleanup: () => undefined };
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-push-')), 'model');
  fs.cpSync(src, dir, { recursive: true });
  const file = path.join(dir, DUCKML_MODEL_JSON);
  const info = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  info.threshold = threshold;
  fs.writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`);
  return { dir, cleanup: () => removeQuietly(path.dirname(dir)) };
}

export const registryPush = dsl.component({
  name: 'registry-push',
  description: 'Registers a model version (local registry or Vertex AI Model Registry) with aliases, labels, metrics and threshold.',
  inputs: {
    model: dsl.Model,
    metrics: dsl.Metrics.optional().describe('evaluation metrics to record with the version'),
    trainingData: dsl.Dataset.optional().describe('the data the model learned from (drift checks compare against it)'),
    registry: dsl.string({ default: '', description: "'' (local), a folder, or vertex://PROJECT/REGION" }),
    modelName: dsl.string({ default: 'scam-classifier' }),
    aliases: dsl.list(dsl.string(), { default: ['champion'] }),
    threshold: dsl.double({ optional: true, description: 'decision threshold chosen by evaluate' }),
    labels: dsl.struct({ default: {} }),
    description: dsl.string({ default: '' }),
    servingImage: dsl.string({ default: '', description: 'Vertex serving container (default: duckml image)' }),
  },
  outputs: { registeredModel: dsl.google.VertexModel, version: dsl.string(), resourceName: dsl.string() },
  run: async (inputs, { registeredModel }, ctx) => {
    if (inputs.threshold !== undefined && !(inputs.threshold >= 0 && inputs.threshold <= 1.0000001)) {
      throw new Error(`threshold ${inputs.threshold} must be a score in [0, 1] (evaluate's threshold output).`);
    }
    // A model folder that is not one is refused before anything is registered.
    const folder = readModelFolder(inputs.model.path, "input 'model'");
    const metricValues: Record<string, number> = {};
    for (const [k, v] of Object.entries(inputs.metrics?.metadata ?? {})) if (typeof v === 'number' && Number.isFinite(v)) metricValues[k] = v;
    const staged = stageWithThreshold(inputs.model.path, inputs.threshold);
    try {
      const version = await withRegistry(inputs.registry, async (r) => {
        const v = await r.push({
          model: inputs.modelName,
          sourcePath: staged.dir,
          sourceUri: inputs.model.uri,
          aliases: inputs.aliases,
          labels: inputs.labels as Record<string, string>,
          metrics: metricValues,
          metadata: {
            ...(inputs.threshold !== undefined ? { threshold: inputs.threshold } : {}),
            ...(inputs.trainingData ? { trainingData: inputs.trainingData.uri } : {}),
            kind: folder.info.kind,
            layers: folder.info.layers,
            featureNames: folder.transform.featureNames.length,
            trainedAt: folder.info.trainedAt,
            backend: (folder.info.backend as { name?: string }).name ?? 'unknown',
          },
          description: inputs.description || undefined,
          servingImage: inputs.servingImage || undefined,
        });
        ctx.log(`registry-push: ${inputs.modelName} version ${v.version} in the ${r.kind} registry (${r.location}); aliases: ${v.aliases.join(', ') || '(none)'}`);
        return { ...v, registryKind: r.kind, location: r.location };
      });
      const record = {
        registry: version.registryKind,
        location: version.location,
        model: version.model,
        version: version.version,
        resourceName: version.resourceName,
        aliases: [...version.aliases],
        uri: version.uri,
      };
      // The artifact's file says where the version lives; its metadata is what GCPC components read.
      const tmp = tempBeside(registeredModel.path, '.json');
      fs.writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
      commit(tmp, registeredModel.path);
      Object.assign(registeredModel.metadata, record);
      return { version: version.version, resourceName: version.resourceName };
    } finally {
      staged.cleanup();
    }
  },
});
