/**
 * One typed table of every run setting: its URL name, type, default and range (TensorFlow Playground's
 * `State.PROPS` pattern). Parsing, serialising and the config form all loop over it, so a new setting is
 * one row. Method parameters (T, alpha, ...) come from the method catalog with the same rules.
 */
import { METHOD_CATALOG, METHOD_IDS, defaultMethodParams, type MethodId, type ParamSpec } from '../contract/methodCatalog';
import { MODEL_CATALOG, MODEL_IDS, headPoolsLastStage } from '../contract/modelCatalog';
import { USER_LOSS_MAX_LENGTH, USER_LOSS_TEMPLATE, checkUserLoss } from '../contract/userCode';
import { MILESTONES_EXPECTED, MILESTONES_PATTERN, milestonesProblem } from '../core/schedule';
import { BACKEND_CHOICES, SAVED_TEACHER_SLOTS_MAX, type RunConfig } from './runConfig';

/** '' (every teacher trained), or saved model ids by teacher slot: `m-…`, `m-…,m-…`, `,m-…` (the second only). */
const SAVED_TEACHER_PATTERN = new RegExp(`^$|^(?:(?:m-[0-9a-f]{16})?,){0,${SAVED_TEACHER_SLOTS_MAX - 1}}m-[0-9a-f]{16}$`);

type Scalar = string | number | boolean;
type FieldKey = Exclude<keyof RunConfig, 'methodParams'>;

interface NumberField {
  readonly kind: 'int' | 'float';
  readonly min: number;
  readonly max: number;
}
interface ChoiceField {
  readonly kind: 'choice';
  readonly options: readonly string[];
}
interface BoolField {
  readonly kind: 'bool';
}
interface TextField {
  readonly kind: 'text';
  readonly pattern: RegExp;
  /** What a refused value should look like; "is not a valid name" when absent. */
  readonly expected?: string;
}
interface CodeField {
  readonly kind: 'code';
  readonly maxLength: number;
}
export type FieldType = NumberField | ChoiceField | BoolField | TextField | CodeField;

export interface FieldSpec {
  readonly key: FieldKey;
  readonly type: FieldType;
  readonly label: string;
  readonly help: string;
  /** Only meaningful (and only written to the URL) for this method. */
  readonly onlyFor?: MethodId;
  /** Only meaningful (only shown, checked against other settings and written to the URL) with this schedule. */
  readonly onlyWithSchedule?: RunConfig['schedule'];
}

export const DEFAULT_CONFIG: RunConfig = Object.freeze({
  dataset: 'cifar10-subset',
  teacher: 'resnet8',
  student: 'tiny-cnn',
  method: 'kd',
  epochs: 8,
  teacherEpochs: 8,
  subset: 5085,
  holdout: true,
  testSubset: 1017,
  batch: 64,
  lr: 0.05,
  schedule: 'cosine',
  milestones: '',
  decay: 0.1,
  momentum: 0.9,
  weightDecay: 5e-4,
  nesterov: false,
  augment: true,
  seed: 1,
  backend: 'auto',
  reuseTeachers: true,
  savedTeacher: '',
  userLoss: USER_LOSS_TEMPLATE,
  methodParams: Object.freeze(defaultMethodParams('kd')),
});

export const FIELDS: readonly FieldSpec[] = [
  { key: 'dataset', type: { kind: 'text', pattern: /^[a-z0-9][a-z0-9_-]{0,63}$/ }, label: 'Dataset', help: 'Which installed or imported dataset to train on.' },
  { key: 'teacher', type: { kind: 'choice', options: MODEL_IDS }, label: 'Teacher', help: 'The larger model trained first and then frozen.' },
  { key: 'student', type: { kind: 'choice', options: MODEL_IDS }, label: 'Student', help: 'The model trained from scratch and by distillation, side by side.' },
  { key: 'method', type: { kind: 'choice', options: METHOD_IDS }, label: 'Method', help: 'How the student learns from the teacher.' },
  { key: 'epochs', type: { kind: 'int', min: 1, max: 500 }, label: 'Student epochs', help: 'Passes over the training subset for each student.' },
  { key: 'teacherEpochs', type: { kind: 'int', min: 1, max: 500 }, label: 'Teacher epochs', help: 'Passes over the training subset for each teacher.' },
  { key: 'subset', type: { kind: 'int', min: 16, max: 50_000 }, label: 'Training images', help: 'How many training images to use (class-balanced, always the same ones).' },
  { key: 'holdout', type: { kind: 'bool' }, label: 'Hold out 10%', help: 'Keep a seeded, class-balanced 10% of the training images out of training; the calibration panel fits its temperature on them and scores it on the test images.' },
  { key: 'testSubset', type: { kind: 'int', min: 16, max: 10_000 }, label: 'Test images', help: 'How many test images to evaluate after every epoch.' },
  { key: 'batch', type: { kind: 'int', min: 8, max: 512 }, label: 'Batch size', help: 'Images per step; smaller uses less GPU memory.' },
  { key: 'lr', type: { kind: 'float', min: 1e-5, max: 1 }, label: 'Learning rate', help: 'Initial SGD learning rate (RepDistiller: 0.05).' },
  { key: 'schedule', type: { kind: 'choice', options: ['cosine', 'step', 'constant'] }, label: 'LR schedule', help: 'Cosine decay per step; step: multiplied by the decay after each milestone epoch; or constant.' },
  { key: 'milestones', type: { kind: 'text', pattern: MILESTONES_PATTERN, expected: MILESTONES_EXPECTED }, label: 'Decay after epochs', help: 'Step schedule only: the student epochs after which the rate decays, ascending (RepDistiller: 150,180,210 of 240; 15,18,21 of 24). Empty: 62.5, 75 and 87.5% of the epochs. Teachers and early stages of other lengths decay at the same fractions of theirs.', onlyWithSchedule: 'step' },
  { key: 'decay', type: { kind: 'float', min: 1e-4, max: 1 }, label: 'Decay factor', help: 'Step schedule only: what the rate is multiplied by at each milestone (RepDistiller: 0.1; REFILLED stage 2: 0.2).', onlyWithSchedule: 'step' },
  { key: 'momentum', type: { kind: 'float', min: 0, max: 0.999 }, label: 'Momentum', help: 'SGD momentum.' },
  { key: 'weightDecay', type: { kind: 'float', min: 0, max: 0.1 }, label: 'Weight decay', help: 'L2 penalty added to the gradient (RepDistiller: 5e-4).' },
  { key: 'nesterov', type: { kind: 'bool' }, label: 'Nesterov', help: 'Nesterov momentum (the CA-MKD scripts use it).' },
  { key: 'augment', type: { kind: 'bool' }, label: 'Augmentation', help: 'Random crop with 4-pixel padding and horizontal flip. Off, methods that read only logits (KD, logit MSE, AVER, EBKD, AEKD) compute the teachers\u2019 outputs once instead of every step.' },
  { key: 'seed', type: { kind: 'int', min: 0, max: 2 ** 31 - 1 }, label: 'Seed', help: 'Fixes initial weights, data order and augmentation.' },
  { key: 'reuseTeachers', type: { kind: 'bool' }, label: 'Reuse teachers', help: 'Distil from a teacher trained earlier in this session with the same settings, instead of training it again.' },
  { key: 'savedTeacher', type: { kind: 'text', pattern: SAVED_TEACHER_PATTERN, expected: 'is not a saved model id (m- and 16 hex digits), or such ids by teacher, comma-separated' }, label: 'Teacher weights', help: 'Train a new teacher, distil from a ready one trained beforehand, or from a model saved in this browser (see Saved models). With several teachers, each has its own.' },
  { key: 'userLoss', type: { kind: 'code', maxLength: USER_LOSS_MAX_LENGTH }, label: 'Your loss', help: 'JavaScript returning the distillation term as a scalar tensor.', onlyFor: 'custom' },
  { key: 'backend', type: { kind: 'choice', options: BACKEND_CHOICES }, label: 'Backend', help: 'auto: WebGPU on a real GPU; where WebGPU is emulated or absent, the fastest of WebGPU and WebAssembly measured here. A name forces that backend (else WebGL, then WebAssembly, then CPU); the status bar shows which one really runs and why.' },
];

function field(key: FieldKey): FieldSpec {
  return FIELDS.find((f) => f.key === key)!;
}

export interface ParsedUrl {
  readonly config: RunConfig;
  readonly autostart: boolean;
  /** One line per value that was clamped or refused, shown in the page. */
  readonly notes: readonly string[];
}

/** Parses one raw value; returns the (possibly clamped) value and a note, or a refusal. */
export function parseValue(type: FieldType | ParamSpec, raw: string, name: string): { value: Scalar; note?: string } | { error: string } {
  const kind = 'kind' in type ? type.kind : type.integer ? 'int' : 'float';
  switch (kind) {
    case 'int':
    case 'float': {
      const { min, max } = type as NumberField;
      const number = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(number)) return { error: `${name}=${raw} is not a number` };
      if (kind === 'int' && !Number.isInteger(number)) return { error: `${name}=${raw} must be a whole number` };
      if (number < min) return { value: min, note: `${name}=${raw} is below the minimum; using ${min}` };
      if (number > max) return { value: max, note: `${name}=${raw} is above the maximum; using ${max}` };
      return { value: number };
    }
    case 'choice': {
      const { options } = type as ChoiceField;
      return options.includes(raw) ? { value: raw } : { error: `${name}=${raw} is not one of ${options.join(', ')}` };
    }
    case 'bool':
      if (raw === '1' || raw === 'true') return { value: true };
      if (raw === '0' || raw === 'false') return { value: false };
      return { error: `${name}=${raw} should be 1 or 0` };
    case 'text':
      return (type as TextField).pattern.test(raw) ? { value: raw } : { error: `${name}=${raw} ${(type as TextField).expected ?? 'is not a valid name'}` };
    case 'code':
      return raw.length <= (type as CodeField).maxLength ? { value: raw } : { error: `${name} is longer than ${(type as CodeField).maxLength} characters` };
  }
}

/** Reads a config from URL parameters: unknown keys are ignored, bad values clamped or refused with a note. */
export function parseUrl(search: string | URLSearchParams, defaults: RunConfig = DEFAULT_CONFIG): ParsedUrl {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const notes: string[] = [];
  const values: Record<string, Scalar> = {};
  for (const field of FIELDS) {
    const raw = params.get(field.key);
    if (raw === null) continue;
    const parsed = parseValue(field.type, raw, field.key);
    if ('error' in parsed) notes.push(`${parsed.error}; using ${String(defaults[field.key]) || 'none'}.`);
    else {
      values[field.key] = parsed.value;
      if (parsed.note) notes.push(`${parsed.note}.`);
    }
  }
  const method = (values.method as MethodId | undefined) ?? defaults.method;
  const methodParams = { ...defaultMethodParams(method) };
  for (const spec of METHOD_CATALOG[method].params) {
    const raw = params.get(spec.key);
    if (raw === null) continue;
    const parsed = parseValue(spec, raw, spec.key);
    if ('error' in parsed) notes.push(`${parsed.error}; using ${spec.default}.`);
    else {
      methodParams[spec.key] = parsed.value as number;
      if (parsed.note) notes.push(`${parsed.note}.`);
    }
  }
  const config = withValidMilestones({ ...defaults, ...values, methodParams } as RunConfig, notes);
  const autostart = params.get('autostart') === '1';
  return { config, autostart, notes };
}

/** Milestones outside the run's epochs (or not ascending) are dropped with a note: the reference fractions apply. */
function withValidMilestones(config: RunConfig, notes: string[]): RunConfig {
  if (config.schedule !== 'step') return config;
  const problem = milestonesProblem(config.milestones, config.epochs);
  if (!problem) return config;
  notes.push(`${problem}; using none (62.5, 75 and 87.5% of the epochs).`);
  return { ...config, milestones: '' };
}

/** A value as it appears in the URL (booleans as 1/0). */
function formatValue(value: Scalar): string {
  return typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
}

/** The URL query for a config: every setting and the method's parameters, so a link reproduces the run. */
export function serializeConfig(config: RunConfig): string {
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    if (field.onlyFor && field.onlyFor !== config.method) continue; // keeps other links short
    if (field.onlyWithSchedule && field.onlyWithSchedule !== config.schedule) continue;
    if (config[field.key] === undefined) continue; // a config saved before the setting existed: its default
    if (field.type.kind === 'text' && config[field.key] === '' && DEFAULT_CONFIG[field.key] === '') continue;
    params.set(field.key, formatValue(config[field.key]));
  }
  for (const spec of METHOD_CATALOG[config.method].params) {
    const value = config.methodParams[spec.key];
    if (value !== undefined) params.set(spec.key, String(value));
  }
  return params.toString();
}

/** Checks a config edited in the form: every value in range, with a reason per invalid field. */
export function validateConfig(config: RunConfig): Partial<Record<string, string>> {
  const problems: Record<string, string> = {};
  for (const field of FIELDS) {
    if (field.onlyWithSchedule && field.onlyWithSchedule !== config.schedule) continue; // not shown, not used
    const parsed = parseValue(field.type, formatValue(config[field.key]), field.label);
    if ('error' in parsed) problems[field.key] = parsed.error;
    else if (parsed.note) problems[field.key] = parsed.note;
  }
  if (config.schedule === 'step' && !problems.milestones && !problems.epochs) {
    const problem = milestonesProblem(config.milestones, config.epochs, field('milestones').label);
    if (problem) problems.milestones = problem;
  }
  const method = METHOD_CATALOG[config.method];
  if (config.method === 'custom') {
    try {
      checkUserLoss(config.userLoss);
    } catch (error) {
      problems.userLoss = error instanceof Error ? error.message : String(error);
    }
  }
  if (method.needs.teacherHeadOnLastStage && !headPoolsLastStage(config.teacher)) {
    problems.teacher = `${method.label} passes student features through each teacher's head, which ${MODEL_CATALOG[config.teacher].label} cannot take; pick another teacher`;
  }
  for (const spec of method.params) {
    const parsed = parseValue(spec, String(config.methodParams[spec.key]), spec.label);
    if ('error' in parsed) problems[spec.key] = parsed.error;
    else if (parsed.note) problems[spec.key] = parsed.note;
  }
  return problems;
}
