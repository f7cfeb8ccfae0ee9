/**
 * `npm run export-pytorch`: a playground link (or its query) into the same `.distillery-pytorch.zip` the
 * page's "Run it on PyTorch" downloads (`buildPytorchRun`). The dataset's classes and normalisation come
 * from the installed manifest (`public/datasets`, or `--datasets DIR`); a saved teacher the link names
 * comes from `--teacher FILE`: a .safetensors/.pth (read as the Saved models import reads it) or a saved
 * model's .json (its weights file beside it, as the page exports them).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseUrl } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import { parseDatasetIndex, parseManifest } from '../../src/contract/datasetManifest';
import { checkWeightsFile, parseModelJson, type ModelJson } from '../../src/contract/modelFile';
import { importTorchCheckpoint } from '../../src/models/torch/importCheckpoint';
import { buildPytorchRun, exportedSavedModelIds, type PytorchRunDataset, type PytorchRunExport, type PytorchRunTeacherFiles } from '../../src/storage/page/pytorchRun';

export interface ExportFromLinkOptions {
  readonly link: string;
  readonly teacher?: string;
  /** The folder holding `index.json` and the manifests. */
  readonly datasets: string;
  readonly now: number;
}

/** The link's query: a whole URL, `?a=1&b=2` or `a=1&b=2`. */
export function linkQuery(link: string): string {
  const text = link.trim();
  const at = text.indexOf('?');
  const query = (at >= 0 ? text.slice(at + 1) : text).replace(/#.*$/, '');
  if (query === '' || !query.includes('=')) throw new Error(`"${link}" is not a playground link: it has no settings (?method=kd&teacher=...).`);
  return query;
}

function readDataset(folder: string, id: string): PytorchRunDataset {
  const indexPath = join(folder, 'index.json');
  if (!existsSync(indexPath)) throw new Error(`No datasets are installed in ${folder} (no index.json): run \`npm run setup\`, or pass --datasets DIR.`);
  const index = parseDatasetIndex(JSON.parse(readFileSync(indexPath, 'utf8')), indexPath);
  const entry = index.datasets.find((d) => d.name === id);
  if (!entry) throw new Error(`The link's dataset "${id}" is not installed in ${folder} (installed: ${index.datasets.map((d) => d.name).join(', ') || 'none'}).`);
  const manifestPath = join(folder, entry.manifest);
  const manifest = parseManifest(JSON.parse(readFileSync(manifestPath, 'utf8')), manifestPath);
  return { id, format: manifest.format, classNames: manifest.classNames, normalization: { mean: manifest.mean, std: manifest.std } };
}

/** A teacher file as saved-model files: a PyTorch checkpoint, or a saved model's .json with its weights. */
export function readTeacherFile(path: string, numClasses: number): PytorchRunTeacherFiles {
  if (!existsSync(path)) throw new Error(`--teacher ${path}: no such file.`);
  const name = basename(path);
  if (/\.json$/i.test(name)) {
    const json: ModelJson = parseModelJson(readFileSync(path, 'utf8'), { numClasses });
    const weightsPath = join(dirname(path), json.weightsManifest[0].paths[0]);
    if (!existsSync(weightsPath)) throw new Error(`--teacher ${path} names its weights file ${json.weightsManifest[0].paths[0]}, which is not beside it.`);
    const bytes = readFileSync(weightsPath);
    const weights = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    checkWeightsFile(json, weights.byteLength, basename(weightsPath));
    return { json, weights };
  }
  if (!/\.(safetensors|pth|pt|tar|bin)$/i.test(name)) {
    throw new Error(`--teacher ${path}: not a teacher file. Give a .safetensors or .pth checkpoint, or a saved model's .json (its .weights.bin beside it).`);
  }
  const imported = importTorchCheckpoint(new Uint8Array(readFileSync(path)), { fileName: name });
  if (imported.numClasses !== numClasses) throw new Error(`--teacher ${path} predicts ${imported.numClasses} classes, but the link's dataset has ${numClasses}.`);
  return { json: imported.json, weights: imported.weights };
}

/** A saved-model id for a teacher file (the link names none): the same file gives the same id. */
function fileModelId(weights: ArrayBuffer): string {
  return `m-${createHash('sha256').update(new Uint8Array(weights)).digest('hex').slice(0, 16)}`;
}

/** The export, and lines to print about what was adjusted. Throws with the link's notes when it is bad. */
export function exportFromLink(options: ExportFromLinkOptions): { exported: PytorchRunExport; messages: string[] } {
  const parsed = parseUrl(linkQuery(options.link));
  if (parsed.notes.length > 0) throw new Error(`The link has settings the playground would change:\n${parsed.notes.map((n) => `  - ${n}`).join('\n')}\nFix them in the link and try again.`);
  let config: RunConfig = parsed.config;
  const dataset = readDataset(options.datasets, config.dataset);
  const messages: string[] = [];
  const savedTeachers: Record<string, PytorchRunTeacherFiles> = {};
  const named = exportedSavedModelIds(config);
  if (named.length > 1) throw new Error(`The link distils from ${named.length} saved models (${named.join(', ')}); this command takes one teacher file: export the run from the page (Run it on PyTorch), which carries them all.`);
  if (options.teacher) {
    const files = readTeacherFile(options.teacher, dataset.classNames.length);
    const model = files.json.modelTopology.model;
    if (model !== config.teacher) messages.push(`The teacher file holds a ${model}: the run's teacher is ${model}, not ${config.teacher}.`);
    const id = named[0] ?? fileModelId(files.weights);
    savedTeachers[id] = files;
    config = { ...config, teacher: model, savedTeacher: config.savedTeacher || id };
  } else if (named.length > 0) {
    throw new Error(`The link distils from the model ${named[0]} saved in a browser: export it there (Saved models, .safetensors) and pass the file with --teacher FILE.`);
  }
  return { exported: buildPytorchRun({ config, dataset, savedTeachers, exportedAt: options.now }), messages };
}
