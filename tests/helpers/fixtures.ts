/** Reference fixtures for tests: every case of every *.json file in KD_REFERENCE_DIR (default ../shared/reference). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseReferenceCases, type ReferenceCase } from '../../src/methods/reference';

export { referenceMismatches } from '../../src/methods/reference';

export const REFERENCE_DIR = process.env.KD_REFERENCE_DIR ?? path.resolve(__dirname, '../../../shared/reference');

/** Cases in file order, each with the file it came from and its index there. */
export function referenceCasesByFile(): { file: string; index: number; c: ReferenceCase }[] {
  return readdirSync(REFERENCE_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const parsed: unknown = JSON.parse(readFileSync(path.join(REFERENCE_DIR, file), 'utf8'));
      return parseReferenceCases(parsed, file).map((c, index) => ({ file, index, c }));
    });
}

/** Every case of one function, from every fixture file. */
export function referenceCases(fn: string): ReferenceCase[] {
  return referenceCasesByFile()
    .map(({ c }) => c)
    .filter((c) => c.fn === fn);
}
