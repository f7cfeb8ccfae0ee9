/**
 * Reading ../shared/parity (or the folder named by KD_PARITY_DIR) from disk for the Node tests; the checks
 * and the comparison rule live in src/training/parity (the check page's worker runs the same code).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseParityJson, readFeatures, type ParitySource } from '../../src/training/parity/assets';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function parityDir(): string {
  return resolve(root, process.env.KD_PARITY_DIR ?? '../shared/parity');
}

/** parity.json, features.safetensors and every checkpoint, read from `dir`. */
export function loadParitySource(dir = parityDir()): ParitySource {
  const readFile = (file: string) => new Uint8Array(readFileSync(resolve(dir, file)));
  const json = parseParityJson(JSON.parse(readFileSync(resolve(dir, 'parity.json'), 'utf8')));
  return { ...json, features: readFeatures(readFile('features.safetensors')), readFile };
}
