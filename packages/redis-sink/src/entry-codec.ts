import type { EventPayload } from '@chimera/core';

/**
 * The one field every entry the sink writes carries: the payload as JSON. One field keeps entries
 * readable from any language (`XRANGE key - +` → `data` → JSON) and the payload's own types
 * (numbers, nested objects) intact; the entry id's millisecond part is the server's append time,
 * while the event's own time travels in the payload (`ts`, epoch ms).
 */
export const DATA_FIELD = 'data';

/** One stream entry as read back. */
export interface StreamEntry {
  /** Stream entry id (`<ms>-<seq>`). */
  id: string;
  /** Every field of the entry, as strings. */
  fields: Record<string, string>;
  /**
   * The decoded `data` field, when the entry has one holding a JSON object; `undefined` for entries
   * written by something else (the fields are still there).
   */
  payload?: EventPayload;
}

/** Decodes one entry from its id and flat `[field, value, …]` list. */
export function decodeEntry(id: string, flat: readonly unknown[]): StreamEntry {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
  const entry: StreamEntry = { id, fields };
  const data = fields[DATA_FIELD];
  if (data !== undefined) {
    try {
      const parsed: unknown = JSON.parse(data);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) entry.payload = parsed as EventPayload;
    } catch {
      // Not JSON: a foreign producer's entry. The raw fields are still returned.
    }
  }
  return entry;
}

/**
 * Decodes a raw entry list (`XRANGE`, one stream of `XREADGROUP`, the claimed entries of
 * `XAUTOCLAIM`): `[[id, [field, value, …]], …]`. Entries whose fields are `nil` (deleted while
 * pending, Redis < 7) come back with no fields.
 */
export function decodeEntries(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: StreamEntry[] = [];
  for (const item of raw) {
    if (!Array.isArray(item) || item.length < 1) continue;
    out.push(decodeEntry(String(item[0]), Array.isArray(item[1]) ? item[1] : []));
  }
  return out;
}

/**
 * Decodes an `XREAD`/`XREADGROUP` reply into per-stream entry lists. Accepts the RESP2 shape
 * (`[[stream, entries], …]`), and the RESP3 shapes node-redis produces (a `Map` or a plain object
 * keyed by stream). `null` (a blocking read that timed out) gives an empty map.
 */
export function decodeReadReply(raw: unknown): Map<string, StreamEntry[]> {
  const out = new Map<string, StreamEntry[]>();
  if (raw === null || raw === undefined) return out;
  if (Array.isArray(raw)) {
    for (const s of raw) if (Array.isArray(s)) out.set(String(s[0]), decodeEntries(s[1]));
  } else if (raw instanceof Map) {
    for (const [k, v] of raw) out.set(String(k), decodeEntries(v));
  } else if (typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) out.set(k, decodeEntries(v));
  }
  return out;
}
