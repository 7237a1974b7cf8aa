/**
 * Account payloads of both products mapped to the core `Position`, `Balance`, `Fill` and
 * `FundingIncome`, plus the answers of the UM settings endpoints.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { Balance, Fill, FundingIncome, Position, UnsupportedError } from '@chimera/core';
import { z } from 'zod';
import { VENUE_ID } from './request.js';
import { isPositive, isZero, nonNegativeDifference, parseVenue, unexpected, WireDecimal, WireId, WireTime } from './wire.js';

/** A private big.js constructor, so a host's global big.js settings cannot change the inference. */
const D = Big();

/** A UM symbol's margin settings: what `positionRisk` v3 no longer reports. */
export interface UmSymbolSettings {
  /** Initial leverage, 1–125. */
  leverage: number;
  /** Margin type of the symbol. */
  marginType: 'ISOLATED' | 'CROSSED';
}

const SymbolConfig = z.object({ symbol: z.string(), marginType: z.enum(['ISOLATED', 'CROSSED']), leverage: z.number().int().positive() });

/**
 * Maps `GET /fapi/v1/symbolConfig` to settings per symbol.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseUmSymbolConfigs(body: unknown): Map<string, UmSymbolSettings> {
  const rows = parseVenue(z.array(SymbolConfig), body, 'um symbolConfig');
  return new Map(rows.map((r) => [r.symbol, { leverage: r.leverage, marginType: r.marginType }]));
}

const PositionRow = z.object({
  symbol: z.string(),
  positionSide: z.string(),
  positionAmt: WireDecimal,
  entryPrice: WireDecimal,
  markPrice: WireDecimal,
  unRealizedProfit: WireDecimal,
  liquidationPrice: WireDecimal,
  isolatedWallet: WireDecimal,
  notional: WireDecimal,
  positionInitialMargin: WireDecimal,
  updateTime: WireTime,
});
type PositionRow = z.infer<typeof PositionRow>;

/** Reads leverage and margin type off a non-flat v3 row, when no symbol settings are given. */
function inferSettings(row: PositionRow): UmSymbolSettings | undefined {
  if (isZero(row.positionAmt) || !isPositive(row.positionInitialMargin)) return undefined;
  // positionInitialMargin = |notional| / leverage; leverage is an integer.
  const leverage = Number(new D(row.notional).abs().div(row.positionInitialMargin).round(0, D.roundHalfUp).toFixed());
  if (!Number.isSafeInteger(leverage) || leverage < 1) return undefined;
  return { leverage, marginType: isPositive(row.isolatedWallet) ? 'ISOLATED' : 'CROSSED' };
}

/**
 * Maps `GET /fapi/v3/positionRisk` to core positions (one-way mode).
 *
 * v3 carries no leverage or margin type: they come from `settings` (see
 * {@link parseUmSymbolConfigs}); for a symbol missing there and an open position they are read
 * off the row (`leverage = |notional| / positionInitialMargin`, ISOLATED when `isolatedWallet`
 * is positive). `qty` is the signed `positionAmt`; `isolatedMargin` (isolated only) is the
 * assigned margin `isolatedWallet`; a `0` liquidation price is left out. Flat rows (symbols with
 * open orders only) are returned too; callers filter them.
 *
 * @param body - The decoded response body.
 * @param settings - Leverage and margin type per symbol (recommended).
 * @throws UnsupportedError for Hedge Mode rows (`positionSide` LONG/SHORT): the core models
 *   one-way positions.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape, or when a symbol's settings are
 *   neither given nor inferable (a flat row).
 */
export function parseUmPositions(body: unknown, settings: ReadonlyMap<string, UmSymbolSettings> = new Map()): Position[] {
  const what = 'um positionRisk';
  const rows = parseVenue(z.array(PositionRow), body, what);
  return rows.map((row) => {
    if (row.positionSide !== 'BOTH') {
      throw new UnsupportedError(`binance um account is in Hedge Mode (positionSide ${row.positionSide}); the SDK models one-way positions`, {
        details: { venue: VENUE_ID, symbol: row.symbol, positionSide: row.positionSide },
      });
    }
    const s = settings.get(row.symbol) ?? inferSettings(row) ?? unexpected(what, `${row.symbol}`, 'leverage and margin type unknown: pass symbolConfig settings');
    const position: Record<string, unknown> = {
      venue: VENUE_ID,
      market: 'FUT',
      symbol: row.symbol,
      qty: row.positionAmt,
      entryPrice: row.entryPrice,
      markPrice: row.markPrice,
      unrealizedPnl: row.unRealizedProfit,
      leverage: s.leverage,
      marginType: s.marginType,
      updatedAt: row.updateTime,
    };
    if (s.marginType === 'ISOLATED') position.isolatedMargin = row.isolatedWallet;
    if (isPositive(row.liquidationPrice)) position.liquidationPrice = row.liquidationPrice;
    return parseVenue(Position, position, what);
  });
}

const UmBalanceRow = z.object({ asset: z.string(), balance: WireDecimal, availableBalance: WireDecimal });

/**
 * Maps `GET /fapi/v3/balance` to FUT balances: `free` = `availableBalance` (usable for orders and
 * transfers out), `locked` = `balance − availableBalance` floored at 0 (margin in use). Assets
 * whose wallet balance and available balance are both zero are left out.
 *
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseUmBalances(body: unknown): Balance[] {
  return parseVenue(z.array(UmBalanceRow), body, 'um balance')
    .filter((r) => !(isZero(r.balance) && isZero(r.availableBalance)))
    .map((r) =>
      parseVenue(
        Balance,
        { venue: VENUE_ID, market: 'FUT', asset: r.asset, free: r.availableBalance, locked: nonNegativeDifference(r.balance, r.availableBalance) },
        'um balance'
      )
    );
}

const SpotAccount = z.object({ balances: z.array(z.object({ asset: z.string(), free: WireDecimal, locked: WireDecimal })) });

/**
 * Maps `GET /api/v3/account` to SPOT balances (assets with a non-zero total).
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseSpotBalances(body: unknown): Balance[] {
  return parseVenue(SpotAccount, body, 'spot account')
    .balances.filter((b) => !(isZero(b.free) && isZero(b.locked)))
    .map((b) => parseVenue(Balance, { venue: VENUE_ID, market: 'SPOT', asset: b.asset, free: b.free, locked: b.locked }, 'spot account'));
}

const IncomeRow = z.object({ symbol: z.string(), incomeType: z.string(), income: WireDecimal, asset: z.string(), time: WireTime, tranId: WireId });

/**
 * Maps `GET /fapi/v1/income` to funding payments: rows of type FUNDING_FEE in `asset` (default
 * USDT, the core's unit), oldest first. Other income types are skipped.
 *
 * @param options - `asset`: the margin asset to keep (default `USDT`).
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseUmFundingIncome(body: unknown, options: { asset?: string } = {}): FundingIncome[] {
  const asset = options.asset ?? 'USDT';
  return parseVenue(z.array(IncomeRow), body, 'um income')
    .filter((r) => r.incomeType === 'FUNDING_FEE' && r.asset === asset && r.symbol !== '')
    .sort((a, b) => a.time - b.time)
    .map((r) => parseVenue(FundingIncome, { venue: VENUE_ID, symbol: r.symbol, fundingTime: r.time, amount: r.income, tranId: r.tranId }, 'um income'));
}

/**
 * How trade lists find each fill's client order id, which Binance's trade lists omit: a map
 * from venue order id to client order id (e.g. from the orders just queried). Without an entry
 * the fill's `clientOrderId` is the venue order id, so it is never empty.
 */
export type ClientOrderIdLookup = ReadonlyMap<string, string>;

const SpotTrade = z.object({
  symbol: z.string(),
  id: WireId,
  orderId: WireId,
  price: WireDecimal,
  qty: WireDecimal,
  commission: WireDecimal,
  commissionAsset: z.string(),
  time: WireTime,
  isBuyer: z.boolean(),
  isMaker: z.boolean(),
});

/**
 * Maps `GET /api/v3/myTrades` to fills (side from `isBuyer`), oldest first.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseSpotTrades(body: unknown, clientOrderIds: ClientOrderIdLookup = new Map()): Fill[] {
  return parseVenue(z.array(SpotTrade), body, 'spot myTrades')
    .sort((a, b) => a.time - b.time)
    .map((t) =>
      parseVenue(
        Fill,
        {
          venue: VENUE_ID,
          market: 'SPOT',
          symbol: t.symbol,
          tradeId: t.id,
          venueOrderId: t.orderId,
          clientOrderId: clientOrderIds.get(t.orderId) ?? t.orderId,
          side: t.isBuyer ? 'BUY' : 'SELL',
          price: t.price,
          qty: t.qty,
          fee: t.commission,
          feeAsset: t.commissionAsset,
          isMaker: t.isMaker,
          ts: t.time,
        },
        'spot myTrades'
      )
    );
}

const UmTrade = z.object({
  symbol: z.string(),
  id: WireId,
  orderId: WireId,
  side: z.enum(['BUY', 'SELL']),
  price: WireDecimal,
  qty: WireDecimal,
  commission: WireDecimal,
  commissionAsset: z.string(),
  time: WireTime,
  maker: z.boolean(),
});

/**
 * Maps `GET /fapi/v1/userTrades` to fills, oldest first.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseUmTrades(body: unknown, clientOrderIds: ClientOrderIdLookup = new Map()): Fill[] {
  return parseVenue(z.array(UmTrade), body, 'um userTrades')
    .sort((a, b) => a.time - b.time)
    .map((t) =>
      parseVenue(
        Fill,
        {
          venue: VENUE_ID,
          market: 'FUT',
          symbol: t.symbol,
          tradeId: t.id,
          venueOrderId: t.orderId,
          clientOrderId: clientOrderIds.get(t.orderId) ?? t.orderId,
          side: t.side,
          price: t.price,
          qty: t.qty,
          fee: t.commission,
          feeAsset: t.commissionAsset,
          isMaker: t.maker,
          ts: t.time,
        },
        'um userTrades'
      )
    );
}

const LeverageResult = z.object({ symbol: z.string(), leverage: z.number().int().positive(), maxNotionalValue: WireDecimal });

/**
 * Reads the answer of `POST /fapi/v1/leverage`.
 * @returns `{ symbol, leverage, maxNotionalValue }` (USDT).
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape.
 */
export function parseUmLeverageResult(body: unknown): { symbol: string; leverage: number; maxNotionalValue: string } {
  return parseVenue(LeverageResult, body, 'um leverage');
}

const MarginTypeResult = z.object({ code: z.union([z.number(), z.string()]), msg: z.string() });

/**
 * Checks the answer of `POST /fapi/v1/marginType` (`{ code: 200, msg: "success" }`). "Already
 * set" arrives as an error (`-4046`) and is turned into success by `mapBinanceError`.
 * @throws VenueError (`UNEXPECTED_RESPONSE`) on another shape or code.
 */
export function parseUmMarginTypeResult(body: unknown): void {
  const r = parseVenue(MarginTypeResult, body, 'um marginType');
  if (String(r.code) !== '200') unexpected('um marginType', 'code', `expected 200, got ${r.code}: ${r.msg}`);
}
