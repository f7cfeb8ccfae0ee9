/** Min-max normalisation: the t-SNE job scales its inputs with it, and the panel its layouts. */

/**
 * Min-max normalisation of a row-major matrix with `columns` columns, each column to [0, 1] on its own;
 * `columns = 1` (default) normalises all values together. A constant column maps to 0.
 */
export function minMaxNormalise(values: ArrayLike<number>, columns = 1): Float32Array {
  const out = new Float32Array(values.length);
  for (let c = 0; c < columns; c++) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = c; i < values.length; i += columns) {
      min = Math.min(min, values[i]!);
      max = Math.max(max, values[i]!);
    }
    const range = max - min;
    for (let i = c; i < values.length; i += columns) out[i] = range > 0 ? (values[i]! - min) / range : 0;
  }
  return out;
}
