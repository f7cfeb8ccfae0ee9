#!/usr/bin/env node
/**
 * Fills public/datasets/ with CIFAR shards, one manifest.json per dataset and index.json, in the layout
 * src/contract/datasetManifest.ts describes. Sources, first that works:
 *   1. the folder or .tar.gz archive named by `--from <path>` or DISTILLERY_DATA;
 *   2. ../shared/datasets/cifar10-subset next to the project;
 *   3. the official CIFAR-10 download (not when DISTILLERY_NO_DOWNLOAD is set or datasets are installed).
 * When none works it says what it tried and exits 0: the page still opens and can import an archive itself.
 *
 * Plain Node >= 20 with no dependencies (it runs before anything is built); archives are unpacked with the
 * system `tar`. Output is staged and renamed into place, so an interrupted run never leaves half a dataset.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED_SUBSET = resolve(ROOT, '..', 'shared', 'datasets', 'cifar10-subset');
const OFFICIAL_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
/** The download server must answer within this, so an offline machine gives up in seconds. */
const NETWORK_TIMEOUT_MS = 10_000;
const PIXEL_BYTES = 3072;
const PLANE = PIXEL_BYTES / 3;
const USAGE = `Usage: node scripts/setup-datasets.mjs [--from <folder or .tar.gz>] [--out <dir>] [--if-empty]
  --from      CIFAR-10/100 binary archive, or a folder holding cifar-10-batches-bin/ or cifar-100-binary/
              (default: $DISTILLERY_DATA, then ../shared/datasets/cifar10-subset, then the official download)
  --out       output folder (default: public/datasets)
  --if-empty  do nothing when <out>/index.json already exists
Environment: DISTILLERY_DATA (like --from), DISTILLERY_NO_DOWNLOAD=1 (never download)`;

/**
 * @typedef {object} Layout
 * @property {'cifar10-binary' | 'cifar100-binary'} format
 * @property {string} folder  the folder holding the files in the official archive
 * @property {string} name  dataset id of the complete set; partial copies get a `-subset` suffix
 * @property {string} title
 * @property {number} labelBytes @property {number} numClasses @property {number} numCoarse
 * @property {number} maxRecords  records in the largest official file: bigger files are refused
 * @property {number} fullTrain  training images of the complete set
 * @property {string[]} train @property {string[]} test @property {string} classFile @property {string} [coarseFile]
 */

/**
 * The official layouts. Record sizes and limits mirror CIFAR_LAYOUTS in src/data/cifarBinary.ts (this script
 * runs before any TypeScript tooling); tests/scripts/setupDatasets.test.ts reads the output back with the
 * TypeScript parsers, so the two cannot drift apart unnoticed.
 * @type {Layout[]}
 */
const LAYOUTS = [
  {
    format: 'cifar10-binary', folder: 'cifar-10-batches-bin', name: 'cifar10', title: 'CIFAR-10',
    labelBytes: 1, numClasses: 10, numCoarse: 0, maxRecords: 10_000, fullTrain: 50_000,
    train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'], classFile: 'batches.meta.txt',
  },
  {
    format: 'cifar100-binary', folder: 'cifar-100-binary', name: 'cifar100', title: 'CIFAR-100',
    labelBytes: 2, numClasses: 100, numCoarse: 20, maxRecords: 50_000, fullTrain: 50_000,
    train: ['train.bin'], test: ['test.bin'], classFile: 'fine_label_names.txt', coarseFile: 'coarse_label_names.txt',
  },
];
const FOLDERS = LAYOUTS.map((layout) => `${layout.folder}/`).join(' or ');

async function main() {
  const { values: args } = parseArgs({
    options: { from: { type: 'string' }, out: { type: 'string' }, 'if-empty': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const outDir = resolve(args.out ?? join(ROOT, 'public', 'datasets'));
  const indexFile = join(outDir, 'index.json');
  if (args['if-empty'] && existsSync(indexFile)) {
    console.log(`datasets: ${indexFile} exists, nothing to do (--if-empty)`);
    return;
  }

  /** @type {string[]} */
  const tried = [];
  const userPath = args.from ?? process.env.DISTILLERY_DATA;
  const local = [{ label: '../shared/datasets/cifar10-subset', path: SHARED_SUBSET }];
  if (userPath) local.unshift({ label: `${args.from ? '--from' : 'DISTILLERY_DATA'} ${userPath}`, path: resolve(userPath) });
  for (const { label, path } of local) {
    if (!existsSync(path)) tried.push(`${label}: not found`);
    else if (await attempt(label, tried, () => install(path, describeSource(path), outDir))) return;
  }

  if (existsSync(indexFile)) {
    // Installed earlier (perhaps downloaded): keep it rather than download again on every `npm start`.
    if (userPath) console.error(`datasets: WARNING: ${tried[0]}`);
    console.log(`datasets: no other source found; keeping the datasets listed in ${indexFile}`);
    return;
  }
  const label = `official download ${OFFICIAL_URL}`;
  if (process.env.DISTILLERY_NO_DOWNLOAD && process.env.DISTILLERY_NO_DOWNLOAD !== '0') {
    tried.push(`${label}: skipped (DISTILLERY_NO_DOWNLOAD is set)`);
  } else {
    const temp = mkdtempSync(join(tmpdir(), 'distillery-download-'));
    try {
      const archive = join(temp, 'cifar-10-binary.tar.gz');
      const installed = await attempt(label, tried, async () => {
        await download(OFFICIAL_URL, archive);
        return install(archive, OFFICIAL_URL, outDir);
      });
      if (installed) return;
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }
  console.error(
    [
      'datasets: WARNING: no dataset was installed. Tried, in order:',
      ...tried.map((line) => `  - ${line}`),
      'To fix: set DISTILLERY_DATA to the official cifar-10-binary.tar.gz or cifar-100-binary.tar.gz (or to a folder',
      `holding ${FOLDERS}) and run \`npm run setup\` again, or import the archive in the page.`,
      'The page still opens, without datasets until then.',
    ].join('\n'),
  );
}

/**
 * Installs from one source: on success prints its summary (and, on stderr, why earlier sources were passed
 * over); on failure records why in `tried`. Returns whether it succeeded.
 * @param {string} label @param {string[]} tried @param {() => string | Promise<string>} installSource
 */
async function attempt(label, tried, installSource) {
  try {
    const summary = await installSource();
    if (tried.length > 0) console.error(`datasets: passed over: ${tried.join('; ')}`);
    console.log(summary);
    return true;
  } catch (error) {
    tried.push(`${label}: ${messageOf(error)}`);
    return false;
  }
}

/**
 * Installs the dataset at `path`: an archive, a folder holding the official folder, or the official folder
 * itself. Returns the summary line.
 * @param {string} path @param {string} source @param {string} outDir @returns {string}
 */
function install(path, source, outDir) {
  if (statSync(path).isFile()) {
    if (!/\.(tar\.gz|tgz)$/i.test(path)) throw new Error('not a folder or a .tar.gz archive');
    const temp = mkdtempSync(join(tmpdir(), 'distillery-extract-'));
    try {
      return install(extractArchive(path, temp), source, outDir);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }
  for (const layout of LAYOUTS) {
    for (const folder of [join(path, layout.folder), path]) {
      const expected = [...layout.train, ...layout.test];
      const missing = expected.filter((file) => !existsSync(join(folder, file)));
      if (missing.length === expected.length) continue;
      if (missing.length > 0) throw new Error(`${folder} lacks ${missing.join(', ')}`);
      return installFolder(folder, layout, source, outDir);
    }
  }
  throw new Error(`holds no ${FOLDERS} folder`);
}

/**
 * Extracts only the expected members of a CIFAR archive (by name, inside the official folder) into `temp`
 * and returns the folder holding them.
 * @param {string} archive @param {string} temp @returns {string}
 */
function extractArchive(archive, temp) {
  const tar = (/** @type {string[]} */ ...args) => {
    try {
      return execFileSync('tar', args, { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const firstLine = /** @type {{ stderr?: string }} */ (error).stderr?.trim().split('\n')[0];
      throw new Error(`tar could not read it (${firstLine || messageOf(error)})`);
    }
  };
  const members = tar('-tzf', archive).split('\n');
  for (const layout of LAYOUTS) {
    const wanted = [...layout.train, ...layout.test, layout.classFile, layout.coarseFile ?? ''];
    const matches = members.filter((member) => {
      const parts = member.split('/');
      return parts.at(-2) === layout.folder && wanted.includes(parts.at(-1) ?? '') && !parts.includes('..');
    });
    const folder = matches[0]?.slice(0, matches[0].lastIndexOf('/'));
    if (folder === undefined) continue;
    tar('-xzf', archive, '-C', temp, '--', ...matches.filter((member) => member.startsWith(`${folder}/`)));
    return join(temp, folder);
  }
  throw new Error(`the archive holds no ${FOLDERS} folder`);
}

/**
 * Copies the shards into `<outDir>/<name>/` with their checksums and the training statistics, writes the
 * manifest and updates index.json. Returns the summary line.
 * @param {string} folder @param {Layout} layout @param {string} source @param {string} outDir
 */
function installFolder(folder, layout, source, outDir) {
  const classNames = readNames(folder, layout.classFile, layout.numClasses);
  const coarseClassNames = layout.coarseFile ? readNames(folder, layout.coarseFile, layout.numCoarse) : undefined;
  const staging = join(outDir, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const sums = new Float64Array(6); // per channel: sum, then sum of squares, of the training pixels
    const train = copySplit(folder, layout.train, layout, staging, sums);
    const test = copySplit(folder, layout.test, layout, staging, null);
    const complete = train.count === layout.fullTrain;
    const name = complete ? layout.name : `${layout.name}-subset`;
    const title = complete ? layout.title : `${layout.title} subset (${train.count} train / ${test.count} test)`;
    const { format } = layout;
    const coarse = coarseClassNames && { coarseClassNames };
    writeJson(join(staging, 'manifest.json'), { name, title, format, classNames, ...coarse, train, test, ...meanStd(sums, train.count), source });
    const target = join(outDir, name);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    updateIndex(outDir, { name, title, manifest: `${name}/manifest.json` });
    return `${name}: ${train.count} train / ${test.count} test images (${layout.title}) from ${source} -> ${target}`;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Validates and copies one split's shards, returning its manifest entry.
 * @param {string} folder @param {string[]} files @param {Layout} layout @param {string} staging
 * @param {Float64Array | null} sums  accumulates per-channel pixel sums (training split only)
 * @returns {{ count: number, shards: { file: string, records: number, bytes: number, sha256: string }[] }}
 */
function copySplit(folder, files, layout, staging, sums) {
  const recordBytes = layout.labelBytes + PIXEL_BYTES;
  const shards = files.map((file) => {
    const path = join(folder, file);
    // Sizes are checked before reading, so a huge or foreign file is refused without being loaded.
    const bytes = statSync(path).size;
    const records = bytes / recordBytes;
    if (!Number.isInteger(records) || records === 0) {
      const expected = `${recordBytes}-byte ${layout.title} records expected`;
      throw new Error(`${file}: ${expected}, but the file is ${bytes} bytes (truncated, or another format?)`);
    }
    if (records > layout.maxRecords) {
      throw new Error(`${file}: ${records} records, more than any official ${layout.title} file holds (${layout.maxRecords})`);
    }
    const data = readFileSync(path);
    for (let start = 0; start < bytes; start += recordBytes) {
      const fine = data[start + layout.labelBytes - 1];
      const coarse = layout.numCoarse > 0 ? data[start] : undefined;
      if (fine >= layout.numClasses || (coarse !== undefined && coarse >= layout.numCoarse)) {
        const labels = coarse === undefined ? `label ${fine}` : `fine label ${fine} and coarse label ${coarse}`;
        throw new Error(`${file}: record ${start / recordBytes} has ${labels}, outside ${layout.title}'s range`);
      }
      if (!sums) continue;
      const pixels = start + layout.labelBytes; // planar: 1024 red, 1024 green, 1024 blue
      for (let i = 0; i < PIXEL_BYTES; i++) {
        const value = data[pixels + i];
        sums[i >> 10] += value;
        sums[(i >> 10) + 3] += value * value;
      }
    }
    writeFileSync(join(staging, file), data);
    return { file, records, bytes, sha256: createHash('sha256').update(data).digest('hex') };
  });
  return { count: shards.reduce((sum, shard) => sum + shard.records, 0), shards };
}

/** Per-channel mean and (population) standard deviation in [0, 1] units, rounded to 6 decimals. */
function meanStd(/** @type {Float64Array} */ sums, /** @type {number} */ images) {
  const n = images * PLANE;
  const round = (/** @type {number} */ x) => Math.round(x * 1e6) / 1e6;
  const mean = [0, 1, 2].map((c) => sums[c] / n / 255);
  const std = [0, 1, 2].map((c) => Math.sqrt(Math.max(0, sums[c + 3] / n / 255 ** 2 - mean[c] ** 2)));
  return { mean: mean.map(round), std: std.map(round) };
}

/** @param {string} folder @param {string} file @param {number} count @returns {string[]} */
function readNames(folder, file, count) {
  const path = join(folder, file);
  if (!existsSync(path)) throw new Error(`${folder} lacks ${file} (the class names)`);
  const names = readFileSync(path, 'utf8').split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  if (names.length !== count) throw new Error(`${file}: ${count} class names expected, found ${names.length}`);
  return names;
}

/**
 * Adds or replaces one entry of index.json, keeping the other datasets whose manifest is still there.
 * @param {string} outDir @param {{ name: string, title: string, manifest: string }} entry
 */
function updateIndex(outDir, entry) {
  const file = join(outDir, 'index.json');
  /** @type {unknown[]} */
  let previous = [];
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')).datasets ?? [];
  } catch {
    // No index yet, or an unreadable one: it is rebuilt.
  }
  const kept = /** @type {(typeof entry)[]} */ (Array.isArray(previous) ? previous : []).filter(
    (old) => typeof old?.manifest === 'string' && old.name !== entry.name && existsSync(join(outDir, old.manifest)),
  );
  writeJson(file, { datasets: [...kept, entry].sort((a, b) => String(a.name).localeCompare(String(b.name))) });
}

/**
 * Downloads `url` to `dest`. One timer serves both deadlines: the server must answer within
 * NETWORK_TIMEOUT_MS, and the transfer is abandoned once no byte has arrived for as long. (AbortSignal.timeout
 * cannot be extended while bytes flow, and a 160 MiB download takes longer than any fixed deadline.)
 * @param {string} url @param {string} dest
 */
async function download(url, dest) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer for ${NETWORK_TIMEOUT_MS / 1000} s`)), NETWORK_TIMEOUT_MS);
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    const total = Number(response.headers.get('content-length')) || Infinity;
    console.log(`datasets: downloading ${url}${total < Infinity ? ` (${Math.round(total / 2 ** 20)} MiB)` : ''}`);
    let received = 0;
    const body = Readable.fromWeb(/** @type {import('node:stream/web').ReadableStream} */ (response.body));
    body.on('data', (/** @type {Buffer} */ chunk) => {
      timer.refresh();
      const tenthsBefore = Math.floor((10 * received) / total);
      received += chunk.length;
      if (Math.floor((10 * received) / total) > tenthsBefore) console.log(`  ${Math.round((100 * received) / total)}%`);
    });
    await pipeline(body, createWriteStream(dest));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How a local source is recorded in the manifest, which ships in dist/: a path relative to the project when
 * it is near it, otherwise only its name (never a home directory).
 * @param {string} path
 */
function describeSource(path) {
  const rel = relative(ROOT, path);
  return isAbsolute(rel) || rel.startsWith(`..${sep}..`) ? basename(path) : rel.split(sep).join('/');
}

/** @param {string} file @param {unknown} value */
function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** @param {unknown} error */
function messageOf(error) {
  if (!(error instanceof Error)) return String(error);
  // Node's fetch hides the real reason (ENOTFOUND, ECONNREFUSED...) in `cause`.
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

main().catch((error) => {
  console.error(`datasets: setup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
