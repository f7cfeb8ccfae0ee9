import { METHOD_CATALOG } from '../contract/methodCatalog';
import { defineMethod } from './method';
import { ceTerm, kdTerm } from './terms';

/** Hinton KD as RepDistiller: ceWeight * CE + alpha * T^2 * KL_batchmean(teacher || student). */
export const kd = defineMethod({
  spec: METHOD_CATALOG.kd,
  losses({ student, teachers, labels, params }) {
    const [teacher] = teachers;
    if (!teacher) throw new Error('KD needs a teacher');
    return {
      terms: {
        ce: ceTerm({ student, labels, params }),
        kd: kdTerm({ student, params }, teacher),
      },
    };
  },
});
