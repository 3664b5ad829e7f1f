/**
 * registry-resolve: looks a model version up by alias or number and returns where its files and
 * its training data are, as strings a pipeline can import as artifacts (dsl importer) — e.g. the
 * champion's training data as drift-check's reference.
 */
import * as dsl from '../../dsl';
import { withRegistry } from '../../registry/open';
import { parseModelRef } from '../../registry/names';

export const registryResolve = dsl.component({
  name: 'registry-resolve',
  description: 'Resolves a model alias or version in the registry to its model URI, training data URI, version and threshold.',
  inputs: {
    registry: dsl.string({ default: '' }),
    modelRef: dsl.string({ default: 'scam-classifier@champion', description: 'NAME@ALIAS or NAME@VERSION' }),
  },
  outputs: { modelUri: dsl.string(), trainingDataUri: dsl.string(), version: dsl.string(), threshold: dsl.double() },
  run: async (inputs, _outputs, ctx) => {
    const { model, ref } = parseModelRef(inputs.modelRef);
    return withRegistry(inputs.registry, async (r) => {
      const v = await r.resolve(model, ref ?? 'champion');
      const training = v.metadata.trainingData;
      if (typeof training !== 'string' || training === '') {
        throw new Error(`${model} version ${v.version} records no training data (it was pushed without 'trainingData'); drift checks need it. Push it again from the scam-classifier-train pipeline.`);
      }
      const threshold = typeof v.metadata.threshold === 'number' ? v.metadata.threshold : 0.5;
      ctx.log(`registry-resolve: ${model}@${ref ?? 'champion'} is version ${v.version} (${v.uri}); trained on ${training}`);
      return { modelUri: v.uri, trainingDataUri: training, version: v.version, threshold };
    });
  },
});
