/**
 * A PyTorch state_dict as plain data: named tensors in PyTorch's layout (NCHW convolution kernels,
 * [out, in] dense matrices), float32 weights and int64 counters (`num_batches_tracked`). The writers turn
 * it into `.safetensors` and `.pth` bytes. Pure and tfjs-free.
 */

export type TorchTensor =
  | { readonly name: string; readonly dtype: 'float32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly name: string; readonly dtype: 'int64'; readonly shape: readonly number[]; readonly data: BigInt64Array };

export type StateDict = readonly TorchTensor[];

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Row-major strides of a contiguous tensor, in elements (what `torch.Tensor.stride()` gives). */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i]!;
  }
  return strides;
}

/** Every tensor's bytes as stored on disk: little-endian, as both formats require. */
export function tensorBytes(tensor: TorchTensor): Uint8Array {
  return new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
}

/** Refuses a state_dict the writers could not write faithfully: repeated names, data of another size. */
export function checkStateDict(tensors: StateDict): void {
  const seen = new Set<string>();
  for (const tensor of tensors) {
    if (tensor.name === '' || seen.has(tensor.name)) throw new Error(`The state_dict names "${tensor.name}" ${tensor.name === '' ? 'as empty' : 'twice'}.`);
    seen.add(tensor.name);
    if (!tensor.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`"${tensor.name}" has an invalid shape [${tensor.shape.join(', ')}].`);
    if (tensor.data.length !== elementCount(tensor.shape)) {
      throw new Error(`"${tensor.name}" has ${tensor.data.length} values for shape [${tensor.shape.join(', ')}].`);
    }
  }
}
