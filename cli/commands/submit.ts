/**
 * `duckml submit`: run a pipeline on Vertex AI Pipelines (default) or Kubeflow Pipelines.
 * Everything that can be checked locally is checked before credentials are looked at, and
 * nothing is sent when a check fails.
 */
import { EXIT, CliError, type ExitCode } from '../exit-codes';
import type { Command } from '../main';
import * as flags from '../cloud-flags';
import { withJsonResult } from '../json-result';
import { follow } from '../../cloud/follow';
import { checkJobId, deriveJobId } from '../../cloud/job-id';
import { exitCodeForState, type JobBackend, type JobStatus } from '../../cloud/job-status';
import { resultLine, type Reporter } from '../../cloud/report';
import type { ProjectConfig } from '../project-config';
import type { RetryOptions } from '../../cloud/retry';
import { resolveVertexSettings } from '../../cloud/vertex/settings';
import { buildPipelineJob, parentOf } from '../../cloud/vertex/pipeline-job';
import { jobsFor, openSession } from '../../cloud/vertex/session';
import { resolveKfpSettings } from '../../cloud/kfp/settings';
import { KfpClient } from '../../cloud/kfp/client';
import { submitRun, versionName } from '../../cloud/kfp/submit';
import { applyCachingSwitch } from '../../cloud/caching';

const USAGE = `Usage: duckml submit <pipeline.ts|spec.json|spec.yaml> [options]

Runs a pipeline on Vertex AI Pipelines (the default target) or on Kubeflow Pipelines (--target kfp).
Progress goes to stderr; the last line on stdout is one JSON object
({"name", "id", "state", "url", "error"?, "exitCode", ...}).

Pipeline:
  --param k=v             a pipeline parameter (repeatable), typed by the pipeline's inputs:
                          3 for an int, true for a bool, JSON for a list or struct
  --export NAME           which export of a .ts file to submit
  --image IMAGE           image for TypeScript components (default: $DUCKML_IMAGE, "image" in
                          duckml.config.json, else duckml/duckml:<version>)
  --no-typecheck          skip tsc's checks on a .ts file
  --enable-caching | --no-caching
                          turn caching on/off for every task, in the root and in every sub-DAG
Vertex AI (each also from $DUCKML_<NAME> or "vertex" in duckml.config.json):
  --project ID            Google Cloud project (else the credentials' project)
  --region REGION         default us-central1
  --pipeline-root gs://BUCKET/PATH   where outputs go (else the spec's defaultPipelineRoot)
  --service-account EMAIL --network projects/N/global/networks/NAME --kms-key projects/.../cryptoKeys/K
  --labels k=v            (repeatable, or k=v,k2=v2)
  --failure-policy fast|slow
  --display-name NAME     default: the pipeline's name
  --job-id ID             default: derived from the Airflow task run, else <pipeline>-<UTC timestamp>;
                          submitting an id that exists returns that job instead of a second one
Kubeflow Pipelines (--target kfp):
  --host URL              the KFP API (or $DUCKML_KFP_HOST, "kfp.host" in duckml.config.json)
  --namespace NS          multi-user KFP namespace
Waiting:
  --wait                  follow the job to its end; exit code by final state
  --timeout D             give up waiting after D (90s, 30m, 2h); the job is left running (exit 6)
  --poll-interval D       first poll interval (default 5s; grows to 60s)
  --cancel-on-interrupt   on SIGTERM/SIGINT while waiting, cancel the job before exiting
Other:
  --dry-run               do every local check (parameters, settings, job id), print what would be
                          submitted, send nothing; needs no credentials
  --target vertex|kfp     --config FILE (default: duckml.config.json here or above)
  --request-timeout D     deadline of each API request (default 60s)

Exit codes: 0 succeeded (or submitted, without --wait), 2 invalid input, 3 pipeline does not
compile, 4 job failed, 5 cancelled, 6 --timeout reached, 7 no credentials or no permission,
8 service unavailable after retries, 9 interrupted (job left running), 1 unexpected error.`;

const OPTIONS = {
  ...flags.CONFIG_FLAGS,
  ...flags.PIPELINE_FLAGS,
  ...flags.VERTEX_FLAGS,
  ...flags.VERTEX_JOB_FLAGS,
  ...flags.KFP_FLAGS,
  ...flags.WAIT_FLAGS,
  wait: { type: 'boolean' },
  'job-id': { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

export interface WaitSettings {
  wait: boolean;
  timeoutMs?: number;
  pollMs?: number;
  cancelOnInterrupt: boolean;
}

export function waitSettings(v: flags.Values, always = false): WaitSettings {
  const wait = always || v.wait === true;
  if (!wait) flags.rejectFlags(v, ['timeout', 'poll-interval', 'cancel-on-interrupt'], 'without --wait');
  return { wait, timeoutMs: flags.duration(v, 'timeout'), pollMs: flags.duration(v, 'poll-interval'), cancelOnInterrupt: v['cancel-on-interrupt'] === true };
}

export function retryReporter(report: Reporter): RetryOptions {
  return { onRetry: (e, attempt, ms) => report.info(`attempt ${attempt} failed (${(e as Error)?.message?.split('\n')[0] ?? e}); retrying in ${(ms / 1000).toFixed(1)}s.`) };
}

/** After the job exists: report it, follow it with --wait, print the JSON line, pick the exit code. */
export async function finish(backend: JobBackend, status: JobStatus, existing: boolean, w: WaitSettings, report: Reporter): Promise<ExitCode> {
  if (status.url) report.info(`view it at ${status.url}`);
  if (!w.wait) {
    const code = exitCodeForState(status.state);
    report.result(resultLine(status, code, { existing }));
    return code;
  }
  const r = await follow(backend, status.id, report, { timeoutMs: w.timeoutMs, pollMs: w.pollMs, cancelOnInterrupt: w.cancelOnInterrupt, initial: status });
  report.result(resultLine(r.status, r.exitCode, { existing, ...r.extra }));
  return r.exitCode;
}

async function submitVertex(file: string, v: flags.Values, cfg: ProjectConfig, report: Reporter): Promise<ExitCode> {
  flags.rejectFlags(v, Object.keys(flags.KFP_FLAGS), 'to --target vertex (they are for --target kfp)');
  const { spec, params } = await flags.loadWithParams(file, v, cfg);
  const settings = resolveVertexSettings(flags.vertexFlags(v), cfg);
  const given = flags.str(v, 'job-id');
  const bad = given !== undefined ? checkJobId(given) : undefined;
  if (bad) throw new CliError(bad, EXIT.usage);
  const jobId = given ?? deriveJobId(spec.pipelineInfo.name);
  const pipelineJob = buildPipelineJob({ spec, params, settings, displayName: flags.str(v, 'display-name') });
  const w = waitSettings(v);
  const requestTimeoutMs = flags.duration(v, 'request-timeout');
  if (v['dry-run']) {
    const root = pipelineJob.runtimeConfig.gcsOutputDirectory;
    report.info(`dry run: '${spec.pipelineInfo.name}' would be submitted to Vertex AI Pipelines as ${jobId} (${settings.project ? `project ${settings.project}, ` : ''}${settings.region}), outputs under ${root}; nothing was sent.`);
    report.result({ dryRun: true, target: 'vertex', id: jobId, displayName: pipelineJob.displayName, project: settings.project ?? null, region: settings.region, pipelineRoot: root, parameters: params, exitCode: EXIT.ok });
    return EXIT.ok;
  }

  const session = await openSession(settings, { requestTimeoutMs, retry: retryReporter(report) });
  const jobs = jobsFor(session);
  try {
    report.info(`submitting '${spec.pipelineInfo.name}' to Vertex AI Pipelines as ${jobId} (project ${session.project}, ${session.region})`);
    const { status, existing } = await jobs.submit({ parent: parentOf(session.project, session.region), pipelineJob, pipelineJobId: jobId });
    report.info(existing ? `job ${jobId} already exists (${status.state}); reporting it instead of submitting again.` : `created ${status.name} (${status.state})`);
    return await finish(jobs, status, existing, w, report);
  } finally {
    await jobs.close();
  }
}

async function submitKfp(file: string, v: flags.Values, cfg: ProjectConfig, report: Reporter): Promise<ExitCode> {
  flags.rejectFlags(v, ['project', 'region', 'network', 'kms-key', 'labels', 'failure-policy'], 'to --target kfp (they are Vertex AI settings)');
  flags.rejectFlags(v, ['display-name'], 'to --target kfp: a KFP run is found again by its display name, which is the --job-id');
  const { spec, params } = await flags.loadWithParams(file, v, cfg);
  const settings = resolveKfpSettings({ host: flags.str(v, 'host'), namespace: flags.str(v, 'namespace'), pipelineRoot: flags.str(v, 'pipeline-root'), serviceAccount: flags.str(v, 'service-account') }, cfg);
  const given = flags.str(v, 'job-id');
  const bad = given !== undefined ? checkJobId(given) : undefined;
  if (bad) throw new CliError(bad, EXIT.usage);
  const runName = given ?? deriveJobId(spec.pipelineInfo.name);
  const w = waitSettings(v);
  if (v['dry-run']) {
    const version = versionName(applyCachingSwitch(spec, flags.caching(v)));
    report.info(`dry run: '${spec.pipelineInfo.name}' (version ${version}) would run on ${settings.host} as '${runName}'; nothing was sent.`);
    report.result({ dryRun: true, target: 'kfp', id: runName, host: settings.host, version, parameters: params, exitCode: EXIT.ok });
    return EXIT.ok;
  }
  const client = new KfpClient({ ...settings, requestTimeoutMs: flags.duration(v, 'request-timeout'), retry: retryReporter(report) });
  try {
    report.info(`submitting '${spec.pipelineInfo.name}' to Kubeflow Pipelines at ${settings.host} as run '${runName}'`);
    const { status, existing, version } = await submitRun(client, { spec, params, runName, enableCaching: flags.caching(v), report });
    report.info(existing ? `run '${runName}' already exists (${status.state}); reporting it instead of submitting again.` : `created run ${status.id} of pipeline version ${version}`);
    return await finish(client, status, existing, w, report);
  } finally {
    await client.close();
  }
}

export const command: Command = {
  summary: 'run a pipeline on Vertex AI Pipelines or Kubeflow Pipelines',
  usage: USAGE,
  run: (argv) =>
    withJsonResult('submit', async (report) => {
      const { values: v, positionals } = flags.parse(argv, OPTIONS, USAGE);
      const [file, ...extra] = positionals;
      if (!file) throw new CliError(`which pipeline? Give a pipeline file (.ts) or a compiled spec (.json, .yaml).\n\n${USAGE}`, EXIT.usage);
      if (extra.length) throw new CliError(`unexpected arguments: ${extra.join(' ')}\n\n${USAGE}`, EXIT.usage);
      const cfg = flags.config(v);
      return flags.target(v, cfg) === 'kfp' ? submitKfp(file, v, cfg, report) : submitVertex(file, v, cfg, report);
    }),
};
