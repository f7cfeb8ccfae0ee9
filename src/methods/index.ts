/** The method registry: adding a method is one module plus one line here (and its spec in catalog.ts). */
import type { MethodId } from './catalog';
import { kd } from './kd';
import type { DistillationMethod } from './method';
import { scratch } from './scratch';

export const METHODS: Readonly<Record<MethodId, DistillationMethod>> = { scratch, kd };
