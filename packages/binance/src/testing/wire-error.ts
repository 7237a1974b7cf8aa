/**
 * Binance's error answers as the local exchange sends them: an HTTP status and the JSON body
 * `{ code, msg }` with Binance's own codes and messages (BINANCE.md §9).
 *
 * @packageDocumentation
 */

/** One Binance error answer. Thrown inside the local exchange's handlers and written as is. */
export class BinanceWireError extends Error {
  /** HTTP status of the answer (400 for most request errors, 401 for key errors). */
  readonly status: number;
  /** Binance error code, e.g. `-1021`. */
  readonly code: number;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Record<string, string>;

  /**
   * @param status - HTTP status.
   * @param code - Binance error code.
   * @param msg - Binance's message (becomes `message` and the body's `msg`).
   * @param headers - Extra response headers.
   */
  constructor(status: number, code: number, msg: string, headers: Record<string, string> = {}) {
    super(msg);
    this.name = 'BinanceWireError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  /** The JSON body Binance sends: `{ code, msg }`. */
  body(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

/** `-1102`: a mandatory parameter is missing or empty. */
export function mandatory(name: string): BinanceWireError {
  return new BinanceWireError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
}

/** `-1100`: a parameter has characters outside its legal range. */
export function illegal(name: string, range: string): BinanceWireError {
  return new BinanceWireError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '${range}'.`);
}

/** `-1106`: a parameter was sent that this order type does not take. */
export function notRequired(name: string): BinanceWireError {
  return new BinanceWireError(400, -1106, `Parameter '${name}' sent when not required.`);
}

/** `-1121`: the symbol is not listed. */
export function invalidSymbol(): BinanceWireError {
  return new BinanceWireError(400, -1121, 'Invalid symbol.');
}
