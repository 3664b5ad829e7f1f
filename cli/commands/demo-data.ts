import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEMO_DEFAULTS } from '../../warehouse/user-activity';
import { DEFAULT_WAREHOUSE_PATH, parseWarehouseUri } from '../../warehouse/uri';
import { parseCommandArgs } from '../args';
import { CliError, EXIT } from '../exit-codes';
import type { Command } from '../main';

const USAGE = `Usage: duckml demo-data [--warehouse duckdb://PATH] [--rows N] [--days N] [--seed N] [--scam-rate R] [--no-messages] [--if-missing]

Builds the embedded demo warehouse (DuckDB) that the example ML pipelines read:
  user_activity  per-user daily behaviour features with an is_scammer label (seeded generator)
  messages       the SpamAssassin public corpus with SQL-computed message features
Options:
  --warehouse URI   where to build it (default duckdb://${DEFAULT_WAREHOUSE_PATH}, replaced if present)
  --rows N          user_activity rows (default ${DEMO_DEFAULTS.rows.toLocaleString('en-US')})
  --days N          days per user (default ${DEMO_DEFAULTS.days}); users = rows / days
  --seed N          generator seed (default ${DEMO_DEFAULTS.seed}); the same seed gives the same data
  --scam-rate R     share of users who are scammers (default ${DEMO_DEFAULTS.scamRate})
  --no-messages     skip the SpamAssassin table
  --if-missing      do nothing when the warehouse file is already there (the other options then
                    do not apply). The file appears only once completely built, so a build that
                    was interrupted never counts as present.`;

function intOption(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < min) throw new CliError(`--${name} must be an integer ≥ ${min}, got '${v}'.\n\n${USAGE}`, EXIT.usage);
  return n;
}

export const command: Command = {
  summary: 'build the local demo warehouse (user_activity, messages)',
  usage: USAGE,
  async run(argv) {
    const args = parseCommandArgs(argv, {
      warehouse: { type: 'string' },
      rows: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      'scam-rate': { type: 'string' },
      'no-messages': { type: 'boolean' },
      'if-missing': { type: 'boolean' },
    }, USAGE);
    if (args.positionals.length) throw new CliError(`unexpected arguments: ${args.positionals.join(' ')}\n\n${USAGE}`, EXIT.usage);
    const v = args.values;
    let file = DEFAULT_WAREHOUSE_PATH;
    if (v.warehouse !== undefined) {
      let ref;
      try {
        ref = parseWarehouseUri(v.warehouse);
      } catch (e) {
        throw new CliError((e as Error).message, EXIT.usage);
      }
      if (ref.kind !== 'duckdb') throw new CliError(`demo-data builds a local DuckDB warehouse; '${v.warehouse}' is not a duckdb:// URI.`, EXIT.usage);
      file = ref.path;
    }
    const scamRate = v['scam-rate'] === undefined ? undefined : Number(v['scam-rate']);
    if (scamRate !== undefined && !(scamRate > 0 && scamRate < 1)) throw new CliError(`--scam-rate must be between 0 and 1, got '${v['scam-rate']}'.`, EXIT.usage);
    const target = path.resolve(file);
    if (v['if-missing'] && fs.existsSync(target)) {
      const rel = path.relative(process.cwd(), target) || target;
      if (!fs.statSync(target).isFile()) throw new CliError(`${rel} is a folder, not a DuckDB file; remove it, or pass --warehouse duckdb://PATH naming a file.`, EXIT.usage);
      // buildDemoWarehouse renames a complete file into place, so a file here is a finished build.
      process.stdout.write(`${rel} is already built; kept as it is (--if-missing). Delete it, or leave out --if-missing, to rebuild it.\n`);
      return EXIT.ok;
    }
    // Loaded here so `duckml --help` does not load DuckDB's native module.
    const { buildDemoWarehouse } = require('../../warehouse/demo-data') as typeof import('../../warehouse/demo-data');
    const result = await buildDemoWarehouse({
      path: target,
      rows: intOption('rows', v.rows, 1),
      days: intOption('days', v.days, 1),
      seed: intOption('seed', v.seed, 0),
      scamRate,
      messages: !v['no-messages'],
      log: (m) => process.stderr.write(`${m}\n`),
    });
    const rel = path.relative(process.cwd(), result.path) || result.path;
    process.stdout.write(
      `built ${rel}\n` +
        `  user_activity  ${result.userActivityRows.toLocaleString('en-US')} rows, ${result.users.toLocaleString('en-US')} users, ` +
        `${result.scammers.toLocaleString('en-US')} scammers (${result.seconds.userActivity.toFixed(1)} s)\n` +
        (result.messages ? `  messages       ${result.messages.toLocaleString('en-US')} messages (${result.seconds.messages.toFixed(1)} s)\n` : '') +
        `Query it from a pipeline with warehouse 'duckdb://${rel.split(path.sep).join('/')}'.\n`,
    );
    return EXIT.ok;
  },
};
