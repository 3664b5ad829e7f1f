/**
 * The `user_activity` demo table: one row per user per day, ~30 behaviour features and an
 * `is_scammer` label (~2 % of users). Everything is generated inside DuckDB from `range()` with
 * seeded hash-based randomness, so 1M rows take seconds and the same seed gives the same table.
 *
 * How the data behaves (so models have something real to find, but no single feature gives it
 * away): each user has a latent activity level; ~6 % of honest users are "power users" (sellers,
 * community managers) who message, add contacts and share links as much as scammers do. Scammers
 * come in three styles — aggressive (scam on ~80 % of days), careful (~50 %, at half intensity)
 * and sleepers (~20 %) — and on their other days behave like honest users, apart from slower-
 * moving traits (young or hijacked accounts, unverified contacts, payment failures, VPN hopping,
 * night use).
 */

/** One documented column: its SQL type, meaning, and the expression that generates it. */
export interface ColumnDoc {
  readonly name: string;
  readonly type: 'VARCHAR' | 'DATE' | 'INTEGER' | 'DOUBLE';
  readonly meaning: string;
  /** Generation stage: expressions may use columns of earlier stages. */
  readonly stage: number;
  readonly sql: string;
}

// Helpers, as DuckDB macros created by userActivitySql():
//   _u(key, tag)   uniform [0,1) from hash(key, tag, seed); tags are strings here, integers in SQL
//   _z(key, tag)   standard normal (Box–Muller)
//   _geom(m, p)    geometric count with mean m (over-dispersed like real activity counts)
// Per-user latents (users CTE): _scam, _style, _si (scam intensity), _power, _act, _age0, _country,
// _channel, _device, _email, _phone, _complete, _followers, _following.
// Per-row latents: _sd (a scamming day), _active.

export const USER_ACTIVITY_COLUMNS: readonly ColumnDoc[] = [
  { name: 'user_id', type: 'VARCHAR', stage: 0, meaning: 'User identifier (u0000000…).', sql: `'u' || lpad(u::VARCHAR, 7, '0')` },
  { name: 'day', type: 'DATE', stage: 0, meaning: 'Calendar day the row summarizes.', sql: `START_DATE + d` },
  { name: 'country', type: 'VARCHAR', stage: 0, meaning: 'Country of registration (ISO code).', sql: '_country' },
  { name: 'signup_channel', type: 'VARCHAR', stage: 0, meaning: 'How the user signed up: organic, referral, paid_ads, social, partner.', sql: '_channel' },
  { name: 'device_type', type: 'VARCHAR', stage: 0, meaning: 'Main device: android, ios, desktop, tablet, other; NULL when unknown (~0.3 %).', sql: '_device' },
  { name: 'account_age_days', type: 'INTEGER', stage: 0, meaning: 'Days since the account was created, on this day.', sql: '_age0 + d' },
  { name: 'email_verified', type: 'INTEGER', stage: 0, meaning: '1 when the e-mail address is verified.', sql: '_email' },
  { name: 'phone_verified', type: 'INTEGER', stage: 0, meaning: '1 when the phone number is verified.', sql: '_phone' },
  { name: 'profile_completeness', type: 'DOUBLE', stage: 0, meaning: 'Share of profile fields filled in, 0–1; NULL when not computed (~0.5 %).', sql: '_complete' },
  { name: 'followers_count', type: 'INTEGER', stage: 0, meaning: 'Followers on this day.', sql: `_followers + (d * _followers / 200)::INTEGER` },
  { name: 'following_count', type: 'INTEGER', stage: 0, meaning: 'Accounts the user follows on this day.', sql: `_following + (d * _following / 150)::INTEGER` },
  { name: 'sessions', type: 'INTEGER', stage: 1, meaning: 'Sessions started this day.', sql: `CASE WHEN _active OR _sd THEN 1 + _geom(1.8 * _act * (CASE WHEN _sd THEN 1.6 ELSE 1 END), _u(i, 'r.sess')) ELSE 0 END` },
  { name: 'avg_session_min', type: 'DOUBLE', stage: 2, meaning: 'Mean session length in minutes; 0 without sessions.', sql: `CASE WHEN sessions = 0 THEN 0 ELSE round(exp(ln(CASE WHEN _power THEN 9 ELSE 7 END) + 0.7 * _z(i, 'r.slen')), 2) END` },
  { name: 'time_on_platform_min', type: 'DOUBLE', stage: 3, meaning: 'Minutes on the platform this day.', sql: `round(sessions * avg_session_min * (0.8 + 0.4 * _u(i, 'r.time')), 2)` },
  { name: 'messages_sent', type: 'INTEGER', stage: 2, meaning: 'Direct messages sent.', sql: `CASE WHEN sessions = 0 THEN 0 ELSE _geom(_act * (CASE WHEN _sd THEN 22 * _si WHEN _power THEN 26 ELSE 4 END), _u(i, 'r.msent')) END` },
  { name: 'distinct_recipients', type: 'INTEGER', stage: 3, meaning: 'Distinct users messaged.', sql: `CASE WHEN messages_sent = 0 THEN 0 ELSE least(messages_sent, 1 + _geom(messages_sent * (CASE WHEN _sd THEN 0.6 WHEN _power THEN 0.45 ELSE 0.25 END), _u(i, 'r.drec'))) END` },
  { name: 'new_contacts', type: 'INTEGER', stage: 4, meaning: 'Recipients messaged for the first time.', sql: `least(distinct_recipients, _geom(distinct_recipients * (CASE WHEN _sd THEN 0.55 WHEN _power THEN 0.3 ELSE 0.08 END), _u(i, 'r.newc')))` },
  { name: 'messages_received', type: 'INTEGER', stage: 3, meaning: 'Direct messages received.', sql: `_geom(messages_sent * (CASE WHEN _sd THEN 0.35 ELSE 0.9 END) + (CASE WHEN sessions > 0 THEN 1.5 * _act ELSE 0.3 END), _u(i, 'r.mrec'))` },
  { name: 'reply_rate', type: 'DOUBLE', stage: 4, meaning: 'Share of received conversations the user answered, 0–1; NULL when nothing was received.', sql: `CASE WHEN messages_received = 0 THEN NULL ELSE round(least(1, greatest(0, (CASE WHEN _sd THEN 0.4 ELSE 0.68 END) + 0.2 * _z(i, 'r.reply'))), 3) END` },
  { name: 'avg_message_length', type: 'DOUBLE', stage: 3, meaning: 'Mean characters per sent message; NULL when none was sent.', sql: `CASE WHEN messages_sent = 0 THEN NULL ELSE round(exp(ln(CASE WHEN _sd THEN 95 ELSE 55 END) + 0.6 * _z(i, 'r.mlen')), 1) END` },
  { name: 'sentiment_score', type: 'DOUBLE', stage: 3, meaning: 'Mean sentiment of sent messages, −1 (negative) to 1 (positive); NULL when none was sent. Scam pitches run friendly.', sql: `CASE WHEN messages_sent = 0 THEN NULL ELSE round(least(1, greatest(-1, (CASE WHEN _sd THEN 0.3 ELSE 0.1 END) + 0.3 * _z(i, 'r.sent'))), 3) END` },
  { name: 'links_shared', type: 'INTEGER', stage: 2, meaning: 'Links posted in messages or posts.', sql: `CASE WHEN sessions = 0 THEN 0 ELSE _geom(CASE WHEN _sd THEN 2.2 * _si WHEN _power THEN 1.8 ELSE 0.25 END, _u(i, 'r.links')) END` },
  { name: 'external_domains', type: 'INTEGER', stage: 3, meaning: 'Distinct external domains among shared links.', sql: `CASE WHEN links_shared = 0 THEN 0 ELSE least(links_shared, 1 + _geom(CASE WHEN _sd THEN 1.2 ELSE 0.35 END, _u(i, 'r.dom'))) END` },
  { name: 'reports_received', type: 'INTEGER', stage: 1, meaning: 'Abuse reports filed against the user.', sql: `_geom(CASE WHEN _sd THEN 0.25 * _si WHEN _power THEN 0.05 ELSE 0.01 END, _u(i, 'r.rep'))` },
  { name: 'blocks_received', type: 'INTEGER', stage: 1, meaning: 'Users who blocked this user.', sql: `_geom(CASE WHEN _sd THEN 0.35 * _si WHEN _power THEN 0.08 ELSE 0.02 END, _u(i, 'r.block'))` },
  { name: 'friend_requests_sent', type: 'INTEGER', stage: 1, meaning: 'Friend / connection requests sent.', sql: `_geom(CASE WHEN _sd THEN 3.5 * _si WHEN _power THEN 1.2 ELSE 0.3 END, _u(i, 'r.freq'))` },
  { name: 'payment_attempts', type: 'INTEGER', stage: 1, meaning: 'In-app payments attempted.', sql: `_geom(CASE WHEN _scam THEN 0.4 ELSE 0.15 END, _u(i, 'r.pay'))` },
  { name: 'failed_payments', type: 'INTEGER', stage: 2, meaning: 'Payment attempts declined.', sql: `CASE WHEN payment_attempts = 0 THEN 0 ELSE least(payment_attempts, _geom(payment_attempts * (CASE WHEN _scam THEN 0.35 ELSE 0.06 END), _u(i, 'r.fail'))) END` },
  { name: 'payment_amount_usd', type: 'DOUBLE', stage: 2, meaning: 'Total amount of attempted payments, USD.', sql: `CASE WHEN payment_attempts = 0 THEN 0 ELSE round(payment_attempts * exp(ln(CASE WHEN _scam THEN 45 ELSE 25 END) + 0.9 * _z(i, 'r.amt')), 2) END` },
  { name: 'login_failures', type: 'INTEGER', stage: 1, meaning: 'Failed log-in attempts.', sql: `_geom(CASE WHEN _scam THEN 0.3 ELSE 0.08 END, _u(i, 'r.login'))` },
  { name: 'ip_changes', type: 'INTEGER', stage: 1, meaning: 'Changes of IP address / network between sessions.', sql: `_geom(CASE WHEN _scam THEN 1.0 ELSE 0.25 END, _u(i, 'r.ip'))` },
  { name: 'night_activity_ratio', type: 'DOUBLE', stage: 2, meaning: 'Share of activity between 00:00 and 06:00 local time, 0–1; NULL without sessions.', sql: `CASE WHEN sessions = 0 THEN NULL ELSE round(least(1, greatest(0, (CASE WHEN _scam THEN 0.24 ELSE 0.1 END) + 0.12 * _z(i, 'r.night'))), 3) END` },
  { name: 'profile_edits', type: 'INTEGER', stage: 1, meaning: 'Edits to profile name, photo or bio.', sql: `_geom(CASE WHEN _scam THEN 0.12 ELSE 0.04 END, _u(i, 'r.edit'))` },
  { name: 'is_scammer', type: 'INTEGER', stage: 0, meaning: 'Label: 1 when the user was confirmed as a scammer (per user, constant over days).', sql: '_scam::INTEGER' },
];

/** Weighted categorical choice from a uniform: `CASE WHEN x < 0.3 THEN 'US' … END`. */
function choose(x: string, weighted: readonly [string, number][]): string {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  const arms = weighted.slice(0, -1).map(([v, w]) => {
    acc += w / total;
    return `WHEN ${x} < ${acc.toFixed(6)} THEN '${v}'`;
  });
  return `CASE ${arms.join(' ')} ELSE '${weighted[weighted.length - 1]![0]}' END`;
}

const COUNTRIES: [string, number][] = [['US', 30], ['IN', 12], ['BR', 8], ['GB', 7], ['DE', 6], ['FR', 5], ['NG', 3], ['PH', 4], ['ID', 4], ['MX', 4], ['CA', 4], ['RU', 3], ['VN', 3], ['GH', 1], ['RO', 2], ['JP', 4]];
// Scammers come from everywhere, somewhat more often from a few places.
const SCAM_COUNTRIES: [string, number][] = [['US', 18], ['IN', 12], ['BR', 6], ['GB', 5], ['NG', 14], ['PH', 9], ['ID', 7], ['RU', 8], ['VN', 7], ['GH', 6], ['RO', 5], ['MX', 3]];
const CHANNELS: [string, number][] = [['organic', 45], ['referral', 20], ['paid_ads', 20], ['social', 12], ['partner', 3]];
const SCAM_CHANNELS: [string, number][] = [['organic', 35], ['referral', 10], ['paid_ads', 30], ['social', 24], ['partner', 1]];
const DEVICES: [string, number][] = [['android', 45], ['ios', 35], ['desktop', 15], ['tablet', 4], ['other', 1]];
const SCAM_DEVICES: [string, number][] = [['android', 45], ['ios', 15], ['desktop', 30], ['tablet', 2], ['other', 8]];

/** `duckml demo-data` defaults. */
export const DEMO_DEFAULTS = { rows: 1_000_000, days: 30, seed: 42, scamRate: 0.02, startDate: '2025-01-01' } as const;

export interface UserActivityOptions {
  /** Total rows (users × days). */
  readonly rows: number;
  /** Days per user (rows are numbered user-major). */
  readonly days: number;
  readonly seed: number;
  /** Share of users who are scammers. */
  readonly scamRate: number;
  /** First day, YYYY-MM-DD. */
  readonly startDate: string;
}

/** Statements that create the macros and the `user_activity` table. */
export function userActivitySql(o: UserActivityOptions): string[] {
  if (!Number.isSafeInteger(o.rows) || o.rows < 1) throw new Error(`user_activity: rows must be a positive integer, got ${o.rows}.`);
  if (!Number.isSafeInteger(o.days) || o.days < 1) throw new Error(`user_activity: days must be a positive integer, got ${o.days}.`);
  if (!Number.isSafeInteger(o.seed)) throw new Error(`user_activity: seed must be an integer, got ${o.seed}.`);
  if (!(o.scamRate > 0 && o.scamRate < 1)) throw new Error(`user_activity: scamRate must be between 0 and 1, got ${o.scamRate}.`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.startDate)) throw new Error(`user_activity: startDate must be YYYY-MM-DD, got '${o.startDate}'.`);
  const users = Math.ceil(o.rows / o.days);
  const macros = [
    `CREATE OR REPLACE TEMP MACRO _u(k, tag) AS ((hash(k, tag, ${o.seed}::BIGINT) >> 11)::DOUBLE / 9007199254740992.0)`,
    `CREATE OR REPLACE TEMP MACRO _z(k, tag) AS (sqrt(-2.0 * ln(1.0 - _u(k, 2 * tag::BIGINT))) * cos(2.0 * pi() * _u(k, 2 * tag::BIGINT + 1)))`,
    `CREATE OR REPLACE TEMP MACRO _geom(m, p) AS (CASE WHEN m <= 0 THEN 0 ELSE floor(ln(1.0 - p) / ln(m / (1.0 + m)))::INTEGER END)`,
  ];
  const usersCte = `
    SELECT u,
      _u(u, 'u.scam') < ${o.scamRate} AS _scam,
      CASE WHEN NOT _scam THEN 'none' WHEN _u(u, 'u.style') < 0.5 THEN 'aggressive' WHEN _u(u, 'u.style') < 0.8 THEN 'sleeper' ELSE 'careful' END AS _style,
      CASE _style WHEN 'aggressive' THEN 1.0 WHEN 'sleeper' THEN 0.8 ELSE 0.5 END AS _si,
      CASE _style WHEN 'aggressive' THEN 0.8 WHEN 'sleeper' THEN 0.2 WHEN 'careful' THEN 0.5 ELSE 0 END AS _scam_days,
      NOT _scam AND _u(u, 'u.power') < 0.06 AS _power,
      exp(0.6 * _z(u, 'u.act')) AS _act,
      -- About a third of scammers work from bought or hijacked aged accounts.
      greatest(0, exp(CASE WHEN _scam AND _u(u, 'u.hijack') >= 0.35 THEN ln(40) + 1.2 * _z(u, 'u.age') ELSE ln(360) + 1.2 * _z(u, 'u.age') END))::INTEGER AS _age0,
      CASE WHEN _scam AND _u(u, 'u.cmix') < 0.6 THEN ${choose(`_u(u, 'u.country')`, SCAM_COUNTRIES)} ELSE ${choose(`_u(u, 'u.country')`, COUNTRIES)} END AS _country,
      CASE WHEN _scam THEN ${choose(`_u(u, 'u.channel')`, SCAM_CHANNELS)} ELSE ${choose(`_u(u, 'u.channel')`, CHANNELS)} END AS _channel,
      CASE WHEN _u(u, 'u.devnull') < 0.003 THEN NULL WHEN _scam THEN ${choose(`_u(u, 'u.device')`, SCAM_DEVICES)} ELSE ${choose(`_u(u, 'u.device')`, DEVICES)} END AS _device,
      (_u(u, 'u.email') < CASE WHEN _scam THEN 0.62 ELSE 0.9 END)::INTEGER AS _email,
      (_u(u, 'u.phone') < CASE WHEN _scam THEN 0.3 ELSE 0.68 END)::INTEGER AS _phone,
      CASE WHEN _u(u, 'u.cnull') < 0.005 THEN NULL ELSE round(CASE WHEN _scam THEN 0.15 + 0.7 * pow(_u(u, 'u.complete'), 1.3) ELSE 1 - 0.8 * pow(_u(u, 'u.complete'), 1.8) END, 3) END AS _complete,
      _geom(CASE WHEN _power THEN 900 WHEN _scam THEN 25 ELSE 90 END * _act, _u(u, 'u.followers')) AS _followers,
      _geom(CASE WHEN _scam THEN 350 WHEN _power THEN 400 ELSE 110 END, _u(u, 'u.following')) AS _following
    FROM range(${users}) t(u)`;
  const rowsCte = `
    SELECT i, (i // ${o.days})::BIGINT AS u, (i % ${o.days})::INTEGER AS d FROM range(${o.rows}) t(i)`;
  const latentCte = `
    SELECT r.i, r.d, users.*,
      users._scam AND _u(r.i, 'r.scamday') < users._scam_days AS _sd,
      _u(r.i, 'r.active') < CASE WHEN users._scam THEN 0.85 ELSE 0.5 + 0.35 * least(users._act, 1.5) / 1.5 END AS _active
    FROM rows r JOIN users USING (u)`;
  const maxStage = Math.max(...USER_ACTIVITY_COLUMNS.map((c) => c.stage));
  let from = 'latent';
  const stages: string[] = [];
  for (let s = 0; s <= maxStage; s++) {
    const cols = USER_ACTIVITY_COLUMNS.filter((c) => c.stage === s).map((c) => `${c.sql.replace('START_DATE', `DATE '${o.startDate}'`)} AS ${c.name}`);
    stages.push(`stage${s} AS (SELECT *, ${cols.join(', ')} FROM ${from})`);
    from = `stage${s}`;
  }
  const select = USER_ACTIVITY_COLUMNS.map((c) => `CAST(${c.name} AS ${c.type}) AS ${c.name}`).join(', ');
  // No ORDER BY: rows come out user-major because DuckDB preserves insertion order from range()
  // through the join's probe side, and sorting 1M wide rows would triple the time.
  const table = `CREATE OR REPLACE TABLE user_activity AS
    WITH users AS (${usersCte}), rows AS (${rowsCte}), latent AS (${latentCte}), ${stages.join(', ')}
    SELECT ${select} FROM ${from}`;
  // Draw tags are written as readable strings above; integers hash faster (~1.5× overall).
  return [...macros, table].map((sql) => sql.replace(/'([ur]\.[a-z]+)'/g, (_, tag: string) => String(tagId(tag))));
}

/** A stable integer for a draw tag (FNV-1a, 31 bits). */
function tagId(tag: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < tag.length; i++) h = Math.imul(h ^ tag.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 1;
}
