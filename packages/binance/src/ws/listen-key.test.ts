import { FakeClock, NetworkError, type ConnectorAlert } from '@chimera/core';
import { describe, expect, it } from 'vitest';
import { mapBinanceError } from '../rest/errors.js';
import { buildUmListenKeyRequest, isInvalidListenKeyError, ListenKeyKeeper, type ListenKeyApi } from './listen-key.js';

const T0 = 1_758_326_400_000;
const MIN = 60_000;

/** The -1125 error exactly as the REST error table maps Binance's answer. */
function invalidKey(): Error {
  const out = mapBinanceError({ product: 'um', status: 400, body: { code: -1125, msg: 'This listenKey does not exist.' }, isWrite: false });
  if (out.outcome !== 'error') throw new Error('expected an error');
  return out.error;
}

/** A scripted listen-key API: answers are queued per call kind; calls are logged with their time. */
function scriptedApi(clock: FakeClock) {
  const log: string[] = [];
  const keepAliveAnswers: (Error | undefined)[] = [];
  const createAnswers: (string | Error)[] = [];
  let n = 0;
  const api: ListenKeyApi = {
    create: async () => {
      log.push(`POST@${(clock.now() - T0) / 1000}s`);
      const a = createAnswers.shift() ?? `key-${++n}-secretish`;
      if (a instanceof Error) throw a;
      return a;
    },
    keepAlive: async (key) => {
      log.push(`PUT ${key.slice(0, 5)}@${(clock.now() - T0) / 1000}s`);
      const a = keepAliveAnswers.shift();
      if (a) throw a;
    },
    close: async (key) => {
      log.push(`DELETE ${key.slice(0, 5)}`);
    },
  };
  return { api, log, keepAliveAnswers, createAnswers };
}

function keeperWith(options: Partial<ConstructorParameters<typeof ListenKeyKeeper>[0]> = {}) {
  const clock = new FakeClock(T0);
  const s = scriptedApi(clock);
  const keeper = new ListenKeyKeeper({ api: s.api, clock, ...options });
  const alerts: ConnectorAlert[] = [];
  const changes: string[] = [];
  keeper.events.on('alert', (a) => alerts.push(a));
  keeper.events.on('changed', (c) => changes.push(`${c.reason}${c.sameKey ? '(same)' : ''}@${(clock.now() - T0) / 1000}s`));
  return { clock, keeper, alerts, changes, ...s };
}

describe('ListenKeyKeeper', () => {
  it('creates the key and keeps it alive every 25 minutes by default', async () => {
    const { clock, keeper, log, changes } = keeperWith();
    await keeper.start();
    expect(keeper.key).toBe('key-1-secretish');
    await clock.tickAsync(25 * MIN - 1);
    expect(log).toEqual(['POST@0s']);
    await clock.tickAsync(1);
    await clock.tickAsync(25 * MIN);
    expect(log).toEqual(['POST@0s', 'PUT key-1@1500s', 'PUT key-1@3000s']);
    expect(changes).toEqual(['start@0s']);
  });

  it('recreates the key at once when a keepalive answers -1125', async () => {
    const { clock, keeper, log, changes, keepAliveAnswers, alerts } = keeperWith({ keepAliveMs: 30 * MIN });
    await keeper.start();
    keepAliveAnswers.push(invalidKey());
    await clock.tickAsync(30 * MIN);
    expect(log).toEqual(['POST@0s', 'PUT key-1@1800s', 'POST@1800s']);
    expect(keeper.key).toBe('key-2-secretish');
    expect(changes).toEqual(['start@0s', 'invalid@1800s']);
    expect(alerts.map((a) => a.code)).toEqual(['LISTEN_KEY_INVALID']);
    // The next keepalive is for the new key, 30 minutes on.
    await clock.tickAsync(30 * MIN);
    expect(log.at(-1)).toBe('PUT key-2@3600s');
  });

  it('retries failed keepalives after 10 s and 20 s, then recreates the key', async () => {
    const { clock, keeper, log, changes, keepAliveAnswers, alerts } = keeperWith();
    await keeper.start();
    keepAliveAnswers.push(new NetworkError('ECONNRESET'), new NetworkError('ECONNRESET'), new NetworkError('ECONNRESET'));
    await clock.tickAsync(25 * MIN + 30_000);
    expect(log).toEqual(['POST@0s', 'PUT key-1@1500s', 'PUT key-1@1510s', 'PUT key-1@1530s', 'POST@1530s']);
    expect(changes).toEqual(['start@0s', 'keepalive_failed@1530s']);
    expect(alerts.map((a) => [a.code, a.details?.retryInMs])).toEqual([
      ['LISTEN_KEY_KEEPALIVE_RETRY', 10_000],
      ['LISTEN_KEY_KEEPALIVE_RETRY', 20_000],
      ['LISTEN_KEY_KEEPALIVE_FAILED', undefined],
    ]);
  });

  it('keeps retrying a failed create with back-off and reports the same key as unchanged', async () => {
    const { clock, keeper, log, changes, createAnswers, alerts } = keeperWith();
    await keeper.start();
    createAnswers.push(new NetworkError('socket hang up'), new NetworkError('socket hang up'), 'key-1-secretish');
    await keeper.recreate('expired');
    await clock.tickAsync(10_000);
    await clock.tickAsync(20_000);
    expect(log).toEqual(['POST@0s', 'POST@0s', 'POST@10s', 'POST@30s']);
    expect(alerts.map((a) => [a.level, a.code, a.details?.retryInMs])).toEqual([
      ['ERROR', 'LISTEN_KEY_CREATE_FAILED', 10_000],
      ['ERROR', 'LISTEN_KEY_CREATE_FAILED', 20_000],
    ]);
    expect(changes).toEqual(['start@0s', 'expired(same)@30s']);
  });

  it('never puts the key in an alert, even when an error message quotes it', async () => {
    const { clock, keeper, keepAliveAnswers, alerts } = keeperWith({ maxKeepAliveFailures: 1 });
    await keeper.start();
    keepAliveAnswers.push(new NetworkError('PUT /fapi/v1/listenKey?listenKey=key-1-secretish failed'));
    await clock.tickAsync(25 * MIN);
    expect(alerts).toHaveLength(1);
    expect(JSON.stringify(alerts)).not.toContain('key-1-secretish');
    expect(JSON.stringify(alerts)).toContain('[REDACTED]');
  });

  it('does not delete the key on stop unless asked; refuses a keepalive interval over 30 minutes', async () => {
    const a = keeperWith();
    await a.keeper.start();
    await a.keeper.stop();
    expect(a.log).toEqual(['POST@0s']);
    const b = keeperWith();
    await b.keeper.start();
    await b.keeper.stop(true);
    expect(b.log).toEqual(['POST@0s', 'DELETE key-1']);
    await b.clock.tickAsync(60 * MIN);
    expect(b.log).toHaveLength(2);
    expect(() => keeperWith({ keepAliveMs: 30 * MIN + 1 })).toThrow(expect.objectContaining({ code: 'INVALID_KEEPALIVE' }));
  });

  it('recognises -1125 as the REST error table maps it, and builds the three requests', () => {
    expect(isInvalidListenKeyError(invalidKey())).toBe(true);
    expect(isInvalidListenKeyError(new NetworkError('x'))).toBe(false);
    expect(buildUmListenKeyRequest('POST')).toEqual({ method: 'POST', path: '/fapi/v1/listenKey', params: {}, weight: 1, signed: false, kind: 'write', product: 'um' });
    expect(buildUmListenKeyRequest('PUT').kind).toBe('read');
  });
});
