// Per-channel statistics of a [rows, channels] float32 tensor (NHWC flattened), accumulated in float64 as
// PyTorch's CPU BatchNorm does (its acc_type<float> is double). Float32 sums over the 65,536 values a channel
// has at batch 64 and 32x32 err about 60 times more than PyTorch's, every step, in every BatchNorm.
// `scratch` holds 2 * channels float64 accumulators for each part (`partScratchBytes` apart, since the loops
// store them on every row); results go to `out` as float32. A part takes a run of channels, summing the rows
// in order for each.
import { partScratchBytes, shareStart } from './parts';

/** Zeroes `count` float64 values from `ptr`. */
function zero64(ptr: usize, count: i32): void {
  memory.fill(ptr, 0, <usize>count << 3);
}

/** This part's 2 * channels float64 accumulators in `scratch`, zeroed. */
function freshAccumulators(scratch: usize, channels: i32, part: i32): usize {
  const slot = scratch + <usize>(part * partScratchBytes(channels << 4));
  zero64(slot, 2 * channels);
  return slot;
}

/** Address of value c of row r in a float32 [rows, channels] tensor. */
@inline function at(ptr: usize, r: i32, c: i32, channels: i32): usize {
  return ptr + (<usize>(r * channels + c) << 2);
}

/** sums[c] += a[r, c] over every row, for channels c0 to c1. */
function sumRows(sums: usize, a: usize, rows: i32, channels: i32, c0: i32, c1: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = c0; c < c1; c++) {
      const slot = sums + (<usize>c << 3);
      store<f64>(slot, load<f64>(slot) + <f64>load<f32>(at(a, r, c, channels)));
    }
  }
}

/** sums[c] += a[r, c] * b[r, c] over every row, for channels c0 to c1. */
function sumProducts(sums: usize, a: usize, b: usize, rows: i32, channels: i32, c0: i32, c1: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = c0; c < c1; c++) {
      const slot = sums + (<usize>c << 3);
      store<f64>(slot, load<f64>(slot) + <f64>load<f32>(at(a, r, c, channels)) * <f64>load<f32>(at(b, r, c, channels)));
    }
  }
}

/** sums[c] += (a[r, c] - means[c])^2 over every row, for channels c0 to c1; `means` float64. */
function sumSquaredDeviations(sums: usize, a: usize, means: usize, rows: i32, channels: i32, c0: i32, c1: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = c0; c < c1; c++) {
      const slot = sums + (<usize>c << 3);
      const deviation = <f64>load<f32>(at(a, r, c, channels)) - load<f64>(means + (<usize>c << 3));
      store<f64>(slot, load<f64>(slot) + deviation * deviation);
    }
  }
}

/**
 * out[c] = mean over rows of x[r, c]; out[channels + c] = mean over rows of (x[r, c] - mean[c])^2, the
 * biased variance, with the mean kept in float64 between the two passes.
 */
export function channelMoments(x: usize, out: usize, scratch: usize, rows: i32, channels: i32, part: i32, parts: i32): void {
  const c0 = shareStart(channels, part, parts);
  const c1 = shareStart(channels, part + 1, parts);
  const means = freshAccumulators(scratch, channels, part);
  const squares = means + (<usize>channels << 3);
  sumRows(means, x, rows, channels, c0, c1);
  for (let c = c0; c < c1; c++) store<f64>(means + (<usize>c << 3), load<f64>(means + (<usize>c << 3)) / <f64>rows);
  sumSquaredDeviations(squares, x, means, rows, channels, c0, c1);
  for (let c = c0; c < c1; c++) {
    store<f32>(out + (<usize>c << 2), <f32>load<f64>(means + (<usize>c << 3)));
    store<f32>(out + (<usize>(channels + c) << 2), <f32>(load<f64>(squares + (<usize>c << 3)) / <f64>rows));
  }
}

/** out[c] = sum over rows of dy[r, c]; out[channels + c] = sum over rows of dy[r, c] * xhat[r, c]. */
export function channelGradientSums(dy: usize, xhat: usize, out: usize, scratch: usize, rows: i32, channels: i32, part: i32, parts: i32): void {
  const c0 = shareStart(channels, part, parts);
  const c1 = shareStart(channels, part + 1, parts);
  const sums = freshAccumulators(scratch, channels, part);
  const products = sums + (<usize>channels << 3);
  sumRows(sums, dy, rows, channels, c0, c1);
  sumProducts(products, dy, xhat, rows, channels, c0, c1);
  for (let c = c0; c < c1; c++) {
    store<f32>(out + (<usize>c << 2), <f32>load<f64>(sums + (<usize>c << 3)));
    store<f32>(out + (<usize>(channels + c) << 2), <f32>load<f64>(products + (<usize>c << 3)));
  }
}
