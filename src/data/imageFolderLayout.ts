/**
 * Works out what a dropped folder or a `.zip` of pictures holds, before any image is read: the class folders
 * (at the top, or under one wrapping folder), an optional `train/` + `test/` (or `val/`) split, and every
 * file that will not be used, each named in a note. Refuses the whole import only where a person would: too
 * many images or bytes, classes that differ only in case, fewer than two usable classes. Pure, DOM-free:
 * the entries come from a folder (the page) or a zip (zipEntries.ts) alike.
 */
import { imageKindOfName } from './imageHeaders';

/** One file or folder of the source; `read` gives a file's bytes (at most `size` of them). */
export interface SourceEntry {
  /** `/`-separated path inside the dropped folder or the zip, e.g. `flowers/rose/001.jpg`. */
  readonly path: string;
  /** Bytes of the file (a zip's declared uncompressed size); 0 for a folder. */
  readonly size: number;
  readonly isDirectory: boolean;
  read(): Promise<Uint8Array>;
}

export interface ImageFolderLimits {
  readonly maxImages: number;
  /** Over all images, as declared (a zip's uncompressed sizes) before anything is inflated. */
  readonly maxTotalBytes: number;
  readonly maxImageBytes: number;
  /** Width x height of one image, read from its header before it is decoded. */
  readonly maxPixels: number;
  /** Labels are bytes, and a classroom dataset with more classes would not train in a page anyway. */
  readonly maxClasses: number;
}

export const IMAGE_FOLDER_LIMITS: ImageFolderLimits = {
  maxImages: 20_000,
  maxTotalBytes: 512 * 1024 * 1024,
  maxImageBytes: 32 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxClasses: 100,
};

/** One class folder: its images in the training folder and, when the source has one, in the test folder. */
export interface PlannedClass {
  readonly name: string;
  readonly train: readonly SourceEntry[];
  readonly test: readonly SourceEntry[];
}

export interface ImageFolderPlan {
  /** Sorted by name (code points, as PyTorch's ImageFolder sorts them): the label is the index. */
  readonly classes: readonly PlannedClass[];
  /** The folder the test images come from (`test`, `val`...), or null: a seeded split is made. */
  readonly testFolder: string | null;
  /** What was left out and why, one sentence each. */
  readonly notes: readonly string[];
}

/** The source as a whole cannot be imported; the message says why. */
export class ImageFolderImportError extends Error {
  override readonly name = 'ImageFolderImportError';
}

const TRAIN_FOLDERS = ['train', 'training'];
const TEST_FOLDERS = ['test', 'val', 'valid', 'validation'];

/** System clutter that nobody means as data: skipped without a note. */
const isClutter = (path: string) => path.split('/').some((part) => part.startsWith('.') || part === '__MACOSX' || /^(thumbs\.db|desktop\.ini)$/i.test(part));

export function planImageFolder(entries: readonly SourceEntry[], limits: ImageFolderLimits = IMAGE_FOLDER_LIMITS): ImageFolderPlan {
  const notes: string[] = [];
  const all = entries
    .map((entry) => ({ entry, parts: entry.path.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.') }))
    .filter(({ parts }) => parts.length > 0 && !isClutter(parts.join('/')));
  const files = stripWrappingFolder(all);
  if (!files.some((it) => !it.entry.isDirectory)) throw new ImageFolderImportError('It holds no files: drop a folder of class folders (e.g. cats/, dogs/) with pictures in them.');

  const roots = findSplitFolders(files.map((it) => it.parts), notes);
  // Paths relative to a split folder; with none, the top (groupByClass leaves the split folders out).
  const under = (root: string | null): Located[] => (root === null ? files : files.filter((it) => it.parts[0] === root).map((it) => ({ ...it, parts: it.parts.slice(1) })));
  const train = groupByClass(under(roots.train), roots.train, notes);
  const test = roots.test === null ? new Map<string, SourceEntry[]>() : groupByClass(under(roots.test), roots.test, notes);
  refuseCaseDuplicates([...train.keys(), ...test.keys()]);

  const classes = keepUsableClasses(train, test, roots.test !== null, notes);
  checkLimits(classes, limits);
  return { classes, testFolder: roots.test, notes };
}

type Located = { readonly entry: SourceEntry; readonly parts: readonly string[] };

/** A dropped folder arrives as `flowers/rose/1.jpg`, a zip often wraps one folder too: look through it. */
function stripWrappingFolder(items: readonly Located[]): Located[] {
  let current = [...items];
  for (;;) {
    const fileItems = current.filter((it) => !it.entry.isDirectory);
    const first = fileItems[0]?.parts[0];
    // One folder holding everything, with folders inside it (a lone class folder holds only pictures).
    const wraps = first !== undefined && fileItems.every((it) => it.parts[0] === first && it.parts.length >= 2) && fileItems.some((it) => it.parts.length >= 3) && !isSplitFolder(first);
    if (!wraps) return current;
    current = current.filter((it) => it.parts[0] === first && it.parts.length > 1).map((it) => ({ ...it, parts: it.parts.slice(1) }));
  }
}

const isSplitFolder = (name: string) => [...TRAIN_FOLDERS, ...TEST_FOLDERS].includes(name.toLowerCase());

function findSplitFolders(paths: readonly (readonly string[])[], notes: string[]): { train: string | null; test: string | null } {
  const tops = [...new Set(paths.filter((p) => p.length > 1).map((p) => p[0]!))];
  const train = tops.find((name) => TRAIN_FOLDERS.includes(name.toLowerCase())) ?? null;
  const tests = TEST_FOLDERS.map((wanted) => tops.find((name) => name.toLowerCase() === wanted)).filter((name) => name !== undefined);
  const test = tests[0] ?? null;
  if (tests.length > 1) notes.push(`The test images come from ${test}/; ${tests.slice(1).map((t) => `${t}/`).join(', ')} ${tests.length > 2 ? 'are' : 'is'} not used.`);
  if (train !== null) {
    const others = tops.filter((name) => name !== train && !tests.includes(name));
    if (others.length > 0) notes.push(`With a ${train}/ folder, only ${train}/ and ${test ?? 'test'}/ are read: ${listNames(others.map((o) => `${o}/`))} skipped.`);
  }
  return { train, test };
}

/** Files of one split by class folder; files outside a class folder, nested folders and non-images are noted. */
function groupByClass(items: readonly Located[], root: string | null, notes: string[]): Map<string, SourceEntry[]> {
  const classes = new Map<string, SourceEntry[]>();
  const loose: string[] = [];
  const nested = new Map<string, number>();
  const notImages: string[] = [];
  for (const { entry, parts } of items) {
    if (root === null && isSplitFolder(parts[0]!) && parts.length > 1) continue; // the other split's files
    if (entry.isDirectory) {
      if (parts.length === 1 && !classes.has(parts[0]!)) classes.set(parts[0]!, []);
      continue;
    }
    // Messages give the path as the user sees it in their folder or zip (wrapping folder included).
    if (parts.length === 1) loose.push(entry.path);
    else if (parts.length > 2) {
      const whole = entry.path.split('/').filter((p) => p !== '');
      const folder = `${whole.slice(0, whole.length - parts.length + 2).join('/')}/`;
      nested.set(folder, (nested.get(folder) ?? 0) + 1);
    } else if (imageKindOfName(parts[1]!) === null) notImages.push(entry.path);
    else {
      const list = classes.get(parts[0]!) ?? [];
      list.push(entry);
      classes.set(parts[0]!, list);
    }
  }
  if (loose.length > 0) notes.push(`${count(loose.length, 'file')} outside any class folder ${loose.length > 1 ? 'were' : 'was'} skipped: ${listNames(loose)}.`);
  if (nested.size > 0) notes.push(`Folders inside class folders are not read; skipped: ${listNames([...nested].map(([folder, n]) => `${folder} (${count(n, 'file')})`))}.`);
  if (notImages.length > 0) notes.push(`${count(notImages.length, 'file')} that ${notImages.length > 1 ? 'are' : 'is'} not PNG, JPEG or WebP ${notImages.length > 1 ? 'were' : 'was'} skipped: ${listNames(notImages)}.`);
  return classes;
}

function refuseCaseDuplicates(names: readonly string[]): void {
  const byLower = new Map<string, Set<string>>();
  for (const name of names) byLower.set(name.toLowerCase(), (byLower.get(name.toLowerCase()) ?? new Set()).add(name));
  const clashes = [...byLower.values()].filter((set) => set.size > 1).map((set) => [...set].sort().join(' and '));
  if (clashes.length > 0) {
    throw new ImageFolderImportError(`Class folders whose names differ only in case would be one class on some systems and two on others: ${clashes.join('; ')}. Rename or merge them, then import again.`);
  }
}

/** Drops classes that cannot be trained and tested on, naming each; refuses fewer than two classes. */
function keepUsableClasses(train: ReadonlyMap<string, SourceEntry[]>, test: ReadonlyMap<string, SourceEntry[]>, hasTestFolder: boolean, notes: string[]): PlannedClass[] {
  const empty: string[] = [];
  const single: string[] = [];
  const onlyTest = [...test.keys()].filter((name) => !train.has(name));
  const classes: PlannedClass[] = [];
  for (const name of [...train.keys()].sort(byCodePoint)) {
    const images = train.get(name)!;
    if (images.length === 0) empty.push(`${name}/`);
    else if (!hasTestFolder && images.length < 2) single.push(`${name}/`);
    else classes.push({ name, train: images, test: test.get(name) ?? [] });
  }
  if (empty.length > 0) notes.push(`${count(empty.length, 'class folder')} with no images ${empty.length > 1 ? 'were' : 'was'} skipped: ${listNames(empty)}.`);
  if (single.length > 0) notes.push(`${count(single.length, 'class')} with only one image ${single.length > 1 ? 'were' : 'was'} skipped (each class needs one image to train on and one to test on): ${listNames(single)}.`);
  if (onlyTest.length > 0) notes.push(`Test folders without a training folder of the same name were skipped: ${listNames(onlyTest.map((n) => `${n}/`))}.`);
  const untested = hasTestFolder ? classes.filter((c) => c.test.length === 0).map((c) => c.name) : [];
  if (untested.length > 0) notes.push(`${listNames(untested)} ${untested.length > 1 ? 'have' : 'has'} no test images: accuracy is measured on the other classes only.`);
  if (classes.length < 2) {
    const found = classes.length === 0 ? 'no class folder with images' : `only one class (${classes[0]!.name})`;
    throw new ImageFolderImportError(`Found ${found}: a dataset needs at least two class folders, each with at least two images (e.g. cats/, dogs/).`);
  }
  return classes;
}

function checkLimits(classes: readonly PlannedClass[], limits: ImageFolderLimits): void {
  const images = classes.flatMap((c) => [...c.train, ...c.test]);
  if (classes.length > limits.maxClasses) throw new ImageFolderImportError(`It has ${classes.length} classes; the page takes at most ${limits.maxClasses}.`);
  if (images.length > limits.maxImages) throw new ImageFolderImportError(`It has ${images.length} images; the page takes at most ${limits.maxImages}. Import a smaller selection.`);
  const bytes = images.reduce((sum, image) => sum + image.size, 0);
  if (bytes > limits.maxTotalBytes) {
    throw new ImageFolderImportError(`Its images add up to ${mib(bytes)} MiB (as declared, before unpacking); the page takes at most ${mib(limits.maxTotalBytes)} MiB.`);
  }
}

export const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const mib = (bytes: number) => Math.ceil(bytes / 1024 / 1024);
export const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : noun.endsWith('s') ? 'es' : 's'}`;

/** The first few names, and how many more: a message stays readable for a folder of thousands. */
export function listNames(names: readonly string[], shown = 5): string {
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}
