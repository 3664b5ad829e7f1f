/**
 * Failure paths of the local runner, mostly through the CLI as a user meets them: retries,
 * a failing task, bad spec files, missing parameters, missing Docker, an artifact never written,
 * a run killed mid-way and resumed, and two runs sharing one store at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile, toJson } from '../../compiler';
import { Journal, foldJournal } from '../../runner/journal';
import { listRuns, runDetails } from '../../runner/history';
import * as f from './fixtures/pipelines';
import { BIN, PROJECT_ROOT, run, states, task, tempRoot } from './helpers';

const FIXTURES = 'test/runner/fixtures/pipelines.ts';

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
}

test('a flaky task is retried with backoff until it succeeds', async () => {
  const root = tempRoot();
  const counter = path.join(root, 'count');
  const r = await run(f.retry, { root, params: { counter, failTimes: 2 } });
  expect(r.state).toBe('succeeded');
  expect(r.outputs.params.attempts).toBe(3);
  const journal = foldJournal(Journal.read(path.join(r.runDir, '.duckml', 'journal.jsonl')));
  const attempts = [...journal.executions.values()].filter((x) => x.taskPath === 'flaky').sort((a, b) => a.attempt - b.attempt);
  expect(attempts.map((x) => [x.attempt, x.state])).toEqual([[1, 'failed'], [2, 'failed'], [3, 'succeeded']]);
  // Backoff 0.3s, then 0.6s (factor 2).
  expect(attempts[1]!.startedAt - attempts[0]!.finishedAt!).toBeGreaterThanOrEqual(300);
  expect(attempts[2]!.startedAt - attempts[1]!.finishedAt!).toBeGreaterThanOrEqual(600);
  expect(attempts[0]!.error).toMatch(/flaky failure 1 \(exit code 4\)/);
});

test('a task that keeps failing fails the run after its retries, with the error and log', async () => {
  const root = tempRoot();
  const counter = path.join(root, 'count');
  const r = await run(f.retry, { root, params: { counter, failTimes: 10 } });
  expect(r.state).toBe('failed');
  const t = task(r, 'flaky');
  expect(t.state).toBe('failed');
  expect(t.attempt).toBe(3);
  expect(t.error).toMatch(/^failed after 3 attempts: component 'flaky' failed: Error: flaky failure 3 \(exit code 4\)/);
  expect(t.error).toMatch(/log: .*flaky\.3\.log/);
  expect(fs.readFileSync(path.join(r.runDir, '.duckml', 'logs', 'flaky.3.log'), 'utf8')).toMatch(/flaky failure 3/);
  // Nothing of the failed attempts is left where a later task could take it for output.
  expect(fs.existsSync(path.join(r.runDir, 'flaky'))).toBe(false);
  expect(fs.existsSync(path.join(r.runDir, '.duckml', 'staging'))).toBe(false);
});

test('an output artifact the producer did not write fails the task and is never recorded', async () => {
  const root = tempRoot();
  const r = await run(f.missingArtifact, { root });
  expect(r.state).toBe('failed');
  expect(task(r, 'lazy').error).toMatch(/output artifact 'model' \(system\.Model\) was not written/);
  expect(fs.existsSync(path.join(r.runDir, 'lazy'))).toBe(false);
  const again = await run(f.missingArtifact, { root });
  expect(task(again, 'lazy').state).toBe('failed'); // not a cache hit
});

test('CLI: malformed spec files and unknown files are refused with the reason', () => {
  const root = tempRoot();
  const bad = path.join(root, 'bad.json');
  fs.writeFileSync(bad, '{"pipelineInfo": ');
  let r = cli(['run', bad, '--root', root]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/bad\.json is not valid JSON/);
  fs.writeFileSync(bad, '{"hello": 1}');
  r = cli(['run', bad, '--root', root]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/is not a PipelineSpec: it needs pipelineInfo, root and schemaVersion/);
  // A structurally broken spec: a task names a component that does not exist.
  const spec = compile(f.deps) as unknown as { root: { dag: { tasks: Record<string, { componentRef: { name: string } }> } } };
  spec.root.dag.tasks.emit!.componentRef.name = 'comp-nope';
  fs.writeFileSync(bad, toJson(spec));
  r = cli(['run', bad, '--root', root, '--progress', 'lines']);
  expect(r.status).toBe(4);
  expect(r.stdout).toMatch(/FAILED\s+emit\s.*no component 'comp-nope'/);
});

test('CLI: --progress none shows no progress, but still says how the run ended and why', () => {
  const root = tempRoot();
  const bad = path.join(root, 'bad.json');
  const spec = compile(f.deps) as unknown as { root: { dag: { tasks: Record<string, { componentRef: { name: string } }> } } };
  spec.root.dag.tasks.emit!.componentRef.name = 'comp-nope';
  fs.writeFileSync(bad, toJson(spec));
  const r = cli(['run', bad, '--root', root, '--progress', 'none']);
  expect(r.status).toBe(4);
  expect(r.stdout).not.toMatch(/started|FAILED/); // no per-task lines
  expect(r.stdout).toMatch(/✗ run \S+ failed in/);
  expect(r.stdout).toMatch(/✗ emit: .*no component 'comp-nope'/);
  expect(r.stdout).toMatch(/resume: duckml run --resume/);
});

test('CLI: a missing required parameter or a mistyped one is refused before the run starts', () => {
  const root = tempRoot();
  let r = cli(['run', FIXTURES, '--export', 'branches', '--root', root, '--no-typecheck']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/missing required parameter: n \(NUMBER_INTEGER\)\. Pass it with --param name=value/);
  r = cli(['run', FIXTURES, '--export', 'branches', '--param', 'n=three', '--root', root, '--no-typecheck']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/parameter 'n' is NUMBER_INTEGER: 'three' is not an integer/);
  expect(fs.readdirSync(root).filter((d) => d.startsWith('branches-'))).toEqual([]);
});

test('CLI: tasks needing Docker are refused up front when no engine answers, naming task and image', () => {
  const root = tempRoot();
  const r = cli(['run', 'examples/hello/pipeline.ts', '--root', root, '--no-typecheck'], { DUCKML_NO_DOCKER: '1' });
  expect(r.status).toBe(8);
  expect(r.stderr).toMatch(/task 'say' uses image 'alpine:3\.20'/);
  expect(r.stderr).toMatch(/task 'say-2' uses image 'alpine:3\.20'/);
  expect(r.stderr).toMatch(/TypeScript components \(dsl\.component\)/);
});

test('CLI: a run killed mid-way resumes without redoing finished tasks', async () => {
  const root = tempRoot();
  const trail = path.join(root, 'trail');
  const child = spawn(process.execPath, [BIN, 'run', FIXTURES, '--export', 'chain', '--param', `trail=${trail}`, '--param', 'ms=300', '--root', root, '--no-typecheck', '--progress', 'lines'], {
    cwd: PROJECT_ROOT,
    stdio: 'ignore',
  });
  // Kill it (SIGKILL: no chance to clean up) once the run has recorded two finished steps.
  const deadline = Date.now() + 30_000;
  let runId = '';
  while (Date.now() < deadline) {
    runId = fs.readdirSync(root).find((d) => d.startsWith('chain-')) ?? '';
    const journal = runId ? foldJournal(Journal.read(path.join(root, runId, '.duckml', 'journal.jsonl'))) : undefined;
    if (journal && [...journal.tasks.values()].filter((t) => t.state === 'succeeded').length >= 2) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const before = fs.readFileSync(trail, 'utf8').trim().split('\n');
  expect(before.slice(0, 2)).toEqual(['step-1', 'step-2-after-step-1']);

  const listed = await listRuns(root);
  expect(listed.find((x) => x.id === runId)!.state).toBe('interrupted');

  const r = cli(['run', '--resume', runId, '--root', root, '--progress', 'lines']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/resuming chain-.*[234] tasks? already done/);
  const after = fs.readFileSync(trail, 'utf8').trim().split('\n');
  // The two finished steps ran once; the one in flight at the kill may have run twice; all four ran.
  expect(after.filter((l) => l === 'step-1')).toHaveLength(1);
  expect(after.filter((l) => l === 'step-2-after-step-1')).toHaveLength(1);
  expect(after[after.length - 1]).toBe('step-4-after-step-3-after-step-2-after-step-1');
  const d = await runDetails(root, runId);
  expect(d!.run.state).toBe('succeeded');
  expect(d!.tasks.filter((t) => t.kind === 'container').map((t) => t.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
});

test('CLI: two runs at once share the store without losing records; runs list and show read it back', async () => {
  const root = tempRoot();
  const start = (v: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'run', FIXTURES, '--export', 'loops', '--param', `trail=${path.join(root, v)}`, '--root', root, '--no-typecheck', '--progress', 'lines'], { cwd: PROJECT_ROOT });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (out += d));
      c.on('close', (code) => resolve({ code, out }));
    });
  const [a, b] = await Promise.all([start('a'), start('b')]);
  expect(a.code).toBe(0);
  expect(b.code).toBe(0);
  const runs = await listRuns(root);
  expect(runs).toHaveLength(2);
  for (const r of runs) {
    expect(r.state).toBe('succeeded');
    const d = await runDetails(root, r.id);
    expect(d!.tasks.filter((t) => t.kind === 'container')).toHaveLength(r.tasks);
    expect(d!.tasks.every((t) => t.state === 'succeeded' || t.state === 'cached')).toBe(true);
  }
  const list = cli(['runs', 'list', '--root', root]);
  expect(list.status).toBe(0);
  expect(list.stdout.split('\n')[0]).toMatch(/^RUN\s+PIPELINE\s+STATE\s+STARTED\s+DURATION\s+TASKS/);
  expect(list.stdout.match(/loops-\S+\s+loops\s+succeeded/g)).toHaveLength(2);
  const show = cli(['runs', 'show', runs[0]!.id, '--root', root]);
  expect(show.status).toBe(0);
  expect(show.stdout).toMatch(/state\s+succeeded/);
  expect(show.stdout).toMatch(/for-loop-\d+\/0\/write-text\s+(succeeded|cached)\s.*file \(system\.Dataset\)/);
  expect(cli(['runs', 'show', 'nope', '--root', root]).stderr).toMatch(/no run 'nope'/);
});

test('runs show lists metrics of metrics artifacts', async () => {
  const root = tempRoot();
  const r = cli(['run', 'examples/local/pipeline.ts', '--root', root, '--no-typecheck', '--progress', 'lines']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/✓ run local-example-\S+ succeeded/);
  const id = fs.readdirSync(root).find((d) => d.startsWith('local-example-'))!;
  const show = cli(['runs', 'show', id, '--root', root]);
  expect(show.stdout).toMatch(/evaluate\s+succeeded\s.*metrics \(system\.Metrics\), classification \(system\.ClassificationMetrics\)\s+accuracy=0\.\d+ threshold=0\.\d; confusion 2x2; ROC 5 points/);
  expect(show.stdout).toMatch(/condition-1\s+skipped/);
  const again = cli(['run', 'examples/local/pipeline.ts', '--root', root, '--no-typecheck', '--progress', 'lines']);
  expect(again.stdout).toMatch(/succeeded in .* \(8 tasks, 8 cached\)/);
});
