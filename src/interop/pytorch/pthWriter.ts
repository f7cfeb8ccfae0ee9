/**
 * Writes a state_dict as PyTorch's zip checkpoint (what `torch.save` writes since 1.6):
 * `archive/data.pkl` (the pickle), `archive/byteorder`, one uncompressed record `archive/data/<i>` per
 * tensor, and `archive/version`. Like PyTorch's own writer, every record's bytes start on a 64-byte
 * boundary (padded with an extra field "FB"), so readers that map the file see aligned tensors.
 */
import { zipSync, type Zippable } from 'fflate';
import { writeStateDictPickle } from './pickleWriter';
import { checkStateDict, tensorBytes, type StateDict } from './stateDict';

const ALIGNMENT = 64;
const LOCAL_HEADER_BYTES = 30;
/** PyTorch's padding extra field id, the bytes "FB" read as a little-endian u16. */
const PADDING_FIELD = 0x4246;
/** The zip format's file times start in 1980; a fixed time makes the same model give the same bytes. */
const FIXED_TIME = new Date(2020, 0, 1);
/** PyTorch 1.6 to 2.x write file format version 3. */
const FILE_FORMAT_VERSION = '3\n';

export function writePth(tensors: StateDict, archiveName = 'archive'): Uint8Array {
  checkStateDict(tensors);
  const text = (value: string) => new TextEncoder().encode(value);
  const records: [string, Uint8Array][] = [
    ['data.pkl', writeStateDictPickle(tensors)],
    ['byteorder', text('little')],
    ...tensors.map((tensor, i): [string, Uint8Array] => [`data/${i}`, tensorBytes(tensor)]),
    ['version', text(FILE_FORMAT_VERSION)],
  ];
  const files: Zippable = {};
  let offset = 0; // where the next local header starts, as fflate lays them out back to back
  for (const [name, data] of records) {
    const path = `${archiveName}/${name}`;
    const headerEnd = offset + LOCAL_HEADER_BYTES + new TextEncoder().encode(path).length + 4;
    const padding = (ALIGNMENT - (headerEnd % ALIGNMENT)) % ALIGNMENT;
    files[path] = [data, { level: 0, mtime: FIXED_TIME, extra: { [PADDING_FIELD]: new Uint8Array(padding).fill(0x5a) } }];
    offset = headerEnd + padding + data.length;
  }
  return zipSync(files);
}
