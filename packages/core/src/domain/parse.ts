import type { z } from 'zod';
import { ValidationError, type FieldIssue } from '../errors.js';

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
