"""One experiment as the page runs it (`src/training/run.ts`, `phase.ts`): teachers first (cross-entropy,
`teacherEpochs`) unless the export brought one, then the scratch baseline and the distilled student in
lockstep on the very same batches (order keyed by (seed, 'shuffle', epoch), augmentation by
(seed, 'augment', epoch, step)), each evaluated on the test subset after every epoch."""
import time

import numpy as np
import torch

from .batches import Normalizer, train_batch
from .cifar import balanced_subset
from .holdout import holdout_indices
from .keyed_random import keyed_rng, permutation
from .learner import Learner
from .data_free import DATA_FREE_METHODS, DataFreeState
from .methods import create_modules, teacher_outputs
from .refilled_run import create_refilled_modules
from .metrics import evaluation_metrics, learning_rate, step_decay_of
from .models import build_model
from .nudge import nudge_initial_weights


class RunData:
    """The train images (subset less hold-out), the hold-out and the test subset, as the page chooses them."""

    def __init__(self, config, plan, train, test, num_classes, normalization):
        subset = balanced_subset(train, plan["subsetImages"], num_classes)
        held = holdout_indices(subset.labels, num_classes, plan["holdoutImages"], config["seed"])
        self.train = subset.select(np.setdiff1d(np.arange(subset.count), held))
        self.holdout = subset.select(held) if len(held) else None
        self.test = balanced_subset(test, plan["testImages"], num_classes)
        self.normalize = Normalizer(normalization["mean"], normalization["std"])
        self.image_side = train.images.shape[1]  # CIFAR's 32, or the side an image-folder import was resized to


@torch.no_grad()
def eval_logits(net, images, normalize, batch, world):
    """[N, C] eval-mode logits of every image, each computed by exactly one process (no padding)."""
    net.eval()
    begin, end = world.shard(len(images))
    rows = [net(normalize(images[s:min(s + batch, end)]).to(world.device)).float().cpu().numpy() for s in range(begin, end, batch)]
    mine = np.concatenate(rows) if rows else np.zeros((0, net.num_classes), np.float32)
    return world.gather_rows(mine)


def evaluate(net, data, batch, world):
    logits = eval_logits(net, data.test.images, data.normalize, batch, world)
    if not np.all(np.isfinite(logits)):
        raise FloatingPointError(f"{net.model_id}: the test-set outputs are no longer finite (training diverged)")
    return evaluation_metrics(logits, data.test.labels)


def make_learner(planned, config, num_classes, teacher, world, image_side, nudge_init=False):
    """The learner of a planned model; a distiller's modules and generator are sized for `image_side` images.
    `nudge_init`: its initial weights one float step off the page's (`--nudge-init`, see nudge.py)."""
    net = build_model(planned["model"], num_classes, seed=planned["initSeed"])
    if nudge_init:
        nudge_initial_weights(net, planned["initSeed"])
    net = net.to(world.device)
    method = planned["method"]
    params = config["methodParams"] if method == config["method"] else {}
    modules = create_modules(method, net, teacher, planned["initSeed"], image_side) if teacher is not None else None
    if method == "refilled" and teacher is not None:
        modules = create_refilled_modules(net, teacher, image_side)
    if modules is not None:
        modules.to(world.device)
    info = {k: planned[k] for k in ("key", "role", "label", "model", "method")}
    info["parameters"] = sum(p.numel() for p in net.parameters())
    learner = Learner(info, net, method, params, modules, config, world.distributed, world.device)
    # A data-free distiller's generator trains beside it (its own Adam), never in the student's SGD.
    data_free = method in DATA_FREE_METHODS and teacher is not None
    learner.synthesis = DataFreeState(method, params, planned["initSeed"], world.device, image_side) if data_free else None
    return learner


def phase_learning_rate(config, epochs, steps, epoch, step, cosine_to_tenth):
    """The page's `phaseSchedule` (src/training/phase.ts) at 0-based (epoch, step) of a phase of `epochs`."""
    if cosine_to_tenth:
        return learning_rate("cosine", config["lr"], epochs, steps, epoch, step, cosine_floor=0.1)
    return learning_rate(config["schedule"], config["lr"], epochs, steps, epoch, step, step_decay_of(config))


def train_phase(learners, teacher, config, plan, data, epochs, world, log, timeline, cosine_to_tenth=False):
    """`learners` in lockstep for `epochs` epochs; returns each learner's per-epoch metrics (also appended
    to `timeline` in the order the page reports them: epoch by epoch, learner by learner). The run's schedule
    runs over the phase's epochs, or with `cosine_to_tenth` (REFILLED's stage 1 as its reference) cosine from
    lr down to lr/10 whatever the schedule."""
    history = {l.info["key"]: [] for l in learners}
    batch, steps = plan["batch"], plan["stepsPerEpoch"]
    start = time.perf_counter()
    for epoch in range(epochs):
        order = permutation(plan["trainImages"], keyed_rng(config["seed"], "shuffle", epoch))
        sums = [{"loss": 0.0, "correct": 0.0, "terms": {}, "diagnostics": {}} for _ in learners]
        lr = config["lr"]
        for step in range(steps):
            lr = phase_learning_rate(config, epochs, steps, epoch, step, cosine_to_tenth)
            x, labels = global_share(order[step * batch:(step + 1) * batch], config, data, epoch, step, world)
            for learner, total in zip(learners, sums):
                distils = learner.method != "scratch" and teacher is not None
                synthesis = getattr(learner, "synthesis", None) if distils else None
                lx, llabels, extra = x, labels, {}
                if synthesis is not None:  # the page's keyed stream for synthesis and the generator step
                    rng = keyed_rng(config["seed"], "synthesize", epoch, step)
                    lx, llabels, extra = synthesize_share(synthesis, teacher, batch, data, rng, world)
                t_out = teacher_outputs(learner.method, teacher, lx, llabels, learner.params, batch) if distils else None
                nets = teacher if isinstance(teacher, list) else ()
                loss, correct, terms = learner.step(lx, llabels, t_out, lr, epoch, nets)
                if synthesis is not None:
                    extra = {**extra, **synthesis.after_step(teacher, learner.net, batch, float_normalizer(data), rng)}
                total["loss"] += loss
                total["correct"] += correct
                for name, value in terms.items():
                    total["terms"][name] = total["terms"].get(name, 0.0) + value
                # The page averages each diagnostic over the steps that report it (the generator's: 1 in studentSteps).
                for name, value in {**learner.diagnostics, **extra}.items():
                    sum_count = total["diagnostics"].setdefault(name, [0.0, 0])
                    sum_count[0] += value
                    sum_count[1] += 1
        for learner, total in zip(learners, sums):
            for module in (learner.net, learner.modules):  # BatchNorm statistics are per process: rank 0's are the model's
                if module is not None:
                    world.sync_buffers(module)
            metrics = epoch_metrics(learner, total, epoch, lr, plan, data, world, start)
            if getattr(learner, "stage", None) is not None:  # a multi-stage student: numbering, label, stage-1 score
                learner.stage.annotate(metrics, learner.net)
            history[learner.info["key"]].append(metrics)
            timeline.append(history[learner.info["key"]][-1])
            log(timeline[-1])
    return history


def float_normalizer(data):
    """(images01 − mean) / std on NCHW images in [0, 1] (the generator's), with the run's normalisation."""
    mean, std = data.normalize.mean, data.normalize.std
    return lambda images01: (images01 - mean.to(images01.device)) / std.to(images01.device)


def synthesize_share(synthesis, teacher, batch, data, rng, world):
    """This process's share of the distiller's generated batch (every process makes the whole batch alike)."""
    x, labels, diagnostics = synthesis.student_batch(teacher, batch, float_normalizer(data), rng)
    mine = torch.from_numpy(world.share(np.arange(len(labels))))
    return x[mine], labels[mine], diagnostics


def global_share(global_indices, config, data, epoch, step, world):
    """This process's share of the step's global batch, augmented with the draws the whole batch gets."""
    rng = keyed_rng(config["seed"], "augment", epoch, step) if config["augment"] else None
    x, labels = train_batch(data.train, global_indices, data.normalize, rng)
    mine = world.share(np.arange(len(global_indices)))
    return x[mine].to(world.device), labels[mine].to(world.device)


def epoch_metrics(learner, total, epoch, lr, plan, data, world, start):
    steps = max(1, plan["stepsPerEpoch"])
    names, diagnostic_names = sorted(total["terms"]), sorted(total["diagnostics"])
    loss, *values = world.mean([total["loss"], *(total["terms"][n] for n in names), *(total["diagnostics"][n][0] for n in diagnostic_names)])
    terms = values[:len(names)]
    diagnostics = [v / total["diagnostics"][n][1] for n, v in zip(diagnostic_names, values[len(names):])]
    correct = world.total(total["correct"])
    evaluation = evaluate(learner.net, data, plan["batch"], world)
    return {
        "learner": learner.info["key"], "epoch": epoch + 1, "lr": lr, "trainLoss": loss / steps,
        "terms": {n: v / steps for n, v in zip(names, terms)},
        "diagnostics": dict(zip(diagnostic_names, diagnostics)),
        "trainAccuracy": correct / (steps * plan["batch"]), "testAccuracy": evaluation["accuracy"],
        "testNll": evaluation["nll"], "ece": evaluation["ece"], "seconds": time.perf_counter() - start,
    }


def result_of(info, history, reused=False, evaluation=None):
    """The page's SavedResult: the last epoch, the best (on the test images) beside it."""
    if evaluation is not None:
        return {"key": info["key"], "label": info["label"], "role": info["role"], "bestAccuracy": evaluation["accuracy"], "bestEpoch": 0,
                "lastAccuracy": evaluation["accuracy"], "ece": evaluation["ece"], "nll": evaluation["nll"], "epochs": 0, "reused": reused}
    last = history[-1]
    best = history[0]
    for metrics in history[1:]:
        if metrics["testAccuracy"] > best["testAccuracy"]:
            best = metrics
    return {"key": info["key"], "label": info["label"], "role": info["role"], "bestAccuracy": best["testAccuracy"], "bestEpoch": best["epoch"],
            "lastAccuracy": last["testAccuracy"], "ece": last["ece"], "nll": last["testNll"], "epochs": len(history), "reused": reused}
