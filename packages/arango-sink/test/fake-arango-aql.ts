/**
 * The AQL the fake ArangoDB understands: exactly the query texts `ArangoStore` sends
 * (`src/aql-queries.ts`), each evaluated by a hand-written function with AQL's semantics for the
 * operators those texts use (`==`, `>=`, `IN`, `NOT IN`, `OR`, `SORT`, `COLLECT … AGGREGATE MAX`,
 * subquery, `LIMIT`, `[0]`). Any other text is answered with "not implemented" (501), so a query the
 * fake does not know can never pass silently.
 */
import { AQL_QUERIES } from '../src/aql-queries.js';
import type { Doc } from './fake-arango-engine.js';

/** Evaluates one known query over the documents of its `@@collection`. */
export type AqlEvaluator = (docs: Doc[], bind: Record<string, unknown>) => unknown[];

/** AQL's type order for comparisons: null < bool < number < string < array < object. */
function typeRank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

/** AQL comparison of two values (missing attributes compare as null). */
export function aqlCompare(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
    case 2:
      return Number(a) - Number(b);
    case 3:
      // ArangoDB collates strings with ICU; the store only sorts ASCII keys, where that is code-unit order.
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 4: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const c = aqlCompare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return 0;
    }
    default: {
      const ka = Object.keys(a as object).sort();
      const kb = Object.keys(b as object).sort();
      const keys = [...new Set([...ka, ...kb])].sort();
      for (const k of keys) {
        const c = aqlCompare((a as Doc)[k], (b as Doc)[k]);
        if (c !== 0) return c;
      }
      return 0;
    }
  }
}

const eq = (a: unknown, b: unknown): boolean => aqlCompare(a, b) === 0;
/** `v IN list`: false when `list` is not an array (AQL warns and yields false). */
const isIn = (v: unknown, list: unknown): boolean => Array.isArray(list) && list.some((x) => eq(x, v));
/** `@p == null OR cond` */
const unlessNull = (p: unknown, cond: () => boolean): boolean => p === null || cond();

function sortBy(docs: Doc[], ...attrs: string[]): Doc[] {
  return [...docs].sort((a, b) => {
    for (const attr of attrs) {
      const c = aqlCompare(a[attr], b[attr]);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** Query text → evaluator. */
export const AQL_EVALUATORS: ReadonlyMap<string, AqlEvaluator> = new Map<string, AqlEvaluator>([
  [
    AQL_QUERIES.LIST_ORDERS,
    (docs, p) =>
      sortBy(
        docs.filter(
          (d) =>
            unlessNull(p.since, () => aqlCompare(d.updatedAt, p.since) >= 0) &&
            unlessNull(p.symbols, () => isIn(d.symbol, p.symbols)) &&
            unlessNull(p.markets, () => isIn(d.market, p.markets)) &&
            unlessNull(p.venue, () => eq(d.venue, p.venue)) &&
            unlessNull(p.intentId, () => eq(d.intent_id, p.intentId)) &&
            (eq(p.openOnly, false) || !isIn(d.status, p.terminalStatuses)),
        ),
        'createdAt',
        '_key',
      ),
  ],
  [
    AQL_QUERIES.LIST_FILLS,
    (docs, p) =>
      sortBy(
        docs.filter(
          (d) =>
            unlessNull(p.since, () => aqlCompare(d.ts, p.since) >= 0) &&
            unlessNull(p.symbols, () => isIn(d.symbol, p.symbols)) &&
            unlessNull(p.markets, () => isIn(d.market, p.markets)) &&
            unlessNull(p.clientOrderId, () => eq(d.clientOrderId, p.clientOrderId)),
        ),
        'ts',
        '_seq',
      ),
  ],
  [
    AQL_QUERIES.LATEST_POSITIONS,
    (docs, p) => {
      const matching = docs.filter(
        (s) => unlessNull(p.since, () => aqlCompare(s.snapshot_ts, p.since) >= 0) && unlessNull(p.symbols, () => isIn(s.symbol, p.symbols)),
      );
      // COLLECT venue, symbol AGGREGATE latestTs = MAX(snapshot_ts): groups sorted by their keys; MAX skips nulls.
      const groups = new Map<string, { venue: unknown; symbol: unknown; latestTs: unknown }>();
      for (const s of matching) {
        const k = JSON.stringify([s.venue ?? null, s.symbol ?? null]);
        const g = groups.get(k) ?? { venue: s.venue ?? null, symbol: s.symbol ?? null, latestTs: null };
        if (s.snapshot_ts !== null && s.snapshot_ts !== undefined && (g.latestTs === null || aqlCompare(s.snapshot_ts, g.latestTs) > 0)) {
          g.latestTs = s.snapshot_ts;
        }
        groups.set(k, g);
      }
      const ordered = [...groups.values()].sort((a, b) => aqlCompare(a.venue, b.venue) || aqlCompare(a.symbol, b.symbol));
      // LET latest = (FOR d IN @@collection FILTER … LIMIT 1 RETURN d) RETURN latest[0]: the subquery sees the whole collection.
      return ordered.map(
        (g) => docs.find((d) => eq(d.venue ?? null, g.venue) && eq(d.symbol ?? null, g.symbol) && eq(d.snapshot_ts ?? null, g.latestTs)) ?? null,
      );
    },
  ],
  [
    AQL_QUERIES.LIST_STRATEGY_EVENTS,
    (docs, p) =>
      sortBy(
        docs.filter(
          (d) =>
            unlessNull(p.intentId, () => eq(d.intent_id, p.intentId)) &&
            unlessNull(p.kind, () => eq(d.kind, p.kind)) &&
            unlessNull(p.since, () => aqlCompare(d.ts, p.since) >= 0),
        ),
        'ts',
        '_seq',
      ),
  ],
  [
    AQL_QUERIES.LIST_INTENTS,
    (docs, p) =>
      sortBy(
        docs.filter((d) => unlessNull(p.states, () => isIn(d.state, p.states)) && unlessNull(p.since, () => aqlCompare(d.updated_at, p.since) >= 0)),
        'created_at',
        '_key',
      ),
  ],
  [
    AQL_QUERIES.LIST_FUNDING_RECORDS,
    (docs, p) =>
      sortBy(
        docs.filter((d) => unlessNull(p.symbol, () => eq(d.symbol, p.symbol)) && unlessNull(p.since, () => aqlCompare(d.funding_time, p.since) >= 0)),
        'funding_time',
        '_key',
      ),
  ],
  [
    AQL_QUERIES.LIST_INSTRUMENTS,
    (docs, p) =>
      sortBy(
        docs.filter((d) => unlessNull(p.venue, () => eq(d.venue, p.venue)) && unlessNull(p.market, () => eq(d.market, p.market))),
        '_key',
      ),
  ],
]);

/** Bind parameter names a query declares: `@name` values and `@@name` collections (no string literals in the known texts). */
export function declaredBindParameters(query: string): string[] {
  return [...new Set([...query.matchAll(/@(@?[A-Za-z0-9_]+)/g)].map((m) => m[1]!))];
}
