import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CliError, EXIT } from '../exit-codes';
import type { Command } from '../main';

const USAGE = `Usage: duckml runs [list] [--root DIR] [--limit N] [--json]
       duckml runs show <run-id> [--root DIR] [--json]

Lists local runs (newest first), or shows one run's tasks: state, duration, cached, artifacts, metrics.
  --root DIR   pipeline root the runs were written to (default .duckml/runs)
  --limit N    how many runs to list (default 20)
  --json       machine-readable output`;

function when(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export const command: Command = {
  summary: 'list local runs, or show one run\'s tasks, artifacts and metrics',
  usage: USAGE,
  async run(argv) {
    let args;
    try {
      args = parseArgs({ args: argv, allowPositionals: true, options: { root: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } } });
    } catch (e) {
      throw new CliError(`${(e as Error).message}\n\n${USAGE}`, EXIT.usage);
    }
    const [sub = 'list', ...rest] = args.positionals;
    const { DEFAULT_ROOT } = require('../../runner/run') as typeof import('../../runner/run');
    const history = require('../../runner/history') as typeof import('../../runner/history');
    const { duration } = require('../../runner/progress') as typeof import('../../runner/progress');
    const root = path.resolve(args.values.root ?? DEFAULT_ROOT);
    const out = (s: string) => process.stdout.write(`${s}\n`);
    if (sub === 'list') {
      if (rest.length) throw new CliError(`unexpected arguments: ${rest.join(' ')}\n\n${USAGE}`, EXIT.usage);
      const limit = Number(args.values.limit ?? 20);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit '${args.values.limit}' must be a whole number of at least 1.`, EXIT.usage);
      const runs = await history.listRuns(root, limit);
      if (args.values.json) return out(JSON.stringify(runs, null, 2)), EXIT.ok;
      if (runs.length === 0) return out(`no runs under ${root}. Start one with 'duckml run <pipeline.ts>'.`), EXIT.ok;
      const rows = [['RUN', 'PIPELINE', 'STATE', 'STARTED', 'DURATION', 'TASKS']];
      for (const r of runs) {
        const extra = [r.cached && `${r.cached} cached`, r.failed && `${r.failed} failed`].filter(Boolean).join(', ');
        rows.push([r.id, r.pipeline, r.state, when(r.startedAt), r.finishedAt ? duration(r) : '', `${r.tasks}${extra ? ` (${extra})` : ''}`]);
      }
      return out(table(rows)), EXIT.ok;
    }
    if (sub === 'show') {
      const [id, ...more] = rest;
      if (!id || more.length) throw new CliError(`which run? duckml runs show <run-id>\n\n${USAGE}`, EXIT.usage);
      const d = await history.runDetails(root, id);
      if (!d) throw new CliError(`no run '${id}' under ${root}. 'duckml runs list${args.values.root ? ` --root ${args.values.root}` : ''}' shows the runs there.`, EXIT.usage);
      if (args.values.json) return out(JSON.stringify(d, null, 2)), EXIT.ok;
      const { run } = d;
      const params = Object.entries(run.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
      const outputs = [
        ...Object.entries(run.outputs?.params ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
        ...Object.entries(run.outputs?.artifacts ?? {}).map(([k, l]) => `${k} → ${l.map((a) => a.uri).join(', ')}`),
      ];
      out(`run       ${run.id}\npipeline  ${run.pipeline}\nstate     ${run.state}  (started ${when(run.startedAt)}${run.finishedAt ? `, ${duration(run)}` : ''})`);
      if (params) out(`params    ${params}`);
      if (outputs.length) out(`outputs   ${outputs.join('\n          ')}`);
      out(`folder    ${path.join(run.root, run.id)}\n`);
      const rows = [['TASK', 'STATE', 'DURATION', 'CACHED', 'ARTIFACTS', 'METRICS']];
      for (const t of d.tasks.filter((x) => x.kind !== 'iteration')) {
        const arts = Object.entries(t.outputs?.artifacts ?? {}).map(([k, l]) => `${k} (${l[0]?.schemaTitle ?? '?'})`).join(', ');
        rows.push([t.path, t.state, duration(t), t.cached ? 'yes' : '', arts, history.metricsText(t.outputs)]);
      }
      out(table(rows));
      for (const t of d.tasks.filter((x) => x.state === 'failed' && x.error && x.kind !== 'iteration')) out(`\n✗ ${t.path}: ${t.error}`);
      return EXIT.ok;
    }
    throw new CliError(`unknown subcommand '${sub}'; use 'list' or 'show <run-id>'.\n\n${USAGE}`, EXIT.usage);
  },
};
