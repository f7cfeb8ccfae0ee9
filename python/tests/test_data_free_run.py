"""The data-free methods end to end: the teacher trains on the images, then the student learns only from the
generator's images (selected by the GMM for TA-DFKD), the generator updating with Adam every `studentSteps`
steps; the selection rate and the generator's losses are in the bundle, which the page imports."""
import numpy as np
import pytest

from bundle_checks import check_bundle_structure, parse_with_the_page
from run_configs import tiny_run
from test_run import run_cli

GENERATOR = {"generator loss", "teacher-student JS", "BN-statistics loss"}


@pytest.mark.parametrize("method", ["ta-dfkd", "dfkd-basic"])
def test_a_data_free_method_runs_with_its_generator(tmp_path, cifar_subset_dir, method):
    config = {k: v for k, v in tiny_run()["config"].items() if k not in ("T", "alpha", "ceWeight")}
    run = tiny_run()
    run["config"] = {**config, "method": method, "teacher": "tiny-cnn", "subset": 64, "testSubset": 32, "epochs": 1, "batch": 16,
                     "methodParams": {"nz": 16, "ngf": 8, "studentSteps": 2}}
    path, bundle = run_cli(tmp_path, run, cifar_subset_dir)
    check_bundle_structure(bundle)
    assert [l["key"] for l in bundle["run"]["learners"]] == ["teacher0", "scratch", "student"]
    [student] = [m for m in bundle["run"]["epochs"] if m["learner"] == "student"]
    assert set(student["terms"]) == {"l1"} and np.isfinite(student["terms"]["l1"])
    expected = GENERATOR | ({"selected"} if method == "ta-dfkd" else set())
    assert set(student["diagnostics"]) == expected and all(np.isfinite(v) for v in student["diagnostics"].values())
    if method == "ta-dfkd":
        assert 0 < student["diagnostics"]["selected"] <= 1
    assert 0 <= student["diagnostics"]["teacher-student JS"] <= 1
    parsed = parse_with_the_page(path)
    if parsed is not None:
        assert parsed["learners"] == ["teacher0", "scratch", "student"] and parsed["notes"] == []
        assert expected <= set(parsed["diagnostics"])


def test_the_generator_takes_an_adam_step_every_student_steps():
    """after_step leaves the generator alone until `studentSteps` student steps have passed, then updates it."""
    import torch

    from distillery_torch.data_free import DataFreeState
    from distillery_torch.keyed_random import keyed_rng
    from distillery_torch.models import build_model

    params = {"studentSteps": 2, "generatorLr": 1e-3, "ngf": 4, "nz": 8, "bnsWeight": 10}
    state = DataFreeState("ta-dfkd", params, 5, torch.device("cpu"))
    teacher = build_model("tiny-cnn", 10, seed=1).eval()
    student = build_model("tiny-cnn", 10, seed=2)
    before = state.generator.l1.weight.detach().clone()
    assert state.after_step(teacher, student, 8, lambda im: im - 0.5, keyed_rng(1, "synthesize", 0, 0)) == {}
    assert torch.equal(state.generator.l1.weight, before)
    diagnostics = state.after_step(teacher, student, 8, lambda im: im - 0.5, keyed_rng(1, "synthesize", 0, 1))
    assert set(diagnostics) == {"generator loss", "teacher-student JS", "BN-statistics loss"}
    assert not torch.equal(state.generator.l1.weight, before)
    assert all(p.grad is None for p in teacher.parameters())  # only the generator's gradients are taken
