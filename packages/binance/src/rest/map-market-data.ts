/**
 * Market-data payloads of both products mapped to the core `BookSnapshot`, `MarketTick`,
 * `MarkPriceTick` and `FundingRate`. Local receive times are passed in (time is injected,
 * DESIGN.md principle 2).
 *
 * @packageDocumentation
 */
import { BookSnapshot, FundingRate, MarketTick, MarkPriceTick, tickFigures, type Market } from '@chimera/core';
import { z } from 'zod';
import { VENUE_ID, type BinanceProduct } from './request.js';
import { OptionalWireDecimal, parseVenue, WireDecimal, WireTime } from './wire.js';

const MARKET: Record<BinanceProduct, Market> = { spot: 'SPOT', um: 'FUT' };

const Level = z.tuple([WireDecimal, WireDecimal]).rest(z.unknown());
const Depth = z.object({
  lastUpdateId: z.number().int().nonnegative(),
  E: WireTime.optional(),
  bids: z.array(Level),
  asks: z.array(Level),
});

/**
 * Maps `GET /api/v3/depth` or `GET /fapi/v1/depth` to a book snapshot. The body names no symbol,
 * so it is passed in. `sequence` is `lastUpdateId` (the anchor of the local-book sync rules,
 * BINANCE.md §7); `eventTime` is UM's `E` (Spot sends none).
 *
 * @param product - Which API answered.
 * @param symbol - The symbol that was asked for.
 * @param body - The decoded response body.
 * @param receiveTime - Local receive time, epoch ms (injected clock).
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseDepth(product: BinanceProduct, symbol: string, body: unknown, receiveTime: number): BookSnapshot {
  const d = parseVenue(Depth, body, `${product} depth`);
  const snapshot: Record<string, unknown> = {
    venue: VENUE_ID,
    market: MARKET[product],
    symbol,
    sequence: d.lastUpdateId,
    bids: d.bids.map(([price, qty]) => ({ price, qty })),
    asks: d.asks.map(([price, qty]) => ({ price, qty })),
    receiveTime,
  };
  if (d.E !== undefined) snapshot.eventTime = d.E;
  return parseVenue(BookSnapshot, snapshot, `${product} depth`);
}

const BookTicker = z.object({
  symbol: z.string(),
  bidPrice: WireDecimal,
  bidQty: WireDecimal,
  askPrice: WireDecimal,
  askQty: WireDecimal,
  time: WireTime.optional(),
});

/**
 * Maps `GET /api/v3/ticker/bookTicker` or `GET /fapi/v1/ticker/bookTicker` (one symbol) to a
 * normalised tick with the SPEC §2 figures (`tickFigures`). `eventTime` is UM's `time`; Spot
 * sends no time, so its `eventTime` is the receive time.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseBookTicker(product: BinanceProduct, body: unknown, receiveTime: number): MarketTick {
  const t = parseVenue(BookTicker, body, `${product} bookTicker`);
  return parseVenue(
    MarketTick,
    {
      venue: VENUE_ID,
      market: MARKET[product],
      symbol: t.symbol,
      bid: t.bidPrice,
      bidQty: t.bidQty,
      ask: t.askPrice,
      askQty: t.askQty,
      ...tickFigures(t.bidPrice, t.bidQty, t.askPrice, t.askQty),
      eventTime: t.time ?? receiveTime,
      receiveTime,
    },
    `${product} bookTicker`
  );
}

const PremiumIndex = z.object({
  symbol: z.string(),
  markPrice: WireDecimal,
  indexPrice: OptionalWireDecimal,
  lastFundingRate: WireDecimal,
  nextFundingTime: WireTime,
  time: WireTime,
});

/**
 * Maps `GET /fapi/v1/premiumIndex` (one symbol) to a mark-price tick: `fundingRate` is
 * `lastFundingRate` (the rate applied at `nextFundingTime`), `eventTime` is `time`.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseUmPremiumIndex(body: unknown, receiveTime: number): MarkPriceTick {
  const p = parseVenue(PremiumIndex, body, 'um premiumIndex');
  const tick: Record<string, unknown> = {
    venue: VENUE_ID,
    symbol: p.symbol,
    markPrice: p.markPrice,
    fundingRate: p.lastFundingRate,
    nextFundingTime: p.nextFundingTime,
    eventTime: p.time,
    receiveTime,
  };
  if (p.indexPrice !== undefined) tick.indexPrice = p.indexPrice;
  return parseVenue(MarkPriceTick, tick, 'um premiumIndex');
}

const FundingRow = z.object({ symbol: z.string(), fundingRate: WireDecimal, fundingTime: WireTime, markPrice: OptionalWireDecimal });

/**
 * Maps `GET /fapi/v1/fundingRate` to funding-rate rows, oldest first (an empty `markPrice`, as
 * old rows carry, is left out; `rateType`, added 2026-07-24, is ignored).
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseUmFundingRates(body: unknown): FundingRate[] {
  return parseVenue(z.array(FundingRow), body, 'um fundingRate')
    .sort((a, b) => a.fundingTime - b.fundingTime)
    .map((r) => {
      const row: Record<string, unknown> = { venue: VENUE_ID, symbol: r.symbol, fundingTime: r.fundingTime, rate: r.fundingRate };
      if (r.markPrice !== undefined) row.markPrice = r.markPrice;
      return parseVenue(FundingRate, row, 'um fundingRate');
    });
}

const ServerTime = z.object({ serverTime: WireTime });

/**
 * Reads `{ serverTime }` from `GET /api/v3/time` or `GET /fapi/v1/time`.
 * @returns The venue's time, epoch ms.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseServerTime(body: unknown): number {
  return parseVenue(ServerTime, body, 'server time').serverTime;
}
