/** Every refusal of a PyTorch or safetensors file: the message says what is wrong, for a person to read. */
export class TorchImportError extends Error {
  override readonly name = 'TorchImportError';
}

/** Caps checked before anything is allocated. A CIFAR ResNet50 is ~95 MB of float32. */
export const TORCH_LIMITS = {
  /** One tensor, one storage, one zip entry. */
  maxEntryBytes: 512 * 1024 * 1024,
  /** All zip entries inflated for one checkpoint together (a zip bomb's many small promises). */
  maxTotalBytes: 1024 * 1024 * 1024,
  /** A safetensors JSON header or a pickle (the description, not the data). */
  maxHeaderBytes: 64 * 1024 * 1024,
  /** Dimensions of one tensor. */
  maxRank: 8,
} as const;
