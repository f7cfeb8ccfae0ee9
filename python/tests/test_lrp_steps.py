"""The explainable oracle's LRP rules give the page's numbers: for one model of each family from the same
seeded weights (BatchNorm statistics from the fixture's formula, so the folding counts), the walker's logits,
each rule's input relevance, and one oracle step per rule (x* and the loss terms within 1e-4). Fixture
written by the page's own code (scripts/lrp-steps-fixture.mjs; tests/torch/lrpSteps.test.ts keeps it current)."""
import json
import math
import pathlib

import numpy as np
import pytest
import torch

from distillery_torch.lrp import LrpRule, lrp_logits, lrp_oracle_input, lrp_relevance, relevance_rule
from distillery_torch.methods import loss_terms, teacher_outputs
from distillery_torch.models import build_model

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "lrp_steps.json").read_text())
TOL = 1e-4


def batch(count, size):
    x = (np.sin(np.arange(count * size * size * 3, dtype=np.float64) * 0.37) * 1.5).astype(np.float32).reshape(count, size, size, 3)
    return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()


def perturb_batch_norms(net):
    """The fixture's BatchNorm eval statistics, from the channel index (lrpSteps.ts perturbBatchNorms)."""
    for bn in net.modules():
        if isinstance(bn, torch.nn.BatchNorm2d):
            c = np.arange(bn.num_features, dtype=np.float64)
            values = {"weight": 1 + 0.2 * np.sin(0.7 * c), "bias": 0.1 * np.cos(1.3 * c),
                      "running_mean": 0.1 * np.sin(0.5 * c), "running_var": 1 + 0.3 * np.cos(0.9 * c) ** 2}
            for name, v in values.items():
                getattr(bn, name).data.copy_(torch.from_numpy(v.astype(np.float32)))
    return net


def seeded(model, seed):
    return perturb_batch_norms(build_model(model, FIXTURE["numClasses"], seed=seed)).eval().requires_grad_(False)


def summary(t):
    """lrpSteps.ts summary: float64 sums, and every sampleStride-th value in the page's NHWC order."""
    values = t.permute(0, 2, 3, 1).flatten().double().numpy()
    return {"sum": values.sum(), "absSum": np.abs(values).sum(), "maxAbs": np.abs(values).max(),
            "sample": values[::FIXTURE["sampleStride"]]}


def gap(got, expected):
    """How far two summaries are apart: the largest difference of the sampled values relative to the map's
    largest value (relevance can concentrate: a value far below the maximum carries float32 rounding of the
    maximum's size), and the relative differences of the largest value and of the sum of magnitudes (which
    see the values between the samples)."""
    scale = max(expected["maxAbs"], 1e-30)
    return max(np.abs(got["sample"] - np.array(expected["sample"])).max() / scale, abs(got["maxAbs"] - expected["maxAbs"]) / scale,
               abs(got["absSum"] - expected["absSum"]) / max(expected["absSum"], 1e-30))


#: A map whose float32 result is further than this (by `gap`) from its float64 one is ill-conditioned: where
#: ε = 1e-6 (z+: 1e-12) meets a denominator near 0, float32 rounding is amplified until two float32
#: implementations (tfjs's CPU kernels, PyTorch's) agree on few digits. There the page is checked against the
#: float64 result, within ILL_CONDITIONED_FACTOR times PyTorch's own float32 error: as close to the exact
#: map as float32 can be, not a digit-for-digit match that neither framework's float32 could give.
CONDITIONED = 1e-5
ILL_CONDITIONED_FACTOR = 10


def check_map(label, compute, expected):
    """`compute(dtype)` against the page's summary `expected`: within TOL when well conditioned, else the
    float64 result within ILL_CONDITIONED_FACTOR times the float32 error."""
    got, exact = summary(compute(torch.float32)), summary(compute(torch.float64))
    error = gap(got, exact)
    if error <= CONDITIONED:
        worst = gap(got, expected)
        print(f"{label}: page - torch {worst:.1e}")
        assert worst <= TOL, (label, worst)
    else:
        worst = gap(exact, expected)
        print(f"{label}: ill-conditioned (torch float32 - float64 {error:.1e}): page - torch float64 {worst:.1e}"
              f" (page - torch float32 {gap(got, expected):.1e})")
        assert worst <= ILL_CONDITIONED_FACTOR * error, (label, worst, error)


def in_dtype(net, x, dtype):
    return net.to(dtype), x.to(dtype)


@pytest.mark.parametrize("family", FIXTURE["families"], ids=lambda f: f["model"])
def test_each_rule_gives_the_pages_relevance(family):
    net = seeded(family["model"], family["seed"])
    x = batch(len(FIXTURE["targets"]), family["size"])
    np.testing.assert_allclose(lrp_logits(net, x).flatten().numpy(), family["logits"], rtol=1e-4, atol=1e-5)
    with torch.no_grad():
        np.testing.assert_allclose(net(x).flatten().numpy(), family["logits"], rtol=1e-4, atol=1e-5)
    targets = torch.tensor(FIXTURE["targets"])
    for expected in family["relevance"]:
        rule = LrpRule(**expected["rule"])
        check_map(f"{family['model']} {rule}", lambda dtype: lrp_relevance(*in_dtype(net, x, dtype), targets, rule), expected)


@pytest.mark.parametrize("step", FIXTURE["oracle"]["steps"], ids=lambda s: f"rule{s['rule']}")
def test_an_oracle_step_with_each_lrp_rule_is_the_pages(step):
    spec = FIXTURE["oracle"]
    labels = torch.tensor(spec["labels"])
    x = batch(len(labels), 32)
    teacher = seeded(spec["teacher"]["model"], spec["teacher"]["seed"])
    student = build_model(spec["student"]["model"], FIXTURE["numClasses"], seed=spec["student"]["seed"]).train()
    params = step["params"]
    rule = relevance_rule(params["rule"])
    check_map(f"oracle x* - x, rule {params['rule']}", lambda dtype: lrp_oracle_input(
        *in_dtype(teacher, x, dtype), labels, rule, params["gamma"], params["steps"]) - x.to(dtype), step["delta"])
    teacher.float()
    teacher_out = teacher_outputs("oracle", teacher, x, labels, params)
    terms = {k: float(v) for k, v in loss_terms("oracle", params, student(x, is_feat=True), teacher_out, labels, None).items()}
    print(f"oracle rule {params['rule']} terms: {terms} (page {step['terms']})")
    assert set(terms) == set(step["terms"])
    bad = {k: (terms[k], v) for k, v in step["terms"].items() if not math.isclose(terms[k], v, rel_tol=TOL, abs_tol=TOL)}
    assert bad == {}


def test_an_unknown_rule_is_refused_by_name():
    with pytest.raises(ValueError, match='unknown LRP rule "epsilon-plus"'):
        LrpRule("epsilon-plus")
    with pytest.raises(ValueError, match="oracle rule must be 0"):
        relevance_rule(4)
    with pytest.raises(TypeError, match="rule must be an LrpRule"):
        lrp_relevance(seeded("tiny-cnn", 1), batch(1, 32), torch.tensor([0]), "epsilon")
    with pytest.raises(ValueError, match="one target per sample"):
        lrp_relevance(seeded("tiny-cnn", 1), batch(2, 32), torch.tensor([0]), LrpRule("zplus"))


def test_a_network_outside_the_zoo_is_refused_by_name():
    with pytest.raises(ValueError, match='LRP cannot walk network "Sequential"'):
        lrp_relevance(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, 10)), batch(1, 32), torch.tensor([0]), LrpRule("epsilon"))
