"""REFILLED's two stages in the package's run, as the page's `trainEarlyStages` (src/training/run.ts) and
`refilled.ts` run them: the distilled student trains stage 1 (the embedding, triplet loss) alone for
`stage1Epochs` epochs, scored after each by nearest-class-mean accuracy on the test subset, and keeps its
best-scoring weights; then the class centres are summed from the teacher's embeddings of the whole (augmented)
training set, its classifier restarts from the page's keyed draws, its momentum is cleared, and stage 2 runs
in lockstep with the scratch baseline. Stage-2 epochs are numbered after stage 1's, as the page numbers them."""
import copy

import numpy as np
import torch
from torch import nn

from .keyed_random import keyed_rng
from .refilled import class_embedding_sums, nearest_class_mean_accuracy

STAGE_LABELS = {"embedding": "Stage 1: embedding", "classifier": "Stage 2: classifier"}


class RefilledModules(nn.Module):
    """The stage the student is in and the [C, D] class-centre sums (a buffer: no gradient, kept by DDP)."""

    def __init__(self, num_classes, dim):
        super().__init__()
        self.stage = "embedding"
        self.register_buffer("centres", torch.zeros(num_classes, dim))


def create_refilled_modules(student, teacher, image_side):
    """Stage 1's modules, their centres as wide as the teacher's embedding on an `image_side` probe."""
    with torch.no_grad():
        probe = torch.zeros(1, 3, image_side, image_side, device=next(teacher.parameters()).device)
        dim = teacher.eval()(probe, is_feat=True)[0][-1].shape[1]
    return RefilledModules(student.num_classes, dim)


class StageAnnotator:
    """Numbers and labels the student's epochs of a stage and, in stage 1, scores them (keeping the best)."""

    def __init__(self, label, offset, data=None, batch=None):
        self.label, self.offset, self.data, self.batch = label, offset, data, batch
        self.best = None

    def annotate(self, metrics, net):
        metrics["epoch"] += self.offset
        metrics["stage"] = self.label
        if self.data is not None:
            score = ncm_score(net, self.data, self.batch)
            metrics["diagnostics"]["ncmAccuracy"] = score
            if self.best is None or score > self.best[0]:
                self.best = (score, copy.deepcopy(net.state_dict()))


@torch.no_grad()
def ncm_score(net, data, batch):
    """NCM accuracy of the student's eval-mode embeddings of the whole test subset (every process alike)."""
    net.eval()
    device = next(net.parameters()).device
    images = data.test.images
    parts = [net(data.normalize(images[s:s + batch]).to(device), is_feat=True)[0][-1].double().cpu().numpy() for s in range(0, len(images), batch)]
    net.train()
    return nearest_class_mean_accuracy(np.concatenate(parts), data.test.labels, net.num_classes)


@torch.no_grad()
def prepare_main_stage(learner, teacher, config, plan, data):
    """Class-centre sums over every training image (in order, augmented by keyed_rng(seed, 'stage-pass', i)),
    the classifier restarted by keyed_rng(seed, 'main-stage') (PyTorch's Linear init, the page's draws),
    the optimizer's momentum cleared."""
    from .batches import train_batch  # noqa: PLC0415  (batches imports nothing from here; kept local for clarity)

    modules = learner.modules
    device = modules.centres.device
    sums = torch.zeros_like(modules.centres, dtype=torch.float32)
    teacher.eval()
    count = data.train.count
    for index, start in enumerate(range(0, count, plan["batch"])):
        indices = np.arange(start, min(start + plan["batch"], count))
        rng = keyed_rng(config["seed"], "stage-pass", index) if config["augment"] else None
        x, labels = train_batch(data.train, indices, data.normalize, rng)
        sums += class_embedding_sums(teacher(x.to(device), is_feat=True)[0][-1], labels.to(device), sums.shape[0])
    modules.centres.copy_(sums)
    modules.stage = "classifier"
    fc = learner.net.fc
    inputs, outputs = fc.in_features, fc.out_features
    rng = keyed_rng(config["seed"], "main-stage")
    bound = 1 / inputs ** 0.5
    fc.weight.copy_(torch.from_numpy(rng.uniforms(inputs * outputs, bound).reshape(inputs, outputs).T.copy()).to(device))
    fc.bias.copy_(torch.from_numpy(rng.uniforms(outputs, bound)).to(device))
    learner.optimizer.state.clear()


def train_refilled(students, teacher, config, plan, data, world, log, timeline, train_phase):
    """Stage 1 for the distilled student alone, then the main stage (stage 2 and the scratch baseline)."""
    student = next(s for s in students if s.method == "refilled")
    stage1 = int(config["methodParams"]["stage1Epochs"])
    annotator = StageAnnotator(STAGE_LABELS["embedding"], 0, data, plan["batch"])
    student.stage = annotator
    cosine = config["methodParams"]["stage1Cosine"] == 1  # the reference's stage-1 rate, whatever the schedule
    train_phase([student], teacher, config, plan, data, stage1, world, log, timeline, cosine_to_tenth=cosine)
    if annotator.best is not None:  # REFILLED keeps its best stage-1 model
        student.net.load_state_dict(annotator.best[1])
    prepare_main_stage(student, teacher, config, plan, data)
    student.stage = StageAnnotator(STAGE_LABELS["classifier"], stage1)
    return train_phase(students, teacher, config, plan, data, config["epochs"], world, log, timeline)
