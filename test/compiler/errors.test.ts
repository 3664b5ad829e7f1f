import * as dsl from '../../dsl';
import { compile, CompileError, testing } from '../../compiler';

const produce = dsl.container({ name: 'produce', image: 'x', outputs: { out: dsl.string(), data: dsl.Dataset } });
const consume = dsl.container({ name: 'consume', image: 'x', inputs: { text: dsl.string() } });
const useData = dsl.container({ name: 'use-data', image: 'x', inputs: { data: dsl.Model } });

function problems(target: unknown): string[] {
  try {
    compile(target);
  } catch (e) {
    expect(e).toBeInstanceOf(CompileError);
    return (e as CompileError).errors.map((x) => `${x.path}: ${x.message}`);
  }
  throw new Error('expected the pipeline not to compile');
}

test('all problems are gathered in one error, each prefixed with its task path', () => {
  const p = dsl.pipeline({ name: 'many-mistakes' }, (p) => {
    const t = p.task(produce, {});
    p.if(t.outputs.out.eq('a'), (s) => {
      s.task(consume as never, { text: 1 } as never);
      s.task(useData as never, { data: t.outputs.data } as never);
    });
    p.task(consume as never, {} as never);
  });
  const list = problems(p);
  expect(list).toEqual([
    "many-mistakes/condition-1/consume: input 'text' expects STRING but got the constant 1.",
    "many-mistakes/condition-1/use-data: input 'data' expects system.Model but got output 'data' of task 'produce' of type system.Dataset.",
    "many-mistakes/consume-2: missing required input 'text' (STRING) of component 'consume'. Pass it, or give the input a default.",
  ]);
});

test('a loop-body output used outside the loop without a fan-in is rejected with a fix hint', () => {
  let leaked!: dsl.ParamRef<'string'>;
  const p = dsl.pipeline({ name: 'leaky-loop' }, (p) => {
    p.forEach([1, 2], (s) => {
      leaked = s.task(produce, {}).outputs.out;
    });
    p.task(consume, { text: leaked });
  });
  const [msg] = problems(p);
  expect(msg).toMatch(/^leaky-loop\/consume: illegal reference across scopes/);
  // The static list's item takes group id 1, the loop itself 2 (as in KFP).
  expect(msg).toContain("inside loop 'for-loop-2'");
  expect(msg).toContain('loop.outputs');
});

test('a branch output used outside its branch is rejected with a fix hint', () => {
  let leaked!: dsl.ParamRef<'string'>;
  const p = dsl.pipeline({ name: 'leaky-branch' }, (p) => {
    const t = p.task(produce, {});
    p.if(t.outputs.out.eq('x'), (s) => {
      leaked = s.task(produce, {}).outputs.out;
    });
    p.task(consume, { text: leaked });
  });
  const [msg] = problems(p);
  expect(msg).toMatch(/^leaky-branch\/consume: illegal reference across scopes/);
  expect(msg).toContain("condition 'condition-1'");
  expect(msg).toContain('else().outputs');
});

test('a fan-in consumed inside a different loop is legal: it crosses only the producing loop', () => {
  const p = dsl.pipeline({ name: 'bad-fan-in' }, (p) => {
    const loop = p.forEach([1], (s) => ({ out: s.task(produce, {}).outputs.out }));
    const list = dsl.container({ name: 'l', image: 'x', inputs: { xs: dsl.list() } });
    p.forEach([1], (s) => {
      s.task(list, { xs: loop.outputs.out });
    });
  });
  const spec = testing.synth(p);
  const inner = spec.components['comp-for-loop-4']!.dag!.tasks['l']!;
  expect(inner.inputs!.parameters!.xs).toEqual({ componentInputParameter: 'pipelinechannel--for-loop-2-pipelinechannel--produce-out' });
});

test('an if/elif chain without else compiles (one-of outputs exist only after else())', () => {
  const p = dsl.pipeline({ name: 'no-else' }, (p) => {
    const t = p.task(produce, {});
    p.if(t.outputs.out.eq('a'), (s) => s.task(produce, {})).elif(t.outputs.out.eq('b'), (s) => s.task(produce, {}));
  });
  const root = testing.synth(p).root.dag!.tasks;
  expect(Object.keys(root).sort()).toEqual(['condition-branches-1', 'produce']);
  const branches = testing.synth(p).components['comp-condition-branches-1']!.dag!.tasks;
  expect(branches['condition-3']!.triggerPolicy!.condition).toBe(
    "!(inputs.parameter_values['pipelinechannel--produce-out'] == 'a') && inputs.parameter_values['pipelinechannel--produce-out'] == 'b'",
  );
});

test('a plain boolean condition fails at the call with an explanation', () => {
  const p = dsl.pipeline({ name: 'js-bool' }, (p) => {
    p.if(true as never, () => undefined);
  });
  expect(() => compile(p)).toThrow(/needs a condition on a run-time value.*got the constant true/s);
});

test('a ref in a plain template literal throws and says to use dsl.fmt', () => {
  const p = dsl.pipeline({ name: 'template-literal' }, (p) => {
    const t = p.task(produce, {});
    p.task(consume, { text: `hello ${t.outputs.out as unknown as string}` });
  });
  expect(() => compile(p)).toThrow(/dsl\.fmt`\.\.\.\$\{ref\}\.\.\.`.*output 'out' of task 'produce'/s);
});

test('bad resource quantities and retry counts are reported with the accepted forms', () => {
  const p = dsl.pipeline({ name: 'bad-options' }, (p) => {
    p.task(produce, {}, { cpuLimit: 'lots', memoryLimit: '1GB', retry: { maxRetryCount: -1 } });
  });
  expect(problems(p)).toEqual([
    "bad-options/produce: cpuLimit 'lots' is not a CPU quantity: use a number ('2', '0.5') or millicores ('500m').",
    "bad-options/produce: memoryLimit '1GB' is not a memory quantity: use e.g. '512Mi', '4G', '1Gi'.",
    'bad-options/produce: retry.maxRetryCount -1 must be a non-negative integer.',
  ]);
});

test('exit handlers only in the top scope, and exit tasks depend on nothing', () => {
  const p = dsl.pipeline({ name: 'bad-exit' }, (p) => {
    const t = p.task(produce, {});
    const exit = p.task(consume, { text: t.outputs.out });
    p.exitHandler(exit, (s) => s.task(produce, {}));
  });
  expect(problems(p)[0]).toContain('bad-exit/consume: exit task \'consume\' cannot depend on other tasks');
});

test('pipeline names must be valid for Vertex and KFP', () => {
  expect(() => dsl.pipeline({ name: 'My Pipeline' }, () => undefined)).toThrow(/lower-case letters, digits and '-'/);
});

test('elif/else must directly follow their if', () => {
  const p = dsl.pipeline({ name: 'late-else' }, (p) => {
    const t = p.task(produce, {});
    const chain = p.if(t.outputs.out.eq('a'), (s) => s.task(produce, {}));
    p.forEach([1], (s) => s.task(produce, {}));
    chain.else((s) => s.task(produce, {}));
  });
  expect(() => compile(p)).toThrow(/elif\(\)\/else\(\) must directly follow its if\(\)/);
});

test('compiling twice gives byte-identical output', () => {
  const p = dsl.pipeline({ name: 'stable', params: { n: dsl.int({ default: 2 }) } }, (p, { n }) => {
    const a = p.task(produce, {});
    p.forEach([3, 1, 2], (s, i) => {
      s.task(consume, { text: dsl.fmt`${a.outputs.out}-${i}-${n}` });
    });
  });
  expect(JSON.stringify(testing.synth(p))).toBe(JSON.stringify(testing.synth(p)));
});

test('a cycle through `after` (naming a task that is created later) is a compile error', () => {
  const p = dsl.pipeline({ name: 'cyclic' }, (p) => {
    const a = p.task(produce, {}, { after: [{ name: 'produce-2' }] });
    p.task(produce, {}, { after: [a] });
  });
  expect(problems(p)).toEqual(["cyclic: tasks form a cycle among: produce, produce-2. Remove one of the 'after' dependencies."]);
});

test('`after` naming something that is not a task or exit handler is reported', () => {
  const p = dsl.pipeline({ name: 'after-typo' }, (p) => {
    p.task(produce, {}, { after: [{ name: 'nothing-here' }] });
  });
  expect(problems(p)).toEqual(["after-typo/produce: after: 'nothing-here' is not a task or exit handler of this pipeline."]);
});

test('names that would collide with compiler-injected inputs are refused where they are declared', () => {
  expect(() => dsl.pipeline({ name: 'clash', params: { 'pipelinechannel--x': dsl.string() } }, () => undefined)).toThrow(
    "dsl.pipeline('clash'): 'pipelinechannel--x' starts with 'pipelinechannel--', which duckml reserves for inputs it injects; rename it.",
  );
  expect(() => dsl.container({ name: 'c', image: 'x', inputs: { 'pipelinechannel--y': dsl.int() } })).toThrow(/reserves for inputs it injects/);
  expect(() => dsl.container({ name: 'c', image: 'x', inputs: { 'bad name': dsl.int() } })).toThrow(/not a valid input\/output name/);
  expect(() => dsl.container({ name: 'c', image: 'x', inputs: { x: dsl.int() }, outputs: { x: dsl.int() } })).toThrow(
    "dsl.container('c'): 'x' is both an input and an output; give them different names.",
  );
});
