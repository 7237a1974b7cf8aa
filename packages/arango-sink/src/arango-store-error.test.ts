import { StateError } from '@chimera/core';
import { ArangoError, FetchFailedError } from 'arangojs/errors';
import { describe, expect, it } from 'vitest';
import { toStoreError } from './arango-store-error.js';

const arango = (code: number, errorNum: number, errorMessage = 'x') => new ArangoError({ code, errorNum, errorMessage });

describe('toStoreError', () => {
  it('classifies ArangoDB answers by error number and status', () => {
    expect(toStoreError(arango(409, 1200), 'op').toJSON()).toMatchObject({ code: 'ARANGO_CONFLICT', retryable: true, details: { operation: 'op', errorNum: 1200, httpStatus: 409 } });
    expect(toStoreError(arango(500, 18), 'op').code).toBe('ARANGO_CONFLICT');
    expect(toStoreError(arango(503, 503), 'op').toJSON()).toMatchObject({ code: 'ARANGO_UNAVAILABLE', retryable: true });
    expect(toStoreError(arango(404, 1203), 'op').toJSON()).toMatchObject({ code: 'ARANGO_REQUEST_FAILED', retryable: false, details: { errorNum: 1203 } });
  });

  it('treats transport failures as unavailable and passes ChimeraErrors through', () => {
    expect(toStoreError(new FetchFailedError('fetch failed', new Request('http://127.0.0.1:8529/_api/version')), 'op').toJSON()).toMatchObject({ code: 'ARANGO_UNAVAILABLE', retryable: true });
    const rule = new StateError('final', { code: 'TRANSFER_FINAL' });
    expect(toStoreError(rule, 'op')).toBe(rule);
    expect(toStoreError(new TypeError('bug'), 'op').toJSON()).toMatchObject({ code: 'ARANGO_REQUEST_FAILED', retryable: false });
  });
});
