/**
 * The ready teachers: networks trained once by `npm run make-ready-teachers` (the PyTorch package, see
 * python/ready_teachers) and served beside the page under `teachers/`, with a manifest saying how each was
 * made and how well it does. A ready teacher's saved-model id comes from its bytes (`m-` + 16 hex of the
 * file's SHA-256), so a link that names it (`savedTeacher=m-…`) means the same network in every browser.
 */
import { isModelId, type ModelId } from './modelCatalog';

export const READY_TEACHERS_FORMAT = 'distillery-ready-teachers';
export const READY_TEACHER_MAX_BYTES = 4 * 1024 * 1024;

export interface ReadyTeacher {
  /** The file's stem ("resnet20"). */
  readonly id: string;
  /** Shown in the teacher menu ("ResNet-20"). */
  readonly label: string;
  /** Why it is there ("the stronger teacher"). */
  readonly role: string;
  readonly model: ModelId;
  /** The safetensors file, relative to the manifest. */
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  /** The `savedTeacher` value it is installed under. */
  readonly savedModelId: string;
  readonly dataset: string;
  readonly trainImages: number;
  readonly testImages: number;
  readonly seed: number;
  readonly epochs: number;
  /** Test accuracy in [0, 1] on the dataset's test images, and its expected calibration error (15 bins). */
  readonly accuracy: number;
  readonly ece: number;
  /** The command that made it. */
  readonly command: string;
}

export class ReadyTeachersError extends Error {
  override name = 'ReadyTeachersError';
}

const TEXT_KEYS = ['id', 'label', 'role', 'file', 'sha256', 'savedModelId', 'dataset', 'command'] as const;
const COUNT_KEYS = ['bytes', 'trainImages', 'testImages', 'seed', 'epochs'] as const;

/** The saved-model id of a file whose SHA-256 is `sha256` (hex). */
export function readyTeacherModelId(sha256: string): string {
  return `m-${sha256.slice(0, 16)}`;
}

function parseEntry(value: unknown, index: number): ReadyTeacher {
  const where = `teachers[${index}]`;
  if (typeof value !== 'object' || value === null) throw new ReadyTeachersError(`${where} is not an object.`);
  const entry = value as Record<string, unknown>;
  for (const key of TEXT_KEYS) {
    if (typeof entry[key] !== 'string' || entry[key] === '') throw new ReadyTeachersError(`${where}.${key} must be non-empty text, not ${JSON.stringify(entry[key])}.`);
  }
  for (const key of COUNT_KEYS) {
    if (!Number.isSafeInteger(entry[key]) || (entry[key] as number) < 0) throw new ReadyTeachersError(`${where}.${key} must be a whole number from 0, not ${JSON.stringify(entry[key])}.`);
  }
  for (const key of ['accuracy', 'ece'] as const) {
    const number = entry[key];
    if (typeof number !== 'number' || !(number >= 0 && number <= 1)) throw new ReadyTeachersError(`${where}.${key} must be a number in [0, 1], not ${JSON.stringify(number)}.`);
  }
  if (typeof entry.model !== 'string' || !isModelId(entry.model)) throw new ReadyTeachersError(`${where}.model ${JSON.stringify(entry.model)} is not a model of the zoo.`);
  if (!/^[0-9a-f]{64}$/.test(entry.sha256 as string)) throw new ReadyTeachersError(`${where}.sha256 must be 64 lowercase hex digits.`);
  if (entry.savedModelId !== readyTeacherModelId(entry.sha256 as string)) throw new ReadyTeachersError(`${where}.savedModelId must be "m-" and the first 16 hex digits of its sha256 (${readyTeacherModelId(entry.sha256 as string)}).`);
  if (!/^[a-z0-9][a-z0-9._-]*\.safetensors$/.test(entry.file as string)) throw new ReadyTeachersError(`${where}.file must be a plain .safetensors file name beside the manifest, not ${JSON.stringify(entry.file)}.`);
  if ((entry.bytes as number) > READY_TEACHER_MAX_BYTES) throw new ReadyTeachersError(`${where} is ${entry.bytes} bytes, over the ${READY_TEACHER_MAX_BYTES / 2 ** 20} MB a ready teacher may be.`);
  const picked = Object.fromEntries([...TEXT_KEYS, ...COUNT_KEYS, 'accuracy', 'ece', 'model'].map((key) => [key, entry[key]]));
  return picked as unknown as ReadyTeacher;
}

/** The manifest's teachers, checked field by field; a bad manifest is refused with what is wrong. */
export function parseReadyTeachers(value: unknown): readonly ReadyTeacher[] {
  if (typeof value !== 'object' || value === null) throw new ReadyTeachersError('The ready-teacher manifest is not a JSON object.');
  const manifest = value as Record<string, unknown>;
  if (manifest.format !== READY_TEACHERS_FORMAT) throw new ReadyTeachersError(`The ready-teacher manifest's format is ${JSON.stringify(manifest.format)}, not "${READY_TEACHERS_FORMAT}".`);
  if (manifest.version !== 1) throw new ReadyTeachersError(`The ready-teacher manifest's version ${JSON.stringify(manifest.version)} is not one this page reads (1).`);
  if (!Array.isArray(manifest.teachers)) throw new ReadyTeachersError('The ready-teacher manifest has no teachers list.');
  const teachers = manifest.teachers.map(parseEntry);
  const ids = new Set(teachers.map((t) => t.savedModelId));
  if (ids.size !== teachers.length) throw new ReadyTeachersError('Two ready teachers share one file (the same savedModelId).');
  return teachers;
}

/**
 * How the teacher menu names it: "ResNet-20, ready: 61%", short enough for the sidebar's menu. The menu only
 * offers a ready teacher on the dataset it was trained on, so the dataset goes in the entry's tooltip.
 */
export function readyTeacherLabel(teacher: ReadyTeacher): string {
  return `${teacher.label}, ready: ${(teacher.accuracy * 100).toFixed(0)}%`;
}

/** The entry's tooltip: "ResNet-20, ready: 61% test accuracy on CIFAR-10 subset: the reference teacher". */
export function readyTeacherTooltip(teacher: ReadyTeacher, datasetTitle: string = teacher.dataset): string {
  return `${readyTeacherLabel(teacher)} test accuracy on ${datasetTitle}: ${teacher.role}`;
}
