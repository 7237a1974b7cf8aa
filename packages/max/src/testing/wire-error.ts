/**
 * An error the local MAX exchange answers with: an HTTP status and MAX's error envelope
 * `{"success": false, "error": {"code": …, "message": …}}` (VENUES.md A.3), codes from ccxt's MAX
 * table.
 *
 * @packageDocumentation
 */

/** A refusal in MAX's terms. */
export class MaxWireError extends Error {
  /**
   * @param httpStatus - The HTTP status to answer with.
   * @param code - MAX's error code (undefined: the envelope carries none, e.g. a 429).
   * @param message - The text of the envelope.
   */
  constructor(
    readonly httpStatus: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'MaxWireError';
  }

  /** The JSON body MAX sends. */
  body(): { success: false; error: { code?: number; message: string } } {
    return { success: false, error: this.code === undefined ? { message: this.message } : { code: this.code, message: this.message } };
  }
}

/** The refusals the local exchange uses, by name. */
export const maxErrors = {
  /** 1001: a parameter is missing or malformed. */
  invalidParameter: (what: string): MaxWireError => new MaxWireError(400, 1001, `invalid parameter: ${what}`),
  /** 2001: authentication headers are missing. */
  unauthorized: (what: string): MaxWireError => new MaxWireError(401, 2001, `authorization error: ${what}`),
  /** 2002: the order could not be created. */
  createOrder: (what: string): MaxWireError => new MaxWireError(422, 2002, `create order error: ${what}`),
  /** 2004: no such order (or not open, for a cancel). */
  orderNotFound: (): MaxWireError => new MaxWireError(404, 2004, 'order not found'),
  /** 2005: the signature does not match the payload. */
  badSignature: (): MaxWireError => new MaxWireError(401, 2005, 'incorrect signature'),
  /** 2006: the nonce was used before. */
  nonceUsed: (): MaxWireError => new MaxWireError(401, 2006, 'the nonce has already been used'),
  /** 2007: the nonce is 30 s or more from the server's clock. */
  nonceWindow: (): MaxWireError => new MaxWireError(401, 2007, 'the nonce is invalid (30 seconds difference from server time)'),
  /** 2008: unknown access key. */
  badAccessKey: (): MaxWireError => new MaxWireError(401, 2008, 'invalid access key'),
  /** 2014: the payload does not describe the request that carries it. */
  badPayload: (what: string): MaxWireError => new MaxWireError(401, 2014, `incorrect payload: ${what}`),
  /** 2016: below the market's minimum amount or cost. */
  amountTooSmall: (what: string): MaxWireError => new MaxWireError(422, 2016, `amount too small: ${what}`),
  /** 2018: not enough funds to lock. */
  insufficientFunds: (): MaxWireError => new MaxWireError(422, 2018, 'cannot lock funds'),
  /** 2036: the `client_oid` was used within 24 hours. */
  duplicateClientOid: (): MaxWireError => new MaxWireError(422, 2036, 'client_oid has already been used'),
  /** 4000: no such resource (unknown route). */
  notFound: (path: string): MaxWireError => new MaxWireError(404, 4000, `resource not found: ${path}`),
  /** 5999: an unexpected server failure. */
  server: (): MaxWireError => new MaxWireError(500, 5999, 'server error'),
};
