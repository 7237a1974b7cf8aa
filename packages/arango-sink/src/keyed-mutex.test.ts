import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('KeyedMutex', () => {
  it('runs calls with the same key one after another, in call order', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name}:start`);
      await tick();
      log.push(`${name}:end`);
      return name;
    };
    expect(await Promise.all([m.run('k', job('a')), m.run('k', job('b')), m.run('k', job('c'))])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
    expect(m.activeKeys).toBe(0);
  });

  it('runs different keys concurrently', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name}:start`);
      await tick();
      log.push(`${name}:end`);
    };
    await Promise.all([m.run('x', job('x')), m.run('y', job('y'))]);
    expect(log.slice(0, 2).sort()).toEqual(['x:start', 'y:start']);
  });

  it('keeps going after a failure, which reaches only its own caller', async () => {
    const m = new KeyedMutex();
    const failed = m.run('k', async () => {
      throw new Error('boom');
    });
    const next = m.run('k', async () => 'ok');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('ok');
    expect(m.activeKeys).toBe(0);
  });
});
