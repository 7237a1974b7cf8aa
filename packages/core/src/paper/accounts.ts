/**
 * The paper venue's accounts, in exact decimals: spot wallets (free / locked per asset), futures
 * wallets and one-way futures positions with a cost basis, fees. Pure bookkeeping; the engine
 * decides when to call it.
 *
 * Conservation rules the tests hold these to: a spot fill moves `qty` of the base against
 * `qty × price` of the quote and charges the fee in the asset received; a futures fill changes the
 * wallet by realised PnL minus the fee; `realised + unrealised(X) = Σ signed qty × (X − price)` for
 * any price X, exactly.
 *
 * @packageDocumentation
 */
import Big from 'big.js';
import type { Market, Side } from '../domain/enums.js';
import { InsufficientFundsError } from '../errors.js';

/** A private big.js constructor, so a host's global big.js settings cannot reach the engine. */
const D = Big();
const ZERO = new D(0);

/** Maker and taker fee rates of one market, as decimals (`"0.001"` = 0.1 %). Negative = rebate. */
export interface FeeRates {
  maker: string;
  taker: string;
}

/** Fee rates per market. */
export type FeeSchedule = Record<Market, FeeRates>;

/** Binance's base-tier rates: spot 0.1 % / 0.1 %, USDⓈ-M 0.02 % maker / 0.05 % taker. */
export const DEFAULT_FEES: FeeSchedule = {
  SPOT: { maker: '0.001', taker: '0.001' },
  FUT: { maker: '0.0002', taker: '0.0005' },
};

/** Starting balances per market: asset → decimal string amount. */
export type PaperBalances = Partial<Record<Market, Readonly<Record<string, string>>>>;

/** Free and locked amounts of one asset. */
export interface AssetBalance {
  free: Big;
  locked: Big;
}

/**
 * Funds held for open spot orders. Shared by the two legs of an OCO list (`holders` = 2), so the
 * list locks its quantity once; released when the last holder ends.
 */
export interface SpotLock {
  asset: string;
  /** Amount still locked. */
  amount: Big;
  /** Live orders using this lock. */
  holders: number;
}

/** Spot wallets: free and locked amounts per asset, exact. */
export class SpotWallet {
  private readonly assets = new Map<string, AssetBalance>();

  /** @param initial - asset → starting free amount. */
  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [asset, amount] of Object.entries(initial)) this.entry(asset).free = new D(amount);
  }

  /** The balance of one asset (zero when unknown). Live object: do not mutate. */
  get(asset: string): Readonly<AssetBalance> {
    return this.assets.get(asset) ?? { free: ZERO, locked: ZERO };
  }

  /** Assets with a non-zero total, sorted by name. */
  list(): Array<{ asset: string } & Readonly<AssetBalance>> {
    return [...this.assets.entries()]
      .filter(([, b]) => !b.free.eq(0) || !b.locked.eq(0))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([asset, b]) => ({ asset, ...b }));
  }

  /** Adds to the free amount (may be negative only through {@link SpotWallet.debit}). */
  credit(asset: string, amount: Big): void {
    const e = this.entry(asset);
    e.free = e.free.plus(amount);
  }

  /**
   * Takes from the free amount.
   * @throws InsufficientFundsError when free < amount (nothing changes).
   */
  debit(asset: string, amount: Big): void {
    const e = this.entry(asset);
    if (e.free.lt(amount)) throw insufficient(asset, amount, e.free);
    e.free = e.free.minus(amount);
  }

  /**
   * Moves `amount` from free to locked and returns a lock for it.
   * @throws InsufficientFundsError when free < amount.
   */
  lock(asset: string, amount: Big, holders = 1): SpotLock {
    const e = this.entry(asset);
    if (e.free.lt(amount)) throw insufficient(asset, amount, e.free);
    e.free = e.free.minus(amount);
    e.locked = e.locked.plus(amount);
    return { asset, amount, holders };
  }

  /**
   * Spends `amount` out of a lock (a fill used it). When the lock holds less, the rest comes from
   * free funds (a triggered market buy that cost more than its lock), which the caller checked.
   */
  spendLocked(lock: SpotLock, amount: Big): void {
    const e = this.entry(lock.asset);
    const fromLock = lock.amount.lt(amount) ? lock.amount : amount;
    lock.amount = lock.amount.minus(fromLock);
    e.locked = e.locked.minus(fromLock);
    const rest = amount.minus(fromLock);
    if (rest.gt(0)) e.free = e.free.minus(rest);
  }

  /** Returns what is left of a lock to free funds. */
  release(lock: SpotLock): void {
    if (lock.amount.eq(0)) return;
    const e = this.entry(lock.asset);
    e.locked = e.locked.minus(lock.amount);
    e.free = e.free.plus(lock.amount);
    lock.amount = ZERO;
  }

  private entry(asset: string): AssetBalance {
    let e = this.assets.get(asset);
    if (!e) {
      e = { free: ZERO, locked: ZERO };
      this.assets.set(asset, e);
    }
    return e;
  }
}

function insufficient(asset: string, needed: Big, free: Big): InsufficientFundsError {
  return new InsufficientFundsError(`insufficient ${asset}: need ${needed.toFixed()}, free ${free.toFixed()}`, {
    details: { asset, needed: needed.toFixed(), free: free.toFixed(), venueCode: -2010 },
  });
}

/** The outcome of one fill on a futures position. */
export interface PositionFillResult {
  /** Realised PnL of the part that closed (quote units, signed). */
  realized: Big;
  /** Quantity that reduced the position. */
  closed: Big;
  /** Quantity that opened or grew the position. */
  opened: Big;
}

/** Decimal places kept when a partial close splits the cost basis (well beyond any quote precision). */
const COST_DP = 12;

/**
 * A one-way futures position with an exact signed cost basis: `qty` is signed base quantity,
 * `cost` the signed quote paid for it (`Σ signed qty × price` of the open lots). Entry price is
 * `cost / qty`; unrealised PnL at price X is `qty × X − cost`.
 */
export class FuturesPosition {
  /** Signed quantity: > 0 long, < 0 short. */
  qty: Big = ZERO;
  /** Signed cost basis in quote units. */
  cost: Big = ZERO;
  /** Sum of realised PnL since the position was created. */
  realized: Big = ZERO;
  /** When the position last changed (epoch ms, engine clock); undefined before its first change. */
  changedAt: number | undefined;

  constructor(
    /** Symbol of the position. */
    readonly symbol: string,
    /** Leverage (integer ≥ 1). */
    public leverage: number,
    /** Margin type. */
    public marginType: 'ISOLATED' | 'CROSSED',
  ) {}

  /** Quantity an order on `side` could close (|qty| when opposite to the position, else 0). */
  closable(side: Side): Big {
    if (this.qty.eq(0)) return ZERO;
    const long = this.qty.gt(0);
    return (side === 'SELL') === long ? this.qty.abs() : ZERO;
  }

  /**
   * Applies a fill: closes against the open position first (realising PnL on the share of the cost
   * basis it removes), then opens the rest in the order's direction.
   */
  applyFill(side: Side, qty: Big, price: Big | string): PositionFillResult {
    const s = side === 'BUY' ? 1 : -1;
    const p = new D(price);
    const closable = this.closable(side);
    const closed = closable.lt(qty) ? closable : qty;
    let realized = ZERO;
    if (closed.gt(0)) {
      const abs = this.qty.abs();
      const removed = closed.eq(abs) ? this.cost : this.cost.times(closed).div(abs).round(COST_DP, D.roundHalfEven);
      realized = closed.times(p).times(-s).minus(removed);
      this.cost = this.cost.minus(removed);
      this.qty = this.qty.plus(closed.times(s));
      if (this.qty.eq(0)) this.cost = ZERO;
    }
    const opened = qty.minus(closed);
    if (opened.gt(0)) {
      this.qty = this.qty.plus(opened.times(s));
      this.cost = this.cost.plus(opened.times(p).times(s));
    }
    this.realized = this.realized.plus(realized);
    return { realized, closed, opened };
  }

  /** Average entry price (8 dp), `"0"` when flat. */
  entryPrice(): string {
    if (this.qty.eq(0)) return '0';
    return this.cost.div(this.qty).abs().round(8, D.roundHalfUp).toFixed();
  }

  /** Unrealised PnL at `mark` (exact). */
  unrealized(mark: Big | string): Big {
    return this.qty.times(mark).minus(this.cost);
  }

  /** Initial margin held by the position: `|cost| / leverage`, rounded up to 8 dp. */
  margin(): Big {
    return this.cost.abs().div(this.leverage).round(8, D.roundUp);
  }
}

/** Initial margin of an order or position notional at `leverage`, rounded up to 8 dp. */
export function marginFor(notional: Big, leverage: number): Big {
  return notional.abs().div(leverage).round(8, D.roundUp);
}
