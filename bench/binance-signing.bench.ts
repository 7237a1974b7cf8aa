/**
 * Binance signing throughput and per-request SDK overhead, each beside a baseline measured in the
 * same run:
 *
 * 1. Signing: `BinanceSigner.signQuery` (percent-encode a typical order's parameters, append
 *    recvWindow and timestamp, sign, append the signature) with an HMAC-SHA256 key and an Ed25519
 *    key. Baseline: the bare Node crypto call per request as a naive client writes it, building
 *    the key from the secret / PEM each time, over the same already-encoded payload. A second
 *    Ed25519 line compares against `crypto.sign` with a prebuilt key object (the floor).
 * 2. Per-request overhead: `BinanceConnector.ticker` (public GET) and `BinanceConnector.balances`
 *    (signed GET `/api/v3/account`) against the local exchange on 127.0.0.1, sequential and 32
 *    in flight. Baseline: a bare undici `Pool.request` of the same URL (for the signed one, with
 *    the query signed by a bare `createHmac`) and `JSON.parse` of the answer. The server's work
 *    is the same on both sides, so the ratio is the SDK's own cost (limiter, signing with the
 *    synced clock, error mapping, zod parsing into domain types).
 */
import { createHmac, createPrivateKey, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { Pool } from 'undici';
import { BinanceConnector, createSigner, encodeParams } from '../packages/binance/src/index.js';
import { LOCAL_API_KEY, LOCAL_API_SECRET, startLocalBinance } from '../packages/binance/src/testing/index.js';
import { fmt, opsPerSecond, printRatio } from './harness.js';

const ORDER = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.002', price: '63990', newClientOrderId: 'i42-mk-0', newOrderRespType: 'RESULT' };
const HMAC_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

/** Alternates the cases over short rounds and keeps each one's best, so outside load hits both sides alike. */
async function best(cases: (() => Promise<number>)[], rounds = 5): Promise<number[]> {
  const out = cases.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++) out[i] = Math.max(out[i]!, await cases[i]!());
  }
  return out;
}

async function signing(): Promise<void> {
  let ts = 1_766_102_400_000;
  const payloadOf = (t: number): string => `${encodeParams(ORDER)}&recvWindow=5000&timestamp=${t}`;

  const hmac = createSigner({ apiKey: 'k', secret: HMAC_SECRET });
  const oursHmac = (): string => hmac.signQuery(ORDER, { product: 'um', timestamp: ++ts, recvWindow: 5000 });
  const bareHmac = (): string => {
    const payload = payloadOf(++ts);
    return `${payload}&signature=${createHmac('sha256', HMAC_SECRET).update(payload).digest('hex')}`;
  };
  const [oh = 0, bh = 0] = await best([() => opsPerSecond(oursHmac, 300, 1000), () => opsPerSecond(bareHmac, 300, 1000)]);
  printRatio('HMAC-SHA256 signQuery', oh, bh, 'sig/s', 'bare createHmac(secret) per call');

  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const ed = createSigner({ apiKey: 'k', privateKeyPem: pem });
  const keyObject = createPrivateKey(pem);
  const oursEd = (): string => ed.signQuery(ORDER, { product: 'spot', timestamp: ++ts, recvWindow: 5000 });
  const bareEdPem = (): string => {
    const payload = payloadOf(++ts);
    return `${payload}&signature=${encodeURIComponent(cryptoSign(null, Buffer.from(payload), pem).toString('base64'))}`;
  };
  const bareEdKey = (): string => {
    const payload = payloadOf(++ts);
    return `${payload}&signature=${encodeURIComponent(cryptoSign(null, Buffer.from(payload), keyObject).toString('base64'))}`;
  };
  const [oe = 0, bep = 0, bek = 0] = await best([
    () => opsPerSecond(oursEd, 300, 200),
    () => opsPerSecond(bareEdPem, 300, 200),
    () => opsPerSecond(bareEdKey, 300, 200),
  ]);
  printRatio('Ed25519 signQuery', oe, bep, 'sig/s', 'bare crypto.sign(PEM) per call');
  printRatio('Ed25519 signQuery', oe, bek, 'sig/s', 'bare crypto.sign(prebuilt KeyObject)');
}

async function requests(): Promise<void> {
  // Limits off on both sides: this measures cost per request, not the venue's budget.
  const ex = await startLocalBinance({ limits: { spotWeightPerMinute: 0, spotOrdersPer10s: 0, spotOrdersPerDay: 0, umWeightPerMinute: 0, umOrdersPerMinute: 0 } });
  ex.engine.applyBookSnapshot('SPOT', 'BTCUSDT', { bids: [['63999.99', '1']], asks: [['64000.01', '1']] });
  const huge = [{ kind: 'weight' as const, interval: '1m' as const, limit: 1_000_000_000 }];
  const c = new BinanceConnector({
    apiKey: LOCAL_API_KEY,
    secret: LOCAL_API_SECRET,
    markets: ['SPOT'],
    baseUrls: { spot: ex.url, um: ex.url },
    limits: { spot: huge, um: huge },
  });
  const pool = new Pool(ex.url, { connections: 32 });
  try {
    await c.connect();
    const bareTicker = async (): Promise<void> => {
      const res = await pool.request({ path: '/api/v3/ticker/bookTicker?symbol=BTCUSDT', method: 'GET' });
      JSON.parse(await res.body.text());
    };
    const oursTicker = async (): Promise<void> => {
      await c.ticker('SPOT', 'BTCUSDT');
    };
    const bareAccount = async (): Promise<void> => {
      const payload = `omitZeroBalances=true&recvWindow=5000&timestamp=${Date.now()}`;
      const sig = createHmac('sha256', LOCAL_API_SECRET).update(payload).digest('hex');
      const res = await pool.request({ path: `/api/v3/account?${payload}&signature=${sig}`, method: 'GET', headers: { 'X-MBX-APIKEY': LOCAL_API_KEY } });
      JSON.parse(await res.body.text());
    };
    const oursAccount = async (): Promise<void> => {
      await c.balances('SPOT');
    };
    const parallel = (fn: () => Promise<void>) => (): Promise<void[]> => Promise.all(Array.from({ length: 32 }, fn));

    const [bts = 0, ots = 0, bas = 0, oas = 0] = await best([
      () => opsPerSecond(bareTicker, 300, 50),
      () => opsPerSecond(oursTicker, 300, 50),
      () => opsPerSecond(bareAccount, 300, 50),
      () => opsPerSecond(oursAccount, 300, 50),
    ]);
    printRatio('BinanceConnector.ticker, sequential', ots, bts, 'req/s', 'bare undici GET');
    printRatio('BinanceConnector.balances (signed), sequential', oas, bas, 'req/s', 'bare undici signed GET');
    const [btp = 0, otp = 0, bap = 0, oap = 0] = await best([
      async () => 32 * (await opsPerSecond(parallel(bareTicker), 300, 5)),
      async () => 32 * (await opsPerSecond(parallel(oursTicker), 300, 5)),
      async () => 32 * (await opsPerSecond(parallel(bareAccount), 300, 5)),
      async () => 32 * (await opsPerSecond(parallel(oursAccount), 300, 5)),
    ]);
    printRatio('BinanceConnector.ticker, 32 in flight', otp, btp, 'req/s', 'bare undici GET');
    printRatio('BinanceConnector.balances (signed), 32 in flight', oap, bap, 'req/s', 'bare undici signed GET');
    const us = (perSec: number): string => fmt(1e6 / perSec);
    console.log(
      `SDK overhead per request, sequential: ticker ${us(ots)} µs vs ${us(bts)} µs bare (+${fmt(1e6 / ots - 1e6 / bts)} µs); ` +
        `signed ${us(oas)} µs vs ${us(bas)} µs bare (+${fmt(1e6 / oas - 1e6 / bas)} µs)`,
    );
  } finally {
    await c.close();
    await pool.close();
    await ex.close();
  }
}

export default async function run(): Promise<void> {
  await signing();
  await requests();
}
