/**
 * A forward pass recorded node by node, then walked backwards with the LRP rules.
 *
 * The family walkers (families.ts) describe each network's eval-mode forward with these few operations;
 * the trace keeps every node's value and inputs, so the backward pass is the same for all families:
 * relevance reaching a node from several consumers (a residual stream feeding a block and its shortcut)
 * is summed there, as LRP prescribes for a fan-out.
 */
import * as tf from '@tensorflow/tfjs';
import type { LrpRule } from '../relevance';
import { affineRelevance, applyAffine, poolRelevance, rearrangeRelevance, sumRelevance, type AffineLayer } from './rules';

/** A node of the trace. */
export type NodeRef = number & { readonly __node: unique symbol };

/**
 * Pooling maps the zoo uses; every one is applied to a post-ReLU (non-negative) map. 'average3x3' is
 * ShuffleV1's shortcut: 3x3, stride 2, one pixel of zero padding counted in every mean.
 */
export type Pooling = 'max2x2' | 'globalAverage' | 'average3x3';

type Operation =
  | { readonly kind: 'input' }
  | { readonly kind: 'affine'; readonly layer: AffineLayer; readonly input: NodeRef }
  | { readonly kind: 'relu'; readonly input: NodeRef }
  | { readonly kind: 'add'; readonly inputs: readonly [NodeRef, NodeRef] }
  | { readonly kind: 'pool'; readonly pooling: Pooling; readonly input: NodeRef }
  | { readonly kind: 'concat'; readonly inputs: readonly NodeRef[] }
  | { readonly kind: 'rearrange'; readonly map: (a: tf.Tensor) => tf.Tensor; readonly input: NodeRef };

interface TraceNode {
  readonly operation: Operation;
  readonly value: tf.Tensor;
}

const POOLS: Readonly<Record<Pooling, (a: tf.Tensor) => tf.Tensor>> = {
  max2x2: (a) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'),
  globalAverage: (a) => tf.mean(a, [1, 2]),
  average3x3: (a) => tf.avgPool(tf.pad(a as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 2, 'valid'),
};

export class LrpTrace {
  readonly #nodes: TraceNode[] = [];
  /** The network's input. */
  readonly input: NodeRef;

  constructor(x: tf.Tensor) {
    this.input = this.#push({ kind: 'input' }, x);
  }

  value(node: NodeRef): tf.Tensor {
    return this.#node(node).value;
  }

  affine(layer: AffineLayer, input: NodeRef): NodeRef {
    return this.#push({ kind: 'affine', layer, input }, applyAffine(layer, this.value(input)));
  }

  relu(input: NodeRef): NodeRef {
    return this.#push({ kind: 'relu', input }, tf.relu(this.value(input)));
  }

  add(a: NodeRef, b: NodeRef): NodeRef {
    return this.#push({ kind: 'add', inputs: [a, b] }, tf.add(this.value(a), this.value(b)));
  }

  pool(pooling: Pooling, input: NodeRef): NodeRef {
    return this.#push({ kind: 'pool', pooling, input }, POOLS[pooling](this.value(input)));
  }

  /** Channel concatenation (last axis) of several nodes. */
  concat(inputs: readonly NodeRef[]): NodeRef {
    return this.#push({ kind: 'concat', inputs }, tf.concat(inputs.map((node) => this.value(node)), -1));
  }

  /**
   * A map that only moves values, each output a copy of one input value: a channel shuffle, a channel slice.
   * Relevance moves back with the values (the map's transpose), so it is conserved where nothing is dropped.
   */
  rearrange(map: (a: tf.Tensor) => tf.Tensor, input: NodeRef): NodeRef {
    return this.#push({ kind: 'rearrange', map, input }, map(this.value(input)));
  }

  /**
   * The relevance of the input, given the relevance `outputRelevance` of node `output` (same shape as its
   * value). Nodes that do not lead to `output` get none.
   */
  relevance(output: NodeRef, outputRelevance: tf.Tensor, rule: LrpRule): tf.Tensor {
    const relevance = new Map<number, tf.Tensor>([[output, outputRelevance]]);
    const give = (node: NodeRef, share: tf.Tensor) => {
      const earlier = relevance.get(node);
      relevance.set(node, earlier ? tf.add(earlier, share) : share);
    };
    // Nodes are in creation order, so every consumer of a node comes after it.
    for (let index: number = output; index > this.input; index--) {
      const r = relevance.get(index);
      if (!r) continue;
      const { operation, value } = this.#node(index as NodeRef);
      switch (operation.kind) {
        case 'input':
          break;
        case 'affine':
          give(operation.input, affineRelevance(operation.layer, this.value(operation.input), r, rule, value));
          break;
        case 'relu':
          // Relevance passes through: where the ReLU cut, the output (hence its relevance) is already 0.
          give(operation.input, r);
          break;
        case 'add': {
          const [a, b] = operation.inputs;
          const [ra, rb] = sumRelevance(this.value(a), this.value(b), r, rule);
          give(a, ra);
          give(b, rb);
          break;
        }
        case 'pool':
          give(operation.input, poolRelevance(POOLS[operation.pooling], this.value(operation.input), value, r, rule));
          break;
        case 'concat': {
          const widths = operation.inputs.map((node) => this.value(node).shape.at(-1)!);
          tf.split(r, widths, -1).forEach((share, i) => give(operation.inputs[i]!, share));
          break;
        }
        case 'rearrange':
          give(operation.input, rearrangeRelevance(operation.map, this.value(operation.input), r));
          break;
      }
    }
    return relevance.get(this.input) ?? tf.zerosLike(this.value(this.input));
  }

  #push(operation: Operation, value: tf.Tensor): NodeRef {
    this.#nodes.push({ operation, value });
    return (this.#nodes.length - 1) as NodeRef;
  }

  #node(node: NodeRef): TraceNode {
    const found = this.#nodes[node];
    if (!found) throw new RangeError(`No node ${node} in this trace`);
    return found;
  }
}
