/**
 * `duckml <command>`: each command lives in cli/commands/<name>.ts and is loaded only when used,
 * so `duckml compile` never pays for the cloud SDKs that `duckml submit` loads.
 */
import { CliError, EXIT } from './exit-codes';

export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Command> = {
  compile: () => require('./commands/compile').command,
  'demo-data': () => require('./commands/demo-data').command,
  graph: () => require('./commands/graph').command,
  run: () => require('./commands/run').command,
  runs: () => require('./commands/runs').command,
  execute: () => require('./commands/execute').command,
  submit: () => require('./commands/submit').command,
  jobs: () => require('./commands/jobs').command,
  schedule: () => require('./commands/schedule').command,
  models: () => require('./commands/models').command,
  serve: () => require('./commands/serve').command,
};

/** Lets later work register commands without editing dispatch logic. */
export function registerCommand(name: string, load: () => Command): void {
  COMMANDS[name] = load;
}

function help(): string {
  const rows = Object.entries(COMMANDS).map(([n, load]) => `  ${n.padEnd(10)} ${load().summary}`);
  return `duckml: TypeScript pipelines for Vertex AI Pipelines and Kubeflow Pipelines\n\nUsage: duckml <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun 'duckml <command> --help' for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${require('../version').VERSION}\n`);
    return EXIT.ok;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`duckml: unknown command '${name}'.\n\n${help()}`);
    return EXIT.usage;
  }
  const command = load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`duckml ${name}: ${e.message}\n`);
      return e.code;
    }
    process.stderr.write(`duckml ${name}: unexpected error (please report it): ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.error;
  }
}
