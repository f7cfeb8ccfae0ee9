/**
 * Every broken or unsafe PyTorch file the Saved models panel may be given, read by the worker's reader
 * (what the page shows): each gets its own message naming the file and what is wrong, and no preview is
 * made, so nothing can be kept. The page test (e2e/torchModels.spec.ts) picks the same files.
 */
import { describe, expect, it } from 'vitest';
import { readTorchModelFile } from '../../src/workers/torchModelImport';
import { brokenTorchFiles } from '../helpers/brokenTorchFiles';
import { parityDir } from '../helpers/torchParity';

const file = (name: string, bytes: Uint8Array) => new File([Uint8Array.from(bytes)], name);

describe('readTorchModelFile', { timeout: 120_000 }, () => {
  const broken = brokenTorchFiles(parityDir());

  it('gives each broken file its own message', () => {
    const messages = broken.map((b) => b.message.source);
    expect(new Set(messages).size).toBe(messages.length);
  });

  for (const { what, fileName, bytes, message } of broken) {
    it(`refuses ${what}, naming ${fileName}`, async () => {
      await expect(readTorchModelFile(file(fileName, bytes))).rejects.toThrow(message);
    });
  }

  it('reads a good checkpoint into a preview', async () => {
    const { readFileSync } = await import('node:fs');
    const { resolve } = await import('node:path');
    const preview = await readTorchModelFile(file('resnet20.pth', new Uint8Array(readFileSync(resolve(parityDir(), 'resnet20.pth')))));
    expect([preview.model, preview.numClasses]).toEqual(['resnet20', 10]);
    expect(preview.source).toBe("PyTorch zip format, a training checkpoint {'model', 'optimizer', ...}");
    expect(preview.recorded).toBe("epoch 240, test accuracy 72.30% ('accuracy')");
  });
});
