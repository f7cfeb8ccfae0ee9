"""The methods' functions against ../shared/reference (every case of the functions they implement) and one
KD and one oracle step against ../shared/parity (loss, logits after the step, BatchNorm statistics after)."""
import json
import os
import pathlib

import numpy as np
import pytest
import torch

from distillery_torch.checkpoints import load_into
from distillery_torch.learner import Learner
from distillery_torch.losses import kd_loss, kd_loss_per_sample, logit_mse, oracle_input
from distillery_torch.lrp import LrpRule, lrp_dense
from distillery_torch.methods import teacher_outputs
from distillery_torch.metrics import reliability
from distillery_torch.models import build_model

from conftest import REPO
from test_parity import close, parity_input

REFERENCE_DIR = pathlib.Path(os.environ.get("KD_REFERENCE_DIR", REPO.parent / "shared" / "reference"))
t = lambda values: torch.tensor(values, dtype=torch.float32)  # noqa: E731


class DenseNet(torch.nn.Module):
    """The reference's dense layers: a @ W + b with ReLU between layers."""

    def __init__(self, layers):
        super().__init__()
        self.layers = [(t(layer["weight"]), t(layer["bias"])) for layer in layers]

    def forward(self, a):
        for i, (w, b) in enumerate(self.layers):
            a = a @ w + b
            if i < len(self.layers) - 1:
                a = torch.relu(a)
        return a


IMPLEMENTED = {
    "kdLoss": lambda a: float(kd_loss(t(a["student"]), t(a["teacher"]), a["T"])),
    "kdLossPerSample": lambda a: kd_loss_per_sample(t(a["student"]), t(a["teacher"]), a["T"]).tolist(),
    "logitMse": lambda a: float(logit_mse(t(a["student"]), t(a["teacher"]))),
    "ece": lambda a: reliability(np.array(a["probs"], dtype=np.float64), a["labels"], a["bins"]),
    "oracleInputDense": lambda a: oracle_input(DenseNet(a["layers"]), t(a["inputs"]), torch.tensor(a["labels"]), a["gamma"]).tolist(),
    # One input vector, one target, one rule (its parameters beside it) applied to every layer.
    "lrpDense": lambda a: lrp_dense([(t(layer["weight"]), t(layer["bias"])) for layer in a["layers"]], t([a["input"]]), torch.tensor([a["target"]]),
                                    LrpRule(a["rule"], **{k: a[k] for k in ("epsilon", "gamma") if k in a}))[0].tolist(),
}


def mismatches(got, expected, tol, at="", out=None):
    out = [] if out is None else out
    if isinstance(expected, dict):
        if set(got) != set(expected):
            out.append(f"{at}: keys {sorted(got)} != {sorted(expected)}")
        for key in expected:
            mismatches(got.get(key), expected[key], tol, f"{at}.{key}", out)
    elif isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            out.append(f"{at}: length differs")
        else:
            for i, (g, e) in enumerate(zip(got, expected)):
                mismatches(g, e, tol, f"{at}[{i}]", out)
    elif isinstance(expected, int) and not isinstance(expected, bool) and isinstance(got, int):
        if got != expected:
            out.append(f"{at}: {got} != {expected}")
    elif not abs(got - expected) <= tol * max(1, abs(expected)):
        out.append(f"{at}: {got} != {expected}")
    return out


def test_every_reference_case_of_the_implemented_functions_passes():
    files = sorted(REFERENCE_DIR.glob("*.json"))
    assert files, f"no reference fixtures in {REFERENCE_DIR}"
    cases = [c for f in files for c in json.loads(f.read_text())["cases"] if c["fn"] in IMPLEMENTED]
    assert {c["fn"] for c in cases} == set(IMPLEMENTED)
    failed = [(c["fn"], mismatches(IMPLEMENTED[c["fn"]](c["args"]), c["expected"], c["tol"])) for c in cases]
    assert [f for f in failed if f[1]] == []
    print(f"reference: {len(cases)}/{len(cases)} cases passed (distillery_torch)")


def parity_step(parity_dir, method, params):
    data = json.loads((parity_dir / "parity.json").read_text())
    step = data["kdStep"]
    teacher = build_model("resnet20", 10).eval()
    load_into(teacher, parity_dir / "resnet20.pth")
    student = build_model("resnet8", 10)
    load_into(student, parity_dir / "resnet8.legacy.pth")
    sgd = step["sgd"]
    config = {"lr": sgd["lr"], "momentum": sgd["momentum"], "weightDecay": sgd["weightDecay"], "nesterov": sgd["nesterov"]}
    learner = Learner({"key": "student"}, student, method, params, None, config)
    x = parity_input({"testImages": step["trainImages"], "normalize": data["normalize"]})
    labels = torch.tensor(step["trainLabels"])
    teacher_out = teacher_outputs(method, teacher, x, labels, params)
    loss, _, _ = learner.step(x, labels, teacher_out, sgd["lr"])
    student.eval()
    with torch.no_grad():
        logits = student(parity_input(data))
    return data, loss, logits, student.state_dict(), (x, labels, teacher, teacher_out)


def check_after(expected, loss, logits, state):
    assert close(loss, expected["loss"], 1e-4)
    assert close(logits.numpy(), expected["studentLogitsAfter"], 1e-4)
    for name, values in expected["studentBatchNormRunningStatsAfter"].items():
        assert close(state[name].numpy(), values, 1e-4), name


def test_one_kd_step_matches_pytorch_reference(parity_dir):
    data, loss, logits, state, _ = parity_step(parity_dir, "kd", {"T": 4.0, "ceWeight": 0.1, "alpha": 0.9})
    check_after(data["kdStep"], loss, logits, state)


def test_one_oracle_step_matches_pytorch_reference(parity_dir):
    params = {"gamma": 0.2, "steps": 1, "rule": 0, "T": 1.5, "ceWeight": 1.0, "alpha": 1.0}
    data, loss, logits, state, (x, labels, teacher, teacher_out) = parity_step(parity_dir, "oracle", params)
    expected = data["oracleStep"]
    x_star = oracle_input(teacher, x, labels, params["gamma"])
    assert close(x_star[0].flatten().numpy(), expected["xStarFirstImage"], 1e-4)
    assert close(teacher_out[1].numpy(), expected["teacherLogitsOnXStar"], 1e-4)
    check_after(expected, loss, logits, state)
