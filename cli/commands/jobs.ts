/** `duckml jobs get|list|cancel|wait`: jobs on Vertex AI Pipelines, or runs on Kubeflow Pipelines. */
import { EXIT, CliError, type ExitCode } from '../exit-codes';
import type { Command } from '../main';
import * as flags from '../cloud-flags';
import { withJsonResult } from '../json-result';
import { table } from '../table';
import { follow } from '../../cloud/follow';
import type { JobBackend } from '../../cloud/job-status';
import { resultLine, type Reporter } from '../../cloud/report';
import { resolveVertexSettings } from '../../cloud/vertex/settings';
import { jobsFor, openSession } from '../../cloud/vertex/session';
import { resolveKfpSettings } from '../../cloud/kfp/settings';
import { KfpClient } from '../../cloud/kfp/client';
import { retryReporter, waitSettings } from './submit';

const USAGE = `Usage: duckml jobs <get|list|cancel|wait> [ID] [options]

  get ID                  print a job's state (last line: one JSON object)
  list [--limit N] [--filter EXPR] [--json]
                          the most recent jobs, newest first (Vertex filter syntax, e.g.
                          'display_name="train"' or 'state="PIPELINE_STATE_FAILED"')
  cancel ID               ask the service to cancel a job
  wait ID [--timeout D] [--poll-interval D] [--cancel-on-interrupt]
                          follow a job to its end; exit code by final state

ID is a job id or a full resource name (projects/P/locations/R/pipelineJobs/ID); with
--target kfp, a run id.
Vertex: --project ID --region REGION (or $DUCKML_PROJECT, $DUCKML_REGION, duckml.config.json)
KFP:    --target kfp --host URL [--namespace NS]
Other:  --config FILE --request-timeout D

Exit codes as for duckml submit: 0 ok (wait: succeeded), 2 invalid input or no such job,
4 failed, 5 cancelled, 6 --timeout reached, 7 no credentials or permission, 8 unavailable,
9 interrupted.`;

const OPTIONS = {
  ...flags.CONFIG_FLAGS,
  ...flags.VERTEX_FLAGS,
  ...flags.KFP_FLAGS,
  ...flags.WAIT_FLAGS,
  limit: { type: 'string' },
  filter: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const ACTIONS = ['get', 'list', 'cancel', 'wait'] as const;
type Action = (typeof ACTIONS)[number];

async function openBackend(v: flags.Values, report: Reporter): Promise<JobBackend> {
  const cfg = flags.config(v);
  const requestTimeoutMs = flags.duration(v, 'request-timeout');
  if (flags.target(v, cfg) === 'kfp') {
    flags.rejectFlags(v, ['project', 'region'], 'to --target kfp');
    const s = resolveKfpSettings({ host: flags.str(v, 'host'), namespace: flags.str(v, 'namespace') }, cfg);
    return new KfpClient({ ...s, requestTimeoutMs, retry: retryReporter(report) });
  }
  flags.rejectFlags(v, Object.keys(flags.KFP_FLAGS), 'to --target vertex');
  const settings = resolveVertexSettings({ project: flags.str(v, 'project'), region: flags.str(v, 'region') }, cfg);
  return jobsFor(await openSession(settings, { requestTimeoutMs, retry: retryReporter(report) }));
}

async function run(action: Action, id: string | undefined, v: flags.Values, report: Reporter): Promise<ExitCode> {
  if (action === 'list') {
    if (id) throw new CliError(`'jobs list' takes no job id (got '${id}').`, EXIT.usage);
  } else {
    if (!id) throw new CliError(`'jobs ${action}' needs a job id.\n\n${USAGE}`, EXIT.usage);
    flags.rejectFlags(v, ['limit', 'filter', 'json'], `to 'jobs ${action}' (they are for 'jobs list')`);
  }
  if (action !== 'wait') flags.rejectFlags(v, Object.keys(flags.WAIT_FLAGS), `to 'jobs ${action}' (they are for 'jobs wait')`);
  const limitRaw = flags.str(v, 'limit');
  const limit = limitRaw === undefined ? 20 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError(`--limit '${limitRaw}' must be a whole number from 1 to 1000.`, EXIT.usage);
  const w = action === 'wait' ? waitSettings(v, true) : undefined;

  const backend = await openBackend(v, report);
  try {
    switch (action) {
      case 'get': {
        const s = await backend.get(id!);
        report.info(`${s.id}: ${s.state}${s.error ? ` — ${s.error}` : ''}`);
        report.result(resultLine(s, EXIT.ok));
        return EXIT.ok;
      }
      case 'cancel': {
        await backend.cancel(id!);
        const s = await backend.get(id!);
        report.info(`cancel requested; ${s.id} is ${s.state}.`);
        report.result(resultLine(s, EXIT.ok, { cancelRequested: true }));
        return EXIT.ok;
      }
      case 'wait': {
        const initial = await backend.get(id!);
        const r = await follow(backend, initial.id, report, { timeoutMs: w!.timeoutMs, pollMs: w!.pollMs, cancelOnInterrupt: w!.cancelOnInterrupt, initial });
        report.result(resultLine(r.status, r.exitCode, r.extra));
        return r.exitCode;
      }
      case 'list': {
        const jobs = await backend.list({ limit, filter: flags.str(v, 'filter') });
        if (v.json) {
          report.result({ jobs: jobs.map((j) => resultLine(j, EXIT.ok)).map(({ exitCode: _, ...j }) => j), exitCode: EXIT.ok });
        } else {
          const rows = [['ID', 'STATE', 'CREATED', 'DISPLAY NAME'], ...jobs.map((j) => [j.id, j.state, j.createTime ?? '', j.displayName ?? ''])];
          process.stdout.write(`${jobs.length ? table(rows) : 'no jobs.'}\n`);
        }
        return EXIT.ok;
      }
    }
  } finally {
    await backend.close();
  }
}

export const command: Command = {
  summary: 'get, list, cancel or wait for jobs on Vertex AI / Kubeflow Pipelines',
  usage: USAGE,
  run: (argv) =>
    withJsonResult('jobs', async (report) => {
      const { values: v, positionals } = flags.parse(argv, OPTIONS, USAGE);
      const [action, id, ...extra] = positionals;
      if (!action || !(ACTIONS as readonly string[]).includes(action)) throw new CliError(`${action ? `unknown action '${action}'` : 'which action?'} Use get, list, cancel or wait.\n\n${USAGE}`, EXIT.usage);
      if (extra.length) throw new CliError(`unexpected arguments: ${extra.join(' ')}`, EXIT.usage);
      return run(action as Action, id, v, report);
    }),
};
