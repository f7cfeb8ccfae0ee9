/** FitNets hints, shared by FitNets and FitNet-MKD: a regressor from the student's hint map to a teacher's. */
import * as tf from '@tensorflow/tfjs';
import { hintStage } from '../contract/modelCatalog';
import type { ParamStore } from '../models/layers';
import type { ModelOutput } from '../models/network';
import type { ModuleContext } from './method';
import { convReg, type ConvReg } from './modules/convReg';

type Participant = ModuleContext['student'];

export interface Hint {
  readonly regressor: ConvReg;
  /** Index into `features.stages` of RepDistiller's hint layer 2, for the student and the teacher. */
  readonly studentStage: number;
  readonly teacherStage: number;
}

export function createHint(store: ParamStore, name: string, student: Participant, teacher: Participant): Hint {
  const studentStage = hintStage(student.model);
  const teacherStage = hintStage(teacher.model);
  return { regressor: convReg(store, name, student.shapes.stages[studentStage]!, teacher.shapes.stages[teacherStage]!), studentStage, teacherStage };
}

/** L_hint = mean over B·C·H·W of (reg(f_s) − f_t)². */
export function hintLoss(hint: Hint, student: ModelOutput, teacher: ModelOutput): tf.Scalar {
  const regressed = hint.regressor.apply(student.features.stages[hint.studentStage]!, true);
  return tf.mean(tf.squaredDifference(regressed, teacher.features.stages[hint.teacherStage]!));
}
