import { CliError, EXIT } from '../exit-codes';
import type { Command } from '../main';

export const command: Command = {
  summary: 'not ready yet',
  usage: 'duckml runs',
  async run() {
    throw new CliError('not ready yet', EXIT.usage);
  },
};
