"""Same config, same run: the page's own training loop and the package report the same epochs for the
issue-18 methods (the fixture is written by scripts/method-steps-fixture.mjs with the page's runExperiment)."""
import json
import pathlib

import pytest

from run_configs import tiny_run
from test_run import run_cli


PAGE_RUNS = json.loads((pathlib.Path(__file__).parent / "fixtures" / "method_steps.json").read_text())["pageRuns"]


@pytest.mark.parametrize("method", sorted(PAGE_RUNS))
def test_the_page_run_and_the_package_run_report_the_same_epochs(tmp_path, cifar_subset_dir, method):
    """The page's own loop (runExperiment, in tests/fixtures/method_steps.json: camkd and aekd with two teachers,
    REFILLED's two stages; seed 7) and this package on the same config: every epoch's number, stage, learning
    rate, losses, terms, diagnostics (teacher weights, triplets, NCM accuracy) and test metrics."""
    page = PAGE_RUNS[method]
    run = tiny_run()
    run["config"] = page["config"]
    _, bundle = run_cli(tmp_path, run, cifar_subset_dir)
    ours = bundle["run"]["epochs"]
    assert [(m["learner"], m["epoch"], m.get("stage")) for m in ours] == [(m["learner"], m["epoch"], m.get("stage")) for m in page["epochs"]]
    for got, expected in zip(ours, page["epochs"]):
        at = f"{expected['learner']} epoch {expected['epoch']}"
        assert got["lr"] == pytest.approx(expected["lr"], rel=1e-12), at
        for key in ("trainLoss", "testNll"):
            assert got[key] == pytest.approx(expected[key], rel=1e-4), f"{at} {key}"
        assert got["terms"] == pytest.approx(expected["terms"], rel=1e-4, abs=1e-6), at
        assert got["diagnostics"] == pytest.approx(expected["diagnostics"], rel=1e-4, abs=1e-6), at
        assert got["trainAccuracy"] == expected["trainAccuracy"] and got["testAccuracy"] == expected["testAccuracy"], at
        assert got["ece"] == pytest.approx(expected["ece"], abs=1e-4), at
