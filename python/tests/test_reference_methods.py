"""The multi-teacher, REFILLED and data-free functions against every case of ../shared/reference (or
KD_REFERENCE_DIR) that concerns them, one test per fixture group (the `fn` of the cases)."""
import json

import pytest
import torch

from distillery_torch.data_free import dfkd_adversarial_loss
from distillery_torch.multi_teacher import aekd_weights, camkd_logit_weights, ebkd_weights
from distillery_torch.refilled import refilled_stage2_loss, refilled_triplet_loss

from test_methods import REFERENCE_DIR, mismatches

t = lambda values: torch.tensor(values, dtype=torch.float32)  # noqa: E731
labels = lambda values: torch.tensor(values, dtype=torch.int64)  # noqa: E731


def _triplet(a):
    loss, triplets = refilled_triplet_loss(t(a["studentEmbedding"]), t(a["teacherEmbedding"]), labels(a["labels"]), a["tau1"], a["margin"])
    return {"loss": float(loss), "triplets": triplets}


GROUPS = {
    "ebkdWeights": lambda a: ebkd_weights(t(a["teachers"])).tolist(),
    "camkdLogitWeights": lambda a: camkd_logit_weights(t(a["teachers"]), labels(a["labels"])).tolist(),
    "aekdWeights": lambda a: aekd_weights(t(a["student"]), t(a["teachers"]), a["T"], a["cTol"]).tolist(),
    "refilledTripletLoss": _triplet,
    "refilledStage2Loss": lambda a: float(refilled_stage2_loss(t(a["studentLogits"]), t(a["teacherEmbedding"]), t(a["centers"]),
                                                               labels(a["labels"]), a["tau2"], a["lambda"])),
    "dfkdAdversarialLoss": lambda a: float(dfkd_adversarial_loss(t(a["student"]), t(a["teacher"]), a["T"])),
}


def _cases(fn):
    files = sorted(REFERENCE_DIR.glob("*.json"))
    assert files, f"no reference fixtures in {REFERENCE_DIR}"
    return [c for f in files for c in json.loads(f.read_text())["cases"] if c["fn"] == fn]


@pytest.mark.parametrize("fn", sorted(GROUPS))
def test_every_reference_case_of_the_group_passes(fn):
    cases = _cases(fn)
    assert cases, f"no {fn} cases in {REFERENCE_DIR}"
    failed = [m for c in cases if (m := mismatches(GROUPS[fn](c["args"]), c["expected"], c["tol"]))]
    assert failed == []
    print(f"reference {fn}: {len(cases)}/{len(cases)} cases passed (distillery_torch)")
