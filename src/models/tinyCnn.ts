/** A three-block CNN that trains fast enough for a classroom demo on any backend. */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';
import { ParamStore, batchNorm, conv2d, dense, globalAveragePool, maxPool2x2 } from './layers';
import type { Network, NetworkOptions } from './network';

const WIDTHS = [16, 32, 64] as const;

export function tinyCnn(options: NetworkOptions): Network {
  const params = new ParamStore(options.name, keyedRng(options.seed, 'init', 0));
  const blocks = WIDTHS.map((width, i) => ({
    conv: conv2d(params, `block${i}/conv`, { inChannels: i === 0 ? 3 : WIDTHS[i - 1]!, outChannels: width, kernelSize: 3 }),
    bn: batchNorm(params, `block${i}/bn`, width),
  }));
  const fc = dense(params, 'fc', WIDTHS[WIDTHS.length - 1]!, options.numClasses);

  return {
    id: 'tiny-cnn',
    numClasses: options.numClasses,
    params,
    apply(x, { training }) {
      const maps: tf.Tensor4D[] = [];
      let h = x;
      blocks.forEach((block, i) => {
        if (i > 0) h = maxPool2x2(h); // 32 -> 16 -> 8
        h = tf.relu(block.bn.apply(block.conv.apply(h), training));
        maps.push(h);
      });
      const penultimate = globalAveragePool(h);
      return {
        logits: fc.apply(penultimate),
        features: { stem: maps[0]!, stages: maps.slice(1), penultimate },
      };
    },
    classifier: fc,
    head: (penultimate) => fc.apply(penultimate),
    dispose: () => params.dispose(),
  };
}
