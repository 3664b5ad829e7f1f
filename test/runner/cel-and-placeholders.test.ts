/** The runner's CEL evaluation and command-line placeholder resolution, on the IR's own strings. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { evaluateCondition, selectValue, CelEvalError } from '../../runner/cel';
import { resolveCommandLine, substituteInputParams, type RuntimeContext } from '../../runner/placeholders';
import type { ExecutorInputJson } from '../../executor/protocol';
import { GOLDEN_DIR, haveGoldens } from '../support/conformance';
import { createDisplay } from '../../runner/progress';
import type { TaskRecord } from '../../runner/model';

describe('CEL conditions (as the compiler writes them)', () => {
  const v = { 'pipelinechannel--flip-Output': 'heads', 'pipelinechannel--n': 7, 'pipelinechannel--d': 2.5, 'pipelinechannel--b': true };
  test.each([
    ["inputs.parameter_values['pipelinechannel--flip-Output'] == 'heads'", true],
    ["!(inputs.parameter_values['pipelinechannel--flip-Output'] == 'heads')", false],
    ["int(inputs.parameter_values['pipelinechannel--n']) > 5", true],
    ["int(inputs.parameter_values['pipelinechannel--n']) > 5 && !(int(inputs.parameter_values['pipelinechannel--n']) > 8)", true],
    ["inputs.parameter_values['pipelinechannel--d'] < double(3)", true],
    ["inputs.parameter_values['pipelinechannel--b'] == true", true],
    ["'7' == '7'", true],
  ])('%s → %s', (expr, expected) => {
    expect(evaluateCondition(expr, v)).toBe(expected);
  });

  test('every condition in the KFP conformance specs parses and evaluates', () => {
    if (!haveGoldens) return;
    const conditions: string[] = [];
    for (const f of fs.readdirSync(GOLDEN_DIR).filter((x) => x.endsWith('.yaml'))) {
      const text = fs.readFileSync(path.join(GOLDEN_DIR, f), 'utf8');
      const walk = (o: unknown): void => {
        if (Array.isArray(o)) o.forEach(walk);
        else if (o && typeof o === 'object') {
          for (const [k, x] of Object.entries(o)) {
            if (k === 'condition' && typeof x === 'string') conditions.push(x);
            else walk(x);
          }
        }
      };
      walk(parse(text));
    }
    expect(conditions.length).toBeGreaterThan(5);
    for (const c of conditions) {
      const names = [...c.matchAll(/parameter_values\['([^']+)'\]/g)].map((m) => m[1]!);
      // Strings for string comparisons, numbers where the condition converts with int()/double().
      const values = Object.fromEntries(names.map((n) => [n, new RegExp(`(int|double)\\(inputs\\.parameter_values\\['${n}'\\]\\)`).test(c) ? 3 : 'heads']));
      expect(typeof evaluateCondition(c, values)).toBe('boolean');
    }
  });

  test('errors name the expression', () => {
    expect(() => evaluateCondition("inputs.parameter_values['missing'] == 'x'", {})).toThrow(CelEvalError);
    expect(() => evaluateCondition('1 +', {})).toThrow(/is not valid CEL/);
    expect(() => evaluateCondition("inputs.parameter_values['n']", { n: 1 })).toThrow(/not true or false/);
  });
});

describe('parameter selectors', () => {
  test('parseJson(string_value) over structs, lists and JSON text', () => {
    expect(selectValue('parseJson(string_value)["A_a"]', { A_a: '1', B_b: '2' })).toBe('1');
    expect(selectValue('parseJson(string_value)["A_a"]', '{"A_a": 10}')).toBe(10);
    expect(selectValue('parseJson(string_value)[1]', [5, { x: [1, 2] }])).toEqual({ x: [1, 2] });
    expect(selectValue('size(string_value)', 'abcd')).toBe(4);
  });
});

describe('command-line placeholders', () => {
  const ctx: RuntimeContext = { jobName: 'job-1', jobResourceName: 'job-1', jobId: 'uuid', taskName: 'say', taskId: 't1', pipelineRoot: '/root', createTime: 'c', scheduleTime: 's' };
  const ei: ExecutorInputJson = {
    inputs: {
      parameterValues: { text: 'hi', n: 3, list: [1, 2] },
      artifacts: { data: { artifacts: [{ name: 'a1', uri: '/root/x/data', metadata: { rows: 2 } }] } },
    },
    outputs: {
      parameters: { out: { outputFile: '/stage/.params/out' } },
      artifacts: { model: { artifacts: [{ name: 'model', uri: '/stage/model' }] } },
      outputFile: '/stage/eo.json',
    },
  };
  const r = (items: string[]) => resolveCommandLine(items, ei, ctx, 'test');

  test('inputs, outputs, the whole executor input and run-time values', () => {
    expect(r(["{{$.inputs.parameters['text']}}", "n={{$.inputs.parameters['n']}}", "{{$.inputs.parameters['list']}}"])).toEqual(['hi', 'n=3', '[1,2]']);
    expect(r(["{{$.inputs.artifacts['data'].path}}", "{{$.inputs.artifacts['data'].uri}}", "{{$.inputs.artifacts['data'].metadata}}"])).toEqual(['/root/x/data', '/root/x/data', '{"rows":2}']);
    expect(JSON.parse(r(["{{$.inputs.artifacts['data']}}"])[0]!)[0]).toMatchObject({ uri: '/root/x/data' });
    expect(r(["{{$.outputs.parameters['out'].output_file}}", "--model={{$.outputs.artifacts['model'].path}}"])).toEqual(['/stage/.params/out', '--model=/stage/model']);
    expect(JSON.parse(r(['{{$}}'])[0]!)).toEqual(ei);
    expect(r(['{{$.pipeline_job_name}}/{{$.pipeline_task_name}}/{{$.pipeline_task_uuid}}'])).toEqual(['job-1/say/t1']);
  });

  test('Concat and IfPresent, as KFP serialises them', () => {
    expect(r(['{"Concat": ["a-", "{{$.inputs.parameters[\'text\']}}", "-b"]}'])).toEqual(['a-hi-b']);
    expect(r(['{"IfPresent": {"InputName": "text", "Then": ["--text", "{{$.inputs.parameters[\'text\']}}"]}}', 'end'])).toEqual(['--text', 'hi', 'end']);
    expect(r(['{"IfPresent": {"InputName": "absent", "Then": ["--x"], "Else": "fallback"}}'])).toEqual(['fallback']);
    expect(r(['{"IfPresent": {"InputName": "absent", "Then": ["--x"]}}', 'end'])).toEqual(['end']);
    expect(r(['{"Concat": ["x", {"IfPresent": {"InputName": "text", "Then": "+t"}}]}'])).toEqual(['x+t']);
  });

  test('a placeholder for an input with no value is an error naming it', () => {
    expect(() => r(["{{$.inputs.parameters['absent']}}"])).toThrow(/refers to input 'absent', which has no value. Guard optional inputs with ifPresent/);
    expect(() => substituteInputParams("{{$.inputs.parameters['x']}}!", {}, "input 'y'")).toThrow(/input 'y'/);
  });
});

describe('progress display', () => {
  const t = (p: string, state: TaskRecord['state'], extra: Partial<TaskRecord> = {}): TaskRecord => ({ runId: 'r', path: p, name: p, parent: '', kind: 'container', state, cached: false, startedAt: 1000, ...extra });
  const sink = (isTTY: boolean) => {
    let text = '';
    return { out: { isTTY, columns: 80, rows: 24, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream, text: () => text };
  };

  test("'summary' prints only the run's own lines; 'none' (the API's quiet mode) prints nothing", () => {
    for (const [mode, want] of [['summary', 'run r1\n✓ done\n'], ['none', '']] as const) {
      const s = sink(false);
      const d = createDisplay(mode, s.out);
      d.print('run r1');
      d.taskChanged(t('train', 'running'));
      d.output('train', 'epoch 1');
      d.print('✓ done');
      d.close();
      expect(s.text()).toBe(want);
    }
  });

  test('one line per state change when not on a terminal', () => {
    const s = sink(false);
    const d = createDisplay('auto', s.out);
    d.taskChanged(t('train', 'running'));
    d.taskChanged(t('train', 'running')); // no change, no line
    d.taskChanged(t('train', 'succeeded', { finishedAt: 1250 }));
    d.taskChanged(t('branch', 'skipped', { kind: 'dag', startedAt: undefined }));
    d.taskChanged(t('loop/0', 'running', { kind: 'iteration' }));
    d.close();
    const lines = s.text().trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d  started    train$/);
    expect(lines[1]).toMatch(/succeeded  train  \(250ms\)$/);
    expect(lines[2]).toMatch(/skipped    branch  condition false$/);
  });

  test('a live table on a terminal, redrawn in place', () => {
    const s = sink(true);
    const prevCI = process.env.CI;
    delete process.env.CI;
    try {
      const d = createDisplay('auto', s.out);
      d.taskChanged(t('prepare', 'succeeded', { finishedAt: 1100 }));
      d.taskChanged(t('train', 'running'));
      d.print('a message');
      d.close();
    } finally {
      if (prevCI !== undefined) process.env.CI = prevCI;
    }
    const text = s.text();
    expect(text).toMatch(/✓ prepare\s+succeeded\s+100ms/);
    expect(text).toMatch(/▶ train\s+running/);
    expect(text).toMatch(/✓ 1 done .* ▶ 1 running/);
    expect(text).toContain('\x1b[3A'); // moved up over the previous drawing to redraw it
  });
});
