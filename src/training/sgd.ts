/**
 * SGD with momentum, weight decay and optional Nesterov, with PyTorch's update rule:
 *   g = grad + wd * w;  v = m * v + g;  w -= lr * (nesterov ? g + m * v : v)
 * Written out (rather than tf.train.momentum) so the learning rate can change every step and the
 * momentum buffers are plain named variables a checkpoint can save.
 */
import * as tf from '@tensorflow/tfjs';

export interface SgdOptions {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
}

export class Sgd {
  readonly #velocity = new Map<string, tf.Variable>();

  constructor(
    readonly variables: readonly tf.Variable[],
    readonly options: SgdOptions,
  ) {
    for (const variable of variables) {
      this.#velocity.set(variable.name, tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
    }
  }

  /** Applies gradients keyed by variable name (as tf.variableGrads returns them). */
  apply(grads: tf.NamedTensorMap, lr: number): void {
    const { momentum, weightDecay, nesterov } = this.options;
    tf.tidy(() => {
      for (const variable of this.variables) {
        const grad = grads[variable.name];
        if (!grad) continue; // a variable the loss does not reach this step (e.g. a term left out)
        const velocity = this.#velocity.get(variable.name)!;
        const g = weightDecay > 0 ? tf.add(grad, tf.mul(variable, weightDecay)) : grad;
        const v = tf.add(tf.mul(velocity, momentum), g);
        velocity.assign(v);
        const update = nesterov ? tf.add(g, tf.mul(v, momentum)) : v;
        variable.assign(tf.sub(variable, tf.mul(update, lr)));
      }
    });
  }

  /** The momentum buffers in the order of `variables` (what a checkpoint saves). */
  get velocities(): readonly tf.Variable[] {
    return this.variables.map((variable) => this.#velocity.get(variable.name)!);
  }

  /** Zeroes the momentum buffers: a new stage starts as with a new optimizer. */
  reset(): void {
    tf.tidy(() => this.#velocity.forEach((velocity) => velocity.assign(tf.zerosLike(velocity))));
  }

  dispose(): void {
    for (const velocity of this.#velocity.values()) velocity.dispose();
    this.#velocity.clear();
  }
}
