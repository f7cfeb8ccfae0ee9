/**
 * What a training script's checkpoint says about its own run, beside the state_dict: RepDistiller's and
 * CA-MKD's `ckpt_epoch_N.pth` {'epoch', 'model', 'accuracy', 'optimizer'}, their `<model>_best.pth` (with
 * 'best_acc') and `<model>_last.pth`, whose 'opt' is the script's argparse options. Only inert values are
 * read (numbers, strings, a one-element tensor, the recorded state of an argparse Namespace); anything else
 * is passed over, since the record describes a model and never decides how it is read.
 *
 * API: `trainingRecord(dict)` -> `TrainingRecord` (empty when the file records nothing), and
 * `trainingRecordWords(record)` -> one line for a person ("epoch 240, test accuracy 72.30% ('accuracy'),
 * opt.model resnet20"), or null.
 */
import { isTensor, PyOpaque } from './pickle';

export interface TrainingRecord {
  /** The epoch the script saved at. */
  readonly epoch?: number;
  /** The test accuracy the script recorded, as a fraction, and the key it sat under. */
  readonly accuracy?: { readonly key: string; readonly value: number };
  /** A few of the script's options (`opt.model`, `opt.dataset`, ...), as written. */
  readonly options?: Readonly<Record<string, string | number>>;
}

/** The keys KD training scripts record test accuracy under (RepDistiller, CA-MKD, mdistiller). */
const ACCURACY_KEYS = ['accuracy', 'best_acc', 'test_acc', 'acc'] as const;
/** The options worth a person's eye: RepDistiller's train_teacher.py and train_student.py names. */
const OPTION_KEYS = ['model', 'model_s', 'distill', 'dataset', 'epochs'] as const;
const FLOAT_DTYPES: ReadonlySet<string> = new Set(['float32', 'float64', 'float16', 'bfloat16']);
const OPTION_TEXT = /^[\w.\-/]{1,64}$/;

export function trainingRecord(checkpoint: ReadonlyMap<unknown, unknown>): TrainingRecord {
  const epoch = checkpoint.get('epoch');
  const accuracyKey = ACCURACY_KEYS.find((key) => recordedAccuracy(checkpoint.get(key)) !== undefined);
  const options = scriptOptions(checkpoint.get('opt'));
  return {
    ...(typeof epoch === 'number' && Number.isSafeInteger(epoch) && epoch >= 0 ? { epoch } : {}),
    ...(accuracyKey ? { accuracy: { key: accuracyKey, value: recordedAccuracy(checkpoint.get(accuracyKey))! } } : {}),
    ...(options ? { options } : {}),
  };
}

/**
 * A recorded accuracy as a fraction. The scripts above write percent (72.3, or a one-element tensor of it,
 * as RepDistiller's AverageMeter leaves it); a value at or below 1 is read as a fraction already, since a
 * percent that low is a model at chance on CIFAR-100.
 */
function recordedAccuracy(value: unknown): number | undefined {
  let number: number | undefined;
  if (typeof value === 'number') number = value;
  else if (isTensor(value) && value.shape.reduce((a, b) => a * b, 1) === 1 && FLOAT_DTYPES.has(value.dtype)) number = value.toFloat32()[0];
  if (number === undefined || !Number.isFinite(number) || number < 0 || number > 100) return undefined;
  return number > 1 ? number / 100 : number;
}

/** The chosen fields of an argparse Namespace, as its pickle recorded them (never constructed). */
function scriptOptions(value: unknown): Record<string, string | number> | undefined {
  if (!(value instanceof PyOpaque) || value.global.qualifiedName !== 'argparse.Namespace' || !(value.state instanceof Map)) return undefined;
  const state = value.state;
  const options: Record<string, string | number> = {};
  for (const key of OPTION_KEYS) {
    const field: unknown = state.get(key);
    if ((typeof field === 'string' && OPTION_TEXT.test(field)) || (typeof field === 'number' && Number.isFinite(field))) options[key] = field;
  }
  return Object.keys(options).length > 0 ? options : undefined;
}

export function trainingRecordWords(record: TrainingRecord | undefined): string | null {
  if (!record) return null;
  const parts = [
    ...(record.epoch !== undefined ? [`epoch ${record.epoch}`] : []),
    ...(record.accuracy ? [`test accuracy ${(record.accuracy.value * 100).toFixed(2)}% ('${record.accuracy.key}')`] : []),
    ...Object.entries(record.options ?? {}).map(([key, value]) => `opt.${key} ${value}`),
  ];
  return parts.length > 0 ? parts.join(', ') : null;
}
