import { parseArgs } from 'node:util';
import { CliError, EXIT } from '../exit-codes';
import type { Command } from '../main';

const USAGE = `Usage: duckml execute --executor-input '{{$}}' --module <file> --component <name>

Runs one TypeScript component: what a compiled task's container runs (command ['duckml', 'execute']).
It reads the KFP ExecutorInput, calls the component with typed inputs, writes output parameters and
artifact metadata to the ExecutorOutput file, and exits non-zero with the error on failure.
  --executor-input JSON  the ExecutorInput, as Vertex AI and KFP pass it ('{{$}}')
  --module FILE          module defining the component, relative to the current folder (the project root)
  --component NAME       the component's name
  --await-args           (used by duckml run) preload, then read {"argv":[...],"env":{...}} from stdin

To run a component by hand with parameters, use 'duckml run <file> --export <component> --param k=v'.`;

async function runArgs(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { 'executor-input': { type: 'string' }, module: { type: 'string' }, component: { type: 'string' } },
    });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${USAGE}`, EXIT.usage);
  }
  const { 'executor-input': input, module, component } = args.values;
  const missing = [!input && '--executor-input', !module && '--module', !component && '--component'].filter(Boolean);
  if (missing.length) throw new CliError(`missing ${missing.join(', ')}.\n\n${USAGE}`, EXIT.usage);
  const { parseExecutorInput } = require('../../executor/protocol') as typeof import('../../executor/protocol');
  const { findComponent } = require('../../executor/find-component') as typeof import('../../executor/find-component');
  const { executeComponent } = require('../../executor/execute') as typeof import('../../executor/execute');
  let ei;
  try {
    ei = parseExecutorInput(input!);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.usage);
  }
  try {
    const def = findComponent(process.cwd(), module!, component!);
    await executeComponent(def, ei, { taskName: process.env.DUCKML_TASK_NAME, jobName: process.env.DUCKML_JOB_NAME });
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.failed);
  }
  return EXIT.ok;
}

/** A process started ahead of time by `duckml run`: it loads everything, then waits for its task. */
async function awaitArgs(): Promise<number> {
  require('../register.js');
  require('../../executor/execute');
  require('../../executor/find-component');
  require('../../dsl');
  const line = await new Promise<string>((resolve) => {
    let buf = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) {
        process.stdin.pause();
        process.stdin.removeAllListeners('data');
        resolve(buf.slice(0, i));
      }
    });
    process.stdin.on('end', () => resolve(buf));
  });
  if (line.trim() === '') return EXIT.ok;
  const msg = JSON.parse(line) as { argv: string[]; env?: Record<string, string> };
  Object.assign(process.env, msg.env ?? {});
  process.stdin.destroy();
  return runArgs(msg.argv);
}

export const command: Command = {
  summary: 'run one TypeScript component from its executor input (inside the component image)',
  usage: USAGE,
  async run(argv) {
    if (argv.length === 1 && argv[0] === '--await-args') return awaitArgs();
    return runArgs(argv);
  },
};
