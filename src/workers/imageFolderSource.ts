/**
 * The page's dropped folder or picked `.zip` (ImageFolderSource) as the entries the image-folder import
 * reads, and the import itself with the worker's canvas decoder. Kept beside the session so it stays short.
 */
import { IMAGE_FOLDER_SIDES, isImageFolderSide, type ImageFolderSide } from '../contract/cifarFormat';
import type { ImageFolderSource } from '../contract/protocol';
import type { SourceEntry } from '../data/imageFolderLayout';
import { zipEntries } from '../data/zipEntries';
import { importImageFolder, type ImageFolderImport, type ImageFolderProgress } from '../data/imageFolderImport';
import { decodeInWorker } from './imageDecode';

/** The source's name as the user knows it: the folder's, or the zip file's. */
export const sourceName = (source: ImageFolderSource) => (source.kind === 'zip' ? source.file.name : source.name);

/** Bytes of the picked files: what the import list records. */
export const sourceBytes = (source: ImageFolderSource) =>
  source.kind === 'zip' ? source.file.size : source.files.reduce((sum, it) => sum + (it.file?.size ?? 0), 0);

async function entriesOf(source: ImageFolderSource): Promise<SourceEntry[]> {
  if (source.kind === 'zip') return zipEntries(new Uint8Array(await source.file.arrayBuffer()), source.file.name);
  return source.files.map(({ path, file }) => ({
    path,
    size: file?.size ?? 0,
    isDirectory: file === null,
    read: async () => {
      if (!file) throw new Error('a folder, not a file');
      return new Uint8Array(await file.arrayBuffer());
    },
  }));
}

export async function importImageSource(source: ImageFolderSource, side: ImageFolderSide, onProgress: (progress: ImageFolderProgress) => void): Promise<ImageFolderImport> {
  if (!isImageFolderSide(side)) throw new Error(`pictures can be resized to ${IMAGE_FOLDER_SIDES.join(' or ')} pixels, not ${String(side)}.`);
  return importImageFolder(await entriesOf(source), { sourceName: sourceName(source), decode: decodeInWorker, onProgress, side });
}
