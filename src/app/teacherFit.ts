/**
 * Whether a saved model can teach the dataset in use: **Use as teacher** asks before it changes the
 * settings, so a model for another class count (a CIFAR-100 checkpoint on CIFAR-10) is refused with a
 * message instead of starting a run that fails. Import keeps any valid model; only teaching needs the fit.
 */
export interface TeacherCandidate {
  readonly name: string;
  readonly numClasses: number;
}

/** Null when `model` can teach a dataset of `numClasses` classes (or none is loaded yet), else why not. */
export function teacherMismatch(model: TeacherCandidate, numClasses: number | null): string | null {
  if (numClasses === null || model.numClasses === numClasses) return null;
  return `"${model.name}" predicts ${model.numClasses} classes, but the dataset in use has ${numClasses}: it cannot teach this dataset. Pick a dataset with ${model.numClasses} classes, or another teacher.`;
}
