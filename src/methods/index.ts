/** The method registry: adding a method is one module, its spec in catalog.ts and one line here. */
import { aekd } from './aekd';
import { averMkd } from './averMkd';
import { camkd } from './camkd';
import { custom } from './custom';
import { dfkdBasic, taDfkd } from './dataFree';
import type { MethodId } from '../contract/methodCatalog';
import { ebkd } from './ebkd';
import { fitnet } from './fitnet';
import { fitnetMkd } from './fitnetMkd';
import { kd } from './kd';
import { logitMse } from './logitMse';
import type { DistillationMethod } from './method';
import { oracle } from './oracle';
import { refilled } from './refilled';
import { scratch } from './scratch';

export const METHODS: Readonly<Record<MethodId, DistillationMethod>> = {
  scratch,
  kd,
  'logit-mse': logitMse,
  fitnet,
  oracle,
  'aver-mkd': averMkd,
  'fitnet-mkd': fitnetMkd,
  ebkd,
  aekd,
  camkd,
  refilled,
  'ta-dfkd': taDfkd,
  'dfkd-basic': dfkdBasic,
  custom,
};
