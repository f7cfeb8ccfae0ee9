/**
 * Element order between tfjs and PyTorch for each `TorchLayout` (see `names.ts`): shapes and values, both
 * ways, as pure functions on row-major Float32Arrays. Import reads torch order and writes tfjs order;
 * export does the reverse; round trips are exact (a permutation copies, it computes nothing).
 */
import type { TorchLayout } from './stateDictNames/names';

/**
 * For each layout, the tfjs axis that each torch axis is: torch shape[i] = tfjs shape[TO_TORCH[i]].
 * conv2d: tfjs [kh, kw, in, out] -> torch [out, in, kh, kw]; depthwise: [kh, kw, c, 1] -> [c, 1, kh, kw];
 * dense: [in, out] -> [out, in].
 */
const TO_TORCH: Readonly<Record<TorchLayout, readonly number[]>> = {
  conv2d: [3, 2, 0, 1],
  depthwise: [2, 3, 0, 1],
  dense: [1, 0],
  vector: [0],
};

/** The inverse permutations: tfjs shape[i] = torch shape[TO_TFJS[i]]. */
const TO_TFJS: Readonly<Record<TorchLayout, readonly number[]>> = {
  conv2d: [2, 3, 1, 0],
  depthwise: [2, 3, 0, 1],
  dense: [1, 0],
  vector: [0],
};

export function torchShapeOf(layout: TorchLayout, tfjsShape: readonly number[]): number[] {
  return permuteShape(tfjsShape, TO_TORCH[layout], layout);
}

export function tfjsShapeOf(layout: TorchLayout, torchShape: readonly number[]): number[] {
  return permuteShape(torchShape, TO_TFJS[layout], layout);
}

/** `values` in tfjs order for `tfjsShape` -> the same tensor in torch order. */
export function tfjsToTorch(layout: TorchLayout, values: Float32Array, tfjsShape: readonly number[]): Float32Array {
  return permute(values, tfjsShape, TO_TORCH[layout], layout);
}

/** `values` in torch order for `torchShape` -> the same tensor in tfjs order. */
export function torchToTfjs(layout: TorchLayout, values: Float32Array, torchShape: readonly number[]): Float32Array {
  return permute(values, torchShape, TO_TFJS[layout], layout);
}

function permuteShape(shape: readonly number[], axes: readonly number[], layout: TorchLayout): number[] {
  if (shape.length !== axes.length) throw new Error(`A ${layout} tensor has ${axes.length} dimensions, not ${shape.length} ([${shape.join(', ')}]).`);
  return axes.map((axis) => shape[axis]!);
}

/** out[j] over the permuted shape = values at the source index; row-major both sides. */
function permute(values: Float32Array, shape: readonly number[], axes: readonly number[], layout: TorchLayout): Float32Array {
  const outShape = permuteShape(shape, axes, layout);
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`A tensor of shape [${shape.join(', ')}] has ${size} values, not ${values.length}.`);
  if (layout === 'vector') return values.slice();
  const rank = shape.length;
  const sourceStrides = new Array<number>(rank);
  for (let i = rank - 1, stride = 1; i >= 0; i--) {
    sourceStrides[i] = stride;
    stride *= shape[i]!;
  }
  // The source stride of each output axis, so one odometer walk over the output reads the source in place.
  const strides = axes.map((axis) => sourceStrides[axis]!);
  const out = new Float32Array(size);
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let j = 0; j < size; j++) {
    out[j] = values[source]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      source += strides[axis]!;
      if (index[axis]! < outShape[axis]!) break;
      source -= strides[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}
