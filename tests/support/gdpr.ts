// Helpers for the GDPR tests: a customer who writes in through the real webhook, the whole
// database searched for a value (every text-like column of every table, found through
// information_schema so a table added later cannot escape), and zip archives read back.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import { createDb } from '../../server/db/knex';
import type { ApiClient } from './client';
import { eventually } from './eventually';
import { inbound, postWebhook, type TestChannel } from './whatsapp';

/** Sends `texts` as a customer (number `waId`, profile name `name`) and waits for them to be stored; returns the conversation. */
export async function customerWrites(baseUrl: string, reader: ApiClient, channel: TestChannel, waId: string, name: string, texts: string[]) {
  for (const body of texts) {
    const status = await postWebhook(baseUrl, channel.appSecret, inbound(channel, waId, { type: 'text', text: { body } }, name));
    if (status !== 200) {
      throw new Error(`webhook answered ${status}`);
    }
  }
  const conversation = await eventually('the conversation', async () => (await reader.get(`/api/v1/conversations?q=${waId}&view=all`)).body.items?.[0]);
  await eventually('every message stored', async () => (await reader.get(`/api/v1/conversations/${conversation.id}/messages`)).body.items?.length >= texts.length);
  return conversation as { id: string; contact: { id: string } };
}

export type Trace = { schema: string; table: string; column: string; needle: string };

// Column types whose values can hold a customer's text: text-like, JSON, arrays of them, tsvector.
const TEXTUAL = ['text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED', 'tsvector'];

/**
 * Every place in the database where any needle is found: each text, varchar, json(b), array and
 * tsvector column of every table (partitions included) of every non-system schema, listed from
 * information_schema at the time of the call. tsvector columns are matched with the needle's
 * words as a query (their text form is lexemes), the rest by case-insensitive substring.
 */
export async function findTraces(superuserUrl: string, needles: string[]): Promise<Trace[]> {
  const db = createDb(superuserUrl, 1);
  try {
    const columns = await db.raw<{ rows: Array<{ table_schema: string; table_name: string; column_name: string; data_type: string }> }>(
      `SELECT c.table_schema, c.table_name, c.column_name, c.data_type
         FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.table_schema NOT LIKE 'pg_toast%' AND t.table_type = 'BASE TABLE'
          AND c.data_type = ANY(?)`,
      [TEXTUAL],
    );
    const found: Trace[] = [];
    for (const c of columns.rows) {
      for (const needle of needles) {
        const tsvector = c.data_type === 'tsvector';
        const where = tsvector ? '?? @@ plainto_tsquery(\'simple\', ?)' : 'CAST(?? AS text) ILIKE ?';
        const value = tsvector ? needle : `%${needle.replace(/[%_\\]/g, '\\$&')}%`;
        const hit = await db.raw(`SELECT 1 FROM ??.?? WHERE ${where} LIMIT 1`, [c.table_schema, c.table_name, c.column_name, value]);
        if (hit.rows.length > 0) {
          found.push({ schema: c.table_schema, table: c.table_name, column: c.column_name, needle });
        }
      }
    }
    return found;
  } finally {
    await db.destroy();
  }
}

/** How many tables and partitions findTraces searches (a test checks partitions are among them). */
export async function searchedTables(superuserUrl: string): Promise<string[]> {
  const db = createDb(superuserUrl, 1);
  try {
    const r = await db.raw<{ rows: Array<{ name: string }> }>(
      `SELECT DISTINCT c.table_schema || '.' || c.table_name AS name FROM information_schema.columns c JOIN information_schema.tables t
         ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND t.table_type = 'BASE TABLE' AND c.data_type = ANY(?)`,
      [TEXTUAL],
    );
    return r.rows.map((x) => x.name);
  } finally {
    await db.destroy();
  }
}

/** Every file under a directory (recursively) whose bytes contain any needle (UTF-8). */
export async function filesContaining(dir: string, needles: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        await walk(p);
      } else {
        const bytes = await readFile(p);
        if (needles.some((n) => bytes.includes(Buffer.from(n, 'utf8')))) {
          out.push(p);
        }
      }
    }
  };
  await walk(dir);
  return out;
}

/** Downloads a path as bytes with the client's session. */
export async function downloadBytes(client: ApiClient, baseUrl: string, p: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(baseUrl + p, { headers: { cookie: client.cookieHeader() ?? '' } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** The entries of a zip, by path. */
export function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) {
        reject(err ?? new Error('no zip'));
        return;
      }
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) {
            reject(e ?? new Error('no stream'));
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
