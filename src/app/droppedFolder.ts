/**
 * What a person dropped or picked, as an import source: a folder (drag and drop walks it through the File and
 * Directory Entries API; a picked folder lists its files with their relative paths), a `.zip` of class
 * folders, or a CIFAR `.tar.gz`. Page-side only: the files themselves go to the worker unread.
 */
import type { FolderFile, ImageFolderSource } from '../contract/protocol';

export type DroppedSource = { readonly kind: 'archive'; readonly file: File } | ImageFolderSource;

/** Walking a folder with more entries than this stops: the import takes far fewer images anyway. */
const MAX_FOLDER_ENTRIES = 100_000;

/** A picked file: a `.zip` is a folder of images, anything else goes to the CIFAR archive import. */
export function fileSource(file: File): DroppedSource {
  return /\.zip$/i.test(file.name) ? { kind: 'zip', file } : { kind: 'archive', file };
}

/** The files of an `<input webkitdirectory>`, named by the folder picked. */
export function pickedFolderSource(files: FileList): ImageFolderSource | null {
  const list = [...files];
  if (list.length === 0) return null;
  const paths = list.map((file) => file.webkitRelativePath || file.name);
  return { kind: 'folder', name: paths[0]!.split('/')[0] ?? 'images', files: list.map((file, i) => ({ path: paths[i]!, file })) };
}

/** Reads the drop synchronously (its items expire after the event), then walks any folders. */
export function droppedSource(data: DataTransfer): Promise<DroppedSource | null> {
  const entries = [...data.items].map((item) => item.webkitGetAsEntry?.() ?? null).filter((entry) => entry !== null);
  const folders = entries.filter((entry) => entry.isDirectory);
  const first = data.files[0];
  if (folders.length === 0) return Promise.resolve(first ? fileSource(first) : null);
  const name = folders.length === 1 ? folders[0]!.name : 'dropped images';
  return walk(entries).then((files) => ({ kind: 'folder', name, files }));
}

async function walk(roots: readonly FileSystemEntry[]): Promise<FolderFile[]> {
  const out: FolderFile[] = [];
  const pending = [...roots];
  for (let entry = pending.shift(); entry; entry = pending.shift()) {
    if (out.length > MAX_FOLDER_ENTRIES) throw new Error(`The folder holds more than ${MAX_FOLDER_ENTRIES} files and folders; drop a smaller one.`);
    const path = entry.fullPath.replace(/^\//, '');
    if (entry.isFile) out.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    else {
      out.push({ path: `${path}/`, file: null });
      pending.push(...(await children(entry as FileSystemDirectoryEntry)));
    }
  }
  return out;
}

const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));

/** readEntries answers in batches (of 100 in Chromium) until it answers with none. */
async function children(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}
