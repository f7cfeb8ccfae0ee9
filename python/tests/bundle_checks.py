"""What the page's `parseRunBundle` requires of a run bundle (src/storage/page/runBundle.ts), field by field,
and a check with the page's parser itself (scripts/check-run-bundle.mjs) when Node is present."""
import json
import math
import shutil
import subprocess

import pytest

from conftest import REPO

ROLES = ("teacher", "scratch", "student")
EPOCH_NUMBERS = ("lr", "trainLoss", "trainAccuracy", "testAccuracy", "testNll", "ece", "seconds")
RESULT_NUMBERS = ("bestAccuracy", "lastAccuracy", "ece", "nll")


def finite(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_bundle_structure(bundle):
    assert bundle["format"] == "distillery-run-bundle" and bundle["version"] == 1 and isinstance(bundle["exportedAt"], str)
    run = bundle["run"]
    assert isinstance(run["name"], str) and 0 < len(run["name"].strip()) <= 80
    assert isinstance(run["config"], dict) and isinstance(run["config"]["methodParams"], dict)
    assert finite(run["finishedAt"]) and finite(run["seconds"]) and isinstance(run["backend"], str)
    assert run["adapter"] is None or isinstance(run["adapter"], str)
    assert isinstance(run["stopped"], bool)
    keys = [learner["key"] for learner in run["learners"]]
    assert len(set(keys)) == len(keys)
    for learner in run["learners"]:
        assert all(isinstance(learner[k], str) for k in ("key", "label", "model", "method")) and learner["role"] in ROLES
    for metrics in run["epochs"]:
        assert metrics["learner"] in keys and isinstance(metrics["epoch"], int) and metrics["epoch"] >= 1
        assert all(finite(metrics[k]) for k in EPOCH_NUMBERS)
        assert all(finite(v) for v in (*metrics["terms"].values(), *metrics["diagnostics"].values()))
    for result in run["results"]:
        assert result["key"] in keys and result["role"] in ROLES and isinstance(result["label"], str)
        assert all(finite(result[k]) for k in RESULT_NUMBERS) and isinstance(result["reused"], bool)
        assert isinstance(result["bestEpoch"], int) and isinstance(result["epochs"], int)


def parse_with_the_page(path):
    """What the page's parser reads from the bundle, or None without Node (the structure check still ran)."""
    if shutil.which("node") is None:
        return None
    done = subprocess.run(["node", str(REPO / "scripts" / "check-run-bundle.mjs"), str(path)], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)[0]


def assert_same_epochs(ours, expected_epochs):
    """The package's epochs equal the page's own run (a fixture): order, stage, lr, losses, terms,
    diagnostics, accuracies and ECE, at the tolerances float32 arithmetic in two frameworks allows."""
    key = lambda m: (m["learner"], m["epoch"], m.get("stage"))
    assert [key(m) for m in ours] == [key(m) for m in expected_epochs]
    for got, expected in zip(ours, expected_epochs):
        at = f"{expected['learner']} epoch {expected['epoch']}"
        assert got["lr"] == pytest.approx(expected["lr"], rel=1e-12), at
        for name in ("trainLoss", "testNll"):
            assert got[name] == pytest.approx(expected[name], rel=1e-4), f"{at} {name}"
        assert got["terms"] == pytest.approx(expected["terms"], rel=1e-4, abs=1e-6), at
        assert got["diagnostics"] == pytest.approx(expected["diagnostics"], rel=1e-4, abs=1e-6), at
        assert got["trainAccuracy"] == expected["trainAccuracy"] and got["testAccuracy"] == expected["testAccuracy"], at
        assert got["ece"] == pytest.approx(expected["ece"], abs=1e-4), at
