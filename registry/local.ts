/**
 * The local model registry: version records, aliases and alias history in the project's embedded
 * DuckDB metadata store (the file `duckml run` records runs in, shared through the runner's
 * MetadataStore: one transaction per operation, retried while another process holds the file),
 * and each version's files copied under <home>/registry/<model>/<version>/.
 *
 * A push copies the files to a temporary folder first; the version number is allocated, the
 * record written and the folder renamed into place in one transaction, so a failed push leaves
 * neither a record without files nor files that a record points at half-written.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { MetadataStore } from '../runner/store';
import { checkAlias, checkLabels, checkModelName } from './names';
import { RegistryError, type AliasMove, type ModelRegistry, type ModelSummary, type ModelVersion, type PushRequest } from './types';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS registry_versions (model VARCHAR, version INTEGER, uri VARCHAR, labels VARCHAR, metrics VARCHAR,
     metadata VARCHAR, created_at VARCHAR, PRIMARY KEY (model, version))`,
  `CREATE TABLE IF NOT EXISTS registry_aliases (model VARCHAR, alias VARCHAR, version INTEGER, PRIMARY KEY (model, alias))`,
  `CREATE TABLE IF NOT EXISTS registry_alias_events (model VARCHAR, alias VARCHAR, seq INTEGER, action VARCHAR, version INTEGER,
     previous INTEGER, at_time VARCHAR, PRIMARY KEY (model, alias, seq))`,
];

/** The project's duckml folder: $DUCKML_HOME, else .duckml in the working folder (the project root in runs). */
export function defaultHome(cwd = process.cwd()): string {
  return path.resolve(process.env.DUCKML_HOME || path.join(cwd, '.duckml'));
}

/** The runner's metadata store for its default root (<home>/runs, see runner/run.ts storeFile). */
export function storeFileFor(home: string): string {
  return path.join(home, 'runs', 'metadata.duckdb');
}

type Row = Record<string, unknown>;

async function rows(c: DuckDBConnection, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await c.runAndReadAll(sql, params as never)).getRowObjectsJson() as Row[];
}

export class LocalRegistry implements ModelRegistry {
  readonly kind = 'local' as const;
  readonly location: string;
  private readonly store: MetadataStore;
  private schemaReady = false;

  constructor(
    readonly home: string = defaultHome(),
    opts: { storeFile?: string; waitMs?: number } = {},
  ) {
    this.location = path.resolve(home);
    this.store = new MetadataStore(opts.storeFile ?? storeFileFor(this.location), opts.waitMs);
  }

  private filesDir(model: string, version?: number | string): string {
    return version === undefined ? path.join(this.location, 'registry', model) : path.join(this.location, 'registry', model, String(version));
  }

  private async tx<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    // Tables in a transaction of their own: a failing first operation must not roll them back.
    if (!this.schemaReady) {
      await this.store.with(async (c) => {
        for (const s of SCHEMA) await c.run(s);
      });
      this.schemaReady = true;
    }
    return this.store.with(fn);
  }

  async push(req: PushRequest): Promise<ModelVersion> {
    const model = checkModelName(req.model);
    const aliases = [...new Set(req.aliases.map(checkAlias))];
    const labels = checkLabels(req.labels);
    if (!fs.existsSync(req.sourcePath) || !fs.statSync(req.sourcePath).isDirectory()) {
      throw new RegistryError(`cannot register ${req.sourcePath}: it is not a folder. Pass the model artifact's folder.`);
    }
    const parent = this.filesDir(model);
    fs.mkdirSync(parent, { recursive: true });
    const incoming = path.join(parent, `.incoming-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    let placed: string | undefined;
    try {
      fs.cpSync(req.sourcePath, incoming, { recursive: true });
      const createdAt = new Date().toISOString();
      const version = await this.tx(async (c) => {
        const v = Number((await rows(c, `SELECT coalesce(max(version), 0) + 1 AS v FROM registry_versions WHERE model = ?`, [model]))[0]!.v);
        const final = this.filesDir(model, v);
        const metadata = { ...req.metadata, source: req.sourceUri, ...(req.description ? { description: req.description } : {}), ...(req.servingImage ? { servingImage: req.servingImage } : {}) };
        await c.run(`INSERT INTO registry_versions VALUES (?, ?, ?, ?, ?, ?, ?)`, [model, v, final, JSON.stringify(labels), JSON.stringify(req.metrics), JSON.stringify(metadata), createdAt] as never);
        // The first version is the model's default, as on Vertex.
        const withDefault = v === 1 && !aliases.includes('default') ? ['default', ...aliases] : aliases;
        for (const alias of withDefault) await this.setAlias(c, model, alias, v, 'promote');
        // A folder left by a push whose transaction never committed is not a version: replace it.
        fs.rmSync(final, { recursive: true, force: true });
        fs.renameSync(incoming, final);
        placed = final;
        return v;
      });
      return this.resolve(model, String(version));
    } catch (e) {
      fs.rmSync(incoming, { recursive: true, force: true });
      // Renamed but not committed: the files must not outlive the transaction.
      if (placed && !(await this.versionExists(model, placed))) fs.rmSync(placed, { recursive: true, force: true });
      throw e;
    }
  }

  private async versionExists(model: string, dir: string): Promise<boolean> {
    try {
      return (await this.tx((c) => rows(c, `SELECT 1 FROM registry_versions WHERE model = ? AND uri = ?`, [model, dir]))).length > 0;
    } catch {
      return true; // when in doubt keep the files: a record without files is worse
    }
  }

  private async setAlias(c: DuckDBConnection, model: string, alias: string, version: number, action: 'promote' | 'rollback'): Promise<number | undefined> {
    const cur = await rows(c, `SELECT version FROM registry_aliases WHERE model = ? AND alias = ?`, [model, alias]);
    const previous = cur[0] ? Number(cur[0].version) : undefined;
    if (previous === version && action === 'promote') return previous;
    await c.run(`INSERT OR REPLACE INTO registry_aliases VALUES (?, ?, ?)`, [model, alias, version] as never);
    const seq = Number((await rows(c, `SELECT coalesce(max(seq), 0) + 1 AS s FROM registry_alias_events WHERE model = ? AND alias = ?`, [model, alias]))[0]!.s);
    await c.run(`INSERT INTO registry_alias_events VALUES (?, ?, ?, ?, ?, ?, ?)`, [model, alias, seq, action, version, previous ?? null, new Date().toISOString()] as never);
    return previous;
  }

  private async requireModel(c: DuckDBConnection, model: string): Promise<void> {
    const n = Number((await rows(c, `SELECT count(*)::INTEGER AS n FROM registry_versions WHERE model = ?`, [model]))[0]!.n);
    if (n > 0) return;
    const known = (await rows(c, `SELECT DISTINCT model FROM registry_versions ORDER BY model`)).map((r) => String(r.model));
    throw new RegistryError(
      `model '${model}' is not in the local registry at ${this.location}. ${known.length ? `Models there: ${known.join(', ')}.` : 'It has no models yet.'} Train and push one first (the scam-classifier-train pipeline's registry-push step), or pass another registry.`,
      true,
    );
  }

  private async versionFor(c: DuckDBConnection, model: string, ref: string): Promise<number> {
    await this.requireModel(c, model);
    if (/^\d+$/.test(ref)) {
      const v = Number(ref);
      const hit = await rows(c, `SELECT version FROM registry_versions WHERE model = ? AND version = ?`, [model, v]);
      if (hit.length) return v;
      const all = (await rows(c, `SELECT version FROM registry_versions WHERE model = ? ORDER BY version`, [model])).map((r) => r.version);
      throw new RegistryError(`model '${model}' has no version ${ref}; its versions are ${all.join(', ')} (in ${this.location}).`, true);
    }
    const a = await rows(c, `SELECT version FROM registry_aliases WHERE model = ? AND alias = ?`, [model, ref]);
    if (a.length) return Number(a[0]!.version);
    const known = (await rows(c, `SELECT alias, version FROM registry_aliases WHERE model = ? ORDER BY alias`, [model])).map((r) => `${r.alias} → ${r.version}`);
    throw new RegistryError(
      `model '${model}' has no alias '${ref}'${known.length ? `; its aliases are ${known.join(', ')}` : ' and no aliases at all'} (in ${this.location}). Promote a version first: duckml models promote ${model} <version> --alias ${ref}.`,
      true,
    );
  }

  private toVersion(r: Row, aliases: string[]): ModelVersion {
    return {
      model: String(r.model),
      version: String(r.version),
      aliases,
      uri: String(r.uri),
      resourceName: `local:${r.model}@${r.version}`,
      labels: JSON.parse(String(r.labels)) as Record<string, string>,
      metrics: JSON.parse(String(r.metrics)) as Record<string, number>,
      metadata: JSON.parse(String(r.metadata)) as Record<string, unknown>,
      createdAt: String(r.created_at),
    };
  }

  async resolve(model: string, ref = 'default'): Promise<ModelVersion> {
    checkModelName(model);
    if (!/^\d+$/.test(ref)) checkAlias(ref);
    return this.tx(async (c) => {
      const v = await this.versionFor(c, model, ref);
      const r = (await rows(c, `SELECT * FROM registry_versions WHERE model = ? AND version = ?`, [model, v]))[0]!;
      const aliases = (await rows(c, `SELECT alias FROM registry_aliases WHERE model = ? AND version = ? ORDER BY alias`, [model, v])).map((x) => String(x.alias));
      const out = this.toVersion(r, aliases);
      if (!fs.existsSync(out.uri)) {
        throw new RegistryError(`model '${model}' version ${v} is recorded but its files are missing at ${out.uri}; the registry folder was changed by hand. Push the model again.`);
      }
      return out;
    });
  }

  async listVersions(model: string): Promise<ModelVersion[]> {
    checkModelName(model);
    return this.tx(async (c) => {
      await this.requireModel(c, model);
      const rs = await rows(c, `SELECT * FROM registry_versions WHERE model = ? ORDER BY version`, [model]);
      const al = await rows(c, `SELECT alias, version FROM registry_aliases WHERE model = ? ORDER BY alias`, [model]);
      return rs.map((r) => this.toVersion(r, al.filter((a) => Number(a.version) === Number(r.version)).map((a) => String(a.alias))));
    });
  }

  async listModels(): Promise<ModelSummary[]> {
    if (!fs.existsSync(storeFileFor(this.location))) return [];
    return this.tx(async (c) => {
      const ms = await rows(c, `SELECT model, count(*)::INTEGER AS n, max(version) AS latest, max(created_at) AS updated FROM registry_versions GROUP BY model ORDER BY model`);
      const al = await rows(c, `SELECT model, alias, version FROM registry_aliases ORDER BY alias`);
      const ev = await rows(c, `SELECT model, max(at_time) AS at FROM registry_alias_events GROUP BY model`);
      return ms.map((m) => {
        const lastEvent = ev.find((e) => e.model === m.model)?.at;
        const updated = [String(m.updated), lastEvent ? String(lastEvent) : ''].sort().pop()!;
        return {
          model: String(m.model),
          versions: Number(m.n),
          latest: String(m.latest),
          aliases: Object.fromEntries(al.filter((a) => a.model === m.model).map((a) => [String(a.alias), String(a.version)])),
          updatedAt: updated,
        };
      });
    });
  }

  async promote(model: string, version: string, alias: string): Promise<AliasMove> {
    checkModelName(model);
    checkAlias(alias);
    if (!/^\d+$/.test(version)) throw new RegistryError(`version '${version}' is not a version number; promote takes a number such as 3 (see duckml models list ${model}).`);
    return this.tx(async (c) => {
      const v = await this.versionFor(c, model, version);
      const from = await this.setAlias(c, model, alias, v, 'promote');
      return { model, alias, from: from === undefined ? undefined : String(from), to: String(v) };
    });
  }

  async rollback(model: string, alias: string): Promise<AliasMove> {
    checkModelName(model);
    checkAlias(alias);
    return this.tx(async (c) => {
      await this.requireModel(c, model);
      const events = await rows(c, `SELECT action, version FROM registry_alias_events WHERE model = ? AND alias = ? ORDER BY seq`, [model, alias]);
      // Replay the alias's history as a stack: promotions push, rollbacks pop.
      const stack: number[] = [];
      for (const e of events) {
        if (e.action === 'rollback') stack.pop();
        else stack.push(Number(e.version));
      }
      if (stack.length === 0) throw new RegistryError(`model '${model}' has no alias '${alias}' to roll back (in ${this.location}).`);
      if (stack.length < 2) {
        throw new RegistryError(`alias '${alias}' of model '${model}' has no earlier version to roll back to: it has only ever pointed at version ${stack[0]}. Promote another version instead.`);
      }
      const from = stack[stack.length - 1]!;
      const to = stack[stack.length - 2]!;
      await this.setAlias(c, model, alias, to, 'rollback');
      return { model, alias, from: String(from), to: String(to) };
    });
  }

  async close(): Promise<void> {}
}
