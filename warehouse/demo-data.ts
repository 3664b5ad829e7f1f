/**
 * Builds the demo warehouse (`duckml demo-data`): `user_activity` (generated, see
 * user-activity.ts) and `messages` (the SpamAssassin corpus, see spam-assassin.ts), in one DuckDB
 * file written beside its target and renamed into place, so a failed build leaves nothing behind
 * and the target exists only once complete (`duckml demo-data --if-missing` relies on that).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commit, removeQuietly, tempBeside } from './atomic';
import { openDuckDB, queryRows, sqlString } from './duckdb';
import { createMessagesTable, MESSAGE_COLUMNS } from './spam-assassin';
import { DEMO_DEFAULTS, USER_ACTIVITY_COLUMNS, userActivitySql, type UserActivityOptions } from './user-activity';
import { processAlive } from '../util/process';

export interface DemoDataOptions extends Partial<UserActivityOptions> {
  /** The DuckDB file to create or replace. */
  readonly path: string;
  /** Load the SpamAssassin `messages` table too (default true). */
  readonly messages?: boolean;
  readonly log?: (message: string) => void;
}

export interface DemoDataResult {
  readonly path: string;
  readonly userActivityRows: number;
  readonly users: number;
  readonly scammers: number;
  readonly messages: number;
  readonly seconds: { userActivity: number; messages: number; total: number };
}

export { DEMO_DEFAULTS };


/**
 * Removes what builds of `target` that were killed (SIGKILL, power loss) left beside it: temporaries
 * named by tempBeside() whose process is gone. They were never the warehouse, only lost disk space.
 */
export function removeAbandonedTemps(target: string): string[] {
  const dir = path.dirname(path.resolve(target));
  const prefix = `.${path.basename(target)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]{8}\.tmp/.exec(name.slice(prefix.length)) : null;
    if (!m || processAlive(Number(m[1]))) continue;
    removeQuietly(path.join(dir, name));
    removed.push(name);
  }
  return removed;
}

export async function buildDemoWarehouse(opts: DemoDataOptions): Promise<DemoDataResult> {
  const o: UserActivityOptions = {
    rows: opts.rows ?? DEMO_DEFAULTS.rows,
    days: opts.days ?? DEMO_DEFAULTS.days,
    seed: opts.seed ?? DEMO_DEFAULTS.seed,
    scamRate: opts.scamRate ?? DEMO_DEFAULTS.scamRate,
    startDate: opts.startDate ?? DEMO_DEFAULTS.startDate,
  };
  const statements = userActivitySql(o); // validates the options before anything is written
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  removeAbandonedTemps(opts.path);
  const tmp = tempBeside(opts.path, '.duckdb');
  const db = await openDuckDB(tmp);
  let closed = false;
  try {
    log(`generating user_activity: ${o.rows.toLocaleString('en-US')} rows (${o.days} days per user, seed ${o.seed})…`);
    for (const s of statements) await db.conn.run(s);
    for (const c of USER_ACTIVITY_COLUMNS) await db.conn.run(`COMMENT ON COLUMN user_activity.${c.name} IS ${sqlString(c.meaning)}`);
    await db.conn.run(`COMMENT ON TABLE user_activity IS ${sqlString('duckml demo data: per-user daily behaviour with an is_scammer label (see warehouse/user-activity.ts).')}`);
    const t1 = performance.now();
    const [stats] = await queryRows(db.conn, `SELECT count(*) AS n, count(DISTINCT user_id) AS users, count(DISTINCT user_id) FILTER (WHERE is_scammer = 1) AS scammers FROM user_activity`);
    let messages = 0;
    if (opts.messages !== false) {
      log('loading the SpamAssassin corpus into messages…');
      messages = await createMessagesTable(db.conn);
      for (const c of MESSAGE_COLUMNS) await db.conn.run(`COMMENT ON COLUMN messages."${c.name}" IS ${sqlString(c.meaning)}`);
      await db.conn.run(`COMMENT ON TABLE messages IS ${sqlString('SpamAssassin public corpus with SQL-computed message features (see warehouse/spam-assassin.ts).')}`);
    }
    const t2 = performance.now();
    await db.conn.run('CHECKPOINT');
    db.close();
    closed = true;
    removeQuietly(`${tmp}.wal`);
    // A write-ahead log left by an older file at the target would be replayed into the new one.
    removeQuietly(`${opts.path}.wal`);
    commit(tmp, opts.path);
    const t3 = performance.now();
    return {
      path: opts.path,
      userActivityRows: Number(stats!.n),
      users: Number(stats!.users),
      scammers: Number(stats!.scammers),
      messages,
      seconds: { userActivity: (t1 - t0) / 1000, messages: (t2 - t1) / 1000, total: (t3 - t0) / 1000 },
    };
  } catch (e) {
    if (!closed) db.close();
    removeQuietly(tmp);
    removeQuietly(`${tmp}.wal`);
    throw e;
  } finally {
    if (fs.existsSync(`${tmp}.wal`)) removeQuietly(`${tmp}.wal`);
  }
}
