/**
 * The IR validator itself: each kind of problem it must report (with its message and JSON path),
 * the proto3 JSON forms it must accept, and every KFP golden passing (real KFP output is valid).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { haveIrSchema, IR_PROTO, loadIrSchema, validatePipelineSpec } from '../support/ir-validator';
import { checkMessage } from '../support/proto-json';

const GOLDENS = path.resolve(__dirname, '../../../shared/kfp-conformance');
const ready = haveIrSchema && fs.existsSync(GOLDENS);
if (!ready) {
  // stderr, not console.log: jest does not show the console of a file whose tests all skip.
  process.stderr.write(`ir validator: ${IR_PROTO} or ${GOLDENS} is absent; IR schema tests are skipped (CI always has them).\n`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
const golden = (name: string): Doc => parse(fs.readFileSync(path.join(GOLDENS, `${name}.yaml`), 'utf8'));
/** A golden with `edit` applied: the problems found must be exactly `expected`. */
function expectProblems(name: string, edit: (d: Doc) => void, expected: string[]): void {
  const doc = golden(name);
  edit(doc);
  expect(validatePipelineSpec(doc)).toEqual(expected);
}
const TWO = 'two_step_pipeline_containerized';
const K8S = 'local_execution_pipeline_with_k8s_only_methods';
const task1 = (d: Doc) => d.root.dag.tasks.component1;
const exec1 = (d: Doc) => d.deploymentSpec.executors['exec-component1'];

(ready ? describe : describe.skip)('validatePipelineSpec', () => {
  describe('accepts real KFP output', () => {
    const files = ready ? fs.readdirSync(GOLDENS).filter((f) => f.endsWith('.yaml')).sort() : [];
    test('the conformance set is there', () => expect(files.length).toBeGreaterThan(20));
    test.each(files)('%s', (file) => {
      expect(validatePipelineSpec(parse(fs.readFileSync(path.join(GOLDENS, file), 'utf8')))).toEqual([]);
    });
  });

  test('unknown field', () => {
    expectProblems(TWO, (d) => (task1(d).inputs.parameters.text.bogus = 'x'), [
      "root.dag.tasks['component1'].inputs.parameters['text'].bogus: unknown field 'bogus' in ml_pipelines.TaskInputsSpec.InputParameterSpec; its fields are: taskOutputParameter, runtimeValue, componentInputParameter, taskFinalStatus, parameterExpressionSelector",
    ]);
  });

  test('snake_case field name: names the proto3 JSON name', () => {
    expectProblems(TWO, (d) => {
      task1(d).caching_options = task1(d).cachingOptions;
      delete task1(d).cachingOptions;
    }, ["root.dag.tasks['component1'].caching_options: 'caching_options' is the .proto spelling; in proto3 JSON this field of ml_pipelines.PipelineTaskSpec is 'cachingOptions'"]);
    expectProblems(TWO, (d) => {
      d.schema_version = d.schemaVersion;
      delete d.schemaVersion;
    }, [
      "schema_version: 'schema_version' is the .proto spelling; in proto3 JSON this field of ml_pipelines.PipelineSpec is 'schemaVersion'",
      'schemaVersion: missing: a PipelineSpec names its IR schema version (duckml writes 2.1.0)',
    ]);
  });

  test.each<[string, (d: Doc) => void, string]>([
    ['string for bool', (d) => (d.root.inputDefinitions.parameters.text.isOptional = 'true'),
      "root.inputDefinitions.parameters['text'].isOptional: expected true or false (bool), got the string 'true'"],
    ['number for string', (d) => (task1(d).inputs.parameters.text.componentInputParameter = 5),
      "root.dag.tasks['component1'].inputs.parameters['text'].componentInputParameter: expected a string, got the number 5"],
    ['quoted int32', (d) => (task1(d).retryPolicy = { maxRetryCount: '3' }),
      "root.dag.tasks['component1'].retryPolicy.maxRetryCount: expected a JSON number (int32), got the string '3'; write it without quotes"],
    ['fractional int32', (d) => (task1(d).iteratorPolicy = { parallelismLimit: 1.5 }),
      "root.dag.tasks['component1'].iteratorPolicy.parallelismLimit: expected an integer (int32), got the number 1.5"],
    ['int32 out of range', (d) => (task1(d).iteratorPolicy = { parallelismLimit: 2 ** 31 }),
      "root.dag.tasks['component1'].iteratorPolicy.parallelismLimit: 2147483648 is out of range for int32 (-2147483648..2147483647)"],
    ['repeated given a string', (d) => (d.root.dag.tasks.component2.dependentTasks = 'component1'),
      "root.dag.tasks['component2'].dependentTasks: expected an array (repeated string), got the string 'component1'"],
    ['a wrong list element', (d) => (exec1(d).container.args[1] = 7),
      "deploymentSpec.executors['exec-component1'].container.args[1]: expected a string, got the number 7"],
    ['map given an array', (d) => (d.root.inputDefinitions.parameters = []),
      'root.inputDefinitions.parameters: expected an object (map<string, ml_pipelines.ComponentInputsSpec.ParameterSpec>), got an array'],
    ['message given a string', (d) => (task1(d).taskInfo = 'component1'),
      "root.dag.tasks['component1'].taskInfo: expected an object (message ml_pipelines.PipelineTaskInfo), got the string 'component1'"],
    ['null for a message field', (d) => (task1(d).cachingOptions = null),
      "root.dag.tasks['component1'].cachingOptions: null is not a ml_pipelines.PipelineTaskSpec.CachingOptions; leave it out instead"],
    ['Struct given a string', (d) => (d.components['comp-component1'].outputDefinitions.artifacts.output_gcs.metadata = 'x'),
      "components['comp-component1'].outputDefinitions.artifacts['output_gcs'].metadata: expected a JSON object (google.protobuf.Struct), got the string 'x'"],
    ['Duration not in seconds', (d) => (task1(d).retryPolicy = { backoffDuration: '1h' }),
      "root.dag.tasks['component1'].retryPolicy.backoffDuration: expected a duration string of seconds with an 's' suffix, like '3600s' or '0.5s' (google.protobuf.Duration), got the string '1h'"],
  ])('wrong type: %s', (_what, edit, message) => expectProblems(TWO, edit, [message]));

  test('64-bit integers and doubles: numbers or their string forms', () => {
    const res = (d: Doc) => d.deploymentSpec.executors['exec-echo'].container.resources;
    expectProblems(K8S, (d) => {
      res(d).accelerator.count = 2; // K8S writes '1' (a string); a number is valid too
      res(d).cpuLimit = 'Infinity';
      res(d).memoryLimit = 'NaN';
    }, []);
    expectProblems(K8S, (d) => {
      res(d).accelerator.count = '1.5';
      res(d).memoryLimit = '0.5';
    }, [
      "deploymentSpec.executors['exec-echo'].container.resources.accelerator.count: expected int64 as a JSON number or a decimal string, got the string '1.5'",
      "deploymentSpec.executors['exec-echo'].container.resources.memoryLimit: expected a JSON number (double) or 'NaN', 'Infinity', '-Infinity', got the string '0.5'; write numbers without quotes",
    ]);
    expectProblems(K8S, (d) => (res(d).accelerator.count = '9223372036854775808'), [
      "deploymentSpec.executors['exec-echo'].container.resources.accelerator.count: 9223372036854775808 is out of range for int64 (-9223372036854775808..9223372036854775807)",
    ]);
  });

  test('Struct and Value fields take any JSON of the right shape', () => {
    expectProblems(TWO, (d) => {
      d.root.inputDefinitions.parameters.text.defaultValue = { a: [1, 'two', null, { b: true }] };
      d.components['comp-component1'].outputDefinitions.artifacts.output_gcs.metadata = { display_name: 'x', n: [1.5] };
      task1(d).retryPolicy = { backoffDuration: '0.5s', backoffMaxDuration: '3600s', backoffFactor: 2 };
    }, []);
    expectProblems(TWO, (d) => (d.root.inputDefinitions.parameters.text.defaultValue = { a: [1, NaN] }), [
      "root.inputDefinitions.parameters['text'].defaultValue['a'][1]: NaN is not representable in JSON (google.protobuf.Value)",
    ]);
  });

  test('enum values: a known name, or a known number', () => {
    expectProblems(TWO, (d) => (d.root.inputDefinitions.parameters.text.parameterType = 'TEXT'), [
      "root.inputDefinitions.parameters['text'].parameterType: unknown value 'TEXT' for enum ml_pipelines.ParameterType.ParameterTypeEnum; expected one of: PARAMETER_TYPE_ENUM_UNSPECIFIED, NUMBER_DOUBLE, NUMBER_INTEGER, STRING, BOOLEAN, LIST, STRUCT, TASK_FINAL_STATUS, TASK_CONFIG",
    ]);
    expectProblems(TWO, (d) => (d.root.inputDefinitions.parameters.text.parameterType = 3), []);
    expectProblems(TWO, (d) => (task1(d).triggerPolicy = { strategy: 7 }), [
      "root.dag.tasks['component1'].triggerPolicy.strategy: 7 is not a value number of enum ml_pipelines.PipelineTaskSpec.TriggerPolicy.TriggerStrategy; expected one of: TRIGGER_STRATEGY_UNSPECIFIED (0), ALL_UPSTREAM_TASKS_SUCCEEDED (1), ALL_UPSTREAM_TASKS_COMPLETED (2)",
    ]);
  });

  test('two members of one oneof', () => {
    expectProblems(TWO, (d) => (task1(d).inputs.parameters.text.runtimeValue = { constant: 'hi' }), [
      "root.dag.tasks['component1'].inputs.parameters['text']: 'componentInputParameter' and 'runtimeValue' are both set, but they are members of oneof 'kind' in ml_pipelines.TaskInputsSpec.InputParameterSpec; keep only one",
    ]);
    expectProblems(TWO, (d) => (d.components['comp-component2'].dag = { tasks: {} }), [
      "components['comp-component2']: 'executorLabel' and 'dag' are both set, but they are members of oneof 'implementation' in ml_pipelines.ComponentSpec; keep only one",
    ]);
  });

  describe('deploymentSpec is checked as PipelineDeploymentConfig', () => {
    test('unknown container field', () => {
      expectProblems(TWO, (d) => (exec1(d).container.workingDir = '/app'), [
        "deploymentSpec.executors['exec-component1'].container.workingDir: unknown field 'workingDir' in ml_pipelines.PipelineDeploymentConfig.PipelineContainerSpec; its fields are: image, command, args, lifecycle, resources, env",
      ]);
    });
    test('wrong type for resources.cpuLimit', () => {
      expectProblems(TWO, (d) => (exec1(d).container.resources = { cpuLimit: '2' }), [
        "deploymentSpec.executors['exec-component1'].container.resources.cpuLimit: expected a JSON number (double) or 'NaN', 'Infinity', '-Infinity', got the string '2'; write numbers without quotes",
      ]);
    });
    test('an executor that is both a container and an importer', () => {
      expectProblems(TWO, (d) => (exec1(d).importer = { artifactUri: { constant: 'gs://b/x' }, typeSchema: { schemaTitle: 'system.Dataset' } }), [
        "deploymentSpec.executors['exec-component1']: 'container' and 'importer' are both set, but they are members of oneof 'spec' in ml_pipelines.PipelineDeploymentConfig.ExecutorSpec; keep only one",
      ]);
    });
    test('snake_case field in an importer', () => {
      expectProblems('pipeline_with_importer', (d) => {
        const imp = Object.values(d.deploymentSpec.executors as Record<string, Doc>).find((e) => e.importer).importer;
        imp.type_schema = imp.typeSchema;
        delete imp.typeSchema;
      }, [expect.stringMatching(/^deploymentSpec\.executors\['exec-importer[^']*'\]\.importer\.type_schema: 'type_schema' is the \.proto spelling; .* is 'typeSchema'$/)]);
    });
    test('deploymentSpec must be an object', () => {
      expectProblems(TWO, (d) => (d.deploymentSpec = ['exec-component1']), [
        'deploymentSpec: expected an object (message ml_pipelines.PipelineDeploymentConfig), got an array',
        "components['comp-component1'].executorLabel: executor 'exec-component1' is not in deploymentSpec.executors (there are none); add that executor or fix the label",
        "components['comp-component2'].executorLabel: executor 'exec-component2' is not in deploymentSpec.executors (there are none); add that executor or fix the label",
      ]);
    });
  });

  describe('references and required fields', () => {
    test('dangling componentRef', () => {
      expectProblems(TWO, (d) => (d.root.dag.tasks.component2.componentRef.name = 'comp-component3'), [
        "root.dag.tasks['component2'].componentRef.name: component 'comp-component3' is not in components (have: comp-component1, comp-component2); add that component or fix the name",
      ]);
    });
    test('a task with no componentRef', () => {
      expectProblems(TWO, (d) => delete task1(d).componentRef, [
        "root.dag.tasks['component1'].componentRef.name: missing: every task names the component it runs",
      ]);
    });
    test('dangling executorLabel', () => {
      expectProblems(TWO, (d) => delete d.deploymentSpec.executors['exec-component2'], [
        "components['comp-component2'].executorLabel: executor 'exec-component2' is not in deploymentSpec.executors (have: exec-component1); add that executor or fix the label",
      ]);
    });
    test('componentRefs inside nested DAG components are checked too', () => {
      const d = golden('pipeline_in_pipeline');
      const [key, inner] = Object.entries(d.components as Record<string, Doc>).find(([, c]) => c.dag)!;
      const [tk, t] = Object.entries(inner.dag.tasks as Record<string, Doc>)[0]!;
      t.componentRef.name = 'comp-gone';
      const problems = validatePipelineSpec(d);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(`components['${key}'].dag.tasks['${tk}'].componentRef.name: component 'comp-gone' is not in components (have: comp-`);
    });
    test('schemaVersion, pipelineInfo.name and root are required', () => {
      expectProblems(TWO, (d) => {
        delete d.schemaVersion;
        delete d.pipelineInfo.name;
        delete d.root;
      }, [
        'schemaVersion: missing: a PipelineSpec names its IR schema version (duckml writes 2.1.0)',
        'pipelineInfo.name: missing: the schema marks the pipeline name as a required field',
        'root: missing: the main pipeline component (a DAG)',
      ]);
    });
    test('a document that is not an object', () => {
      expect(validatePipelineSpec([])).toEqual(['(document): expected a PipelineSpec object, got an array']);
    });
  });

  describe('loadIrSchema', () => {
    test('a missing proto is a clear error', () => {
      expect(() => loadIrSchema('/nonexistent/pipeline_spec.proto')).toThrow(
        "IR schema: /nonexistent/pipeline_spec.proto does not exist; the KFP IR proto is read from ../shared/kfp-ir/pipeline_spec.proto next to the project (CI always has it).",
      );
    });
    test('supplies google.rpc.Status (PipelineTaskFinalStatus.error)', () => {
      const type = loadIrSchema().root.lookupType('ml_pipelines.PipelineTaskFinalStatus');
      const check = (v: unknown) => {
        const out: string[] = [];
        checkMessage(type, v, '', out);
        return out;
      };
      expect(check({ state: 'FAILED', error: { code: 3, message: 'boom', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'r' }] } })).toEqual([]);
      expect(check({ error: { code: '3', details: [{ reason: 'r' }] } })).toEqual([
        "error.code: expected a JSON number (int32), got the string '3'; write it without quotes",
        "error.details[0].@type: expected a type URL like 'type.googleapis.com/pkg.Message' (google.protobuf.Any), got undefined",
      ]);
    });
  });
});
