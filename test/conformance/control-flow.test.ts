/**
 * Twins of the KFP control-flow goldens: conditions, if/elif/else with one-of, exit handlers,
 * loops, strings built from refs, and one component reused several times.
 */
import * as dsl from '../../dsl';
import { conformance, pyComponent } from '../support/conformance';

conformance('pipeline_with_condition', () => {
  const flipCoinOp = pyComponent({ name: 'flip-coin-op', outputs: { Output: dsl.string() } });
  const printOp = pyComponent({ name: 'print-op', inputs: { msg: dsl.string() } });
  return dsl.pipeline(
    { name: 'single-condition-pipeline', params: { text: dsl.string({ default: 'condition test' }) } },
    (p, { text }) => {
      const flip1 = p.task(flipCoinOp, {}, { caching: false });
      p.task(printOp, { msg: flip1.outputs.Output });
      p.if(flip1.outputs.Output.eq('heads'), (s) => {
        const flip2 = s.task(flipCoinOp, {}, { caching: false });
        s.task(printOp, { msg: flip2.outputs.Output });
        s.task(printOp, { msg: text });
      });
    },
  );
});

conformance('flip_coin', () => {
  const randomNum = pyComponent({
    name: 'random-num',
    inputs: { low: dsl.int(), high: dsl.int() },
    outputs: { Output: dsl.int() },
  });
  const flipCoin = pyComponent({ name: 'flip-coin', outputs: { Output: dsl.string() } });
  const printMsg = pyComponent({ name: 'print-msg', inputs: { msg: dsl.string() } });
  const noCache = { caching: false };
  return dsl.pipeline({ name: 'conditional-execution-pipeline', description: 'Shows how to use dsl.If().' }, (p) => {
    const flip = p.task(flipCoin, {}, noCache);
    p.if(flip.outputs.Output.eq('heads'), (s) => {
      const head = s.task(randomNum, { low: 0, high: 9 }, noCache).outputs.Output;
      s.if(head.gt(5), (t) => {
        t.task(printMsg, { msg: dsl.fmt`heads and ${head} > 5!` }, noCache);
      });
      s.if(head.le(5), (t) => {
        t.task(printMsg, { msg: dsl.fmt`heads and ${head} <= 5!` }, noCache);
      });
    });
    p.if(flip.outputs.Output.eq('tails'), (s) => {
      const tail = s.task(randomNum, { low: 10, high: 19 }, noCache).outputs.Output;
      s.if(tail.gt(15), (t) => {
        t.task(printMsg, { msg: dsl.fmt`tails and ${tail} > 15!` }, noCache);
      });
      s.if(tail.le(15), (t) => {
        t.task(printMsg, { msg: dsl.fmt`tails and ${tail} <= 15!` }, noCache);
      });
    });
  });
});

conformance('pipeline_with_reused_component', () => {
  const addOp = pyComponent({
    name: 'add-numbers',
    inputs: { a: dsl.int(), b: dsl.int() },
    outputs: { Output: dsl.int() },
  });
  return dsl.pipeline(
    { name: 'pipeline-with-reused-component', params: { a: dsl.int({ default: 2 }), b: dsl.int({ default: 5 }) } },
    (p, { a, b }) => {
      const first = p.task(addOp, { a, b: 3 });
      const second = p.task(addOp, { a: first.outputs.Output, b });
      p.task(addOp, { a: second.outputs.Output, b: 7 });
    },
  );
});

conformance('if_else_with_oneof_parameters', () => {
  const flipCoin = pyComponent({ name: 'flip-coin', outputs: { Output: dsl.string() } });
  const printAndReturn = pyComponent({
    name: 'print-and-return',
    inputs: { text: dsl.string() },
    outputs: { Output: dsl.string() },
  });
  return dsl.pipeline({ name: 'flip-coin-pipeline' }, (p) => {
    const flip = p.task(flipCoin, {});
    const x = p
      .if(flip.outputs.Output.eq('heads'), (s) => ({ out: s.task(printAndReturn, { text: 'Got heads!' }).outputs.Output }))
      .else((s) => ({ out: s.task(printAndReturn, { text: 'Got tails!' }).outputs.Output })).outputs.out;
    p.task(printAndReturn, { text: x });
    return x;
  });
});

conformance('pipeline_with_exit_handler', () => {
  const printOp = pyComponent({ name: 'print-op', inputs: { message: dsl.string() } });
  const failOp = pyComponent({ name: 'fail-op', inputs: { message: dsl.string() } });
  return dsl.pipeline(
    { name: 'pipeline-with-exit-handler', params: { message: dsl.string({ default: 'Hello World!' }) } },
    (p, { message }) => {
      const exitTask = p.task(printOp, { message: 'Exit handler has worked!' });
      p.exitHandler(exitTask, (s) => {
        s.task(printOp, { message });
        s.task(failOp, { message: 'Task failed.' });
      });
    },
  );
});

conformance('pipeline_with_input_status_state', () => {
  const echoState = pyComponent({ name: 'echo-state', inputs: { status: dsl.taskFinalStatus() } });
  const someTask = pyComponent({ name: 'some-task' });
  return dsl.pipeline({ name: 'status-state-pipeline' }, (p) => {
    const echo = p.task(echoState, {});
    p.exitHandler(echo, (s) => {
      s.task(someTask, {});
    });
  });
});

conformance('pipeline_with_params_containing_format', () => {
  const printOp = pyComponent({ name: 'print-op', inputs: { text: dsl.string() }, outputs: { Output: dsl.string() } });
  const printOp2 = pyComponent({
    name: 'print-op2',
    inputs: { text1: dsl.string(), text2: dsl.string() },
    outputs: { Output: dsl.string() },
  });
  return dsl.pipeline(
    { name: 'pipeline-with-pipelineparam-containing-format', params: { name: dsl.string({ default: 'KFP' }) } },
    (p, { name }) => {
      const printTask = p.task(printOp, { text: dsl.fmt`Hello ${name}` });
      p.task(printOp, { text: dsl.fmt`${printTask.outputs.Output}, again.` });
      const newValue = dsl.fmt` and ${name}.`;
      p.forEach(['1', '2'], (s, item) => {
        s.task(printOp2, { text1: item, text2: newValue });
      });
    },
  );
});

conformance('pipeline_with_loops', () => {
  type Args = { A_a: string; B_b: string };
  const argsGenerator = pyComponent({ name: 'args-generator-op', outputs: { Output: dsl.list(dsl.struct<Args>()) } });
  const printText = pyComponent({ name: 'print-text', inputs: { msg: dsl.string() } });
  const printStruct = pyComponent({ name: 'print-struct', inputs: { struct: dsl.struct() } });
  return dsl.pipeline(
    { name: 'pipeline-with-loops', params: { loop_parameter: dsl.list(dsl.string(), { default: ['a', 'b'] }) } },
    (p, { loop_parameter }) => {
      p.forEach(loop_parameter, (s, item) => {
        s.task(printText, { msg: item });
      });
      const args = p.task(argsGenerator, {});
      p.forEach(args.outputs.Output, (s, item) => {
        s.task(printStruct, { struct: item });
        s.task(printText, { msg: item.field('A_a') });
        s.task(printText, { msg: item.field('B_b') });
      });
      const loopArgs: Args[] = [
        { A_a: '1', B_b: '2' },
        { A_a: '10', B_b: '20' },
      ];
      p.forEach(loopArgs, (s, item) => {
        s.task(printStruct, { struct: item });
        s.task(printText, { msg: item.field('A_a') });
        s.task(printText, { msg: item.field('B_b') });
      });
    },
  );
});
