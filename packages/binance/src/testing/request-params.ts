/**
 * Reading a Binance request's parameters the way Binance does: query string and
 * `application/x-www-form-urlencoded` body merged (the query wins on a clash), values checked
 * against Binance's legal ranges with Binance's error codes.
 *
 * @packageDocumentation
 */
import { BinanceWireError, illegal, mandatory } from './wire-error.js';

/** Binance's legal range for decimal parameters (price, quantity, stopPrice …). */
export const DECIMAL_RANGE = '^([0-9]{1,20})(\\.[0-9]{1,20})?$';
const DECIMAL = new RegExp(DECIMAL_RANGE);
const INTEGER = /^\d{1,20}$/;

/** The parameters of one request, read with Binance's validation rules. */
export class RequestParams {
  private readonly values: Map<string, string>;

  /**
   * @param query - Raw query string (without `?`).
   * @param body - Raw form body, if any.
   */
  constructor(query: string, body: string) {
    this.values = new Map();
    for (const [k, v] of new URLSearchParams(body)) this.values.set(k, v);
    // Query parameters take precedence over body parameters (Binance "SIGNED endpoint" rules).
    for (const [k, v] of new URLSearchParams(query)) this.values.set(k, v);
  }

  /** Whether the parameter was sent with a non-empty value. */
  has(name: string): boolean {
    const v = this.values.get(name);
    return v !== undefined && v !== '';
  }

  /** The value, or undefined when absent or empty (Binance treats empty as not sent). */
  opt(name: string): string | undefined {
    const v = this.values.get(name);
    return v === undefined || v === '' ? undefined : v;
  }

  /** The value. @throws BinanceWireError `-1102` when missing. */
  req(name: string): string {
    const v = this.opt(name);
    if (v === undefined) throw mandatory(name);
    return v;
  }

  /** A decimal parameter. @throws BinanceWireError `-1102` (missing, when required) or `-1100`. */
  decimal(name: string, required: true): string;
  decimal(name: string, required?: false): string | undefined;
  decimal(name: string, required = false): string | undefined {
    const v = required ? this.req(name) : this.opt(name);
    if (v !== undefined && !DECIMAL.test(v)) throw illegal(name, DECIMAL_RANGE);
    return v;
  }

  /** A non-negative integer parameter. @throws BinanceWireError `-1102` or `-1100`. */
  int(name: string, required: true): number;
  int(name: string, required?: false): number | undefined;
  int(name: string, required = false): number | undefined {
    const v = required ? this.req(name) : this.opt(name);
    if (v === undefined) return undefined;
    if (!INTEGER.test(v)) throw illegal(name, '^[0-9]{1,20}$');
    return Number(v);
  }

  /** A `true`/`false` parameter (default false). @throws BinanceWireError `-1100` on anything else. */
  bool(name: string): boolean {
    const v = this.opt(name);
    if (v === undefined) return false;
    if (v !== 'true' && v !== 'false' && v !== 'TRUE' && v !== 'FALSE') throw illegal(name, '^(true|false)$');
    return v.toLowerCase() === 'true';
  }

  /**
   * One of a set of values.
   * @throws BinanceWireError `-1102` when missing (if required) or `code`/`msg` when not in the set.
   */
  oneOf<T extends string>(name: string, allowed: readonly T[], code: number, msg: string, required = true): T | undefined {
    const v = required ? this.req(name) : this.opt(name);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) throw new BinanceWireError(400, code, msg);
    return v as T;
  }

  /** Every parameter name that was sent. */
  names(): string[] {
    return [...this.values.keys()];
  }
}
