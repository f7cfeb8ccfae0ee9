/**
 * What a loss written in the page may reach: the names in its scope, tf's maths functions, and the
 * properties of the tensors, arrays and numbers it is given. Everything here computes; nothing reaches the
 * backend, memory management, variables, the network, storage, timers or the message channel. The checker
 * (`userLossCheck.ts`) refuses any other name, and the worker hands the code frozen objects holding only
 * these (`custom.ts`), so a name left off this list is unreachable twice over.
 */

/** tf functions in the loss's `tf`: element-wise maths, reductions, shapes, comparisons, tensor creation. */
export const USER_LOSS_TF_FUNCTIONS = [
  // element-wise arithmetic and functions
  'abs', 'add', 'sub', 'mul', 'div', 'divNoNan', 'floorDiv', 'mod', 'neg', 'pow', 'square', 'sqrt', 'rsqrt',
  'reciprocal', 'squaredDifference', 'maximum', 'minimum', 'clipByValue', 'exp', 'expm1', 'log', 'log1p',
  'sign', 'floor', 'ceil', 'round', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'logSigmoid', 'softplus', 'relu',
  'relu6', 'elu', 'selu', 'leakyRelu', 'erf', 'addN',
  // reductions and normalisations
  'sum', 'mean', 'prod', 'max', 'min', 'argMax', 'argMin', 'logSumExp', 'softmax', 'logSoftmax', 'moments',
  'norm', 'euclideanNorm', 'cumsum', 'all', 'any',
  // linear algebra
  'matMul', 'dot', 'outerProduct', 'transpose', 'einsum',
  // shapes and indexing
  'reshape', 'expandDims', 'squeeze', 'concat', 'stack', 'unstack', 'split', 'slice', 'gather', 'tile',
  'broadcastTo', 'reverse', 'pad', 'oneHot', 'cast', 'clone', 'topk', 'where',
  // comparisons and logic
  'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'logicalAnd', 'logicalOr',
  'logicalNot', 'logicalXor', 'isNaN', 'isInf', 'isFinite',
  // new tensors
  'scalar', 'tensor', 'tensor1d', 'tensor2d', 'zeros', 'ones', 'zerosLike', 'onesLike', 'fill', 'range',
  'linspace', 'eye',
] as const;

/** `Math` in the loss's scope: plain number maths. */
export const USER_LOSS_MATH_MEMBERS = [
  'E', 'LN2', 'LN10', 'LOG2E', 'LOG10E', 'PI', 'SQRT2', 'SQRT1_2', 'abs', 'ceil', 'cos', 'exp', 'floor', 'log',
  'log2', 'log10', 'max', 'min', 'pow', 'round', 'sign', 'sin', 'sqrt', 'tan', 'tanh', 'trunc',
] as const;

/**
 * Properties readable on anything else: tensor facts, the feature taps, array and string basics, an
 * error's message, the method's parameters. Tensors also answer the tf functions above as methods
 * (`student.sub(teacher)`), which call the same maths.
 */
export const USER_LOSS_DATA_PROPERTIES = [
  'shape', 'rank', 'dtype', 'size',
  'stem', 'stages', 'penultimate',
  'length', 'map', 'reduce', 'forEach', 'filter', 'every', 'some', 'indexOf', 'includes', 'push', 'join',
  'message',
  'T', 'alpha', 'ceWeight', 'beta', 'gamma',
] as const;

/** Global names a loss may use; every other global (fetch, self, Function, indexedDB…) is refused. */
export const USER_LOSS_GLOBALS = ['undefined', 'NaN', 'Infinity'] as const;

/** Any property name the checker lets code read (`a.b`, or `{ b } = a`). */
export const USER_LOSS_PROPERTIES: ReadonlySet<string> = new Set<string>([
  ...USER_LOSS_TF_FUNCTIONS,
  ...USER_LOSS_MATH_MEMBERS,
  ...USER_LOSS_DATA_PROPERTIES,
]);
