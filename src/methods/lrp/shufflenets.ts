/**
 * The ShuffleNets' eval-mode forwards over an LrpTrace (see families.ts): grouped and depthwise
 * convolutions with their BatchNorm folded, channel shuffles and splits as rearrangements (relevance moves
 * back with the values), concatenations split back by channel, and ShuffleV1's average-pooled shortcut as
 * a pooling map (its input is post-ReLU).
 */
import * as tf from '@tensorflow/tfjs';
import { channelShuffle } from '../../models/grouped';
import type { ShuffleV1Layers } from '../../models/shufflenetV1';
import type { ShuffleV2Layers } from '../../models/shufflenetV2';
import { dense, foldConvBn, foldDepthwise, foldGroupedConv } from './folding';
import type { LrpTrace, NodeRef } from './trace';

const shuffle = (groups: number) => (a: tf.Tensor) => channelShuffle(a as tf.Tensor4D, groups);
/** Channels [from, from + width) of the last axis. */
const channels = (from: number, width: number) => (a: tf.Tensor) => tf.slice(a, [0, 0, 0, from], [-1, -1, -1, width]);

/** relu(branch + x) or relu([branch, avgpool(x)]); branch = bn3(gconv3(relu(bn2(dw(shuffle(relu(bn1(gconv1(x))))))))). */
export function walkShuffleV1(layers: ShuffleV1Layers, trace: LrpTrace): NodeRef {
  let h = trace.relu(trace.affine(foldConvBn(layers.stem), trace.input));
  for (const blocks of layers.stages) {
    for (const block of blocks) {
      let inner = trace.relu(trace.affine(foldGroupedConv(block.conv1.conv, block.conv1.bn), h));
      if (block.shuffleGroups > 1) inner = trace.rearrange(shuffle(block.shuffleGroups), inner);
      inner = trace.relu(trace.affine(foldDepthwise(block.conv2.conv, block.conv2.bn), inner));
      const branch = trace.affine(foldGroupedConv(block.conv3.conv, block.conv3.bn), inner);
      h = trace.relu(block.stride === 2 ? trace.concat([branch, trace.pool('average3x3', h)]) : trace.add(branch, h));
    }
  }
  return trace.affine(dense(layers.fc), trace.pool('globalAverage', h));
}

/** Down blocks (two strided branches, concatenated) and split blocks ([x1, branch(x2)]), each then shuffled. */
export function walkShuffleV2(layers: ShuffleV2Layers, trace: LrpTrace): NodeRef {
  let h = trace.relu(trace.affine(foldConvBn(layers.stem), trace.input));
  for (const [down, ...basics] of layers.stages) {
    const left = trace.relu(trace.affine(foldConvBn(down.conv2), trace.affine(foldDepthwise(down.conv1.conv, down.conv1.bn), h)));
    let right = trace.relu(trace.affine(foldConvBn(down.conv3), h));
    right = trace.affine(foldDepthwise(down.conv4.conv, down.conv4.bn), right);
    right = trace.relu(trace.affine(foldConvBn(down.conv5), right));
    h = trace.rearrange(shuffle(2), trace.concat([left, right]));
    for (const block of basics) {
      const width = trace.value(h).shape[3]!;
      const kept = trace.rearrange(channels(0, block.split), h);
      let branch = trace.rearrange(channels(block.split, width - block.split), h);
      branch = trace.relu(trace.affine(foldConvBn(block.conv1), branch));
      branch = trace.affine(foldDepthwise(block.conv2.conv, block.conv2.bn), branch);
      branch = trace.relu(trace.affine(foldConvBn(block.conv3), branch));
      h = trace.rearrange(shuffle(2), trace.concat([kept, branch]));
    }
  }
  const last = trace.relu(trace.affine(foldConvBn(layers.conv2), h));
  return trace.affine(dense(layers.fc), trace.pool('globalAverage', last));
}
