/**
 * End to end against the local MAX exchange: the connector's order book survives dropped sockets,
 * book gaps (`fi` not following `li`), stalled streams and a 429 on reconnect, and after every
 * resync it equals the server's book exactly.
 */
import Big from 'big.js';
import type { BookLevel, BookSnapshot, ConnectorAlert } from '@chimera/core';
import { MaxConnector } from '@chimera/max';
import { startLocalMax, type LocalMax } from '@chimera/max/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SYMBOL = 'BTCTWD';
const LEVELS = 20;

function canonical(levels: readonly BookLevel[]): string[] {
  return levels.map((l) => `${new Big(l.price).toFixed()}@${new Big(l.qty).toFixed()}`);
}

function sameBook(client: Pick<BookSnapshot, 'bids' | 'asks'> | undefined, server: Pick<BookSnapshot, 'bids' | 'asks'>): boolean {
  if (!client) return false;
  const a = canonical(client.bids).join('|') + '#' + canonical(client.asks).join('|');
  const b = canonical(server.bids).join('|') + '#' + canonical(server.asks).join('|');
  return a === b;
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return check();
}

describe('MaxConnector book sync against the local MAX exchange', () => {
  let exchange: LocalMax;
  let connector: MaxConnector;
  let latest: BookSnapshot | undefined;
  const alerts: ConnectorAlert[] = [];
  let moves = 0;

  /** Changes the best bid and the best ask quantities (always a visible change inside the top 20). */
  const move = (): void => {
    moves += 1;
    exchange.engine.applyBookDiff('SPOT', SYMBOL, {
      bids: [['1950000', `0.${(moves % 89) + 10}`]],
      asks: [['1950100', `0.${((moves * 7) % 89) + 10}`]],
    });
  };
  const server = (): BookSnapshot => exchange.engine.depth('SPOT', SYMBOL, LEVELS);
  const inSync = (): boolean => connector.bookState(SYMBOL)?.synced === true && sameBook(connector.syncedBook(SYMBOL, LEVELS), server()) && sameBook(latest, server());

  beforeAll(async () => {
    exchange = await startLocalMax();
    connector = new MaxConnector({
      baseUrl: exchange.url,
      wsUrl: exchange.wsUrl,
      ws: { backoff: { baseMs: 1, maxMs: 20, jitterMs: 0 }, bookDepth: LEVELS, snapshotTimeoutMs: 1000 },
    });
    connector.events.on('alert', (a) => alerts.push(a));
    await connector.connect();
    await connector.subscribe({ channel: 'depth', market: 'SPOT', symbol: SYMBOL, levels: LEVELS }, (e) => {
      if (e.type === 'depth') latest = e.book;
    });
    expect(await until(inSync)).toBe(true);
  });

  afterAll(async () => {
    await connector.close();
    await exchange.close();
  });

  it('follows live updates: every change applied, the book equal to the server after each', async () => {
    const before = connector.bookState(SYMBOL)!;
    for (let i = 0; i < 20; i++) {
      move();
      expect(await until(inSync)).toBe(true);
    }
    const after = connector.bookState(SYMBOL)!;
    expect(after.applied - before.applied).toBe(20);
    expect(after.resyncs).toBe(before.resyncs);
    expect(after.snapshots).toBe(before.snapshots);
  });

  it('resyncs after 120 injected disconnects and gaps, equal to the server after every one', async () => {
    let disconnects = 0;
    let gaps = 0;
    let equalAfterResync = 0;
    const start = connector.bookState(SYMBOL)!;
    for (let round = 0; round < 120; round++) {
      const before = connector.bookState(SYMBOL)!;
      if (round % 2 === 0) {
        // A dropped socket, and the market moves on while the client is away.
        expect(exchange.faults.dropConnections('public')).toBe(1);
        disconnects += 1;
        move();
        move();
      } else {
        // One update vanishes; the next one reveals the gap (its fi does not follow the client's li).
        exchange.faults.bookGap(SYMBOL);
        move();
        move();
        gaps += 1;
      }
      const resynced = await until(() => {
        const s = connector.bookState(SYMBOL)!;
        return s.snapshots > before.snapshots && s.resyncs > before.resyncs && inSync();
      });
      expect(resynced, `round ${round}`).toBe(true);
      equalAfterResync += 1;
    }
    const end = connector.bookState(SYMBOL)!;
    expect(disconnects + gaps).toBe(120);
    expect(equalAfterResync).toBe(120);
    expect(end.snapshots - start.snapshots).toBe(120);
    // Gaps are repaired by resubscribing (unsub + sub on the open connection), not by reconnecting.
    expect(end.resubscribes - start.resubscribes).toBe(gaps);
    expect(exchange.stats.ws.unsubscribes).toBeGreaterThanOrEqual(gaps);
    // The client stayed inside MAX's 20 messages/s and 200 messages/min on every connection.
    expect(exchange.stats.ws.rateViolations).toBe(0);
  });

  it('renews a stalled connection (the stream goes silent while the socket lives) and resyncs', async () => {
    const stalled = new MaxConnector({
      baseUrl: exchange.url,
      wsUrl: exchange.wsUrl,
      ws: { backoff: { baseMs: 1, maxMs: 20, jitterMs: 0 }, bookDepth: LEVELS, maxSilenceMs: 150 },
    });
    const own: ConnectorAlert[] = [];
    stalled.events.on('alert', (a) => own.push(a));
    try {
      await stalled.connect();
      let mine: BookSnapshot | undefined;
      await stalled.subscribe({ channel: 'depth', market: 'SPOT', symbol: SYMBOL, levels: LEVELS }, (e) => {
        if (e.type === 'depth') mine = e.book;
      });
      expect(await until(() => sameBook(mine, server()))).toBe(true);
      const before = stalled.bookState(SYMBOL)!;
      const connectionsBefore = exchange.stats.ws.connections;
      expect(exchange.faults.stallStreams({ symbol: SYMBOL, channel: 'book' })).toBeGreaterThan(0);
      const ticker = setInterval(move, 20);
      try {
        const recovered = await until(() => {
          const s = stalled.bookState(SYMBOL)!;
          return s.snapshots > before.snapshots && sameBook(stalled.syncedBook(SYMBOL, LEVELS), server());
        });
        expect(recovered).toBe(true);
      } finally {
        clearInterval(ticker);
      }
      expect(await until(() => sameBook(stalled.syncedBook(SYMBOL, LEVELS), server()) && sameBook(mine, server()))).toBe(true);
      expect(exchange.stats.ws.connections).toBeGreaterThan(connectionsBefore);
      expect(own.map((a) => a.code)).toContain('WS_STREAM_STALE');
    } finally {
      exchange.faults.resumeStreams();
      await stalled.close();
    }
  });

  it('waits out a 429 on reconnect (Retry-After as a unix time) and resyncs', async () => {
    const before = connector.bookState(SYMBOL)!;
    const connectionsBefore = exchange.stats.ws.connections;
    exchange.faults.refuseWsUpgrades(1, 200);
    const t0 = Date.now();
    exchange.faults.dropConnections('public');
    move();
    const resynced = await until(() => connector.bookState(SYMBOL)!.snapshots > before.snapshots && inSync(), 5000);
    expect(resynced).toBe(true);
    const retryAfterSec = Math.ceil((t0 + 200) / 1000);
    // The reconnect that succeeded came no earlier than the second MAX named.
    expect(Date.now()).toBeGreaterThanOrEqual(retryAfterSec * 1000 - 5);
    expect(exchange.stats.ws.connections).toBe(connectionsBefore + 1);
    expect(alerts.map((a) => a.code)).toContain('WS_RATE_LIMITED');
  });
});
