/**
 * The connector conformance suite against the local MAX exchange: real HTTP and WebSocket on
 * 127.0.0.1, real signature and nonce checks, the paper engine behind MAX's wire protocol.
 */
import { describeConnector } from '@chimera/core/testing';
import { MaxConnector } from '@chimera/max';
import { startLocalMax, type LocalMax } from '@chimera/max/testing';

const credentials = { accessKey: 'conformance-access', secretKey: 'conformance-secret' };
let exchange: LocalMax | undefined;

describeConnector(
  'MaxConnector (local MAX exchange)',
  async () => {
    exchange = await startLocalMax({ credentials: [credentials] });
    return new MaxConnector({
      ...credentials,
      baseUrl: exchange.url,
      wsUrl: exchange.wsUrl,
      settle: { attempts: 3, delayMs: 20 },
      postOnlyCheck: { timeoutMs: 1000, pollMs: 50 },
    });
  },
  {
    targets: [
      { market: 'SPOT', symbol: 'BTCTWD' },
      { market: 'SPOT', symbol: 'USDTTWD' },
    ],
    cleanup: async () => {
      await exchange?.close();
    },
  },
);
