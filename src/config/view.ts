/**
 * What the page shows besides the config: `hide=` hides parts of the page for a simplified classroom view
 * (`?hide=settings,method,runs`), and presets are links to ready-made experiments, including scaled-down
 * versions of each seed paper's setup. Pure, so the URL rules are tested in Node.
 */

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
}

/**
 * Ready-made experiments. The seed papers' setups are scaled down (fewer epochs, smaller models, the
 * CIFAR-10 subset) to finish in minutes on a laptop GPU; each says what it keeps from the paper.
 */
export const PRESETS: readonly Preset[] = [
  { title: 'One-minute smoke run', description: 'Tiny CNN teacher and student, 128 images, one epoch each.', query: 'teacher=tiny-cnn&student=tiny-cnn&method=kd&epochs=1&teacherEpochs=1&subset=128&testSubset=128&autostart=1' },
  {
    title: 'Hinton KD from a ready teacher',
    description: 'The ready ResNet-20 (64% on the CIFAR-10 subset, trained beforehand) to a ResNet-8 student, T 4, alpha 0.9; the teacher is evaluated, not trained, so distilling starts at once; 15 epochs.',
    query: 'teacher=resnet20&savedTeacher=m-d2639b5caf1c9468&student=resnet8&method=kd&T=4&alpha=0.9&ceWeight=0.1&epochs=15',
  },
  {
    title: 'Hinton KD, RepDistiller setting (scaled)',
    description: 'ResNet-32x4 teacher to ResNet-8x4 student, T 4, alpha 0.9, step schedule; 30 epochs instead of 240.',
    query: 'teacher=resnet32x4&student=resnet8x4&method=kd&T=4&alpha=0.9&ceWeight=0.1&schedule=step&epochs=30&teacherEpochs=30',
  },
  {
    title: 'Explainable oracle (scaled)',
    description: 'The ready ResNet-20 teacher to a ResNet-20 student with x* at gamma 0.2 and T 1.5, as the reference README; 20 epochs.',
    query: 'teacher=resnet20&savedTeacher=m-d2639b5caf1c9468&student=resnet20&method=oracle&gamma=0.2&T=1.5&alpha=1&ceWeight=1&epochs=20',
  },
  {
    title: 'CA-MKD, three teachers (scaled)',
    description: 'Three ResNet-20 teachers to a ResNet-8, confidence-aware weights: the first is the ready one, the other two train 15 epochs with their own seeds; 15 epochs.',
    query: 'teacher=resnet20&savedTeacher=m-d2639b5caf1c9468&student=resnet8&method=camkd&teachers=3&epochs=15&teacherEpochs=15',
  },
  {
    title: 'REFILLED (scaled)',
    description: 'WRN-40-2 teacher to WRN-16-1 student, 10 embedding epochs then 10 classifier epochs.',
    query: 'teacher=wrn_40_2&student=wrn_16_1&method=refilled&stage1Epochs=10&epochs=10&teacherEpochs=20&batch=128',
  },
  {
    title: 'Data-free TA-DFKD (scaled)',
    description: 'The ready ResNet-20 teacher, a ResNet-8 student that never sees a training image; generator width 32.',
    query: 'teacher=resnet20&savedTeacher=m-d2639b5caf1c9468&student=resnet8&method=ta-dfkd&ngf=32&nz=256&epochs=20',
  },
];
