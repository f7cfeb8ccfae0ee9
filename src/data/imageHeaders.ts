/**
 * The kind and pixel size of a PNG, JPEG or WebP file, read from its header alone: the import checks the
 * size before it asks the browser to decode anything, so a 20000x20000 image is refused without allocating
 * its 1.6 GB of pixels. Pure and DOM-free.
 */

export type ImageKind = 'png' | 'jpeg' | 'webp';

export interface ImageHeader {
  readonly kind: ImageKind;
  readonly width: number;
  readonly height: number;
}

/** File name endings the import reads as images. */
export const IMAGE_EXTENSIONS: Readonly<Record<string, ImageKind>> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', webp: 'webp' };

export function imageKindOfName(path: string): ImageKind | null {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? null : (IMAGE_EXTENSIONS[path.slice(dot + 1).toLowerCase()] ?? null);
}

/** The header, or a reason a person can read when the bytes are not a PNG, JPEG or WebP header we can read. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | { readonly problem: string } {
  if (bytes.length >= 24 && startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return pngHeader(bytes);
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegHeader(bytes);
  if (bytes.length >= 16 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return webpHeader(bytes);
  return { problem: bytes.length === 0 ? 'the file is empty' : 'not a PNG, JPEG or WebP image' };
}

function pngHeader(bytes: Uint8Array): ImageHeader | { problem: string } {
  if (ascii(bytes, 12, 4) !== 'IHDR') return { problem: 'a damaged PNG (no IHDR header)' };
  return sized('png', u32be(bytes, 16), u32be(bytes, 20));
}

/** Walks the JPEG markers up to the first start-of-frame, which holds the size. */
function jpegHeader(bytes: Uint8Array): ImageHeader | { problem: string } {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return { problem: 'a damaged JPEG (bad marker)' };
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return sized('jpeg', u16be(bytes, at + 7), u16be(bytes, at + 5));
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or scan data before any frame header
    at += 2 + u16be(bytes, at + 2);
  }
  return { problem: 'a damaged JPEG (no frame header)' };
}

function webpHeader(bytes: Uint8Array): ImageHeader | { problem: string } {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8 ' && bytes.length >= 30) return sized('webp', u16le(bytes, 26) & 0x3fff, u16le(bytes, 28) & 0x3fff);
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = bytes[21]! | (bytes[22]! << 8) | (bytes[23]! << 16) | (bytes[24]! << 24);
    return sized('webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X' && bytes.length >= 30) return sized('webp', u24le(bytes, 24) + 1, u24le(bytes, 27) + 1);
  return { problem: 'a damaged WebP (unknown chunk)' };
}

function sized(kind: ImageKind, width: number, height: number): ImageHeader | { problem: string } {
  return width > 0 && height > 0 ? { kind, width, height } : { problem: `a damaged ${kind.toUpperCase()} (size ${width}x${height})` };
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((value, i) => bytes[i] === value);
const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));
const u16be = (bytes: Uint8Array, at: number) => (bytes[at]! << 8) | bytes[at + 1]!;
const u16le = (bytes: Uint8Array, at: number) => bytes[at]! | (bytes[at + 1]! << 8);
const u24le = (bytes: Uint8Array, at: number) => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
const u32be = (bytes: Uint8Array, at: number) => ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
