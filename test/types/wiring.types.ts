/**
 * Type tests: checked by `tsc --noEmit` (part of `npm test`). Every `@ts-expect-error` states the
 * mistake it proves is caught; if duckml's types stop catching it, tsc fails on the unused directive.
 */
import * as dsl from '../../dsl';

const makeData = dsl.container({ name: 'make-data', image: 'x', outputs: { data: dsl.Dataset, rows: dsl.int(), name: dsl.string() } });
const train = dsl.container({
  name: 'train',
  image: 'x',
  inputs: { data: dsl.Dataset, epochs: dsl.int({ default: 3 }), lr: dsl.double(), note: dsl.string({ optional: true }) },
  outputs: { model: dsl.Model, auc: dsl.double() },
});
const evaluate = dsl.container({ name: 'evaluate', image: 'x', inputs: { model: dsl.Model, anything: dsl.Artifact.optional() } });
const greet = dsl.container({ name: 'greet', image: 'x', inputs: { text: dsl.string() } });
const sum = dsl.container({ name: 'sum', image: 'x', inputs: { nums: dsl.list(dsl.int()) }, outputs: { total: dsl.int() } });
const sets = dsl.container({ name: 'sets', image: 'x', inputs: { parts: dsl.Dataset.list() } });
const exitOp = dsl.container({ name: 'exit', image: 'x', inputs: { status: dsl.taskFinalStatus() } });

export const ok = dsl.pipeline({ name: 'ok', params: { lr: dsl.double({ default: 0.1 }), who: dsl.string() } }, (p, params) => {
  const d = p.task(makeData, {});
  // Defaulted and optional inputs may be left out; an int output feeds a double input.
  const t = p.task(train, { data: d.outputs.data, lr: params.lr });
  p.task(train, { data: d.outputs.data, lr: d.outputs.rows, epochs: 5, note: dsl.fmt`for ${params.who}` });
  // A generic Artifact input accepts any artifact type.
  p.task(evaluate, { model: t.outputs.model, anything: d.outputs.data });
  p.if(t.outputs.auc.gt(0.9), (s) => s.task(greet, { text: 'good model' }));
  const loop = p.forEach([1, 2, 3], (s, n) => {
    const x = s.task(train, { data: d.outputs.data, lr: n });
    return { auc: x.outputs.auc, data: d.outputs.data };
  });
  p.task(sum, { nums: loop.outputs.auc });
  p.forEach([{ a: 'x', b: 2 }], (s, item) => {
    s.task(greet, { text: item.field('a') });
    // @ts-expect-error reason: struct loop items only have the fields of their elements
    item.field('c');
  });
  const exit = p.task(exitOp, {});
  p.exitHandler(exit, (s) => s.task(greet, { text: 'guarded' }));
  return { model: t.outputs.model };
});

export const mistakes = dsl.pipeline({ name: 'mistakes' }, (p) => {
  const d = p.task(makeData, {});
  const t = p.task(train, { data: d.outputs.data, lr: 0.1 });

  // @ts-expect-error reason: a Dataset output wired into a Model input
  p.task(evaluate, { model: d.outputs.data });

  // @ts-expect-error reason: the required input 'lr' is missing
  p.task(train, { data: d.outputs.data });

  // @ts-expect-error reason: a number output into a string parameter
  p.task(greet, { text: d.outputs.rows });

  // @ts-expect-error reason: 'txt' is not an input of greet
  p.task(greet, { text: 'hi', txt: 'typo' });

  // @ts-expect-error reason: an artifact where a parameter is expected
  p.task(greet, { text: t.outputs.model });

  // @ts-expect-error reason: a parameter where an artifact is expected
  p.task(evaluate, { model: d.outputs.name });

  // @ts-expect-error reason: a plain JavaScript boolean is not a condition (it is evaluated once, at definition)
  p.if(1 > 0, (s) => s.task(greet, { text: 'never' }));

  // @ts-expect-error reason: a constant of the wrong type for an int input
  p.task(train, { data: d.outputs.data, lr: 0.1, epochs: 'three' });

  // @ts-expect-error reason: a single artifact into a list-of-artifacts input (fan it in with a loop)
  p.task(sets, { parts: d.outputs.data });

  // @ts-expect-error reason: comparing a string output with a number
  p.if(d.outputs.name.eq(3), () => undefined);

  // @ts-expect-error reason: a task final status is filled by the compiler, never passed
  p.task(exitOp, { status: 'x' });

  // @ts-expect-error reason: ifPresent names an input that does not exist
  dsl.container({ name: 'c', image: 'x', inputs: { a: dsl.string({ optional: true }) }, command: (io) => [io.ifPresent('b', ['x'])] });
});

// Outputs of a pipeline used as a component keep their types.
const inner = dsl.pipeline({ name: 'inner', params: { n: dsl.int() } }, (p, { n }) => {
  const t = p.task(sum, { nums: [n] });
  return t.outputs.total;
});
export const outer = dsl.pipeline({ name: 'outer' }, (p) => {
  const i = p.task(inner, { n: 3 });
  p.task(sum, { nums: [1] });
  // @ts-expect-error reason: the nested pipeline's single output 'Output' is an int, not a string
  p.task(greet, { text: i.outputs.Output });
  // @ts-expect-error reason: the nested pipeline's required param 'n' is missing
  p.task(inner, {});
});

// TypeScript components: typed inputs in, typed outputs out.
export const add = dsl.component({
  name: 'add',
  module: 'test/types/wiring.types.ts',
  inputs: { a: dsl.int(), b: dsl.int({ default: 1 }), data: dsl.Dataset },
  outputs: { sum: dsl.int(), report: dsl.Markdown },
  run: ({ a, b, data }, { report }) => {
    const path: string = data.path;
    report.metadata.rows = path.length;
    return { sum: a + b };
  },
});
export const addWrong = dsl.component({
  name: 'add-wrong',
  module: 'test/types/wiring.types.ts',
  inputs: { a: dsl.int() },
  outputs: { sum: dsl.int() },
  // @ts-expect-error reason: the output 'sum' is an int; returning a string is caught
  run: ({ a }) => ({ sum: `${a}` }),
});
