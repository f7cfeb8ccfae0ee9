/**
 * Each family's eval-mode forward, rewritten over an LrpTrace: the same layers in the same order as the
 * model's own `apply(x, { training: false })` (a test holds the logits equal for every model id), with
 * every conv-BN pair folded into one affine layer.
 */
import type * as tf from '@tensorflow/tfjs';
import { isMobileNetV2, type MobileNetV2Layers } from '../../models/mobilenetV2';
import type { Network } from '../../models/network';
import { isRenormalized } from '../../models/inputNormalization';
import { isResNet, type ResNetLayers } from '../../models/resnet';
import { isDfkdResNet } from '../../models/resnetDfkd';
import { isResNet50, type ResNetV2Layers } from '../../models/resnetV2';
import { isShuffleV1 } from '../../models/shufflenetV1';
import { isShuffleV2 } from '../../models/shufflenetV2';
import { isVgg, poolsBefore, type VggLayers } from '../../models/vgg';
import { isWrn, type WrnLayers } from '../../models/wrn';
import { isRefilledWrn, type RefilledWrnLayers } from '../../models/wrnRefilled';
import { batchNormLayer, dense, foldConv, foldConvBn, foldDepthwise } from './folding';
import { walkShuffleV1, walkShuffleV2 } from './shufflenets';
import { LrpTrace, type NodeRef } from './trace';

/** The recorded forward and the node holding the logits [B, C]. */
export interface TracedNetwork {
  readonly trace: LrpTrace;
  readonly logits: NodeRef;
}

/**
 * Records `net`'s eval-mode forward on x; throws for a network whose layers it cannot walk. A network with
 * an input re-normalisation (a teacher trained with other constants than the dataset's) is walked on its
 * own inputs x_own: the re-normalisation maps each input value to one value, so the relevance of x_own is
 * that of the same pixel of x, passed through unchanged (LRP's identity rule for an element-wise map) —
 * the relevance maps are the ones the network shows on its own inputs, where a bias-absorbing rule on the
 * affine would hand part of them to the constants.
 */
export function traceNetwork(net: Network, x: tf.Tensor4D): TracedNetwork {
  if (isRenormalized(net)) return traceNetwork(net.inner, net.renormalize(x));
  const trace = new LrpTrace(x);
  const logits = walk(net, trace);
  return { trace, logits };
}

function walk(net: Network, trace: LrpTrace): NodeRef {
  if (isResNet(net) || isDfkdResNet(net)) return walkResNet(net.layers, trace);
  if (isWrn(net)) return walkPreActivationWrn(net.layers, trace, 'activated');
  if (isRefilledWrn(net)) return walkPreActivationWrn(net.layers, trace, 'raw');
  if (isVgg(net)) return walkVgg(net.layers, trace);
  if (isMobileNetV2(net)) return walkMobileNetV2(net.layers, trace);
  if (isResNet50(net)) return walkResNet50(net.layers, trace);
  if (isShuffleV1(net)) return walkShuffleV1(net.layers, trace);
  if (isShuffleV2(net)) return walkShuffleV2(net.layers, trace);
  if (net.id === 'tiny-cnn') return walkTinyCnn(net, trace);
  throw new Error(
    `LRP cannot walk network "${net.id}": it knows the layer trees of tiny-cnn, ResNet, WRN (RepDistiller's and REFILLED's), VGG, MobileNetV2 and ShuffleNet ` +
      'networks built by the zoo, and this one is neither of them (or does not expose its `layers`).',
  );
}

/** Post-activation BasicBlocks: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)). */
function walkResNet(layers: ResNetLayers, trace: LrpTrace): NodeRef {
  let h = trace.relu(trace.affine(foldConvBn(layers.stem), trace.input));
  for (const blocks of layers.stages) {
    for (const block of blocks) {
      const inner = trace.relu(trace.affine(foldConvBn(block.conv1), h));
      const branch = trace.affine(foldConvBn(block.conv2), inner);
      const residual = block.shortcut ? trace.affine(foldConvBn(block.shortcut), h) : h;
      h = trace.relu(trace.add(branch, residual));
    }
  }
  return trace.affine(dense(layers.fc), trace.pool('globalAverage', h));
}

/** Bottlenecks: relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x))))))) + shortcut(x)). */
function walkResNet50(layers: ResNetV2Layers, trace: LrpTrace): NodeRef {
  let h = trace.relu(trace.affine(foldConvBn(layers.stem), trace.input));
  for (const blocks of layers.stages) {
    for (const block of blocks) {
      const reduced = trace.relu(trace.affine(foldConvBn(block.conv1), h));
      const filtered = trace.relu(trace.affine(foldConvBn(block.conv2), reduced));
      const branch = trace.affine(foldConvBn(block.conv3), filtered);
      const residual = block.shortcut ? trace.affine(foldConvBn(block.shortcut), h) : h;
      h = trace.relu(trace.add(branch, residual));
    }
  }
  return trace.affine(dense(layers.fc), trace.pool('globalAverage', h));
}

/**
 * Pre-activation blocks: conv2(relu(bn2(conv1(a)))) + shortcut, a = relu(bn1(x)); the shortcut is x itself
 * or a 1x1 projection, of a (RepDistiller's WRN) or of the raw x (REFILLED's, whose convs carry biases and
 * whose dropout is the identity in eval mode). bn2 folds into conv1; bn1 and the final bn follow a residual
 * sum (or the bare stem), so they stay per-channel affine layers.
 */
function walkPreActivationWrn(layers: WrnLayers | RefilledWrnLayers, trace: LrpTrace, shortcutReads: 'activated' | 'raw'): NodeRef {
  let h = trace.affine(foldConv(layers.stem, null), trace.input);
  for (const blocks of layers.stages) {
    for (const block of blocks) {
      const a = trace.relu(trace.affine(batchNormLayer(block.bn1), h));
      const inner = trace.relu(trace.affine(foldConv(block.conv1, block.bn2), a));
      const branch = trace.affine(foldConv(block.conv2, null), inner);
      h = trace.add(branch, block.shortcut ? trace.affine(foldConv(block.shortcut, null), shortcutReads === 'activated' ? a : h) : h);
    }
  }
  const last = trace.relu(trace.affine(batchNormLayer(layers.bn), h));
  return trace.affine(dense(layers.fc), trace.pool('globalAverage', last));
}

/** conv(+bias)-BN-ReLU units, 2x2 max pooling before blocks 1-3 (and 4 on 64-px inputs). */
function walkVgg(layers: VggLayers, trace: LrpTrace): NodeRef {
  const inputSize = trace.value(trace.input).shape[1]!;
  let h = trace.input;
  layers.blocks.forEach((units, i) => {
    if (poolsBefore(i, inputSize)) h = trace.pool('max2x2', h);
    for (const unit of units) h = trace.relu(trace.affine(foldConvBn(unit), h));
  });
  return trace.affine(dense(layers.classifier), trace.pool('globalAverage', h));
}

/** Inverted residuals project(relu(depthwise(relu(expand(x))))) (+ x where `residual`); plain ReLU throughout. */
function walkMobileNetV2(layers: MobileNetV2Layers, trace: LrpTrace): NodeRef {
  let h = trace.relu(trace.affine(foldConvBn(layers.stem), trace.input));
  for (const blocks of layers.groups) {
    for (const block of blocks) {
      const expanded = trace.relu(trace.affine(foldConvBn(block.expand), h));
      const filtered = trace.relu(trace.affine(foldDepthwise(block.depthwise.conv, block.depthwise.bn), expanded));
      const projected = trace.affine(foldConvBn(block.project), filtered);
      h = block.residual ? trace.add(h, projected) : projected;
    }
  }
  const last = trace.relu(trace.affine(foldConvBn(layers.conv2), h));
  return trace.affine(dense(layers.classifier), trace.pool('globalAverage', last));
}

/** tinyCnn.ts's BatchNorm epsilon (layers.ts's default): the ParamStore does not record it. */
const TINY_BN_EPSILON = 1e-5;

/**
 * The tiny CNN exposes no layer tree, so its convolution blocks are read from its ParamStore by local name
 * (`block{i}/conv/kernel`, `block{i}/bn/...`): 3x3 conv (stride 1, padding 1)-BN-ReLU blocks, a 2x2 max
 * pool before every block but the first, global average pooling and `net.classifier`.
 */
function walkTinyCnn(net: Network, trace: LrpTrace): NodeRef {
  const named = net.params.named;
  const get = (name: string): tf.Variable => {
    const variable = named.get(name);
    if (!variable) throw new Error(`LRP: tiny-cnn "${net.params.prefix}" has no parameter "${name}"; its layout changed`);
    return variable;
  };
  let h = trace.input;
  for (let i = 0; named.has(`block${i}/conv/kernel`); i++) {
    if (i > 0) h = trace.pool('max2x2', h);
    const kernel = get(`block${i}/conv/kernel`);
    const conv = { kernel, bias: named.get(`block${i}/conv/bias`) ?? null, stride: 1, pad: Math.floor(kernel.shape[0]! / 2) };
    const bn = (part: string) => get(`block${i}/bn/${part}`);
    const bnParameters = { gamma: bn('gamma'), beta: bn('beta'), runningMean: bn('runningMean'), runningVariance: bn('runningVariance'), epsilon: TINY_BN_EPSILON };
    h = trace.relu(trace.affine(foldConv(conv, bnParameters), h));
  }
  if (h === trace.input) throw new Error(`LRP: tiny-cnn "${net.params.prefix}" has no convolution blocks; its layout changed`);
  return trace.affine(dense(net.classifier), trace.pool('globalAverage', h));
}
