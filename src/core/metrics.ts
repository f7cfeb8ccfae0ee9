/**
 * Classification metrics over a batch held as one flat row-major array.
 *
 * A batch of N rows of C scores (probabilities or logits) is `values[row * C + c]`: the layout tfjs's
 * `data()` returns, so worker read-backs need no reshaping. Labels are class indices. Everything here is
 * pure and DOM-free; it runs in the training worker and in the panels alike. Sums accumulate in float64.
 */

/** A row-major matrix: row r is `data[r * cols .. (r + 1) * cols)`. */
export interface RowMajor {
  readonly data: ArrayLike<number>;
  readonly cols: number;
}

/** Smallest probability `negativeLogLikelihood` takes the log of, so a confident mistake costs ~27.6 nats, not ∞. */
export const MIN_PROBABILITY = 1e-12;

/**
 * Flattens nested rows (fixtures, tests, small hand-made inputs) into row-major storage. Float64, so that
 * distance rankings on fixture data match a float64 reference exactly.
 */
export function fromRows(rows: ReadonlyArray<ArrayLike<number>>): { data: Float64Array; cols: number } {
  const cols = rows[0]?.length ?? 0;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, r) => {
    if (row.length !== cols) throw new RangeError(`row ${r} has ${row.length} values, row 0 has ${cols}`);
    for (let c = 0; c < cols; c++) data[r * cols + c] = row[c]!;
  });
  return { data, cols };
}

/** Number of rows of `matrix`; throws unless its data is a whole, non-zero number of rows. */
export function rowCount(matrix: RowMajor): number {
  const { data, cols } = matrix;
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`row width must be a positive integer, got ${cols}`);
  const rows = data.length / cols;
  if (!Number.isInteger(rows) || rows === 0) {
    throw new RangeError(`expected a non-empty whole number of rows of ${cols}, got ${data.length} values`);
  }
  return rows;
}

/**
 * Validates a batch of per-class scores against its labels and returns the batch size N.
 * Out-of-range labels would otherwise be silently dropped by typed-array writes, so they throw.
 */
export function checkBatch(values: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  const n = rowCount({ data: values, cols: numClasses });
  if (labels.length !== n) throw new RangeError(`${n} rows of scores but ${labels.length} labels`);
  checkClassIndices(labels, numClasses, 'label');
  return n;
}

function checkClassIndices(indices: ArrayLike<number>, numClasses: number, what: string): void {
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= numClasses) {
      throw new RangeError(`${what} ${k} at ${i} is not a class index in [0, ${numClasses})`);
    }
  }
}

function checkTemperature(temperature: number): void {
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new RangeError(`temperature must be positive and finite, got ${temperature}`);
  }
}

function rowMax(values: ArrayLike<number>, start: number, numClasses: number): number {
  let max = -Infinity;
  for (let c = 0; c < numClasses; c++) max = Math.max(max, values[start + c]!);
  return max;
}

/** Index of the largest score in `row`; the first one wins ties, like torch.argmax. */
export function argmaxRow(values: ArrayLike<number>, row: number, numClasses: number): number {
  const start = row * numClasses;
  let best = 0;
  for (let c = 1; c < numClasses; c++) if (values[start + c]! > values[start + best]!) best = c;
  return best;
}

/** Predicted class of every row. */
export function argmaxRows(values: ArrayLike<number>, numClasses: number): Int32Array {
  const n = rowCount({ data: values, cols: numClasses });
  const predictions = new Int32Array(n);
  for (let row = 0; row < n; row++) predictions[row] = argmaxRow(values, row, numClasses);
  return predictions;
}

/** softmax(logits / temperature) per row, shifted by the row maximum so large logits cannot overflow. */
export function softmaxRows(logits: ArrayLike<number>, numClasses: number, temperature = 1): Float32Array {
  checkTemperature(temperature);
  const n = rowCount({ data: logits, cols: numClasses });
  const probs = new Float32Array(n * numClasses);
  const row = new Float64Array(numClasses);
  for (let r = 0; r < n; r++) {
    const start = r * numClasses;
    const max = rowMax(logits, start, numClasses);
    let sum = 0;
    for (let c = 0; c < numClasses; c++) {
      row[c] = Math.exp((logits[start + c]! - max) / temperature);
      sum += row[c]!;
    }
    for (let c = 0; c < numClasses; c++) probs[start + c] = row[c]! / sum;
  }
  return probs;
}

/**
 * Mean cross-entropy of softmax(logits / temperature) against the labels, computed as
 * logsumexp − logit_y in float64: exact where materialising float32 probabilities would underflow.
 */
export function crossEntropyFromLogits(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  temperature = 1,
): number {
  checkTemperature(temperature);
  const n = checkBatch(logits, labels, numClasses);
  let total = 0;
  for (let r = 0; r < n; r++) {
    const start = r * numClasses;
    const max = rowMax(logits, start, numClasses);
    let sum = 0;
    for (let c = 0; c < numClasses; c++) sum += Math.exp((logits[start + c]! - max) / temperature);
    total += Math.log(sum) - (logits[start + labels[r]!]! - max) / temperature;
  }
  return total / n;
}

/** Mean −log p(label), with p clamped to at least MIN_PROBABILITY. */
export function negativeLogLikelihood(probs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  const n = checkBatch(probs, labels, numClasses);
  let total = 0;
  for (let r = 0; r < n; r++) total -= Math.log(Math.max(probs[r * numClasses + labels[r]!]!, MIN_PROBABILITY));
  return total / n;
}

/** Fraction of rows whose top score is the label. Probabilities and logits share their argmax. */
export function accuracy(probsOrLogits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  const n = checkBatch(probsOrLogits, labels, numClasses);
  let correct = 0;
  for (let r = 0; r < n; r++) if (argmaxRow(probsOrLogits, r, numClasses) === labels[r]) correct++;
  return correct / n;
}

function predictedClasses(predOrProbs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): ArrayLike<number> {
  if (predOrProbs.length !== labels.length) {
    checkBatch(predOrProbs, labels, numClasses);
    return argmaxRows(predOrProbs, numClasses);
  }
  if (labels.length === 0) throw new RangeError('empty batch');
  checkClassIndices(labels, numClasses, 'label');
  checkClassIndices(predOrProbs, numClasses, 'prediction');
  return predOrProbs;
}

/**
 * Counts of (true class, predicted class), row-major: `matrix[trueClass * numClasses + predicted]`.
 * `predOrProbs` is either N predicted classes or N × numClasses scores, told apart by its length
 * (with one class both readings predict class 0, so the ambiguity is harmless).
 */
export function confusionMatrix(predOrProbs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): Int32Array {
  const predictions = predictedClasses(predOrProbs, labels, numClasses);
  const matrix = new Int32Array(numClasses * numClasses);
  for (let i = 0; i < labels.length; i++) matrix[labels[i]! * numClasses + predictions[i]!]!++;
  return matrix;
}

/** Recall of each class (correct / present); NaN for a class absent from the labels, where it is undefined. */
export function perClassAccuracy(predOrProbs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number[] {
  const matrix = confusionMatrix(predOrProbs, labels, numClasses);
  return Array.from({ length: numClasses }, (_, k) => {
    let present = 0;
    for (let p = 0; p < numClasses; p++) present += matrix[k * numClasses + p]!;
    return present === 0 ? Number.NaN : matrix[k * numClasses + k]! / present;
  });
}

/**
 * REFILLED's nearest-class-mean accuracy (Test.test_ncm): class centres are the L2-normalised sums of the
 * embeddings of each class in the same set (with its labels), and each embedding, unnormalised, goes to the
 * centre it has the largest inner product with. A class absent from the set has a zero centre.
 */
export function nearestClassMeanAccuracy(embeddings: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  const dim = embeddings.length / labels.length;
  if (labels.length === 0 || !Number.isInteger(dim)) throw new RangeError(`${embeddings.length} embedding values for ${labels.length} labels`);
  const centres = new Float64Array(numClasses * dim);
  for (let i = 0; i < labels.length; i++) {
    const offset = labels[i]! * dim;
    for (let d = 0; d < dim; d++) centres[offset + d]! += embeddings[i * dim + d]!;
  }
  for (let k = 0; k < numClasses; k++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += centres[k * dim + d]! ** 2;
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let d = 0; d < dim; d++) centres[k * dim + d]! *= scale;
  }
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < numClasses; k++) {
      let score = 0;
      for (let d = 0; d < dim; d++) score += embeddings[i * dim + d]! * centres[k * dim + d]!;
      if (score > bestScore) [best, bestScore] = [k, score];
    }
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}
