import { METHOD_CATALOG } from '../contract/methodCatalog';
import { crossEntropy } from './losses';
import { defineMethod } from './method';

export const scratch = defineMethod({
  spec: METHOD_CATALOG.scratch,
  losses: ({ student, labels }) => ({ terms: { ce: crossEntropy(student.logits, labels) } }),
});
