/** Small .tar.gz files built in the test, for the archive import's broken inputs. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The subset of CIFAR-10 in the official archive layout (never committed; read from ../shared). */
export const SUBSET_ARCHIVE = resolve(process.env.DISTILLERY_ARCHIVE ?? '../shared/datasets/cifar10-subset/cifar-10-binary-subset.tar.gz');
export const hasSubsetArchive = () => existsSync(SUBSET_ARCHIVE);
export const subsetArchive = () => readFileSync(SUBSET_ARCHIVE);

/** One ustar header block for a regular file. */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(size.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148); // checksum counts as spaces while summing
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return header;
}

/** A gzipped tar of the given members. */
export function tarGz(members: Record<string, Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, data] of Object.entries(members)) {
    blocks.push(tarHeader(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
