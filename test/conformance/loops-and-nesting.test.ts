/**
 * TypeScript twins of the KFP conformance pipelines about loops (fan-in, nesting, parallelism)
 * and nested pipelines. Each mirrors the reference Python source of the same name.
 */
import * as dsl from '../../dsl';
import { conformance, pyComponent } from '../support/conformance';

// ------------------------------------------------------------ parameters_simple

conformance('parameters_simple', () => {
  const double = pyComponent({ name: 'double', inputs: { num: dsl.int() }, outputs: { Output: dsl.int() } });
  const add = pyComponent({ name: 'add', inputs: { nums: dsl.list(dsl.int()) }, outputs: { Output: dsl.int() } });
  const addContainer = dsl.container({
    name: 'add-container',
    image: 'jetbrainsinfra/jq',
    inputs: { nums: dsl.list(dsl.int()) },
    outputs: { sum: dsl.int() },
    command: ['sh', '-c'],
    args: (io) => [
      `\n            set -ex\n            mkdir -p $(dirname ${io.outputs.sum})\n            echo ${io.inputs.nums} | jq 'add' > ${io.outputs.sum}\n            `,
    ],
  });
  return dsl.pipeline({ name: 'math-pipeline' }, (p) => {
    const loop = p.forEach([1, 2, 3], (s, x) => {
      const t = s.task(double, { num: x });
      return { out: t.outputs.Output };
    });
    p.task(add, { nums: loop.outputs.out });
    p.task(addContainer, { nums: loop.outputs.out });
    return loop.outputs.out;
  });
});

// ------------------------------------------------------------ artifacts_simple

const ADD_CONTAINER_PROGRAM = `
import argparse
import json
import os

def main(in_datasets, out_dataset_uri):
    in_dicts = json.loads(in_datasets)
    uris = [d['uri'] for d in in_dicts]
    total = 0
    for uri in uris:
        with open(uri.replace('gs://', '/gcs/')) as f:
            total += int(f.read())

    outpath = out_dataset_uri.replace('gs://', '/gcs/')
    os.makedirs(os.path.dirname(outpath), exist_ok=True)
    with open(outpath, 'w') as f:
        f.write(str(total))

parser = argparse.ArgumentParser()
parser.add_argument('in_datasets')
parser.add_argument('out_dataset_uri')
args = parser.parse_args()

main(args.in_datasets, args.out_dataset_uri)
`;

conformance('artifacts_simple', () => {
  const double = pyComponent({ name: 'double', inputs: { num: dsl.int() }, outputs: { out_dataset: dsl.Dataset } });
  const add = pyComponent({ name: 'add', inputs: { in_datasets: dsl.Dataset.list() }, outputs: { out_dataset: dsl.Dataset } });
  const addContainer = dsl.container({
    name: 'add-container',
    image: 'registry.access.redhat.com/ubi9/python-311:latest',
    inputs: { in_datasets: dsl.Dataset.list() },
    outputs: { out_dataset: dsl.Dataset },
    command: ['python', '-c'],
    args: (io) => [ADD_CONTAINER_PROGRAM, io.inputs.in_datasets, io.outputs.out_dataset.uri],
  });
  return dsl.pipeline({ name: 'math-pipeline' }, (p) => {
    const loop = p.forEach([1, 2, 3], (s, x) => {
      const t = s.task(double, { num: x });
      return { out: t.outputs.out_dataset };
    });
    p.task(add, { in_datasets: loop.outputs.out });
    p.task(addContainer, { in_datasets: loop.outputs.out });
    return loop.outputs.out;
  });
});

// ------------------------------------------------------------ nested_with_parameters

conformance('nested_with_parameters', () => {
  const double = pyComponent({ name: 'double', inputs: { num: dsl.int() }, outputs: { Output: dsl.int() } });
  const add = pyComponent({ name: 'add', inputs: { nums: dsl.list(dsl.list(dsl.int())) }, outputs: { Output: dsl.int() } });
  const addTwoNums = pyComponent({ name: 'add-two-nums', inputs: { x: dsl.int(), y: dsl.int() }, outputs: { Output: dsl.int() } });
  return dsl.pipeline({ name: 'math-pipeline' }, (p) => {
    const outer = p.forEach([1, 2, 3], (s, x) => {
      const inner = s.forEach([1, 2, 3], (s2, y) => {
        const t1 = s2.task(double, { num: x });
        const t2 = s2.task(double, { num: y });
        const t3 = s2.task(addTwoNums, { x: t1.outputs.Output, y: t2.outputs.Output });
        return { sum: t3.outputs.Output };
      });
      return { sum: inner.outputs.sum };
    });
    p.task(add, { nums: outer.outputs.sum });
    return outer.outputs.sum;
  });
});

// ------------------------------------------------------------ pipeline_with_parallelfor_parallelism

conformance('pipeline_with_parallelfor_parallelism', () => {
  const printText = pyComponent({ name: 'print-text', inputs: { msg: dsl.string() } });
  const printInt = pyComponent({ name: 'print-int', inputs: { x: dsl.int() } });
  const dicts = dsl.list(dsl.struct<{ a: number; b: number }>());
  const maker0 = pyComponent({ name: 'list-dict-maker-0', outputs: { Output: dicts } });
  const maker1 = pyComponent({ name: 'list-dict-maker-1', outputs: { Output: dicts } });
  const maker2 = pyComponent({ name: 'list-dict-maker-2', outputs: { Output: dicts } });
  // `-> List` declares no element type: KFP types its loop items as strings (yet reads their fields).
  const maker3 = pyComponent({ name: 'list-dict-maker-3', outputs: { Output: dsl.list() } });
  // The reference loads list_dict_maker_1 back from its compiled file, which keeps only LIST: a
  // second component of that name, with an untyped list output.
  const loadedMaker = pyComponent({ name: 'list-dict-maker-1', outputs: { Output: dsl.list() } });
  return dsl.pipeline(
    { name: 'pipeline-with-parallelfor-parallelism', params: { loop_parameter: dsl.list(dsl.string()) } },
    (p, params) => {
      p.forEach(
        params.loop_parameter,
        (s, item) => {
          s.task(printText, { msg: item });
          s.forEach(params.loop_parameter, (s2, nested) => {
            s2.task(printText, { msg: nested });
          });
        },
        { parallelism: 2 },
      );

      const loopArgs = [
        { A_a: '1', B_b: '2' },
        { A_a: '10', B_b: '20' },
      ];
      p.forEach(
        loopArgs,
        (s, item) => {
          s.task(printText, { msg: item.field('A_a') });
          s.task(printText, { msg: item.field('B_b') });
          const nestedLoopArgs = [
            { A_a: '10', B_b: '20' },
            { A_a: '100', B_b: '200' },
          ];
          s.forEach(
            nestedLoopArgs,
            (s2, nested) => {
              s2.task(printText, { msg: nested.field('A_a') });
              s2.task(printText, { msg: nested.field('B_b') });
            },
            { parallelism: 1 },
          );
        },
        { parallelism: 0 },
      );

      const dictLoopArgument = [
        { a: 1, b: 2 },
        { a: 2, b: 3 },
        { a: 3, b: 4 },
      ];
      p.forEach(dictLoopArgument, (s, item) => void s.task(printInt, { x: item.field('a') }), { parallelism: 1 });

      for (const maker of [maker0, maker1, maker2]) {
        const t = p.task(maker, {});
        p.forEach(t.outputs.Output, (s, item) => void s.task(printInt, { x: item.field('a') }));
      }
      for (const maker of [maker3, loadedMaker]) {
        const t = p.task(maker, {});
        p.forEach(t.outputs.Output, (s, item) => void s.task(printInt, { x: item.field('a') }));
      }
    },
  );
});

// ------------------------------------------------------------ mixed_parameters

conformance('mixed_parameters', () => {
  const coreComp = pyComponent({ name: 'core-comp', outputs: { Output: dsl.int() } });
  const crustComp = pyComponent({ name: 'crust-comp', inputs: { x: dsl.int(), y: dsl.int() } });
  const core = dsl.pipeline({ name: 'core' }, (p) => p.task(coreComp, {}, { caching: false }).outputs.Output);
  const mantle = dsl.pipeline({ name: 'mantle' }, (p) => p.task(core, {}, { caching: false }).outputs.Output);
  return dsl.pipeline({ name: 'mixed-parameters-pipeline' }, (p) => {
    const dagTask = p.task(mantle, {}, { caching: false });
    p.task(crustComp, { x: 2, y: dagTask.outputs.Output }, { caching: false });
  });
});

// ------------------------------------------------------------ pipeline_in_pipeline

const printOp1 = () => pyComponent({ name: 'print-op1', inputs: { msg: dsl.string() }, outputs: { Output: dsl.string() } });
const printOp2 = () =>
  dsl.container({ name: 'print-op2', image: 'alpine', inputs: { msg: dsl.string() }, command: (io) => ['echo', io.inputs.msg] });

conformance('pipeline_in_pipeline', () => {
  const op1 = printOp1();
  const op2 = printOp2();
  const inner = dsl.pipeline({ name: 'inner-pipeline', params: { msg: dsl.string() } }, (p, params) => {
    const task = p.task(op1, { msg: params.msg });
    p.task(op2, { msg: task.outputs.Output });
  });
  return dsl.pipeline({ name: 'pipeline-in-pipeline' }, (p) => {
    p.task(op1, { msg: 'Hello' });
    p.task(inner, { msg: 'world' });
  });
});

// ------------------------------------------------------------ pipeline_in_pipeline_complex

conformance('pipeline_in_pipeline_complex', () => {
  const op1 = printOp1();
  const op2 = printOp2();
  const op3 = dsl.container({ name: 'Print Op', image: 'alpine', inputs: { msg: dsl.string() }, command: (io) => ['echo', io.inputs.msg] });
  const graphComponent = dsl.pipeline({ name: 'inner-pipeline', params: { msg: dsl.string() } }, (p, params) => {
    const task = p.task(op1, { msg: params.msg });
    p.if(task.outputs.Output.eq('Hello'), (s) => void s.task(op2, { msg: 'world' }));
    p.if(task.outputs.Output.ne('Hello'), (s) => void s.task(op3, { msg: 'Bye!' }));
  });
  return dsl.pipeline({ name: 'pipeline-in-pipeline-complex', params: { msg: dsl.string({ default: 'Hello' }) } }, (p, params) => {
    p.task(op1, { msg: params.msg });
    p.forEach(['Hello', 'world!'], (s, item) => void s.task(graphComponent, { msg: item }));
  });
});

// ------------------------------------------------------------ pipeline_with_outputs

conformance('pipeline_with_outputs', () => {
  const op1 = printOp1();
  const op2 = dsl.container({
    name: 'print-op2',
    image: 'alpine',
    inputs: { msg: dsl.string() },
    outputs: { data: dsl.Artifact },
    command: ['sh', '-c', 'mkdir --parents $(dirname "$1") && echo "$0" > "$1"'],
    args: (io) => [io.inputs.msg, io.outputs.data.path],
  });
  const inner = dsl.pipeline({ name: 'inner-pipeline', params: { msg: dsl.string() } }, (p, params) => {
    const task1 = p.task(op1, { msg: params.msg });
    const task2 = p.task(op2, { msg: task1.outputs.Output });
    return { msg: task1.outputs.Output, data: task2.outputs.data };
  });
  return dsl.pipeline({ name: 'pipeline-in-pipeline', params: { msg: dsl.string({ default: 'Hello' }) } }, (p, params) => {
    p.task(op1, { msg: params.msg });
    const task2 = p.task(inner, { msg: 'world' });
    return task2.outputs.data;
  });
});
