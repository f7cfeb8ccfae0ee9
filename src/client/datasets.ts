/** The datasets the setup installed, read from `datasets/index.json` (no tfjs: plain JSON). */
import { parseDatasetIndex, type DatasetIndexEntry } from '../contract/datasetManifest';

/** Absolute URL of the datasets folder; the worker needs it absolute (it resolves against its own URL). */
export function datasetsBaseUrl(): string {
  return new URL('datasets/', document.baseURI).href;
}

export async function fetchDatasetIndex(): Promise<readonly DatasetIndexEntry[]> {
  const response = await fetch(new URL('index.json', datasetsBaseUrl()), { cache: 'no-cache' });
  if (!response.ok) throw new Error(`No datasets are installed (datasets/index.json: HTTP ${response.status}). Run \`npm run setup\`.`);
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('text/html')) throw new Error('No datasets are installed (datasets/index.json is missing). Run `npm run setup`.');
  return parseDatasetIndex(await response.json()).datasets;
}
