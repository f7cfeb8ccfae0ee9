"""`--nudge-init`: the run's twin whose every initial weight is one float32 step off, and says so."""
import json

import torch

from distillery_torch.models import build_model
from distillery_torch.nudge import nudge_initial_weights

from run_configs import tiny_run
from test_run import run_cli


def float_steps(before, after):
    """Signed distance in representable float32 values, element by element (sign-magnitude bits to a line)."""
    def ordered(t):
        bits = t.contiguous().view(torch.int32).long()
        return torch.where(bits < 0, -(bits & 0x7FFFFFFF), bits)
    return ordered(after) - ordered(before)


def test_every_weight_moves_one_float_step_up_or_down_and_the_buffers_stay():
    before = build_model("resnet8", 10, seed=7).state_dict()
    net = nudge_initial_weights(build_model("resnet8", 10, seed=7), 7)
    after = net.state_dict()
    parameters = {name for name, _ in net.named_parameters()}
    ups = total = 0
    for name, tensor in before.items():
        if name not in parameters:
            assert torch.equal(after[name], tensor), name  # running statistics, num_batches_tracked
            continue
        steps = float_steps(tensor, after[name])
        assert steps.abs().eq(1).all(), name
        ups, total = ups + int(steps.eq(1).sum()), total + steps.numel()
    assert 0.48 < ups / total < 0.52  # a fair coin per weight, over ~78k weights
    # Keyed by the seed: again alike, another seed another draw.
    again = nudge_initial_weights(build_model("resnet8", 10, seed=7), 7).state_dict()
    other = nudge_initial_weights(build_model("resnet8", 10, seed=7), 8).state_dict()
    assert all(torch.equal(again[n], after[n]) for n in parameters)
    assert not all(torch.equal(other[n], after[n]) for n in parameters)


def test_a_nudged_run_names_itself_and_differs_from_its_twin_only_by_the_start(tmp_path, cifar_subset_dir):
    _, plain = run_cli(tmp_path / "plain", tiny_run(), cifar_subset_dir)
    path, nudged = run_cli(tmp_path / "nudged", tiny_run(), cifar_subset_dir, "--nudge-init")
    assert nudged["run"]["name"].endswith(", initial weights nudged)")
    assert nudged["run"]["config"] == plain["run"]["config"]
    assert [(m["learner"], m["epoch"]) for m in nudged["run"]["epochs"]] == [(m["learner"], m["epoch"]) for m in plain["run"]["epochs"]]
    losses = [(a["trainLoss"], b["trainLoss"]) for a, b in zip(plain["run"]["epochs"], nudged["run"]["epochs"])]
    assert all(abs(a - b) < 1e-3 * abs(a) for a, b in losses)  # one bit off at the start: the same run to the eye
    assert any(a != b for a, b in losses)  # but not bit for bit
    assert json.loads(path.read_text())["run"]["adapter"].startswith("CPU, ")
