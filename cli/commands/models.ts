import { parseArgs } from 'node:util';
import { CliError, EXIT } from '../exit-codes';
import { table } from '../table';
import type { Command } from '../main';

const USAGE = `Usage: duckml models list [NAME] [--registry R] [--json]
       duckml models promote NAME VERSION [--alias champion] [--registry R] [--json]
       duckml models rollback NAME [--alias champion] [--registry R] [--json]

Model registry versions and aliases.
  list       the registered models, or one model's versions with their aliases and metrics
  promote    point an alias (default champion) at a version
  rollback   point an alias back at the version it pointed at before its last promotion
  --registry R  'local' (the project's .duckml, default), a duckml folder, or vertex://PROJECT/REGION
                (default $DUCKML_REGISTRY)
  --alias A     the alias to move (default champion)
  --json        machine-readable output`;

function fmtMetrics(m: Readonly<Record<string, number>>): string {
  const keys = ['prAuc', 'rocAuc', 'recall', 'precision'].filter((k) => typeof m[k] === 'number');
  return keys.map((k) => `${k}=${m[k]!.toFixed(3)}`).join(' ');
}

export const command: Command = {
  summary: 'list registered models; promote or roll back an alias such as champion',
  usage: USAGE,
  async run(argv) {
    let args;
    try {
      args = parseArgs({ args: argv, allowPositionals: true, options: { registry: { type: 'string' }, alias: { type: 'string' }, json: { type: 'boolean' } } });
    } catch (e) {
      throw new CliError(`${(e as Error).message}\n\n${USAGE}`, EXIT.usage);
    }
    const [sub = 'list', ...rest] = args.positionals;
    const alias = args.values.alias ?? 'champion';
    const out = (s: string) => process.stdout.write(`${s}\n`);
    const { withRegistry } = require('../../registry/open') as typeof import('../../registry/open');
    const { RegistryError } = require('../../registry/types') as typeof import('../../registry/types');
    const run = async (fn: (r: import('../../registry/types').ModelRegistry) => Promise<number>): Promise<number> => {
      try {
        return await withRegistry(args.values.registry, fn);
      } catch (e) {
        if (e instanceof RegistryError) throw new CliError(e.message, EXIT.usage);
        throw e;
      }
    };
    if (sub === 'list') {
      if (rest.length > 1) throw new CliError(`unexpected arguments: ${rest.slice(1).join(' ')}\n\n${USAGE}`, EXIT.usage);
      const [name] = rest;
      return run(async (r) => {
        if (!name) {
          const models = await r.listModels();
          if (args.values.json) return out(JSON.stringify(models, null, 2)), EXIT.ok;
          if (!models.length) return out(`no models in the ${r.kind} registry (${r.location}). The scam-classifier-train pipeline registers one.`), EXIT.ok;
          const rows = [['MODEL', 'VERSIONS', 'LATEST', 'ALIASES', 'UPDATED']];
          for (const m of models) rows.push([m.model, String(m.versions), m.latest, Object.entries(m.aliases).map(([a, v]) => `${a}→${v}`).join(' '), m.updatedAt]);
          return out(table(rows)), EXIT.ok;
        }
        const versions = await r.listVersions(name);
        if (args.values.json) return out(JSON.stringify(versions, null, 2)), EXIT.ok;
        const rows = [['VERSION', 'ALIASES', 'CREATED', 'THRESHOLD', 'METRICS', 'URI']];
        for (const v of versions) {
          const th = v.metadata.threshold;
          rows.push([v.version, v.aliases.join(',') || '-', v.createdAt, typeof th === 'number' ? th.toFixed(4) : '-', fmtMetrics(v.metrics) || '-', v.uri]);
        }
        return out(table(rows)), EXIT.ok;
      });
    }
    if (sub === 'promote' || sub === 'rollback') {
      const want = sub === 'promote' ? 2 : 1;
      if (rest.length !== want) {
        throw new CliError(`${sub} takes ${sub === 'promote' ? 'NAME VERSION' : 'NAME'}; got ${rest.length ? rest.join(' ') : 'nothing'}.\n\n${USAGE}`, EXIT.usage);
      }
      return run(async (r) => {
        const move = sub === 'promote' ? await r.promote(rest[0]!, rest[1]!, alias) : await r.rollback(rest[0]!, alias);
        if (args.values.json) return out(JSON.stringify(move)), EXIT.ok;
        const from = move.from === undefined ? 'nothing' : `version ${move.from}`;
        out(move.from === move.to ? `${move.model}@${move.alias} already points at version ${move.to}.` : `${move.model}@${move.alias}: ${from} → version ${move.to} (${r.kind} registry, ${r.location})`);
        return EXIT.ok;
      });
    }
    throw new CliError(`unknown subcommand '${sub}'; use list, promote or rollback.\n\n${USAGE}`, EXIT.usage);
  },
};
