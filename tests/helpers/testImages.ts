/**
 * Image files made in the test, for the image-folder import: real PNGs (zlib-compressed, CRC-checked, any
 * browser opens them), PNG headers that claim a huge size, the marker structure of a JPEG up to its frame
 * header, WebP headers, folders of them as import entries, and zips (fflate) of those folders. Node only.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { zipSync } from 'fflate';
import type { SourceEntry } from '../../src/data/imageFolderLayout';
import type { ImageDecoder } from '../../src/data/imageFolderImport';
import { centreSquare } from '../../src/data/centreCrop';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return chunk('IHDR', header);
}

/** A real 8-bit RGB PNG; `pixel(x, y)` gives each pixel's colour. */
export function pngBytes(width: number, height: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer {
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * (1 + width * 3) + 1 + x * 3);
  }
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

export const solidPng = (width: number, height: number, rgb: readonly [number, number, number]) => pngBytes(width, height, () => rgb);

/** A PNG that claims `width x height` (e.g. 20000x20000) with one row of data: only its header is sound. */
export const hugePngHeader = (width: number, height: number) =>
  Buffer.concat([PNG_SIGNATURE, ihdr(width, height), chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))), chunk('IEND', new Uint8Array())]);

/** A JPEG's structure up to its frame header: SOI, a JFIF APP0 segment, SOF0 with the size, then garbage scan data. */
export function jpegMarkers(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof0 = Buffer.from([0xff, 0xc0, 0, 17, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0xd9])]);
}

/** A WebP's RIFF header with its first chunk: lossy (VP8), lossless (VP8L) or extended (VP8X). */
export function webpHeader(kind: 'VP8 ' | 'VP8L' | 'VP8X', width: number, height: number): Buffer {
  const bytes = Buffer.alloc(40);
  bytes.write('RIFF', 0, 'ascii');
  bytes.writeUInt32LE(32, 4);
  bytes.write('WEBP', 8, 'ascii');
  bytes.write(kind, 12, 'ascii');
  if (kind === 'VP8 ') {
    bytes.writeUInt16LE(width, 26);
    bytes.writeUInt16LE(height, 28);
  } else if (kind === 'VP8L') {
    bytes[20] = 0x2f;
    bytes.writeUInt32LE(((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14), 21);
  } else {
    bytes.writeUIntLE(width - 1, 24, 3);
    bytes.writeUIntLE(height - 1, 27, 3);
  }
  return bytes;
}

/** A folder as import entries: a path ending in `/` is an (empty) folder. */
export function folderEntries(files: Record<string, Uint8Array | null>): SourceEntry[] {
  return Object.entries(files).map(([path, bytes]) => ({
    path,
    size: bytes?.length ?? 0,
    isDirectory: bytes === null,
    read: () => (bytes ? Promise.resolve(bytes) : Promise.reject(new Error('a folder'))),
  }));
}

/** The same folder as a zip (deflated), with folder entries where a path ends in `/`. */
export function zipOf(files: Record<string, Uint8Array | null>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path, bytes ?? new Uint8Array()])));
}

/**
 * The test's stand-in for the browser's decoder: reads the PNGs pngBytes writes (RGB, filter 0), crops the
 * centred square and samples it nearest-neighbour; anything else it cannot decode, like a corrupt file.
 */
export const decodeTestPng: ImageDecoder = async (bytes, header, side) => {
  if (header.kind !== 'png') throw new Error('the test decoder reads PNG only');
  const view = Buffer.from(bytes);
  let at = 8;
  const data: Buffer[] = [];
  while (at < view.length) {
    const length = view.readUInt32BE(at);
    if (view.toString('ascii', at + 4, at + 8) === 'IDAT') data.push(view.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = 1 + header.width * 3;
  if (raw.length !== stride * header.height) throw new Error('truncated image data');
  const crop = centreSquare(header.width, header.height);
  const out = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const sx = crop.x + Math.floor(((x + 0.5) * crop.side) / side);
      const sy = crop.y + Math.floor(((y + 0.5) * crop.side) / side);
      out.set(raw.subarray(sy * stride + 1 + sx * 3, sy * stride + 4 + sx * 3), (y * side + x) * 3);
    }
  }
  return out;
};
