/** One pino-style log method: `(obj, msg?)` or `(msg)`. */
export interface LogFn {
  (obj: object, msg?: string): void;
  (msg: string): void;
}

/**
 * The logging port (DESIGN.md principle 9): the subset of pino's API the SDK uses, so a pino
 * logger can be passed as is. The SDK prints nothing on its own; the default is {@link noopLogger}.
 */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  /** A logger whose records carry `bindings`. */
  child(bindings: Record<string, unknown>): Logger;
}

const noop = (): void => undefined;

/** A logger that drops everything. */
export const noopLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  fatal: noop,
  child: () => noopLogger,
};

/** Keys whose values are secrets wherever they appear (case-insensitive, substring). */
export const SECRET_KEY_PATTERN = /(api[-_]?key|secret|signature|passw(or)?d|token|passphrase|private[-_]?key|listen[-_]?key|authorization|x-mbx-apikey|x-max-(apikey|accesskey|signature|payload)|access[-_]?key)/i;

/** Replacement text for redacted values. */
export const REDACTED = '[REDACTED]';

// `signature=…`, `apiKey=…`, `"secret":"…"` inside free text such as URLs and error messages.
const INLINE_SECRET = /((?:api[-_]?key|secret|signature|passw(?:or)?d|token|listen[-_]?key|passphrase)["']?\s*[=:]\s*["']?)([^&"'\s,}]+)/gi;

/** Removes inline `key=value` secrets from a string (query strings, messages). */
export function redactString(text: string): string {
  return text.replace(INLINE_SECRET, `$1${REDACTED}`);
}

/**
 * Returns a deep copy of `value` with every secret-looking field replaced by `[REDACTED]` and
 * inline secrets stripped from strings. Cycles are cut; Errors become `{ name, message, code }`.
 */
export function redact(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: redactString(value.message) };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY_PATTERN.test(k) ? REDACTED : redact(v, seen);
  }
  return out;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/**
 * Wraps any pino-compatible logger so every record passes through {@link redact} first
 * (DESIGN.md principle 8). Every logger the SDK receives is wrapped this way.
 */
export function redactingLogger(target: Logger): Logger {
  const wrap = (level: (typeof LEVELS)[number]): LogFn =>
    ((objOrMsg: object | string, msg?: string) => {
      if (typeof objOrMsg === 'string') target[level](redactString(objOrMsg));
      else target[level](redact(objOrMsg) as object, msg === undefined ? undefined : redactString(msg));
    }) as LogFn;
  return {
    trace: wrap('trace'),
    debug: wrap('debug'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
    fatal: wrap('fatal'),
    child: (bindings) => redactingLogger(target.child(redact(bindings) as Record<string, unknown>)),
  };
}

/** One record captured by {@link MemoryLogger}. */
export interface LogRecord {
  level: (typeof LEVELS)[number];
  msg?: string;
  obj?: object;
  bindings: Record<string, unknown>;
}

/** A logger that keeps records in memory — for tests that assert what was (not) logged. */
export class MemoryLogger implements Logger {
  /** Every record, oldest first (shared with children). */
  readonly records: LogRecord[];
  constructor(
    private readonly bindings: Record<string, unknown> = {},
    records?: LogRecord[],
  ) {
    this.records = records ?? [];
  }
  private log(level: LogRecord['level']): LogFn {
    return ((objOrMsg: object | string, msg?: string) => {
      if (typeof objOrMsg === 'string') this.records.push({ level, msg: objOrMsg, bindings: this.bindings });
      else this.records.push({ level, obj: objOrMsg, msg, bindings: this.bindings });
    }) as LogFn;
  }
  trace = this.log('trace');
  debug = this.log('debug');
  info = this.log('info');
  warn = this.log('warn');
  error = this.log('error');
  fatal = this.log('fatal');
  child(bindings: Record<string, unknown>): Logger {
    return new MemoryLogger({ ...this.bindings, ...bindings }, this.records);
  }
  /** Everything logged, as one JSON string (for "no secret appears" assertions). */
  dump(): string {
    return JSON.stringify(this.records);
  }
}
