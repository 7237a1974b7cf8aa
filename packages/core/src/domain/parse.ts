import type { z } from 'zod';
import { ValidationError, VenueError, type FieldIssue } from '../errors.js';

/** Converts zod issues into the SDK's `FieldIssue` list (dotted paths, `(root)` for the top). */
export function toFieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return { path: path === '' ? '(root)' : path, message: issue.message };
  });
}

/**
 * Parses `input` with `schema`, or throws a {@link ValidationError} (status 400) whose message
 * names every failed field.
 *
 * @param what - what is being parsed, for the message (e.g. `intent`).
 * @throws ValidationError on any shape failure.
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = toFieldIssues(result.error);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ValidationError(`invalid ${what}: ${summary}`, issues, { details: { what } });
}

/**
 * Parses a venue's payload (REST body or WebSocket message) with `schema` — the adapters'
 * boundary check, so a changed venue API fails loudly instead of yielding `undefined`s.
 *
 * @param venue - venue id for the message, e.g. `binance`.
 * @param what - what the payload is, e.g. `spot order`.
 * @throws VenueError `UNEXPECTED_RESPONSE` (status 502, not retryable) naming every field that
 *   does not match.
 */
export function parseVenuePayload<S extends z.ZodType>(venue: string, schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = toFieldIssues(result.error);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new VenueError(`unexpected ${venue} ${what} payload: ${summary}`, {
    code: 'UNEXPECTED_RESPONSE',
    status: 502,
    retryable: false,
    details: { what, issues },
  });
}

/**
 * Throws the error of {@link parseVenuePayload} for a payload that parsed but cannot be mapped
 * (an unknown enum value, a missing pair of fields).
 * @throws VenueError `UNEXPECTED_RESPONSE` (status 502).
 */
export function unexpectedVenuePayload(venue: string, what: string, path: string, message: string): never {
  throw new VenueError(`unexpected ${venue} ${what} payload: ${path}: ${message}`, {
    code: 'UNEXPECTED_RESPONSE',
    status: 502,
    retryable: false,
    details: { what, issues: [{ path, message }] },
  });
}
