"""Same config, same run: the page's own training loop and the package report the same epochs for the
issue-18 methods (the fixture is written by scripts/method-steps-fixture.mjs with the page's runExperiment)."""
import json
import pathlib

import pytest

from bundle_checks import assert_same_epochs
from run_configs import tiny_run
from test_run import run_cli


PAGE_RUNS = json.loads((pathlib.Path(__file__).parent / "fixtures" / "method_steps.json").read_text())["pageRuns"]


@pytest.mark.parametrize("method", sorted(PAGE_RUNS))
def test_the_page_run_and_the_package_run_report_the_same_epochs(tmp_path, cifar_subset_dir, method):
    """The page's own loop (runExperiment, in tests/fixtures/method_steps.json: camkd and aekd with two teachers,
    REFILLED's two stages, TA-DFKD with a small generator; seed 7) and this package on the same config: every
    epoch's number, stage, learning rate, losses, terms, diagnostics (teacher weights, triplets, NCM accuracy,
    selection rate, generator losses) and test metrics."""
    page = PAGE_RUNS[method]
    run = tiny_run()
    run["config"] = page["config"]
    _, bundle = run_cli(tmp_path, run, cifar_subset_dir)
    assert_same_epochs(bundle["run"]["epochs"], page["epochs"])
