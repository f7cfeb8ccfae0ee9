"""REFILLED end to end: stage 1 (the student alone, triplet loss, NCM-scored, best weights kept), then stage 2
(class centres, a restarted classifier) beside the scratch baseline; stages labelled and numbered as the page's."""
import numpy as np

from bundle_checks import check_bundle_structure, parse_with_the_page
from run_configs import tiny_run
from test_run import run_cli


def test_refilled_runs_both_stages(tmp_path, cifar_subset_dir):
    config = {k: v for k, v in tiny_run()["config"].items() if k not in ("T", "alpha", "ceWeight")}
    run = tiny_run()
    run["config"] = {**config, "method": "refilled", "teacher": "tiny-cnn", "subset": 64, "testSubset": 32, "epochs": 2, "batch": 16,
                     "methodParams": {"stage1Epochs": 2}}
    path, bundle = run_cli(tmp_path, run, cifar_subset_dir)
    check_bundle_structure(bundle)
    epochs = bundle["run"]["epochs"]
    assert [(m["learner"], m["epoch"], m.get("stage")) for m in epochs] == [
        ("teacher0", 1, None),
        ("student", 1, "Stage 1: embedding"), ("student", 2, "Stage 1: embedding"),
        ("scratch", 1, None), ("student", 3, "Stage 2: classifier"), ("scratch", 2, None), ("student", 4, "Stage 2: classifier"),
    ]
    stage1 = [m for m in epochs if m.get("stage") == "Stage 1: embedding"]
    stage2 = [m for m in epochs if m.get("stage") == "Stage 2: classifier"]
    assert all(set(m["terms"]) == {"triplet"} and set(m["diagnostics"]) == {"triplets", "ncmAccuracy"} for m in stage1)
    assert all(0 <= m["diagnostics"]["ncmAccuracy"] <= 1 and m["diagnostics"]["triplets"] >= 0 for m in stage1)
    assert all(set(m["terms"]) == {"ce", "kd"} and np.isfinite(m["trainLoss"]) for m in stage2)
    parsed = parse_with_the_page(path)
    if parsed is not None:
        assert parsed["learners"] == ["teacher0", "scratch", "student"] and parsed["notes"] == []
        assert {"triplets", "ncmAccuracy"} <= set(parsed["diagnostics"])
