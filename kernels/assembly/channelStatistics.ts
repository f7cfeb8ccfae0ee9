// Per-channel statistics of a [rows, channels] float32 tensor (NHWC flattened), accumulated in float64 as
// PyTorch's CPU BatchNorm does (its acc_type<float> is double). Float32 sums over the 65,536 values a channel
// has at batch 64 and 32x32 err about 60 times more than PyTorch's, every step, in every BatchNorm.
// `acc` is scratch for 2 * channels float64 accumulators; results go to `out` as float32.

/** Zeroes `count` float64 values from `ptr`. */
function zero64(ptr: usize, count: i32): void {
  memory.fill(ptr, 0, <usize>count << 3);
}

/** Address of value c of row r in a float32 [rows, channels] tensor. */
@inline function at(ptr: usize, r: i32, c: i32, channels: i32): usize {
  return ptr + (<usize>(r * channels + c) << 2);
}

/** sums[c] += a[r, c] over every row. */
function sumRows(sums: usize, a: usize, rows: i32, channels: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const slot = sums + (<usize>c << 3);
      store<f64>(slot, load<f64>(slot) + <f64>load<f32>(at(a, r, c, channels)));
    }
  }
}

/** sums[c] += a[r, c] * b[r, c] over every row. */
function sumProducts(sums: usize, a: usize, b: usize, rows: i32, channels: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const slot = sums + (<usize>c << 3);
      store<f64>(slot, load<f64>(slot) + <f64>load<f32>(at(a, r, c, channels)) * <f64>load<f32>(at(b, r, c, channels)));
    }
  }
}

/** sums[c] += (a[r, c] - means[c])^2 over every row, `means` float64. */
function sumSquaredDeviations(sums: usize, a: usize, means: usize, rows: i32, channels: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
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
export function channelMoments(x: usize, out: usize, acc: usize, rows: i32, channels: i32): void {
  const means = acc;
  const squares = acc + (<usize>channels << 3);
  zero64(acc, 2 * channels);
  sumRows(means, x, rows, channels);
  for (let c = 0; c < channels; c++) store<f64>(means + (<usize>c << 3), load<f64>(means + (<usize>c << 3)) / <f64>rows);
  sumSquaredDeviations(squares, x, means, rows, channels);
  for (let c = 0; c < channels; c++) {
    store<f32>(out + (<usize>c << 2), <f32>load<f64>(means + (<usize>c << 3)));
    store<f32>(out + (<usize>(channels + c) << 2), <f32>(load<f64>(squares + (<usize>c << 3)) / <f64>rows));
  }
}

/** out[c] = sum over rows of dy[r, c]; out[channels + c] = sum over rows of dy[r, c] * xhat[r, c]. */
export function channelGradientSums(dy: usize, xhat: usize, out: usize, acc: usize, rows: i32, channels: i32): void {
  zero64(acc, 2 * channels);
  sumRows(acc, dy, rows, channels);
  sumProducts(acc + (<usize>channels << 3), dy, xhat, rows, channels);
  for (let c = 0; c < 2 * channels; c++) store<f32>(out + (<usize>c << 2), <f32>load<f64>(acc + (<usize>c << 3)));
}
