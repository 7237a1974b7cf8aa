/**
 * SPOT ↔ USDⓈ-M wallet transfers as data (BINANCE.md §4e): `POST /sapi/v1/asset/transfer` with
 * type `MAIN_UMFUTURE` or `UMFUTURE_MAIN`, and its history. These live on the Spot host and are
 * signed like Spot requests.
 *
 * @packageDocumentation
 */
import { DECIMAL_PATTERN, type Market } from '@chimera/core';
import { intParam, invalid, windowParams } from './order-common.js';
import type { BinanceRequest } from './request.js';

/** Binance universal-transfer types for the two directions the SDK moves money. */
export type UniversalTransferType = 'MAIN_UMFUTURE' | 'UMFUTURE_MAIN';

/**
 * The transfer type of a direction: SPOT→FUT is `MAIN_UMFUTURE`, FUT→SPOT is `UMFUTURE_MAIN`.
 * @throws ValidationError (`INVALID_TRANSFER`) when both markets are the same.
 */
export function transferType(from: Market, to: Market): UniversalTransferType {
  if (from === 'SPOT' && to === 'FUT') return 'MAIN_UMFUTURE';
  if (from === 'FUT' && to === 'SPOT') return 'UMFUTURE_MAIN';
  return invalid('INVALID_TRANSFER', 'to', `no transfer from ${from} to ${to}`);
}

/** What {@link buildUniversalTransfer} moves. */
export interface UniversalTransferInput {
  /** Asset, e.g. `USDT`. */
  asset: string;
  /** Amount of `asset`, a positive decimal string. */
  amount: string;
  /** Source wallet. */
  from: Market;
  /** Destination wallet. */
  to: Market;
}

/**
 * `POST /sapi/v1/asset/transfer`: moves an asset between the Spot and UM wallets. Binance has
 * no client id for it, so an unknown outcome is settled from the history. The API key needs
 * "Permits Universal Transfer". UID weight 900 (`uidWeight`); no IP weight is documented.
 *
 * @throws ValidationError (`INVALID_TRANSFER`) on the same market twice, a bad asset or amount.
 */
export function buildUniversalTransfer(input: UniversalTransferInput): BinanceRequest {
  const type = transferType(input.from, input.to);
  if (!/^[A-Z0-9]{2,}$/.test(input.asset)) invalid('INVALID_TRANSFER', 'asset', 'expected an uppercase asset like "USDT"');
  if (!DECIMAL_PATTERN.test(input.amount) || /^-/.test(input.amount) || /^0(\.0+)?$/.test(input.amount)) {
    invalid('INVALID_TRANSFER', 'amount', 'expected a positive decimal string');
  }
  return {
    method: 'POST',
    path: '/sapi/v1/asset/transfer',
    params: { type, asset: input.asset, amount: input.amount },
    weight: 0,
    uidWeight: 900,
    signed: true,
    kind: 'write',
    product: 'spot',
  };
}

/** Filters of {@link buildUniversalTransferHistory}. */
export interface TransferHistoryQuery {
  /** Window start, epoch ms. Without a window Binance returns the last 7 days (6 months kept). */
  startTime?: number;
  /** Window end, epoch ms. */
  endTime?: number;
  /** Page, from 1 (Binance default 1). */
  current?: number;
  /** Rows per page, 1–100 (Binance default 10; 100 here). */
  size?: number;
}

/** `GET /sapi/v1/asset/transfer?type=…`: transfers of one direction (`{ total, rows }`). Weight 1. */
export function buildUniversalTransferHistory(from: Market, to: Market, query: TransferHistoryQuery = {}): BinanceRequest {
  const params: Record<string, string> = { type: transferType(from, to), ...windowParams(query) };
  if (query.current !== undefined) params.current = intParam('current', query.current, 1, 1_000_000);
  params.size = intParam('size', query.size ?? 100, 1, 100);
  return { method: 'GET', path: '/sapi/v1/asset/transfer', params, weight: 1, signed: true, kind: 'read', product: 'spot' };
}
