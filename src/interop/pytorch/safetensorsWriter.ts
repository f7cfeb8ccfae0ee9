/**
 * Writes a state_dict as `.safetensors` (huggingface/safetensors): an 8-byte little-endian header length,
 * a JSON header naming each tensor's dtype, shape and byte range, padded with spaces to 8 bytes, then the
 * tensors' bytes back to back. Float32 as F32, int64 counters as I64, as `safetensors.torch.save_file` does.
 */
import { checkStateDict, tensorBytes, type StateDict } from './stateDict';

const DTYPE_NAMES = { float32: 'F32', int64: 'I64' } as const;

export function writeSafetensors(tensors: StateDict, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  checkStateDict(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const tensor of tensors) {
    const end = offset + tensor.data.byteLength;
    header[tensor.name] = { dtype: DTYPE_NAMES[tensor.dtype], shape: [...tensor.shape], data_offsets: [offset, end] };
    offset = end;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const tensor of tensors) {
    out.set(tensorBytes(tensor), at);
    at += tensor.data.byteLength;
  }
  return out;
}
