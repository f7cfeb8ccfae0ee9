import { METHOD_CATALOG } from '../contract/methodCatalog';
import { logitMse as logitMseLoss } from './losses';
import { defineMethod } from './method';

/** kd_data's `l2_logit` mode: the MSE between logits is the whole loss (no CE, no temperature). */
export const logitMse = defineMethod({
  spec: METHOD_CATALOG['logit-mse'],
  losses({ student, teachers }) {
    const [teacher] = teachers;
    if (!teacher) throw new Error('Logit MSE needs a teacher');
    return { terms: { mse: logitMseLoss(student.logits, teacher.logits) } };
  },
});
