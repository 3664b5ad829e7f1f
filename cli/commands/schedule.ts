/** `duckml schedule create|list|pause|resume|delete`: recurring pipeline runs on Vertex AI. */
import { EXIT, CliError, type ExitCode } from '../exit-codes';
import type { Command } from '../main';
import * as flags from '../cloud-flags';
import { withJsonResult } from '../json-result';
import { table } from '../table';
import type { Reporter } from '../../cloud/report';
import { buildPipelineJob } from '../../cloud/vertex/pipeline-job';
import { checkCron, VertexSchedules, type ScheduleInfo } from '../../cloud/vertex/schedules';
import { openSession } from '../../cloud/vertex/session';
import { resolveVertexSettings } from '../../cloud/vertex/settings';
import { retryReporter } from './submit';

const USAGE = `Usage: duckml schedule <create|list|pause|resume|delete> [...] [options]

  create <pipeline.ts|spec.json|spec.yaml> --cron "EXPR" [options]
      --cron EXPR            five cron fields, optionally after TZ=Area/City:
                             "TZ=Europe/Paris 0 6 * * 1-5"
      --display-name NAME    the schedule's name (default: the pipeline's name); creating a
                             schedule whose name exists reports that one instead
      --max-concurrent-runs N   default 1     --max-runs N     --allow-queueing
      --start-time ISO8601   --end-time ISO8601
      plus submit's pipeline and Vertex options: --param k=v, --pipeline-root, --service-account,
      --network, --labels, --kms-key, --enable-caching|--no-caching, --failure-policy, ...
  list [--limit N] [--json]
  pause ID | resume ID [--catch-up] | delete ID
      ID is a schedule id or projects/P/locations/R/schedules/ID

Vertex: --project ID --region REGION (or $DUCKML_PROJECT, $DUCKML_REGION, duckml.config.json)
Exit codes as for duckml submit (0 ok, 2 invalid input, 7 credentials, 8 unavailable).`;

const OPTIONS = {
  ...flags.CONFIG_FLAGS,
  ...flags.PIPELINE_FLAGS,
  ...flags.VERTEX_FLAGS,
  ...flags.VERTEX_JOB_FLAGS,
  cron: { type: 'string' },
  'max-concurrent-runs': { type: 'string' },
  'max-runs': { type: 'string' },
  'allow-queueing': { type: 'boolean' },
  'start-time': { type: 'string' },
  'end-time': { type: 'string' },
  'catch-up': { type: 'boolean' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const CREATE_ONLY = ['cron', 'max-concurrent-runs', 'max-runs', 'allow-queueing', 'start-time', 'end-time', ...Object.keys(flags.PIPELINE_FLAGS), ...Object.keys(flags.VERTEX_JOB_FLAGS)];

function count(v: flags.Values, k: string): number | undefined {
  const raw = flags.str(v, k);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${k} '${raw}' must be a whole number of at least 1.`, EXIT.usage);
  return n;
}

function time(v: flags.Values, k: string): Date | undefined {
  const raw = flags.str(v, k);
  if (raw === undefined) return undefined;
  const d = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(d.getTime())) throw new CliError(`--${k} '${raw}' must be an ISO 8601 time with a zone, e.g. 2025-01-31T06:00:00Z.`, EXIT.usage);
  return d;
}

function line(s: ScheduleInfo, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: s.name, id: s.id, displayName: s.displayName, state: s.state, cron: s.cron, ...(s.nextRunTime ? { nextRunTime: s.nextRunTime } : {}), ...extra, exitCode: EXIT.ok };
}

async function run(action: string, rest: string[], v: flags.Values, report: Reporter): Promise<ExitCode> {
  if (flags.target(v, flags.config(v)) !== 'vertex') throw new CliError('schedules are a Vertex AI feature; --target kfp is not supported here (use KFP recurring runs).', EXIT.usage);
  if (action !== 'create') flags.rejectFlags(v, CREATE_ONLY, `to 'schedule ${action}' (they are for 'schedule create')`);
  if (action !== 'resume') flags.rejectFlags(v, ['catch-up'], `to 'schedule ${action}'`);
  if (action !== 'list') flags.rejectFlags(v, ['limit', 'json'], `to 'schedule ${action}'`);
  const [arg, ...extra] = rest;
  if (extra.length) throw new CliError(`unexpected arguments: ${extra.join(' ')}`, EXIT.usage);
  if (action === 'list' && arg) throw new CliError(`'schedule list' takes no argument (got '${arg}').`, EXIT.usage);
  if (action !== 'list' && !arg) throw new CliError(`'schedule ${action}' needs ${action === 'create' ? 'a pipeline file or spec' : 'a schedule id'}.\n\n${USAGE}`, EXIT.usage);

  const cfg = flags.config(v);
  const settings = resolveVertexSettings(flags.vertexFlags(v), cfg);
  let create: Parameters<VertexSchedules['create']>[0] | undefined;
  if (action === 'create') {
    const cron = flags.str(v, 'cron');
    if (!cron) throw new CliError('schedule create needs --cron, e.g. --cron "TZ=Etc/UTC 0 6 * * *".', EXIT.usage);
    const bad = checkCron(cron);
    if (bad) throw new CliError(bad, EXIT.usage);
    const { spec, params } = await flags.loadWithParams(arg!, v, cfg);
    const displayName = flags.str(v, 'display-name') ?? spec.pipelineInfo.displayName ?? spec.pipelineInfo.name;
    create = {
      displayName,
      cron,
      pipelineJob: buildPipelineJob({ spec, params, settings, displayName }),
      maxConcurrentRunCount: count(v, 'max-concurrent-runs'),
      maxRunCount: count(v, 'max-runs'),
      startTime: time(v, 'start-time'),
      endTime: time(v, 'end-time'),
      allowQueueing: v['allow-queueing'] === true,
    };
  }
  const limitRaw = flags.str(v, 'limit');
  const limit = limitRaw === undefined ? 50 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError(`--limit '${limitRaw}' must be a whole number from 1 to 1000.`, EXIT.usage);

  const session = await openSession(settings, { requestTimeoutMs: flags.duration(v, 'request-timeout'), retry: retryReporter(report) });
  const schedules = new VertexSchedules(session);
  try {
    switch (action) {
      case 'create': {
        const { schedule, existing } = await schedules.create(create!);
        report.info(existing ? `schedule '${schedule.displayName}' already exists (${schedule.name}); delete it first to change it.` : `created schedule ${schedule.name} (${schedule.cron})`);
        report.result(line(schedule, { existing }));
        return EXIT.ok;
      }
      case 'list': {
        const all = await schedules.list(limit);
        if (v.json) {
          report.result({ schedules: all.map((s) => line(s)).map(({ exitCode: _, ...s }) => s), exitCode: EXIT.ok });
        } else {
          const rows = [['ID', 'STATE', 'CRON', 'NEXT RUN', 'DISPLAY NAME'], ...all.map((s) => [s.id, s.state, s.cron, s.nextRunTime ?? '', s.displayName])];
          process.stdout.write(`${all.length ? table(rows) : 'no schedules.'}\n`);
        }
        return EXIT.ok;
      }
      case 'pause':
      case 'resume': {
        const s = action === 'pause' ? await schedules.pause(arg!) : await schedules.resume(arg!, v['catch-up'] === true);
        report.info(`${s.name} is ${s.state}.`);
        report.result(line(s));
        return EXIT.ok;
      }
      case 'delete': {
        const name = await schedules.delete(arg!);
        report.info(`deleted ${name}.`);
        report.result({ name, id: name.split('/').pop(), deleted: true, exitCode: EXIT.ok });
        return EXIT.ok;
      }
      default:
        throw new CliError(`unknown action '${action}'. Use create, list, pause, resume or delete.`, EXIT.usage);
    }
  } finally {
    await schedules.close();
  }
}

export const command: Command = {
  summary: 'create, list, pause, resume or delete recurring runs on Vertex AI',
  usage: USAGE,
  run: (argv) =>
    withJsonResult('schedule', async (report) => {
      const { values: v, positionals } = flags.parse(argv, OPTIONS, USAGE);
      const [action, ...rest] = positionals;
      if (!action || !['create', 'list', 'pause', 'resume', 'delete'].includes(action)) {
        throw new CliError(`${action ? `unknown action '${action}'.` : 'which action?'} Use create, list, pause, resume or delete.\n\n${USAGE}`, EXIT.usage);
      }
      return run(action, rest, v, report);
    }),
};
