import * as dsl from '../../dsl';
import { conformance, pyComponent } from '../support/conformance';

conformance('two_step_pipeline_containerized', () => {
  const component1 = dsl.container({
    name: 'component1',
    image: 'alpine',
    inputs: { text: dsl.string() },
    outputs: { output_gcs: dsl.Dataset },
    command: ['sh', '-c', 'mkdir --parents $(dirname "$1") && echo "$0" > "$1"'],
    args: (io) => [io.inputs.text, io.outputs.output_gcs.path],
  });
  const component2 = dsl.container({
    name: 'component2',
    image: 'alpine',
    inputs: { input_gcs: dsl.Dataset },
    command: ['cat'],
    args: (io) => [io.inputs.input_gcs.path],
  });
  return dsl.pipeline({ name: 'containerized-two-step-pipeline', params: { text: dsl.string() } }, (p, params) => {
    const c1 = p.task(component1, { text: params.text });
    p.task(component2, { input_gcs: c1.outputs.output_gcs });
  });
});

conformance('pipeline_with_after', () => {
  const printText = dsl.container({
    name: 'Print Text',
    image: 'alpine',
    inputs: { text: dsl.string() },
    command: (io) => ['sh', '-c', 'set -e -x\necho "$0"\n', io.inputs.text],
  });
  return dsl.pipeline({ name: 'pipeline-with-after' }, (p) => {
    const task1 = p.task(printText, { text: '1st task' });
    const task2 = p.task(printText, { text: '2nd task' }, { after: [task1] });
    p.task(printText, { text: '3rd task' }, { after: [task1, task2] });
  });
});

conformance('pipeline_with_env', () => {
  const printEnvOp = pyComponent({ name: 'print-env-op' });
  const printEnv2Op = dsl.container({
    name: 'Print env',
    image: 'alpine',
    command: ['sh', '-c', 'set -e -x\necho "$ENV1"\necho "$ENV2"\necho "$ENV3"\n'],
    env: { ENV1: 'val0', ENV2: 'val0' },
  });
  return dsl.pipeline({ name: 'pipeline-with-env' }, (p) => {
    p.task(printEnvOp, {}, { env: { ENV1: 'val1' } });
    p.task(printEnv2Op, {}, { env: { ENV2: 'val2', ENV3: 'val3' } });
  });
});

conformance('pipeline_with_placeholders', () => {
  const printAll = pyComponent({
    name: 'print-all-placeholders',
    inputs: {
      job_name: dsl.string(),
      job_resource_name: dsl.string(),
      job_id: dsl.string(),
      task_name: dsl.string(),
      task_id: dsl.string(),
    },
  });
  return dsl.pipeline({ name: 'pipeline-with-placeholders' }, (p) => {
    p.task(
      printAll,
      {
        job_name: dsl.runtime.jobName,
        job_resource_name: dsl.runtime.jobResourceName,
        job_id: dsl.runtime.jobId,
        task_name: dsl.runtime.taskName,
        task_id: dsl.runtime.taskId,
      },
      { caching: false },
    );
  });
});

conformance('local_execution_pipeline_with_k8s_only_methods', () => {
  const echo = pyComponent({ name: 'echo', inputs: { message: dsl.string() }, outputs: { Output: dsl.string() } });
  return dsl.pipeline(
    { name: 'pipeline-with-k8s-only-methods', params: { message: dsl.string({ default: 'hello' }) } },
    (p, params) => {
      const task = p.task(
        echo,
        { message: params.message },
        { cpuLimit: '1000m', memoryLimit: '256Mi', accelerator: { type: 'nvidia.com/gpu' } },
      );
      return task.outputs.Output;
    },
  );
});

conformance('pipeline_with_retry', () => {
  const add = pyComponent({ name: 'add', inputs: { a: dsl.double(), b: dsl.double() }, outputs: { Output: dsl.double() } });
  return dsl.pipeline(
    { name: 'test-pipeline', params: { a: dsl.double({ default: 1 }), b: dsl.double({ default: 7 }) } },
    (p, params) => {
      p.task(add, { a: params.a, b: params.b }, { retry: { maxRetryCount: 3 } });
    },
  );
});

conformance('pipeline_with_google_artifact_type', () => {
  // The reference pipeline mocks Google's types with schema version 0.0.0.
  const VertexModel = dsl.artifactType('google.VertexModel', '0.0.0');
  const VertexDataset = dsl.artifactType('google.VertexDataset', '0.0.0');
  const modelProducer = pyComponent({ name: 'model-producer', outputs: { model: VertexModel } });
  const modelConsumer = pyComponent({ name: 'model-consumer', inputs: { model: VertexModel, dataset: VertexDataset } });
  return dsl.pipeline({ name: 'pipeline-with-google-types' }, (p) => {
    const producer = p.task(modelProducer, {});
    const importer = p.importer({
      artifactUri: 'gs://ml-pipeline-playground/shakespeare1.txt',
      artifactType: VertexDataset,
      reimport: false,
      metadata: { key: 'value' },
    });
    p.task(modelConsumer, { model: producer.outputs.model, dataset: importer.outputs.artifact });
  });
});

conformance('lightweight_python_functions_with_outputs', () => {
  const concatMessage = pyComponent({
    name: 'concat-message',
    inputs: { first: dsl.string(), second: dsl.string() },
    outputs: { Output: dsl.string() },
  });
  const addNumbers = pyComponent({
    name: 'add-numbers',
    inputs: { first: dsl.int(), second: dsl.int() },
    outputs: { Output: dsl.int() },
  });
  const outputArtifact = pyComponent({
    name: 'output-artifact',
    inputs: { number: dsl.int(), message: dsl.string() },
    outputs: { Output: dsl.Dataset },
  });
  const outputNamedTuple = pyComponent({
    name: 'output-named-tuple',
    inputs: { artifact: dsl.Dataset },
    outputs: { scalar: dsl.string(), metrics: dsl.Metrics, model: dsl.Model },
  });
  return dsl.pipeline(
    {
      name: 'functions-with-outputs',
      params: { first_message: dsl.string(), second_message: dsl.string(), first_number: dsl.int(), second_number: dsl.int() },
    },
    (p, params) => {
      const concatOp = p.task(concatMessage, { first: params.first_message, second: params.second_message });
      const addNumbersOp = p.task(addNumbers, { first: params.first_number, second: params.second_number });
      const outputArtifactOp = p.task(outputArtifact, { number: addNumbersOp.outputs.Output, message: concatOp.outputs.Output });
      p.task(outputNamedTuple, { artifact: outputArtifactOp.outputs.Output });
    },
  );
});

conformance('pipeline_with_importer', () => {
  const train = pyComponent({
    name: 'train',
    description: 'Dummy Training step.',
    inputs: { dataset: dsl.Dataset },
    outputs: { scalar: dsl.string(), model: dsl.Model },
  });
  return dsl.pipeline(
    {
      name: 'pipeline-with-importer',
      params: { dataset2: dsl.string({ default: 'gs://ml-pipeline-playground/shakespeare2.txt' }) },
    },
    (p, params) => {
      const importer1 = p.importer({
        artifactUri: 'gs://ml-pipeline-playground/shakespeare1.txt',
        artifactType: dsl.Dataset,
        reimport: false,
        metadata: { key: 'value' },
      });
      const train1 = p.task(train, { dataset: importer1.outputs.artifact });
      p.if(train1.outputs.scalar.eq('123'), (s) => {
        const importer2 = s.importer({ artifactUri: params.dataset2, artifactType: dsl.Dataset, reimport: true });
        s.task(train, { dataset: importer2.outputs.artifact });
      });
    },
  );
});
