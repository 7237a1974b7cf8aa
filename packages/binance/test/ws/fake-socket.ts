/**
 * A socket with the surface of `ws` that the test plays the server of, for fake-clock tests of the
 * Binance streams (no network, no real time).
 */
import { EventEmitter as NodeEmitter } from 'node:events';
import type { SocketFactory, SocketLike } from '@chimera/core';

/** One fake connection. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  pings = 0;
  closedWith: number | undefined;
  private readonly ee = new NodeEmitter();

  constructor(
    readonly url: string,
    readonly createdAt: number,
  ) {}

  on(event: string, listener: (...args: never[]) => void): this {
    this.ee.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
  removeAllListeners(): this {
    this.ee.removeAllListeners();
    return this;
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }
  ping(): void {
    this.pings++;
  }
  close(code?: number): void {
    this.end(code ?? 1005);
  }
  terminate(): void {
    this.end(1006);
  }

  /** Server side: accept the connection. */
  accept(): void {
    this.readyState = 1;
    this.ee.emit('open');
  }
  /** Server side: refuse it. */
  refuse(): void {
    this.readyState = 3;
    this.ee.emit('error', new Error('connect ECONNREFUSED 127.0.0.1'));
    this.ee.emit('close', 1006, Buffer.alloc(0));
  }
  /** Server side: send a text frame. */
  push(msg: unknown): void {
    this.ee.emit('message', Buffer.from(typeof msg === 'string' ? msg : JSON.stringify(msg)), false);
  }
  /** Server side: a pong frame. */
  pong(): void {
    this.ee.emit('pong', Buffer.alloc(0));
  }
  /** Server side: drop the connection. */
  drop(): void {
    this.end(1006);
  }
  /** The JSON messages the client sent. */
  messages(): Record<string, unknown>[] {
    return this.sent.map((t) => JSON.parse(t) as Record<string, unknown>);
  }
  get open(): boolean {
    return this.readyState === 1;
  }
  private end(code: number): void {
    if (this.readyState === 3 && this.closedWith !== undefined) return;
    this.readyState = 3;
    this.closedWith = code;
    this.ee.emit('close', code, Buffer.alloc(0));
  }
}

/** A socket factory recording every socket it opens. */
export function fakeSockets(now: () => number): { factory: SocketFactory; sockets: FakeSocket[]; last: () => FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    factory: (url) => {
      const s = new FakeSocket(url, now());
      sockets.push(s);
      return s;
    },
    last: () => {
      const s = sockets.at(-1);
      if (s === undefined) throw new Error('no socket opened');
      return s;
    },
  };
}
