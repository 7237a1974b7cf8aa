/**
 * The local order book a Binance depth stream keeps in sync: the core `OrderBook`, fed the
 * scanner's numeric levels when it can take them.
 *
 * @packageDocumentation
 */
import { OrderBook, type BookLevels, type BookSide } from '@chimera/core';
import { DepthUpdateFrame } from './frames.js';

/**
 * The numeric entry of the core book: `applyNumeric(side, price, qty)` with the semantics of
 * `apply` for numbers the caller parsed exactly. Core does not ship it yet; when it does, every
 * {@link BinanceDepthBook} uses it without a change here (the string path stays the fallback).
 */
interface NumericBook {
  applyNumeric(side: BookSide, price: number, qty: number): boolean;
}

/** Whether the core book takes numeric levels (the fast path of {@link BinanceDepthBook}). */
export const NUMERIC_BOOK_PATH = typeof (OrderBook.prototype as unknown as Partial<NumericBook>).applyNumeric === 'function';

/**
 * An `OrderBook` whose `applyDiff` takes a {@link DepthUpdateFrame}'s levels as the numbers the
 * scanner already parsed, skipping the string → number conversion that dominates book updates.
 * Frames with a level the scanner could not read exactly, and every other input, take the
 * string path of the core book. Pass one as `book` to `BookSync`.
 */
export class BinanceDepthBook extends OrderBook {
  override applyDiff(diff: BookLevels): boolean {
    if (!NUMERIC_BOOK_PATH || !(diff instanceof DepthUpdateFrame) || !diff.exact) return super.applyDiff(diff);
    // A direct method call in a plain loop: monomorphic, so the JIT inlines it.
    const book = this as unknown as NumericBook;
    let changed = false;
    const bids = diff.bidNums;
    for (let i = 0; i < bids.length; i += 2) if (book.applyNumeric('bid', bids[i]!, bids[i + 1]!)) changed = true;
    const asks = diff.askNums;
    for (let i = 0; i < asks.length; i += 2) if (book.applyNumeric('ask', asks[i]!, asks[i + 1]!)) changed = true;
    return changed;
  }
}
