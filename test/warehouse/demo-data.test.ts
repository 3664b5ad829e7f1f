/** The demo warehouse: documented schema, plausible (not trivial) scammer behaviour, seeded, atomic. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { buildDemoWarehouse } from '../../warehouse/demo-data';
import { openDuckDB, queryRows, type Db } from '../../warehouse/duckdb';
import { MESSAGE_COLUMNS } from '../../warehouse/spam-assassin';
import { USER_ACTIVITY_COLUMNS } from '../../warehouse/user-activity';

let dir: string;
let file: string;
let db: Db;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-demo-'));
  file = path.join(dir, 'wh.duckdb');
  // 20,000 users × 1 day: enough scammers (~400) for stable statistics, quick to build.
  await buildDemoWarehouse({ path: file, rows: 20_000, days: 1, seed: 11, messages: false });
  db = await openDuckDB(file, { readOnly: true });
});
afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const one = async (sql: string) => (await queryRows(db.conn, sql))[0]!;

describe('user_activity', () => {
  test('has exactly the documented columns, types and comments', async () => {
    const cols = await queryRows(db.conn, `SELECT column_name AS name, data_type AS type, comment FROM duckdb_columns() WHERE table_name = 'user_activity' ORDER BY column_index`);
    expect(cols.map((c) => [c.name, c.type])).toEqual(USER_ACTIVITY_COLUMNS.map((c) => [c.name, c.type]));
    expect(cols.map((c) => c.comment)).toEqual(USER_ACTIVITY_COLUMNS.map((c) => c.meaning));
    expect(USER_ACTIVITY_COLUMNS.length - 3).toBeGreaterThanOrEqual(30); // features besides user_id, day, is_scammer
  });

  test('one row per user per day, ~2 % scammers, constant per user', async () => {
    const r = await one(`SELECT count(*) AS n, count(DISTINCT user_id) AS users, avg(is_scammer) AS rate FROM user_activity`);
    expect(r.n).toBe(20_000);
    expect(r.users).toBe(20_000);
    expect(r.rate).toBeGreaterThan(0.015);
    expect(r.rate).toBeLessThan(0.025);
    const multi = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-demo-days-'));
    try {
      const f = path.join(multi, 'w.duckdb');
      const res = await buildDemoWarehouse({ path: f, rows: 3000, days: 30, seed: 11, messages: false, startDate: '2024-02-01' });
      expect(res).toMatchObject({ userActivityRows: 3000, users: 100 });
      const d = await openDuckDB(f, { readOnly: true });
      const [x] = await queryRows(d.conn, `SELECT count(DISTINCT day) AS days, min(day)::VARCHAR AS first, max(n) AS labels_per_user FROM user_activity, (SELECT user_id AS u, count(DISTINCT is_scammer) AS n FROM user_activity GROUP BY 1) WHERE u = user_id`);
      d.close();
      expect(x).toEqual({ days: 30, first: '2024-02-01', labels_per_user: 1 });
    } finally {
      fs.rmSync(multi, { recursive: true, force: true });
    }
  });

  test('realistic missing values: reply_rate only when something was received, rare nulls elsewhere', async () => {
    const r = await one(`SELECT count(*) FILTER (WHERE reply_rate IS NULL AND messages_received > 0) AS bad,
      avg((reply_rate IS NULL)::INT) AS reply_null, avg((profile_completeness IS NULL)::INT) AS pc_null, avg((device_type IS NULL)::INT) AS dev_null,
      count(*) FILTER (WHERE sentiment_score < -1 OR sentiment_score > 1 OR night_activity_ratio > 1) AS out_of_range
      FROM user_activity`);
    expect(r.bad).toBe(0);
    expect(r.out_of_range).toBe(0);
    expect(r.reply_null).toBeGreaterThan(0.05);
    expect(r.pc_null).toBeGreaterThan(0);
    expect(r.pc_null).toBeLessThan(0.02);
    expect(r.dev_null).toBeLessThan(0.02);
  });

  test('scammers differ plausibly but no single feature separates them', async () => {
    const r = await one(`SELECT
      avg(new_contacts) FILTER (WHERE is_scammer = 1) / avg(new_contacts) FILTER (WHERE is_scammer = 0) AS contacts_ratio,
      median(account_age_days) FILTER (WHERE is_scammer = 1) < median(account_age_days) FILTER (WHERE is_scammer = 0) AS younger,
      avg(sentiment_score) FILTER (WHERE is_scammer = 1) > avg(sentiment_score) FILTER (WHERE is_scammer = 0) AS friendlier
      FROM user_activity`);
    expect(r.contacts_ratio).toBeGreaterThan(2);
    expect(r).toMatchObject({ younger: true, friendlier: true });
    // Single-feature ROC AUC (rank statistic) for every numeric feature.
    const numeric = USER_ACTIVITY_COLUMNS.filter((c) => (c.type === 'INTEGER' || c.type === 'DOUBLE') && c.name !== 'is_scammer');
    const aucs: number[] = [];
    for (const c of numeric) {
      const a = await one(`WITH t AS (SELECT is_scammer AS y, rank() OVER (ORDER BY coalesce(${c.name}, -1e9)) + (count(*) OVER (PARTITION BY coalesce(${c.name}, -1e9)) - 1) / 2.0 AS rk FROM user_activity)
        SELECT (sum(rk) FILTER (WHERE y = 1) - count(*) FILTER (WHERE y = 1) * (count(*) FILTER (WHERE y = 1) + 1) / 2.0) / (count(*) FILTER (WHERE y = 1) * count(*) FILTER (WHERE y = 0)) AS auc FROM t`);
      aucs.push(Math.max(Number(a.auc), 1 - Number(a.auc)));
    }
    expect(Math.max(...aucs)).toBeGreaterThan(0.7); // there is signal…
    expect(Math.max(...aucs)).toBeLessThan(0.9); // …but no giveaway column
    expect(aucs.filter((x) => x > 0.6).length).toBeGreaterThanOrEqual(8); // spread over many features
  });

  test('the same seed gives the same table; another seed another one', async () => {
    const fingerprint = async (f: string) => {
      const d = await openDuckDB(f, { readOnly: true });
      const [r] = await queryRows(d.conn, `SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY user_id, day)) AS h FROM user_activity t`);
      d.close();
      return r!.h;
    };
    const again = path.join(dir, 'again.duckdb');
    const other = path.join(dir, 'other.duckdb');
    await buildDemoWarehouse({ path: again, rows: 20_000, days: 1, seed: 11, messages: false });
    await buildDemoWarehouse({ path: other, rows: 20_000, days: 1, seed: 12, messages: false });
    expect(await fingerprint(again)).toBe(await fingerprint(file));
    expect(await fingerprint(other)).not.toBe(await fingerprint(file));
  });

  test('bad options fail before anything is written; a rebuild replaces the file atomically', async () => {
    const target = path.join(dir, 'atomic', 'w.duckdb');
    await expect(buildDemoWarehouse({ path: target, rows: 0, messages: false })).rejects.toThrow(/rows must be a positive integer, got 0/);
    await expect(buildDemoWarehouse({ path: target, rows: 10, scamRate: 2, messages: false })).rejects.toThrow(/scamRate must be between 0 and 1/);
    expect(fs.existsSync(target)).toBe(false);
    await buildDemoWarehouse({ path: target, rows: 500, days: 1, messages: false });
    await buildDemoWarehouse({ path: target, rows: 700, days: 1, messages: false });
    const d = await openDuckDB(target, { readOnly: true });
    const [r] = await queryRows(d.conn, 'SELECT count(*) AS n FROM user_activity');
    d.close();
    expect(r!.n).toBe(700);
    expect(fs.readdirSync(path.dirname(target))).toEqual(['w.duckdb']);
  });
});

describe('messages (SpamAssassin corpus)', () => {
  test('loads the whole real corpus with SQL features that tell spam from ham', async () => {
    const target = path.join(dir, 'with-messages.duckdb');
    const res = await buildDemoWarehouse({ path: target, rows: 100, days: 1, messages: true });
    expect(res.messages).toBe(6046);
    const d = await openDuckDB(target, { readOnly: true });
    try {
      const cols = await queryRows(d.conn, `SELECT column_name AS name, data_type AS type FROM duckdb_columns() WHERE table_name = 'messages' ORDER BY column_index`);
      expect(cols.map((c) => [c.name, c.type])).toEqual(MESSAGE_COLUMNS.map((c) => [c.name, c.type]));
      const [r] = await queryRows(
        d.conn,
        `SELECT count(*) AS n, count(DISTINCT message_id) AS ids, sum(is_spam) AS spam, count(DISTINCT "group") AS groups,
           avg(html) FILTER (WHERE is_spam = 1) > avg(html) FILTER (WHERE is_spam = 0) AS spam_html,
           avg(spam_words) FILTER (WHERE is_spam = 1) > avg(spam_words) FILTER (WHERE is_spam = 0) AS spam_words,
           avg(is_reply) FILTER (WHERE is_spam = 0) > avg(is_reply) FILTER (WHERE is_spam = 1) AS ham_replies,
           count(*) FILTER (WHERE subject = '') AS no_subject
         FROM messages`,
      );
      expect(r).toMatchObject({ n: 6046, ids: 6046, groups: 5, spam_html: true, spam_words: true, ham_replies: true });
      expect(r!.spam).toBeGreaterThan(1800);
      expect(r!.spam).toBeLessThan(2000);
      expect(r!.no_subject).toBeLessThan(100);
    } finally {
      d.close();
    }
  });
});

describe('duckml demo-data', () => {
  test('builds the warehouse where --warehouse says and reports it', async () => {
    const target = path.join(dir, 'cli', 'w.duckdb');
    const out: string[] = [];
    const write = process.stdout.write;
    const errWrite = process.stderr.write;
    process.stdout.write = ((s: string) => out.push(s)) as never;
    process.stderr.write = (() => true) as never;
    let code: number;
    try {
      code = await main(['demo-data', '--warehouse', `duckdb://${target}`, '--rows', '2_000', '--days', '2', '--seed', '5', '--no-messages']);
    } finally {
      process.stdout.write = write;
      process.stderr.write = errWrite;
    }
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/user_activity\s+2,000 rows, 1,000 users/);
    expect(fs.existsSync(target)).toBe(true);
  });

  test('--if-missing builds a missing warehouse once; a build killed halfway never counts as present', async () => {
    const target = path.join(dir, 'if-missing', 'w.duckdb');
    const uri = `duckdb://${target}`;
    // A build killed mid-way (SIGKILL: no cleanup runs) leaves only its temporary, never the target.
    const child = spawn(process.execPath, [path.join(__dirname, '../../bin/duckml.js'), 'demo-data', '--warehouse', uri, '--rows', '20_000_000', '--no-messages'], { stdio: 'ignore' });
    const temps = () => (fs.existsSync(path.dirname(target)) ? fs.readdirSync(path.dirname(target)).filter((f) => f.startsWith('.w.duckdb.')) : []);
    try {
      for (let waited = 0; temps().length === 0; waited += 50) {
        if (waited > 60_000 || child.exitCode !== null) throw new Error(`demo-data wrote no temporary file (exit ${child.exitCode})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 300)); // well into generating 20M rows
    } finally {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    }
    expect(fs.existsSync(target)).toBe(false);
    expect(temps().length).toBeGreaterThan(0);

    const cli = async (args: string[]) => {
      const out: string[] = [];
      const [write, errWrite] = [process.stdout.write, process.stderr.write];
      process.stdout.write = ((s: string) => out.push(s)) as never;
      process.stderr.write = ((s: string) => out.push(s)) as never;
      try {
        return { code: await main(['demo-data', '--warehouse', uri, '--rows', '300', '--days', '1', '--no-messages', ...args]), out: out.join('') };
      } finally {
        process.stdout.write = write;
        process.stderr.write = errWrite;
      }
    };
    const built = await cli(['--if-missing']);
    expect(built).toMatchObject({ code: 0, out: expect.stringMatching(/built .*w\.duckdb\n\s+user_activity\s+300 rows/) });
    // The killed build's leftovers (its process is gone) were cleared away.
    expect(fs.readdirSync(path.dirname(target))).toEqual(['w.duckdb']);
    const before = fs.statSync(target);
    const again = await cli(['--if-missing', '--rows', '900']);
    expect(again).toEqual({ code: 0, out: expect.stringMatching(/w\.duckdb is already built; kept as it is \(--if-missing\)/) });
    const after = fs.statSync(target);
    expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);
    const d = await openDuckDB(target, { readOnly: true });
    const [r] = await queryRows(d.conn, 'SELECT count(*) AS n FROM user_activity');
    d.close();
    expect(r!.n).toBe(300);
    // Without the flag it is rebuilt.
    expect((await cli(['--rows', '400'])).code).toBe(0);
    expect(fs.statSync(target).ino).not.toBe(before.ino);
  });

  test('bad options are usage errors', async () => {
    const err: string[] = [];
    const errWrite = process.stderr.write;
    process.stderr.write = ((s: string) => err.push(s)) as never;
    try {
      expect(await main(['demo-data', '--rows', 'many'])).toBe(2);
      expect(await main(['demo-data', '--warehouse', 'bq://some-project'])).toBe(2);
      expect(await main(['demo-data', '--warehouse', `duckdb://${dir}`, '--if-missing'])).toBe(2);
    } finally {
      process.stderr.write = errWrite;
    }
    expect(err.join('')).toMatch(/--rows must be an integer ≥ 1, got 'many'/);
    expect(err.join('')).toMatch(/not a duckdb:\/\/ URI/);
    expect(err.join('')).toMatch(/is a folder, not a DuckDB file; remove it, or pass --warehouse duckdb:\/\/PATH naming a file/);
  });
});
