/**
 * What the page shows besides the config: `hide=` hides parts of the page for a simplified classroom view
 * (`?hide=settings,method,runs`), and presets are links to ready-made experiments, including scaled-down
 * versions of each seed paper's setup. Pure, so the URL rules are tested in Node.
 */
import { FIELDS } from './fields';
import { METHOD_CATALOG, METHOD_IDS } from '../contract/methodCatalog';

/** Parts of the page a link can hide. */
export const HIDEABLE = ['settings', 'curves', 'method', 'calibration', 'panels', 'runs', 'models', 'results'] as const;
export type Hideable = (typeof HIDEABLE)[number];

export interface ParsedView {
  readonly hidden: ReadonlySet<Hideable>;
  /** One line per unknown part, shown with the other URL notes. */
  readonly notes: readonly string[];
}

export function parseHidden(search: string | URLSearchParams): ParsedView {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const hidden = new Set<Hideable>();
  const notes: string[] = [];
  for (const part of (params.get('hide') ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    if ((HIDEABLE as readonly string[]).includes(part)) hidden.add(part as Hideable);
    else notes.push(`hide=${part} is not a part of the page (${HIDEABLE.join(', ')}); ignored.`);
  }
  return { hidden, notes };
}

/** The `hide=` parameter for a set of hidden parts ('' when none), in a stable order. */
export function serializeHidden(hidden: ReadonlySet<Hideable>): string {
  const parts = HIDEABLE.filter((part) => hidden.has(part));
  return parts.length > 0 ? `hide=${parts.join(',')}` : '';
}

export interface Preset {
  readonly title: string;
  readonly description: string;
  /** The link's query, without `?`. */
  readonly query: string;
  /** The paper's step milestones in its own epochs, which the link's milestones scale (checked by a test). */
  readonly reference?: { readonly milestones: readonly number[]; readonly epochs: number };
}

/** RepDistiller's train_student.py and train_teacher.py on CIFAR-100, also the CA-MKD scripts': 240 epochs. */
const REPDISTILLER_STEPS = { milestones: [150, 180, 210], epochs: 240 } as const;
/** The SGD recipe RepDistiller gives every model (lr 0.05; MobileNetV2 and ShuffleNet students: 0.01). */
const REPDISTILLER_SGD = 'batch=64&momentum=0.9&weightDecay=0.0005&nesterov=0&schedule=step&decay=0.1';

/**
 * Ready-made experiments. The seed papers' setups keep each reference's recipe (optimizer, learning rate,
 * batch, decay points, loss weights, models) and are scaled in epochs (milestones with them) and data (the
 * CIFAR-10 subset's 5,085 images instead of CIFAR-100's 50,000), so they finish on a laptop GPU; each
 * description says what it scaled.
 */
export const PRESETS: readonly Preset[] = [
  { title: 'One-minute smoke run', description: 'Tiny CNN teacher and student, 128 images, one epoch each.', query: 'teacher=tiny-cnn&student=tiny-cnn&method=kd&epochs=1&teacherEpochs=1&subset=128&testSubset=128&autostart=1' },
  {
    title: 'Hinton KD from a ready teacher',
    description: 'The ready ResNet-20 (64% on the CIFAR-10 subset, trained beforehand) to a ResNet-8 student, T 4, ceWeight 0.1, alpha 0.9; the teacher is evaluated, not trained, so distilling starts at once. SGD lr 0.05, momentum 0.9, weight decay 5e-4, batch 64, x0.1 after epochs 10, 12 and 14. Scaled: 16 epochs instead of 240 (the decay points 150/180/210 with them), a ResNet-20/ResNet-8 pair instead of ResNet-32x4/ResNet-8x4, the CIFAR-10 subset instead of CIFAR-100.',
    query: `teacher=resnet20&savedTeacher=m-d2639b5caf1c9468&student=resnet8&method=kd&T=4&alpha=0.9&ceWeight=0.1&epochs=16&lr=0.05&${REPDISTILLER_SGD}&milestones=10,12,14`,
    reference: REPDISTILLER_STEPS,
  },
  {
    title: 'Hinton KD, RepDistiller recipe (scaled)',
    description: 'ResNet-32x4 teacher to ResNet-8x4 student, T 4, ceWeight 0.1, alpha 0.9; SGD lr 0.05, momentum 0.9, weight decay 5e-4, batch 64, x0.1 after epochs 15, 18 and 21. Scaled: 24 epochs instead of 240 (the decay points 150/180/210 with them), the CIFAR-10 subset instead of CIFAR-100.',
    query: `teacher=resnet32x4&student=resnet8x4&method=kd&T=4&alpha=0.9&ceWeight=0.1&epochs=24&teacherEpochs=24&lr=0.05&${REPDISTILLER_SGD}&milestones=15,18,21`,
    reference: REPDISTILLER_STEPS,
  },
  {
    title: 'Hinton KD to MobileNetV2, RepDistiller recipe (scaled)',
    description: 'VGG-13 teacher to MobileNetV2 student, as in RepDistiller\u2019s table, at lr 0.01 (its rate for MobileNetV2 and ShuffleNet students); otherwise the KD recipe above. The page has one learning rate, so the teacher trains at 0.01 too (RepDistiller\u2019s teachers: 0.05). Scaled: 24 epochs instead of 240, the CIFAR-10 subset.',
    query: `teacher=vgg13&student=mobilenetv2&method=kd&T=4&alpha=0.9&ceWeight=0.1&epochs=24&teacherEpochs=24&lr=0.01&${REPDISTILLER_SGD}&milestones=15,18,21`,
    reference: REPDISTILLER_STEPS,
  },
  {
    title: 'Explainable oracle (scaled)',
    description: 'The ready ResNet-20 (64% on the CIFAR-10 subset, trained beforehand, evaluated not trained) to a ResNet-20 with x* at gamma 0.2, T 1.5, ceWeight 1, alpha 1 and weight decay 1e-4, as the reference README runs it; SGD lr 0.05, momentum 0.9, batch 64, x0.1 after epochs 15, 18 and 21. Scaled: 24 epochs instead of 240, the CIFAR-10 subset instead of CIFAR-100.',
    query: 'teacher=resnet20&savedTeacher=m-d2639b5caf1c9468&student=resnet20&method=oracle&gamma=0.2&T=1.5&alpha=1&ceWeight=1&epochs=24&lr=0.05&batch=64&momentum=0.9&weightDecay=0.0001&nesterov=0&schedule=step&milestones=15,18,21&decay=0.1',
    reference: { milestones: [150, 180, 210], epochs: 240 },
  },
  {
    title: 'CA-MKD, three teachers (scaled)',
    description: 'Three ResNet-32x4 teachers with different seeds to a VGG-8, T 4, ceWeight 1, alpha 1, beta 50, as the CA-MKD scripts; SGD lr 0.05 with Nesterov momentum 0.9, weight decay 5e-4, batch 64, x0.1 after epochs 10, 12 and 14. Scaled: 16 epochs instead of 240, the CIFAR-10 subset instead of CIFAR-100.',
    query: 'teacher=resnet32x4&student=vgg8&method=camkd&teachers=3&beta=50&T=4&alpha=1&ceWeight=1&epochs=16&teacherEpochs=16&lr=0.05&batch=64&momentum=0.9&weightDecay=0.0005&nesterov=1&schedule=step&milestones=10,12,14&decay=0.1',
    reference: REPDISTILLER_STEPS,
  },
  {
    title: 'REFILLED (scaled)',
    description: 'REFILLED\u2019s own WRN-40-2 teacher to its WRN-16-1 student (conv biases, dropout 0.3); batch 128, SGD lr 0.1 with Nesterov momentum 0.9, weight decay 5e-4; stage 1 anneals (cosine) from 0.1 to 0.01, stage 2 decays x0.2 after epochs 10, 14 and 18 (reference: 100/140/180 of 200). Scaled: 20 embedding and 20 classifier epochs instead of 200 each, the CIFAR-10 subset instead of CIFAR-100.',
    query: 'teacher=wrn_40_2_refilled&student=wrn_16_1_refilled&method=refilled&stage1Epochs=20&stage1Cosine=1&epochs=20&teacherEpochs=20&batch=128&lr=0.1&momentum=0.9&weightDecay=0.0005&nesterov=1&schedule=step&milestones=10,14,18&decay=0.2',
    reference: { milestones: [100, 140, 180], epochs: 200 },
  },
  {
    title: 'Data-free TA-DFKD (scaled)',
    description: 'The ready ResNet-20 teacher, a ResNet-8 student that never sees a training image; student SGD lr 0.01, momentum 0.9, weight decay 5e-4, cosine; generator Adam lr 1e-3, one step per 10 student steps, nz 1000, width 64. Scaled: 20 epochs instead of 200, batch 256 instead of 1024 (browser memory), so 17 steps per epoch from the subset\u2019s images instead of 360.',
    query: 'teacher=resnet20&savedTeacher=m-d2639b5caf1c9468&student=resnet8&method=ta-dfkd&studentSteps=10&generatorLr=0.001&ngf=64&nz=1000&epochs=20&batch=256&lr=0.01&momentum=0.9&weightDecay=0.0005&nesterov=0&schedule=cosine',
  },
];

/** The preset a first visit opens on: KD from the ready ResNet-20, so the first run distils at once. */
export const FIRST_VISIT_PRESET = PRESETS.find((p) => p.title === 'Hinton KD from a ready teacher')!;

/** Keys of the address that set something of the experiment (the URL table, every method's parameters, autostart). */
const SETTING_KEYS: ReadonlySet<string> = new Set([...FIELDS.map((f) => f.key), ...METHOD_IDS.flatMap((id) => METHOD_CATALOG[id].params.map((p) => p.key)), 'autostart']);

/**
 * The address's settings, or `fallback`'s when it sets none (a bare address, or one with only view keys such
 * as `hide=` or a lesson's), keeping the view parameters. A link that sets anything is read as it stands, over
 * the defaults. The fallback is the first-visit preset, or the settings of the lesson step the link opens.
 */
export function settingsSearch(search: string, fallback: string = FIRST_VISIT_PRESET.query): string {
  const params = new URLSearchParams(search);
  if (setsAnything(params)) return search;
  const view = params.toString();
  return view ? `${fallback}&${view}` : fallback;
}

/** Whether the address sets anything of the experiment (a bare address or view keys alone do not). */
export function setsAnything(params: URLSearchParams): boolean {
  const keys: string[] = [];
  params.forEach((_value, key) => void keys.push(key));
  return keys.some((key) => SETTING_KEYS.has(key));
}
