"""compare_models: decisions set against a reference image by image, weights by group, and the command on
models saved as the package saves them, scored on a run's own test subset."""
import json

import numpy as np
import pytest

from distillery_torch.checkpoints import save_model
from distillery_torch.compare_models import decisions_against, main, scores, weight_distances, weight_groups
from distillery_torch.models import build_model

from run_configs import tiny_run, write_run

LABELS = np.array([0, 1, 2, 0])
# The reference is right on images 0, 1, 2 and wrong on 3 (it says 1); image 0 it barely gets right.
REFERENCE = np.array([[1.0, 0.9, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 2.0], [0.0, 2.0, 0.0]], np.float32)


def test_decisions_part_where_the_argmax_differs_and_count_which_side_was_right():
    other = REFERENCE.copy()
    other[0] = [0.9, 1.0, 0.0]  # now wrong on image 0
    other[3] = [2.0, 0.0, 0.0]  # now right on image 3
    result = decisions_against(REFERENCE, other, LABELS)
    assert (result["parted"], result["referenceOnlyRight"], result["otherOnlyRight"]) == (2, 1, 1)
    assert result["accuracyGap"] == 0.0
    # Image 0 (class 0) lost, image 3 (class 0) won: class 0 nets out, the others did not move.
    assert result["classGaps"] == [0, 0, 0]
    # The median of the reference's top-1 minus top-2 probability on images 0 and 3.
    p = np.exp(REFERENCE) / np.exp(REFERENCE).sum(axis=1, keepdims=True)
    top = np.sort(p, axis=1)
    margins = top[:, -1] - top[:, -2]
    assert result["referenceMarginMedianWhereParted"] == pytest.approx((margins[0] + margins[3]) / 2, rel=1e-5)
    assert result["referenceMarginMedian"] == pytest.approx(np.median(margins), rel=1e-5)
    assert result["meanProbabilityDistance"] == pytest.approx(0.5 * np.abs(p - np.exp(other) / np.exp(other).sum(axis=1, keepdims=True)).sum(axis=1).mean(), rel=1e-5)


def test_class_gaps_sum_to_the_gap_and_say_which_classes_moved():
    other = REFERENCE.copy()
    other[1] = [0.0, 0.0, 3.0]  # now wrong on image 1 (class 1)
    other[3] = [2.0, 0.0, 0.0]  # now right on image 3 (class 0)
    result = decisions_against(REFERENCE, other, LABELS)
    assert result["classGaps"] == [1, -1, 0]
    other[2] = [0.0, 2.0, 0.0]  # and wrong on image 2 (class 2)
    result = decisions_against(REFERENCE, other, LABELS)
    assert result["classGaps"] == [1, -1, -1]
    assert sum(result["classGaps"]) == round(result["accuracyGap"] * len(LABELS)) == -1


def test_the_same_outputs_part_nowhere_and_have_no_distance():
    result = decisions_against(REFERENCE, REFERENCE, LABELS)
    assert result["parted"] == 0 and result["meanProbabilityDistance"] == 0.0
    assert result["referenceMarginMedianWhereParted"] is None


def test_scores_are_accuracy_by_first_max_and_mean_nll():
    result = scores(REFERENCE, LABELS)
    assert result["accuracy"] == 0.75
    p = np.exp(REFERENCE) / np.exp(REFERENCE).sum(axis=1, keepdims=True)
    assert result["nll"] == pytest.approx(-np.mean(np.log(p[np.arange(4), LABELS])), rel=1e-6)


def test_weights_fall_into_three_groups_and_distances_are_relative_per_group():
    net = build_model("resnet8", 10, seed=1)
    groups = weight_groups(net.state_dict())
    assert "conv1.weight" in groups["weights"] and "fc.weight" in groups["weights"]
    assert "bn1.weight" in groups["batchNormAffine"] and "bn1.bias" in groups["batchNormAffine"]
    assert "bn1.running_mean" in groups["batchNormRunning"] and "bn1.running_var" in groups["batchNormRunning"]
    other = {name: t.clone() for name, t in net.state_dict().items()}
    other["bn1.running_mean"] += 1.0  # only a running statistic moves
    distances = weight_distances(net.state_dict(), other)
    assert distances["weights"] == 0.0 and distances["batchNormAffine"] == 0.0
    assert distances["batchNormRunning"] > 0.0


def test_models_of_other_architectures_are_refused():
    with pytest.raises(ValueError, match="not the same architecture"):
        weight_distances(build_model("resnet8", 10).state_dict(), build_model("resnet14", 10).state_dict())


def test_the_command_scores_saved_models_on_the_runs_test_subset(tmp_path, cifar_subset_dir, capsys):
    config = write_run(tmp_path / "run", tiny_run(student="resnet8"))
    files = []
    for seed in (1, 1, 2):  # the reference, the very same model, and another one
        path = tmp_path / f"seed-{seed}-{len(files)}.safetensors"
        save_model(path, build_model("resnet8", 10, seed=seed), {"model": "resnet8", "numClasses": "10"})
        files.append(str(path))
    assert main(["--config", str(config), "--data", str(cifar_subset_dir), *files]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["images"] == 64  # the tiny run's testSubset
    same, other = report["others"]
    assert same["parted"] == 0 and same["weightDistance"]["weights"] == 0.0 and same["accuracy"] == report["reference"]["accuracy"]
    assert other["parted"] > 0 and other["weightDistance"]["weights"] > 0.1
    assert len(other["classGaps"]) == 10 and sum(other["classGaps"]) == other["otherOnlyRight"] - other["referenceOnlyRight"]


def test_a_model_file_without_its_architecture_is_refused_with_a_message(tmp_path, cifar_subset_dir, capsys):
    config = write_run(tmp_path / "run", tiny_run(student="resnet8"))
    path = tmp_path / "bare.safetensors"
    save_model(path, build_model("resnet8", 10, seed=1), {})
    assert main(["--config", str(config), "--data", str(cifar_subset_dir), str(path), str(path)]) == 2
    assert "bare.safetensors: its metadata names no model" in capsys.readouterr().err
