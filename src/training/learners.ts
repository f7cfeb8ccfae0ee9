/** Builds learners (network + optimizer + method) from a plan, for the run and for cost measurement. */
import type { RunConfig } from '../config/runConfig';
import { defaultMethodParams } from '../methods/catalog';
import { METHODS } from '../methods/index';
import { buildNetwork } from '../models/zoo';
import type { Learner } from './learner';
import type { PlannedLearner } from './plan';
import { Sgd } from './sgd';

export function createLearner(planned: PlannedLearner, config: RunConfig, numClasses: number, namePrefix = ''): Learner {
  const net = buildNetwork(planned.model, { numClasses, name: `${namePrefix}${planned.key}`, seed: planned.initSeed });
  const method = METHODS[planned.method];
  // The distilled student uses the run's method parameters; teachers and the baseline use plain CE.
  const params = planned.method === config.method ? { ...defaultMethodParams(planned.method), ...config.methodParams } : defaultMethodParams(planned.method);
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
    optimizer: new Sgd(net.params.trainable, { momentum: config.momentum, weightDecay: config.weightDecay, nesterov: config.nesterov }),
  };
}

export function disposeLearner(learner: Learner): void {
  learner.optimizer.dispose();
  learner.net.dispose();
}

