/**
 * Messages between the page and the training worker. Both sides import these unions and switch on
 * `type` exhaustively. Every run-scoped message carries the `runId` it belongs to, so the page drops
 * stale messages from a run it has already left. Only plain data crosses: numbers, strings, typed arrays.
 */
import type { BackendChoice, BackendName, RunConfig } from '../config/runConfig';
import type { MethodId } from './methodCatalog';
import type { ModelId } from './modelCatalog';
import type { DatasetFormat, ImageFolderSide } from './cifarFormat';
import type { InputNormalization, ModelJson } from './modelFile';
import type { InspectionRequest, InspectionResult } from './inspection';

export type LearnerRole = 'teacher' | 'scratch' | 'student';

/** One model trained in a run: a teacher, the scratch baseline or the distilled student. */
export interface LearnerInfo {
  /** Stable within a run: `teacher0`, `scratch`, `student`. */
  readonly key: string;
  readonly role: LearnerRole;
  readonly label: string;
  readonly model: ModelId;
  /** How it is trained: teachers and the baseline with `scratch`, the student with the run's method. */
  readonly method: MethodId;
  readonly parameters: number;
}

export interface EpochMetrics {
  readonly learner: string;
  /** 1-based. */
  readonly epoch: number;
  readonly lr: number;
  /** Mean total loss over the epoch's batches, and each named term. */
  readonly trainLoss: number;
  readonly terms: Readonly<Record<string, number>>;
  /** Epoch means of what the method reports besides its loss (e.g. each teacher's weight). */
  readonly diagnostics: Readonly<Record<string, number>>;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly testNll: number;
  readonly ece: number;
  /** Wall-clock seconds since the learner's phase started. */
  readonly seconds: number;
  /** The method's stage this epoch belongs to, for multi-stage methods (REFILLED). */
  readonly stage?: string;
}

export interface LearnerProgress {
  readonly loss: number;
  readonly imagesSeen: number;
  /** What the method computes besides its loss (e.g. each teacher's weight), for the latest batch. */
  readonly diagnostics: Readonly<Record<string, number>>;
}

export interface ModelResult {
  readonly learner: LearnerInfo;
  readonly epochs: number;
  readonly lastAccuracy: number;
  readonly bestAccuracy: number;
  /** 1-based epoch of the best test accuracy. */
  readonly bestEpoch: number;
  /** ECE (15 bins) and NLL of the last epoch's model. */
  readonly ece: number;
  readonly nll: number;
  readonly seconds: number;
  /** A teacher trained in an earlier run of this session and reused as it was. */
  readonly reused: boolean;
  /** The last epoch's test-set logits, row-major [N, C], and labels: what the calibration panel plots. */
  readonly testLogits: Float32Array;
  readonly testLabels: Uint8Array;
  /**
   * The same model's logits and labels on the run's hold-out (training images no model trained on), for
   * fitting calibration. Absent when the run held nothing out (`holdout` off, or a run from before it).
   */
  readonly heldOutLogits?: Float32Array;
  readonly heldOutLabels?: Uint8Array;
}

/** Images a method made (TA-DFKD's generator), as RGBA at the run's image side, with the label the teacher gives each. */
export interface MethodSamplesSummary {
  readonly learner: string;
  /** 1-based epoch after which they were drawn. */
  readonly epoch: number;
  readonly count: number;
  readonly size: number;
  /** count × size × size × 4 bytes. */
  readonly rgba: Uint8ClampedArray;
  readonly labels: Uint8Array;
}

export interface DatasetSummary {
  readonly name: string;
  readonly title: string;
  readonly classNames: readonly string[];
  readonly trainCount: number;
  readonly testCount: number;
  /** The binary layout and the per-channel statistics the images are normalised with (the manifest's). */
  readonly format: DatasetFormat;
  readonly normalization: InputNormalization;
  /** Width and height of every image, in pixels (CIFAR: 32). */
  readonly imageSide: number;
}

export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** A GPU emulated on the CPU (see adapterKind.ts). Absent in runs saved before it existed. */
  readonly emulated?: boolean;
}

export interface RunPlanSummary {
  /** Parameter counts are known once the networks exist: see each ModelResult. */
  readonly learners: readonly Omit<LearnerInfo, 'parameters'>[];
  /** Effective sizes after clamping to the dataset; `trainImages` excludes the hold-out. */
  readonly trainImages: number;
  /** Training-subset images kept out of training for calibration (0: none; absent in older records). */
  readonly holdoutImages?: number;
  readonly testImages: number;
  readonly stepsPerEpoch: number;
  readonly notes: readonly string[];
}

/** A PyTorch checkpoint the worker has read and matched to a zoo model, as saved-model files, to confirm. */
export interface TorchModelPreview {
  readonly model: ModelId;
  readonly numClasses: number;
  /** The file's format and layout, in words ("PyTorch zip, RepDistiller training checkpoint"). */
  readonly source: string;
  /** What a training checkpoint records of its run ("epoch 240, test accuracy 72.30% ('accuracy')"), or null. */
  readonly recorded: string | null;
  /** Its metadata holds the file's input normalisation, or the default for the class count; the page may change it. */
  readonly json: ModelJson;
  /** The normalisation came from the file's own metadata (a model trained by the PyTorch package). */
  readonly normalizationFromFile: boolean;
  readonly weights: ArrayBuffer;
}

/** A file of a dropped or picked folder, with its path inside the folder (`flowers/rose/1.jpg`). */
export interface FolderFile {
  readonly path: string;
  /** Null for a folder (an empty class folder is worth a note). */
  readonly file: File | null;
}

export type ImageFolderSource =
  | { readonly kind: 'zip'; readonly file: File }
  | { readonly kind: 'folder'; readonly name: string; readonly files: readonly FolderFile[] };

export type ToWorker =
  /** `remeasure`: with `auto`, time the candidates again instead of reusing the choice remembered from an earlier load. */
  | { readonly type: 'init'; readonly backend: BackendChoice; readonly remeasure?: boolean }
  | { readonly type: 'loadDataset'; readonly requestId: number; readonly baseUrl: string; readonly name: string }
  /** An official CIFAR-10/100 binary archive the user picked: parsed, validated and kept in the browser. */
  | { readonly type: 'importDataset'; readonly requestId: number; readonly file: File }
  /** The user's own pictures in class folders (a dropped or picked folder, or a .zip): decoded, resized to `side`, kept. */
  | { readonly type: 'importImages'; readonly requestId: number; readonly source: ImageFolderSource; readonly side: ImageFolderSide }
  | { readonly type: 'estimate'; readonly requestId: number; readonly config: RunConfig }
  /** `resume`: continue the run of the checkpoint kept in the browser (its config wins) instead of starting anew. */
  | { readonly type: 'train'; readonly runId: number; readonly config: RunConfig; readonly resume?: boolean }
  | { readonly type: 'pause' | 'resume' | 'step' | 'stop'; readonly runId: number }
  | { readonly type: 'inspect'; readonly requestId: number; readonly request: InspectionRequest }
  /** A model file the user picked: does it fit its architecture, weight by weight? Answered `modelChecked`. */
  | { readonly type: 'checkModel'; readonly requestId: number; readonly json: ModelJson; readonly weights: ArrayBuffer; readonly weightsFileName: string }
  /** A .pth / .safetensors file the user picked: read without executing anything, answered `torchModelRead`. */
  | { readonly type: 'readTorchModel'; readonly requestId: number; readonly file: File };

export type FromWorker =
  | {
      readonly type: 'ready';
      readonly backend: BackendName;
      readonly requested: BackendChoice;
      readonly adapter: AdapterSummary | null;
      /** Why a backend earlier in the fallback order was not used, if one was skipped. */
      readonly fallbackReason: string | null;
      /** Why `auto` chose this backend, with how much faster it measured; null when forced. */
      readonly choice: string | null;
      /** The wasm backend's threads, with why not more; null on other backends. */
      readonly threads: string | null;
      /** `auto` reused the choice measured on an earlier load (the page offers to measure again). */
      readonly remembered: boolean;
    }
  | { readonly type: 'datasetProgress'; readonly requestId: number; readonly loadedBytes: number; readonly totalBytes: number; readonly file: string }
  /** `importNotes`: after an image-folder import, what was left out and why, and how the test images were chosen. */
  | { readonly type: 'datasetReady'; readonly requestId: number; readonly summary: DatasetSummary; readonly importNotes?: readonly string[] }
  | { readonly type: 'estimate'; readonly requestId: number; readonly seconds: number; readonly secondsPerImage: Readonly<Record<string, number>> }
  | { readonly type: 'runStarted'; readonly runId: number; readonly plan: RunPlanSummary }
  | { readonly type: 'status'; readonly runId: number; readonly status: 'training' | 'paused' }
  /** Stop was read: the loop ends after the batch in flight. The page's watchdog waits for this answer. */
  | { readonly type: 'stopping'; readonly runId: number }
  /** Something the browser would not keep (a full quota, a private window): what it was, and why. */
  | { readonly type: 'notKept'; readonly what: string; readonly reason: string }
  | {
      readonly type: 'progress';
      readonly runId: number;
      readonly phase: 'warmup' | 'teachers' | 'students';
      readonly epoch: number;
      readonly epochs: number;
      readonly step: number;
      readonly stepsPerEpoch: number;
      /** Fraction of the whole run's estimated work done, in [0, 1]. */
      readonly fraction: number;
      readonly secondsLeft: number | null;
      readonly imagesPerSecond: number;
      /** Wall-clock seconds of the step just reported (absent in warm-up reports): sizes the page's Stop grace. */
      readonly stepSeconds?: number;
      /** Latest batch loss per learner key, how many training images it has seen, and its method's diagnostics. */
      readonly losses: Readonly<Record<string, LearnerProgress>>;
      /** The distilled student's stage, for multi-stage methods. */
      readonly stage?: string;
    }
  | { readonly type: 'samples'; readonly runId: number; readonly samples: MethodSamplesSummary }
  | { readonly type: 'epoch'; readonly runId: number; readonly metrics: EpochMetrics }
  | { readonly type: 'inspection'; readonly requestId: number; readonly result: InspectionResult }
  | { readonly type: 'modelChecked'; readonly requestId: number }
  | { readonly type: 'torchModelRead'; readonly requestId: number; readonly preview: TorchModelPreview }
  | { readonly type: 'learnerDone'; readonly runId: number; readonly result: ModelResult }
  | { readonly type: 'done'; readonly runId: number; readonly results: readonly ModelResult[]; readonly stopped: boolean; readonly seconds: number }
  | { readonly type: 'error'; readonly runId: number | null; readonly requestId: number | null; readonly message: string; readonly fatal: boolean };
