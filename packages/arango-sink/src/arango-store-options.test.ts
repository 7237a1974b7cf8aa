import { isChimeraError } from '@chimera/core';
import { Database } from 'arangojs';
import { describe, expect, it } from 'vitest';
import { ArangoStore } from './arango-store.js';

function issues(options: unknown): string[] {
  try {
    new ArangoStore(options as never);
  } catch (err) {
    if (isChimeraError(err) && err.code === 'VALIDATION_FAILED') return (err.details.issues as { path: string }[]).map((i) => i.path);
    throw err;
  }
  return [];
}

describe('ArangoStore options', () => {
  it('accepts a URL with defaults, or an existing Database', async () => {
    const store = new ArangoStore({ url: 'http://127.0.0.1:8529', databaseName: 'chimera' });
    expect(store.collections.orders).toBe('orders');
    expect(store.database.name).toBe('chimera');
    await store.close();
    const db = new Database({ url: 'http://127.0.0.1:8529' });
    const onOther = new ArangoStore({ database: db, databaseName: 'other', collectionPrefix: 'chimera_' });
    expect(onOther.database.name).toBe('other');
    expect(onOther.collections.strategyEvents).toBe('chimera_strategy_events');
    expect(new ArangoStore({ database: db }).database).toBe(db);
    db.close();
  });

  it('needs exactly one of url and database', () => {
    expect(issues({})).toContain('url');
    expect(issues({ url: 'http://127.0.0.1:8529', database: new Database() })).toContain('url');
  });

  it('refuses credentials in the URL, non-http URLs, bad prefixes and unknown options', () => {
    expect(issues({ url: 'http://root:secret@127.0.0.1:8529' })).toEqual(['url']);
    expect(issues({ url: 'tcp://127.0.0.1:8529' })).toEqual(['url']);
    expect(issues({ url: 'http://127.0.0.1:8529', collectionPrefix: '1x' })).toEqual(['collectionPrefix']);
    expect(issues({ url: 'http://127.0.0.1:8529', lockTimeoutSeconds: 61 })).toEqual(['lockTimeoutSeconds']);
    expect(issues({ url: 'http://127.0.0.1:8529', colectionPrefix: 'x' })).toEqual(['(root)']);
  });

  it('never echoes the password in a validation error', () => {
    let message = '';
    try {
      new ArangoStore({ url: 'http://127.0.0.1:8529', auth: { username: '', password: 'hunter2' } });
    } catch (err) {
      message = JSON.stringify(isChimeraError(err) ? [err.message, err.toJSON()] : err);
    }
    expect(message).toContain('auth');
    expect(message).not.toContain('hunter2');
  });
});
