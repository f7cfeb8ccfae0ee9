import { METHOD_CATALOG } from './catalog';
import { crossEntropy } from './losses';
import type { DistillationMethod } from './method';

export const scratch: DistillationMethod = {
  spec: METHOD_CATALOG.scratch,
  losses: ({ student, labels }) => ({ ce: crossEntropy(student.logits, labels) }),
};
