import * as dsl from '../../dsl';
import { conformance, pyComponent } from '../support/conformance';

const UBI = 'registry.access.redhat.com/ubi9/python-311:latest';

conformance('container_with_artifact_output', () =>
  dsl.container({
    name: 'container-with-artifact-output',
    image: 'gcr.io/my-image',
    inputs: { num_epochs: dsl.int() },
    outputs: { model: dsl.Model, model_config_path: dsl.string() },
    command: ['sh', 'run.sh'],
    args: (io) => [
      '--epochs',
      io.inputs.num_epochs,
      '--model_path',
      io.outputs.model.uri,
      '--model_metadata',
      io.outputs.model.metadata,
      '--model_config_path',
      io.outputs.model_config_path,
    ],
  }),
);

conformance('container_with_concat_placeholder', () =>
  dsl.container({
    name: 'container-with-concat-placeholder',
    image: UBI,
    inputs: { text1: dsl.string() },
    outputs: { text2: dsl.Dataset, output_path: dsl.string() },
    command: (io) => ['my_program', io.concat(['prefix-', io.inputs.text1, io.outputs.text2.uri])],
    args: (io) => ['--output_path', io.outputs.output_path],
  }),
);

conformance('container_with_if_placeholder', () =>
  dsl.container({
    name: 'container-with-if-placeholder',
    image: UBI,
    inputs: { optional_input: dsl.string({ default: 'default' }) },
    outputs: { output_path: dsl.string(), dataset: dsl.Dataset },
    command: (io) => [
      'my_program',
      io.ifPresent('optional_input', [io.inputs.optional_input], ['bye']),
      '--dataset',
      io.ifPresent('optional_input', [io.outputs.dataset.uri], ['bye']),
    ],
    args: (io) => ['--output_path', io.outputs.output_path],
  }),
);

conformance('container_with_placeholder_in_fstring', () =>
  dsl.container({
    name: 'container-with-placeholder-in-fstring',
    image: UBI,
    inputs: { text1: dsl.string({ default: 'text!' }) },
    outputs: { output_artifact: dsl.Artifact },
    command: (io) => ['my_program', `prefix-${io.inputs.text1}`, `${io.outputs.output_artifact.uri}/0`],
  }),
);

conformance('component_with_optional_inputs', () => {
  const componentOp = pyComponent({
    name: 'component-op',
    inputs: {
      input1: dsl.string({ default: 'default value' }),
      input2: dsl.string({ optional: true }),
      input3: dsl.string({ optional: true }),
    },
  });
  return dsl.pipeline({ name: 'v2-component-optional-input' }, (p) => {
    p.task(componentOp, { input1: 'Hello', input2: 'World' });
  });
});
