import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dsl from '../../dsl';
import { serialize, testing, compile } from '../../compiler';

const withPlaceholders = dsl.container({
  name: 'fancy',
  image: 'busybox:1',
  inputs: { text: dsl.string({ default: 'hi' }), maybe: dsl.string({ optional: true }), data: dsl.Dataset, n: dsl.int() },
  outputs: { out: dsl.string(), model: dsl.Model },
  command: (io) => ['run', io.concat(['--text=', io.inputs.text]), io.ifPresent('maybe', ['--maybe', io.inputs.maybe], ['--none'])],
  args: (io) => [io.inputs.data.path, io.outputs.model.uri, io.outputs.out, `${io.inputs.n}`],
  env: { MODE: 'fast' },
});

test('a component compiled to IR YAML loads back into the same component', () => {
  const yaml = serialize(compile(withPlaceholders), 'yaml');
  const loaded = dsl.loadComponent(yaml, 'fancy.yaml');
  expect(testing.synth(loaded)).toEqual(testing.synth(withPlaceholders));
});

const V1 = `
name: Train model
description: Trains.
inputs:
- {name: Training data, type: Dataset}
- {name: Epochs, type: Integer, default: '5'}
- {name: Note, type: String, optional: true}
outputs:
- {name: Model, type: Model}
- {name: Accuracy, type: Float}
implementation:
  container:
    image: trainer:1
    command: [python, train.py]
    args:
    - --data
    - {inputPath: Training data}
    - --epochs
    - {inputValue: Epochs}
    - {if: {cond: {isPresent: Note}, then: [--note, {inputValue: Note}]}}
    - --model
    - {outputPath: Model}
    - --accuracy
    - {outputPath: Accuracy}
    - {concat: [--tag=, {inputValue: Epochs}]}
`;

test('the older v1 implementation form maps names, types, defaults and placeholders', () => {
  const c = dsl.loadComponent(V1);
  const spec = testing.synth(c);
  const comp = spec.components['comp-train-model']!;
  expect(comp.inputDefinitions).toEqual({
    artifacts: { training_data: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' } } },
    parameters: {
      epochs: { defaultValue: 5, isOptional: true, parameterType: 'NUMBER_INTEGER' },
      note: { isOptional: true, parameterType: 'STRING' },
    },
  });
  expect(comp.outputDefinitions!.parameters).toEqual({ accuracy: { parameterType: 'NUMBER_DOUBLE' } });
  expect(spec.deploymentSpec.executors['exec-train-model']!.container!.args).toEqual([
    '--data',
    "{{$.inputs.artifacts['training_data'].path}}",
    '--epochs',
    "{{$.inputs.parameters['epochs']}}",
    `{"IfPresent": {"InputName": "note", "Then": ["--note", "{{$.inputs.parameters['note']}}"]}}`,
    '--model',
    "{{$.outputs.artifacts['model'].path}}",
    '--accuracy',
    "{{$.outputs.parameters['accuracy'].output_file}}",
    `{"Concat": ["--tag=", "{{$.inputs.parameters['epochs']}}"]}`,
  ]);
});

test('loaded components are used in pipelines like any other, typed through the generic', () => {
  const train = dsl.loadComponent<{ training_data: typeof dsl.Dataset; epochs: dsl.ParamSpec<'int', false> }, { model: typeof dsl.Model }>(V1);
  const data = dsl.container({ name: 'data', image: 'x', outputs: { d: dsl.Dataset } });
  const p = dsl.pipeline({ name: 'uses-loaded' }, (p) => {
    const d = p.task(data, {});
    return { model: p.task(train, { training_data: d.outputs.d }).outputs.model };
  });
  expect(testing.synth(p).root.outputDefinitions!.artifacts!.model!.artifactType.schemaTitle).toBe('system.Model');
});

test('bad component files get errors that name the file and the problem', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-load-'));
  const f = path.join(dir, 'c.yaml');
  fs.writeFileSync(f, 'name: x\nimplementation: {}\n');
  expect(() => dsl.loadComponentFile(f)).toThrow(`loadComponent(${f}): v1 components need 'implementation: container:'.`);
  fs.writeFileSync(f, 'just: a mapping\n');
  expect(() => dsl.loadComponentFile(f)).toThrow(/neither a KFP v2 IR component .* nor a v1 component/);
  fs.writeFileSync(f, '{ not yaml');
  expect(() => dsl.loadComponentFile(f)).toThrow(/not valid YAML/);
  expect(() => dsl.loadComponentFile(path.join(dir, 'missing.yaml'))).toThrow(/cannot read .*missing\.yaml/);
});
