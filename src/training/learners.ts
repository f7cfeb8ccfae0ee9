/** Builds learners (network + method modules + optimizer) from a plan, for the run and for cost measurement. */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';
import type { RunConfig } from '../config/runConfig';
import { defaultMethodParams } from '../contract/methodCatalog';
import { METHODS } from '../methods/index';
import type { FeatureShapes } from '../methods/method';
import { ParamStore } from '../models/layers';
import type { Network } from '../models/network';
import { buildNetwork } from '../models/zoo';
import type { Learner } from './learner';
import type { PlannedLearner } from './plan';
import { Sgd } from './sgd';

/** What a learner is built for: the dataset's classes and the side of its square images. */
export interface LearnerInput {
  readonly numClasses: number;
  readonly imageSide: number;
}

/** Shapes of a network's feature taps, from one zero image of `imageSide` pixels in eval mode. */
export function featureShapes(net: Network, imageSide: number): FeatureShapes {
  return tf.tidy(() => {
    const { features } = net.apply(tf.zeros([1, imageSide, imageSide, 3]), { training: false });
    const drop = (t: tf.Tensor) => t.shape.slice(1);
    return { stem: drop(features.stem), stages: features.stages.map(drop), penultimate: drop(features.penultimate) };
  });
}

export function createLearner(planned: PlannedLearner, config: RunConfig, { numClasses, imageSide }: LearnerInput, teachers: readonly Network[] = [], namePrefix = ''): Learner {
  const name = `${namePrefix}${planned.key}`;
  const net = buildNetwork(planned.model, { numClasses, name, seed: planned.initSeed });
  const method = METHODS[planned.method];
  // The distilled student uses the run's method parameters; teachers and the baseline use plain CE.
  const params = planned.method === config.method ? { ...defaultMethodParams(planned.method), ...config.methodParams } : defaultMethodParams(planned.method);
  let moduleStore: ParamStore | null = null;
  let modules: unknown;
  if (method.createModules) {
    moduleStore = new ParamStore(`${name}/modules`, keyedRng(planned.initSeed, 'modules'));
    try {
      modules = method.createModules({
        store: moduleStore,
        student: { model: planned.model, shapes: featureShapes(net, imageSide) },
        teachers: teachers.map((t) => ({ model: t.id, shapes: featureShapes(t, imageSide) })),
        params,
        numClasses,
        imageSide,
        seed: planned.initSeed,
        userCode: config.userLoss,
      });
    } catch (error) {
      // A method may refuse its inputs (a shape it cannot map, the user's code): nothing is left behind.
      moduleStore.dispose();
      net.dispose();
      throw error;
    }
  }
  return {
    info: {
      key: planned.key,
      role: planned.role,
      label: planned.label,
      model: planned.model,
      method: planned.method,
      parameters: net.params.trainableCount,
    },
    net,
    method,
    params,
    modules,
    moduleStore,
    optimizer: new Sgd([...net.params.trainable, ...(moduleStore?.trainable ?? [])], { momentum: config.momentum, weightDecay: config.weightDecay, nesterov: config.nesterov }),
  };
}

/** Everything a learner holds but its network: optimizer state and the method's modules. */
export function disposeLearnerState(learner: Learner): void {
  learner.method.disposeModules?.(learner.modules);
  learner.optimizer.dispose();
  learner.moduleStore?.dispose();
}

export function disposeLearner(learner: Learner): void {
  disposeLearnerState(learner);
  learner.net.dispose();
}
