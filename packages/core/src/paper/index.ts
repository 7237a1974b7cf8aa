/**
 * The paper venue: a matching engine with spot wallets, futures positions, funding and transfers
 * ({@link PaperEngine}), the `ExchangeConnector` over it ({@link PaperConnector}) with scripted
 * faults ({@link PaperFaults}), and a clock-driven replay of recorded market data
 * ({@link ReplaySource}).
 *
 * @packageDocumentation
 */
export { DEFAULT_FEES, type FeeRates, type FeeSchedule, type PaperBalances } from './accounts.js';
export { PaperBook, type PaperBookUpdate, type PaperLevelInput, type PaperBookSide, type PaperLevel, type PaperTopOfBook } from './book.js';
export { PaperEngine } from './engine.js';
export { PaperFaults, type PaperOperation } from './faults.js';
export { paperInstruments } from './instruments.js';
export { PaperConnector, type PaperConnectorOptions } from './paper-connector.js';
export {
  ReplaySource,
  loadReplayFile,
  parseReplay,
  parseReplayLine,
  type BookTickerFrame,
  type DepthSnapshotFrame,
  type DepthUpdateFrame,
  type MarkPriceFrame,
  type ReplayFrame,
  type ReplaySourceOptions,
  type TradeFrame,
} from './replay.js';
export {
  FULL_PAPER_CAPABILITIES,
  type PaperEngineEvents,
  type PaperEngineOptions,
  type PaperMarkInput,
  type PaperMarketData,
  type PaperOcoRequest,
  type PaperOrderRequest,
  type PaperTradeInput,
} from './types.js';
