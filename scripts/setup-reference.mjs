#!/usr/bin/env node
/**
 * Copies the reference fixtures (every *.json of KD_REFERENCE_DIR, default ../shared/reference) into
 * public/reference/ with an index.json listing them, for the check page (check.html), which runs them in the
 * training worker on the browser's backend. They are copied on every setup and build (a few hundred KB), so
 * the page checks the fixtures the Node reference test reads; the copies are git-ignored, never committed.
 * A missing folder is reported and leaves an empty list: the check page then fails, saying so.
 *
 * The PyTorch parity assets (../shared/parity) are not copied yet: nothing in the page can read them until
 * the checkpoint importer exists (see PARITY_CHECKS in src/workers/backendCheck.ts).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(process.env.KD_REFERENCE_DIR ?? join(ROOT, '..', 'shared', 'reference'));
const out = join(ROOT, 'public', 'reference');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = existsSync(source) ? readdirSync(source).filter((file) => file.endsWith('.json')).sort() : [];
for (const file of files) copyFileSync(join(source, file), join(out, file));
writeFileSync(join(out, 'index.json'), `${JSON.stringify({ files }, null, 2)}\n`);
if (files.length === 0) console.error(`reference: WARNING: no fixture file in ${source} (set KD_REFERENCE_DIR); the check page will fail`);
else console.log(`reference: ${files.length} fixture file(s) from ${source} -> ${out}`);
