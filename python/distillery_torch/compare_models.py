"""`python3 -m distillery_torch.compare_models --config <export .zip or run.json> [--data ...] REFERENCE OTHER...`:
models of one learner that should be the same (the page's and PyTorch's, or PyTorch on 1 and on 2 threads),
scored on the run's test subset and set against the first, image by image: where their decisions part and
which way, how sure the reference was there, how far apart their probabilities are, and how far apart their
weights and BatchNorm running statistics are. Prints one JSON object."""
import argparse
import json
import sys

import numpy as np

from .checkpoints import load_state_dict
from .cli import load_data
from .cifar import DatasetError
from .config import ConfigError, read_run
from .distributed import World
from .metrics import evaluation_metrics, softmax_rows
from .models import build_model, model_id_of
from .plan import plan_run
from .run import RunData, eval_logits

RUNNING_STATS = (".running_mean", ".running_var")


def _top_two_margin(probs):
    ordered = np.sort(probs, axis=1)
    return ordered[:, -1] - ordered[:, -2]


def scores(logits, labels):
    """Accuracy (first-max argmax) and NLL of one model's [N, C] logits, as the page's `evaluate` gives them."""
    metrics = evaluation_metrics(logits, labels)
    return {"accuracy": metrics["accuracy"], "nll": metrics["nll"]}


def decisions_against(reference_logits, other_logits, labels):
    """How `other`'s decisions and probabilities differ from the reference's on the same images. `classGaps`:
    per true class, the images only `other` gets right minus those only the reference does (they sum to the
    gap in images), to tell gaps that cancel across classes from gaps that add up."""
    ref, other = softmax_rows(reference_logits), softmax_rows(other_logits)
    ref_pick, other_pick = ref.argmax(axis=1), other.argmax(axis=1)
    parted = ref_pick != other_pick
    ref_right, other_right = ref_pick == labels, other_pick == labels
    margin = _top_two_margin(ref)
    return {
        "parted": int(parted.sum()),
        "referenceOnlyRight": int((ref_right & ~other_right).sum()),
        "otherOnlyRight": int((other_right & ~ref_right).sum()),
        "accuracyGap": float(other_right.mean() - ref_right.mean()),
        "classGaps": [int(other_right[labels == c].sum() - ref_right[labels == c].sum()) for c in range(reference_logits.shape[1])],
        # Total variation between the two softmax rows, averaged: 0 for the same outputs, 1 for disjoint ones.
        "meanProbabilityDistance": float(0.5 * np.abs(ref.astype(np.float64) - other).sum(axis=1).mean()),
        "referenceMarginMedian": float(np.median(margin)),
        "referenceMarginMedianWhereParted": float(np.median(margin[parted])) if parted.any() else None,
    }


def weight_groups(state):
    """The state_dict's float tensors in three groups: conv and linear weights, BatchNorm's affine
    parameters, and BatchNorm's running statistics (what the test-time forward reads instead of the batch's)."""
    batch_norms = {name[: -len(suffix)] for name in state for suffix in RUNNING_STATS if name.endswith(suffix)}
    groups = {"weights": {}, "batchNormAffine": {}, "batchNormRunning": {}}
    for name, tensor in state.items():
        if name.endswith(".num_batches_tracked"):
            continue
        prefix = name.rsplit(".", 1)[0]
        group = "batchNormRunning" if name.endswith(RUNNING_STATS) else "batchNormAffine" if prefix in batch_norms else "weights"
        groups[group][name] = tensor.double()
    return groups


def weight_distances(reference_state, other_state):
    """Per group, ||other - reference|| / ||reference|| over the group's tensors taken together."""
    ref_groups, other_groups = weight_groups(reference_state), weight_groups(other_state)
    distances = {}
    for group, tensors in ref_groups.items():
        if set(tensors) != set(other_groups[group]):
            raise ValueError(f"the two models' {group} tensors differ in name: not the same architecture")
        difference = sum(float(((other_groups[group][n] - t) ** 2).sum()) for n, t in tensors.items())
        norm = sum(float((t ** 2).sum()) for t in tensors.values())
        distances[group] = (difference / norm) ** 0.5 if norm > 0 else 0.0
    return distances


def load_model(path, num_classes):
    state, metadata = load_state_dict(path)
    if "model" not in metadata:
        raise ValueError(f"{path}: its metadata names no model (a file of the page's or distillery_torch's export is needed)")
    net = build_model(model_id_of(metadata["model"]), num_classes)
    net.load_state_dict(state, strict=True)
    return net.eval(), state


def compare_files(run, folder, data_path, files):
    train, test, class_names = load_data(run, folder, data_path)
    config = run["config"]
    plan = plan_run(config, train.count, test.count)
    data = RunData(config, plan, train, test, len(class_names), run["dataset"]["normalization"])
    labels = np.asarray(data.test.labels)
    world = World()
    models = []
    for path in files:
        net, state = load_model(path, len(class_names))
        models.append((path, eval_logits(net, data.test.images, data.normalize, plan["batch"], world), state))
    (ref_path, ref_logits, ref_state), others = models[0], models[1:]
    return {
        "images": int(len(labels)),
        "reference": {"file": str(ref_path), **scores(ref_logits, labels)},
        "others": [
            {"file": str(path), **scores(logits, labels), **decisions_against(ref_logits, logits, labels), "weightDistance": weight_distances(ref_state, state)}
            for path, logits, state in others
        ],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="distillery_torch.compare_models", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="the run's export (.distillery-pytorch.zip) or its run.json")
    parser.add_argument("--data", help="CIFAR in its official layout (as for distillery_torch)")
    parser.add_argument("models", nargs="+", help="safetensors of the same learner; the first is the reference")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if len(args.models) < 2:
        parser.error("give a reference model and at least one other")
    try:
        run, folder = read_run(args.config)
        report = compare_files(run, folder, args.data, args.models)
    except (ConfigError, DatasetError, ValueError, OSError) as error:
        print(f"distillery_torch.compare_models: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
