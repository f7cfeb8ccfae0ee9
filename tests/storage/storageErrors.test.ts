import { describe, expect, it } from 'vitest';
import { describeStorageError } from '../../src/storage/storageErrors';

describe('describeStorageError', () => {
  it('says the storage is full for a QuotaExceededError, naming it', () => {
    const text = describeStorageError(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    expect(text).toMatch(/storage for this site is full \(QuotaExceededError\)/);
  });

  it('says storage is not allowed for an unavailable IndexedDB (private mode)', () => {
    expect(describeStorageError(new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError'))).toMatch(/does not let the page store data.*InvalidStateError/);
    expect(describeStorageError(new Error('IndexedDB is unavailable in this browser'))).toMatch(/does not let the page store data/);
    expect(describeStorageError(new ReferenceError('indexedDB is not defined'))).toMatch(/does not let the page store data/);
  });

  it('passes any other reason through', () => {
    expect(describeStorageError(new Error('disk on fire'))).toBe('disk on fire');
    expect(describeStorageError('plain')).toBe('plain');
  });
});
