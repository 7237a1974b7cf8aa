import { createHash } from 'node:crypto';

/**
 * Mapping between natural keys and ArangoDB `_key`s, and between domain records and stored
 * documents.
 *
 * ArangoDB allows 1–254 bytes of `[A-Za-z0-9_\-:.@()+,=;$!*'%]` in a `_key`. The core's natural
 * keys (`orderKey`, `fillKey` …) use only those characters in practice, so they are stored as they
 * are and stay readable in the database. A caller-chosen part (a trade id, a `transfer_id` of up to
 * 128 arbitrary characters) may contain others, e.g. `/` or a space; those are percent-encoded as
 * UTF-8, and `%` itself is encoded too so that the mapping stays one-to-one.
 */

/** Characters ArangoDB accepts in `_key`, except `%`, which {@link toDocumentKey} reserves for escapes. */
const PLAIN_KEY_CHAR = /[A-Za-z0-9_\-:.@()+,=;$!*']/;

/** Longest `_key` ArangoDB accepts, in bytes (all characters of an encoded key are one byte). */
export const MAX_KEY_LENGTH = 254;

// A key too long after encoding keeps a readable head and ends in `!` + the SHA-256 of the natural
// key, so it stays deterministic (idempotent writes) and unique in practice.
const HASHED_HEAD_LENGTH = MAX_KEY_LENGTH - 1 - 64;

/**
 * The `_key` for a natural key: the key itself when every character is allowed, otherwise with
 * the others (and `%`) percent-encoded; longer than 254 bytes → head + `!` + SHA-256 hex.
 *
 * @param naturalKey - a non-empty natural key (from `@chimera/core`'s key builders).
 * @throws RangeError when `naturalKey` is empty (ArangoDB has no empty keys).
 */
export function toDocumentKey(naturalKey: string): string {
  if (naturalKey.length === 0) throw new RangeError('a document key cannot be empty');
  let out = '';
  for (const ch of naturalKey) {
    if (PLAIN_KEY_CHAR.test(ch)) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  if (out.length <= MAX_KEY_LENGTH) return out;
  const digest = createHash('sha256').update(naturalKey, 'utf8').digest('hex');
  return `${out.slice(0, HASHED_HEAD_LENGTH)}!${digest}`;
}

/** Attributes the store adds to a record when it writes it (ArangoDB's own and `_seq`). */
export const SYSTEM_ATTRIBUTES = ['_key', '_id', '_rev', '_oldRev', '_seq'] as const;

/**
 * The stored form of a record: the record plus its `_key`, and `_seq` for append-only logs (an
 * insertion sequence that orders events with equal timestamps in write order).
 */
export function toDocument(record: object, key: string, seq?: number): Record<string, unknown> & { _key: string } {
  return seq === undefined ? { ...record, _key: key } : { ...record, _key: key, _seq: seq };
}

/** The domain record of a stored document: the document without the attributes the store or ArangoDB added. */
export function fromDocument<T>(doc: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (!(SYSTEM_ATTRIBUTES as readonly string[]).includes(k)) out[k] = v;
  }
  return out as T;
}
