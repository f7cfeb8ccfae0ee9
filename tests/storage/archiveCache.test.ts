import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { isImportedDataset, listImportedDatasets, loadImportedArchive, loadImportedRecord, removeImportedDataset, saveImportedArchive } from '../../src/storage/archiveCache';

describe('imported archives in IndexedDB', () => {
  it('keeps an archive by dataset name, lists it without its bytes, replaces and removes it', async () => {
    const entry = { name: 'imported-cifar10', title: 'CIFAR-10 (imported)', fileName: 'a.tar.gz', bytes: 3, importedAt: 1 };
    await saveImportedArchive(entry, new Blob([new Uint8Array([1, 2, 3])]));
    expect(await listImportedDatasets()).toEqual([entry]);
    const stored = await loadImportedArchive('imported-cifar10');
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    await saveImportedArchive({ ...entry, fileName: 'b.tar.gz', bytes: 1 }, new Blob([new Uint8Array([9])]));
    expect((await listImportedDatasets()).map((e) => e.fileName)).toEqual(['b.tar.gz']);
    await removeImportedDataset('imported-cifar10');
    expect(await listImportedDatasets()).toEqual([]);
    expect(await loadImportedArchive('imported-cifar10')).toBeNull();
  });

  it('says what a stored blob holds: a CIFAR archive (also when kept before image folders existed) or decoded images', async () => {
    const entry = { name: 'imported-cifar10', title: 'CIFAR-10 (imported)', fileName: 'a.tar.gz', bytes: 3, importedAt: 1 };
    await saveImportedArchive(entry, new Blob([new Uint8Array([1])]));
    await saveImportedArchive({ ...entry, name: 'imported-images-pets', fileName: 'pets', kind: 'image-folder' }, new Blob([new Uint8Array([2])]));
    expect((await loadImportedRecord('imported-cifar10'))?.kind).toBe('cifar-archive');
    expect((await loadImportedRecord('imported-images-pets'))?.kind).toBe('image-folder');
    expect(await loadImportedRecord('imported-nothing')).toBeNull();
    await removeImportedDataset('imported-cifar10');
    await removeImportedDataset('imported-images-pets');
  });

  it('tells imported dataset names from installed ones', () => {
    expect(isImportedDataset('imported-images-pets')).toBe(true);
    expect(isImportedDataset('imported-cifar100')).toBe(true);
    expect(isImportedDataset('cifar10-subset')).toBe(false);
  });
});
