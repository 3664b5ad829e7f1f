import * as path from 'node:path';
import { parseParams, ParamError } from '../../compiler/params';
import { parseCommandArgs } from '../args';
import { CliError, EXIT } from '../exit-codes';
import { loadPipeline } from '../load-pipeline';
import type { Command } from '../main';

const USAGE = `Usage: duckml run <pipeline.ts|spec.json|spec.yaml> [--param k=v ...] [--root DIR] [--no-cache] [--parallelism N]
       duckml run --resume RUN_ID [--root DIR]

Runs a pipeline on this machine: it is compiled to the same PipelineSpec Vertex AI would run, and
that spec is executed. TypeScript components run as local processes; other images need Docker.
  --param k=v         a pipeline parameter (repeatable); typed by the pipeline ('3', 'true', JSON lists)
  --root DIR          pipeline root: run folders and the metadata store (default .duckml/runs)
  --no-cache          run every task, even when an identical earlier execution exists
  --parallelism N     most tasks running at once (default: number of CPUs)
  --fail-slow         after a failure keep running tasks that do not depend on it (default: stop starting tasks)
  --resume RUN_ID     continue a failed, cancelled or killed run; finished tasks are not run again
  --export NAME       which export to run when the file exports several pipelines (or one component)
  --progress MODE     tty (live table), lines (one line per change) or none (the summary only); default: tty on a terminal
  -v, --verbose       show tasks' output as it is written
  --no-typecheck      skip tsc's checks on a .ts pipeline file
  --project-root DIR  folder TypeScript components' module paths are relative to (default: the pipeline's package root)

Exit codes: 0 succeeded, 2 bad input, 3 pipeline does not compile, 4 run failed, 5 cancelled, 8 Docker needed but absent.`;

export const command: Command = {
  summary: 'run a pipeline locally (TypeScript components as processes, others in Docker)',
  usage: USAGE,
  async run(argv) {
    const args = parseCommandArgs(argv, {
      param: { type: 'string', multiple: true },
      root: { type: 'string' },
      'no-cache': { type: 'boolean' },
      parallelism: { type: 'string' },
      'fail-slow': { type: 'boolean' },
      resume: { type: 'string' },
      export: { type: 'string' },
      progress: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      'no-typecheck': { type: 'boolean' },
      'project-root': { type: 'string' },
    }, USAGE);
    const v = args.values;
    const [file, ...extra] = args.positionals;
    if (extra.length) throw new CliError(`unexpected arguments: ${extra.join(' ')}\n\n${USAGE}`, EXIT.usage);
    if (!file && !v.resume) throw new CliError(`which pipeline?\n\n${USAGE}`, EXIT.usage);
    if (file && v.resume) throw new CliError('--resume continues a recorded run with its own spec and parameters; leave out the pipeline file.', EXIT.usage);
    if (v.resume && v.param?.length) throw new CliError('--resume keeps the run\'s parameters; --param cannot change them.', EXIT.usage);
    let parallelism: number | undefined;
    if (v.parallelism !== undefined) {
      parallelism = Number(v.parallelism);
      if (!Number.isInteger(parallelism) || parallelism < 1) throw new CliError(`--parallelism '${v.parallelism}' must be a whole number of at least 1.`, EXIT.usage);
    }
    const progress = v.progress ?? 'auto';
    if (!['auto', 'tty', 'lines', 'none'].includes(progress)) throw new CliError(`--progress '${progress}' must be tty, lines or none.`, EXIT.usage);

    let spec;
    let params: Record<string, unknown> = {};
    let projectRoot = v['project-root'];
    if (file) {
      const loaded = await loadPipeline(file, { exportName: v.export, typecheck: !v['no-typecheck'] });
      spec = loaded.spec;
      try {
        params = parseParams(spec, v.param ?? []);
      } catch (e) {
        if (e instanceof ParamError) throw new CliError(e.message, EXIT.usage);
        throw e;
      }
      if (!projectRoot && loaded.source === 'module') projectRoot = require('../../dsl/caller').projectRootOf(path.dirname(path.resolve(file)));
    }
    const { runPipeline } = require('../../runner/run') as typeof import('../../runner/run');
    const { RunRefused } = require('../../runner/preflight') as typeof import('../../runner/preflight');
    const stop = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts > 1) process.exit(EXIT.cancelled);
      process.stderr.write('\nstopping: running tasks are being stopped (Ctrl-C again to quit at once)\n');
      stop.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    try {
      const r = await runPipeline(spec, {
        root: v.root,
        params,
        noCache: v['no-cache'],
        parallelism,
        failFast: !v['fail-slow'],
        projectRoot,
        resume: v.resume,
        // --progress none still prints how the run ended (the API's 'none' is silent).
        display: progress === 'none' ? 'summary' : (progress as 'auto'),
        verbose: v.verbose,
        signal: stop.signal,
      });
      return r.state === 'succeeded' ? EXIT.ok : r.state === 'cancelled' ? EXIT.cancelled : EXIT.failed;
    } catch (e) {
      if (e instanceof RunRefused) throw new CliError(e.message, e.kind === 'unavailable' ? EXIT.unavailable : EXIT.usage);
      throw e;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
  },
};
