/**
 * A `.zip` as source entries for the image-folder import. The central directory is read first, inflating
 * nothing; each member is inflated (fflate) only when asked, into a buffer of its declared size, so a
 * decompression bomb (a few KiB that claim gigabytes) is refused on its declared sizes by planImageFolder's
 * limits before a byte is inflated, and a member that lies about its size cannot grow past what it declared.
 * The directory is read here rather than through fflate's unzip, which inflates every member it keeps at
 * once: this way the import holds one image's bytes at a time. Pure, DOM-free.
 */
import { inflateSync } from 'fflate';
import { ImageFolderImportError, type SourceEntry } from './imageFolderLayout';

/** A zip larger than this is not read at all (it is held in memory whole). */
export const MAX_ZIP_BYTES = 1024 * 1024 * 1024;

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

interface ZipMember {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeader: number;
}

export function zipEntries(zip: Uint8Array, fileName: string): SourceEntry[] {
  if (zip.length > MAX_ZIP_BYTES) throw new ImageFolderImportError(`${fileName} is larger than ${MAX_ZIP_BYTES / 1024 / 1024} MiB; the page does not read zips that large.`);
  return readDirectory(zip, fileName).map((member) => ({
    path: member.name,
    size: member.size,
    isDirectory: member.name.endsWith('/'),
    read: () => Promise.resolve(inflateMember(zip, member)),
  }));
}

function readDirectory(zip: Uint8Array, fileName: string): ZipMember[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const notZip = (why: string) => new ImageFolderImportError(`${fileName} is not a readable .zip archive (${why}).`);
  let end = zip.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== END_OF_DIRECTORY) end--;
  if (end < 0 || zip.length - end > 22 + 65_535) throw notZip(zip.length === 0 ? 'the file is empty' : 'no zip directory found');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) throw notZip('a ZIP64 archive, for files over 4 GiB, which the page does not read');
  const utf8 = new TextDecoder();
  const members: ZipMember[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || view.getUint32(at, true) !== DIRECTORY_ENTRY) throw notZip('its directory is damaged or truncated');
    const nameLength = view.getUint16(at + 28, true);
    const next = at + 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (next > zip.length) throw notZip('its directory is damaged or truncated');
    members.push({
      name: utf8.decode(zip.subarray(at + 46, at + 46 + nameLength)),
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localHeader: view.getUint32(at + 42, true),
    });
    at = next;
  }
  return members;
}

/** One member's bytes; throws (for this file only) if it is damaged or not the size it declared. */
function inflateMember(zip: Uint8Array, member: ZipMember): Uint8Array {
  const header = member.localHeader;
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  if (header + 30 > zip.length || view.getUint32(header, true) !== LOCAL_HEADER) throw new Error('its entry in the zip is damaged');
  const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const data = zip.subarray(start, start + member.compressedSize);
  if (data.length !== member.compressedSize) throw new Error('the zip is truncated');
  let bytes: Uint8Array;
  if (member.method === 0) bytes = data;
  else if (member.method === 8) {
    try {
      // A buffer of the declared size: fflate does not grow it, whatever the stream would unpack to.
      bytes = inflateSync(data, { out: new Uint8Array(member.size) });
    } catch (error) {
      throw new Error(`its compressed data is damaged (${error instanceof Error ? error.message : String(error)})`);
    }
  } else throw new Error(`compressed with method ${member.method}, which the page does not read (zip it again with the usual deflate)`);
  if (bytes.length !== member.size) throw new Error(`it unpacks to ${bytes.length} bytes, not the ${member.size} it declares`);
  return bytes;
}
