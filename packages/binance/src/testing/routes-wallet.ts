/**
 * The wallet endpoints of the local exchange (BINANCE.md §4e): universal transfers between the
 * Spot and USDⓈ-M wallets (`MAIN_UMFUTURE`, `UMFUTURE_MAIN`) and their history. Signed like Spot.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import { isChimeraError, type Market } from '@chimera/core';
import type { ExchangeState } from './exchange-state.js';
import type { RequestParams } from './request-params.js';
import { windowOf, type Route } from './route.js';
import { BinanceWireError, mandatory } from './wire-error.js';

const DIRECTIONS: Record<string, { from: Market; to: Market }> = {
  MAIN_UMFUTURE: { from: 'SPOT', to: 'FUT' },
  UMFUTURE_MAIN: { from: 'FUT', to: 'SPOT' },
};

function direction(p: RequestParams): { type: string; from: Market; to: Market } {
  const type = p.req('type');
  const dir = DIRECTIONS[type];
  // The local exchange has only the Spot and UM wallets.
  if (!dir) throw mandatory('type');
  return { type, ...dir };
}

/** The wallet routes. */
export function walletRoutes(): Route[] {
  return [
    {
      method: 'POST',
      path: '/sapi/v1/asset/transfer',
      signed: true,
      weight: 1,
      handle: ({ params, state }: { params: RequestParams; state: ExchangeState }) => {
        const { from, to } = direction(params);
        const asset = params.req('asset');
        const amount = params.decimal('amount', true);
        if (new Big(amount).lte(0)) throw new BinanceWireError(400, -1102, "Mandatory parameter 'amount' was not sent, was empty/null, or malformed.");
        try {
          // Binance transfers carry no client id: every accepted request moves money once.
          const t = state.engine.transfer({ asset, amount, from, to, clientTransferId: state.newClientId('tr') });
          return { tranId: Number(t.tranId) };
        } catch (err) {
          if (isChimeraError(err) && err.code === 'INSUFFICIENT_FUNDS') throw new BinanceWireError(400, -5013, 'Asset transfer failed: insufficient balance');
          throw err;
        }
      },
    },
    {
      method: 'GET',
      path: '/sapi/v1/asset/transfer',
      signed: true,
      weight: 1,
      handle: ({ params, state }: { params: RequestParams; state: ExchangeState }) => {
        const { type, from, to } = direction(params);
        const window = windowOf(params, undefined, 'startTime must not be after endTime.');
        const size = params.int('size') ?? 10;
        if (size < 1 || size > 100) throw new BinanceWireError(400, -1100, "Illegal characters found in parameter 'size'; legal range is '1-100'.");
        const current = params.int('current') ?? 1;
        // Newest first, as Binance lists them.
        const rows = state.engine.transferHistory(from, to, window).slice().reverse();
        const pageRows = rows.slice((current - 1) * size, current * size);
        const out: Record<string, unknown> = { total: rows.length };
        if (pageRows.length > 0) {
          out.rows = pageRows.map((t) => ({ asset: t.asset, amount: t.amount, type, status: t.status, tranId: Number(t.tranId), timestamp: t.ts }));
        }
        return out;
      },
    },
  ];
}
