/**
 * The README.md inside a `.distillery-pytorch.zip`: what the export holds and how to run it on one machine,
 * on several GPUs and on several machines with torchrun, and how the results come back into the page.
 * Written for the person who unzips it, with this run's own file name and dataset in the commands.
 */
import { IMAGE_SIDE } from '../../contract/cifarFormat';
import { METHOD_CATALOG } from '../../contract/methodCatalog';
import type { PytorchRunJson } from './pytorchRun';

const OFFICIAL_ARCHIVES = {
  cifar10: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  cifar100: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
} as const;

/** The `--data` argument of the commands: none when the images travel in the zip. */
const dataArgument = (run: PytorchRunJson) => (run.dataset.kind === 'image-folder' ? '' : ` --data ${run.dataset.kind === 'cifar100' ? 'cifar-100-binary' : 'cifar-10-batches-bin'}`);

function dataSection(run: PytorchRunJson): string {
  const { id, kind } = run.dataset;
  if (kind === 'image-folder') {
    const side = run.dataset.imageSide ?? IMAGE_SIDE;
    return [
      '## The data',
      '',
      `Your own images (\`${id}\`, classes ${run.dataset.classNames.join(', ')}) travel in \`${run.dataset.file}\`: ${run.dataset.trainImages} training and ${run.dataset.testImages} test pictures`,
      `as the page decoded them (centre-cropped and resized to ${side}x${side}, split as the page stated), so the package needs no \`--data\`.`,
      `The run uses the first ${run.config.subset} training images (class-balanced) and ${run.config.testSubset} test images, as the page does.`,
    ].join('\n');
  }
  const archive = OFFICIAL_ARCHIVES[kind];
  const subset = id === 'cifar10-subset'
    ? `The page trained on \`cifar10-subset\`, the class-balanced CIFAR-10 subset its setup installs; pass that subset's folder or \`cifar-10-binary-subset.tar.gz\` to get the same images, or the full archive for the real thing.`
    : `The page trained on the dataset \`${id}\`.`;
  return [
    '## The data',
    '',
    `\`--data\` takes the official ${kind === 'cifar100' ? 'CIFAR-100' : 'CIFAR-10'} binary archive itself (${archive}) or the folder it unpacks to`,
    `(\`${kind === 'cifar100' ? 'cifar-100-binary/' : 'cifar-10-batches-bin/'}\`, or a folder holding it). ${subset}`,
    `The run uses the first ${run.config.subset} training images (class-balanced) and ${run.config.testSubset} test images, as the page does.`,
  ].join('\n');
}

function teacherLine(run: PytorchRunJson): string {
  if (run.config.method === 'scratch') return 'The method trains the student from scratch: there is no teacher.';
  if (run.teachers.length === 0) return `The teacher (${run.config.teacher}, ${run.config.teacherEpochs} epochs) is trained first with the run's seed, as the page does.`;
  return run.teachers.map((t) => `Teacher ${t.slot} is the saved model "${t.name}" (${t.model}, ${t.numClasses} classes), in \`${t.file}\` with RepDistiller's state_dict names.`).join('\n');
}

export function pytorchRunReadme(fileName: string, run: PytorchRunJson): string {
  const method = METHOD_CATALOG[run.config.method];
  return `# ${fileName}

A Distillery experiment exported from the page to run on PyTorch: ${method.label} (\`method=${run.config.method}\`),
teacher ${run.config.teacher}, student ${run.config.student}, ${run.config.epochs} student epochs, seed ${run.config.seed},
on \`${run.dataset.id}\`. Exported ${run.exportedAt}.

- \`run.json\`: the settings (every field of the page's URL table, typed), the dataset's classes and normalisation,
  and the saved teachers. The playground link: \`?${run.link}\`
- \`teachers/\`: ${run.teachers.length === 0 ? 'empty (no saved teacher).' : 'the saved teachers\u2019 weights as .safetensors.'}${run.dataset.file ? `\n- \`${run.dataset.file}\`: your images, decoded (see The data).` : ''}

${teacherLine(run)}

## The package

\`distillery_torch\` lives in the \`python/\` folder of the Distillery repository. It needs Python 3 with PyTorch
(1.13 or newer) and NumPy; nothing to install: put the folder on the path.

\`\`\`sh
export PYTHONPATH=/path/to/distillery/python
\`\`\`

${dataSection(run)}

${runSections(fileName, dataArgument(run))}
`;
}

/** One machine, torchrun on one machine, torchrun on several, and the way back into the page. */
function runSections(fileName: string, data: string): string {
  return `## One machine (CPU or one GPU)

\`\`\`sh
python3 -m distillery_torch --config ${fileName}${data} --out results
\`\`\`

Add \`--device cuda\` or \`--device cpu\` to choose; \`--config\` also takes this zip's \`run.json\` unpacked (with \`teachers/\` beside it).

## Several GPUs or processes on one machine (torchrun, DistributedDataParallel)

\`\`\`sh
torchrun --nproc_per_node=4 -m distillery_torch --config ${fileName}${data} --out results
\`\`\`

Each process takes its share of every epoch (DistributedSampler); the seeds of all ranks derive from the run's
seed; metrics are reduced across ranks and every test image counts exactly once. NCCL on GPUs, gloo on CPUs.
Without torchrun on the path: \`python3 -m torch.distributed.run --nproc_per_node=4 -m distillery_torch ...\`.
With Debian's PyTorch 1.13 on Python 3.11, add \`--redirects 1 --tee 1\`: that torchrun cannot parse its own default.

## Several machines

Run the same command on every machine, each with its own \`--node_rank\`; the first machine's address is the
rendezvous point:

\`\`\`sh
# on machine 0 (host0), then on machine 1 with --node_rank=1
torchrun --nnodes=2 --node_rank=0 --nproc_per_node=8 --master_addr=host0 --master_port=29500 \\
  -m distillery_torch --config ${fileName}${data} --out results
\`\`\`

or with elastic rendezvous: \`torchrun --nnodes=2 --nproc_per_node=8 --rdzv_backend=c10d --rdzv_endpoint=host0:29500 --rdzv_id=kd1 -m distillery_torch ...\`.
Every machine needs the zip${data ? ' and the data' : ''} at the paths given; only rank 0 writes \`--out\`.

## Bringing the results back

\`results/\` receives:

- \`<name>.distillery-run.json\`: the run in the page's own run-bundle format (settings, every epoch's metrics,
  results). In the page: **Runs** panel, **Import bundle…**: it sits next to the runs trained in the browser.
- \`models/<learner>.safetensors\`: every model the run trained (teacher, student, scratch baseline) with
  RepDistiller's state_dict names. In the page: **Saved models**, **Import a PyTorch checkpoint**; the model and its
  input normalisation are read from the file. A saved student can then teach a new run, in the page or here.
`;
}
