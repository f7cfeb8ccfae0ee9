"""The multi-teacher methods end to end: several teachers, each trained with its own seed as the page trains
them, then the student distils from all of them; its terms and its teacher weights (diagnostics) are in the
run bundle, which the page imports."""
import numpy as np
import pytest

from distillery_torch.config import ConfigError, read_config

from bundle_checks import check_bundle_structure, parse_with_the_page
from run_configs import tiny_run
from test_run import run_cli

# method: (student terms of the last epoch, diagnostics of the last epoch) with two teachers
EXPECTED = {
    "aver-mkd": ({"ce", "kd"}, set()),
    "fitnet-mkd": ({"ce", "kd", "hint"}, set()),
    "ebkd": ({"ce", "kd"}, {"weight teacher1", "weight teacher2"}),
    "aekd": ({"ce", "kd"}, {"weight teacher1", "weight teacher2"}),
    "camkd": ({"ce", "kd", "inter"}, {"logit weight teacher1", "logit weight teacher2", "feature weight teacher1", "feature weight teacher2"}),
}


def multi_run(method):
    config = {k: v for k, v in tiny_run()["config"].items() if k not in ("T", "alpha", "ceWeight")}
    run = tiny_run()
    run["config"] = {**config, "method": method, "teacher": "tiny-cnn", "subset": 64, "testSubset": 32, "epochs": 2, "methodParams": {"teachers": 2}}
    return run


@pytest.mark.parametrize("method", sorted(EXPECTED))
def test_a_multi_teacher_method_runs_with_its_teachers_terms_and_weights(tmp_path, cifar_subset_dir, method):
    path, bundle = run_cli(tmp_path, multi_run(method), cifar_subset_dir)
    check_bundle_structure(bundle)
    run = bundle["run"]
    assert [l["key"] for l in run["learners"]] == ["teacher0", "teacher1", "scratch", "student"]
    assert [l["label"] for l in run["learners"]][:2] == ["Teacher 1 (Tiny CNN)", "Teacher 2 (Tiny CNN)"]
    student = [m for m in run["epochs"] if m["learner"] == "student"]
    terms, diagnostics = EXPECTED[method]
    assert set(student[-1]["terms"]) == terms and all(np.isfinite(v) for v in student[-1]["terms"].values())
    assert set(student[-1]["diagnostics"]) == diagnostics
    if method == "camkd":  # the feature term is left out of the first epoch
        assert "inter" not in student[0]["terms"]
    weights = [v for k, v in student[-1]["diagnostics"].items() if k.startswith(("weight", "logit weight"))]
    if method in ("aekd", "camkd"):  # these weights sum to 1 over the teachers (EBKD's to M − 1)
        assert sum(weights) == pytest.approx(1, abs=1e-5)
    parsed = parse_with_the_page(path)
    if parsed is not None:
        assert parsed["learners"] == ["teacher0", "teacher1", "scratch", "student"] and parsed["notes"] == []
        assert diagnostics <= set(parsed["diagnostics"])


@pytest.mark.parametrize("teachers", [1, 6, 2.5])
def test_a_teacher_count_outside_the_pages_range_is_refused(teachers):
    config = {**multi_run("ebkd")["config"], "methodParams": {"teachers": teachers}}
    with pytest.raises(ConfigError, match="teachers must be a whole number from 2 to 5"):
        read_config(config)

