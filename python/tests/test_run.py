"""A tiny exported KD run in one process, end to end: the page's learners and metrics, the bundle the Runs
panel imports unchanged, and every model as safetensors that loads strictly; a saved teacher travels in."""
import json
import pathlib

import numpy as np
import pytest
import torch

from distillery_torch.checkpoints import load_into, load_state_dict, save_model
from distillery_torch.cli import main
from distillery_torch.models import build_model

from bundle_checks import assert_same_epochs, check_bundle_structure, parse_with_the_page
from run_configs import tiny_run, write_run


def run_cli(folder, run, data, *extra):
    path = write_run(folder, run)
    assert main(["--config", str(path), "--data", str(data), "--out", str(folder / "out"), "--quiet", "--device", "cpu", *extra]) == 0
    [bundle_path] = (folder / "out").glob("*.distillery-run.json")
    return bundle_path, json.loads(bundle_path.read_text())


@pytest.fixture(scope="module")
def kd_run(tmp_path_factory, cifar_subset_dir):
    return run_cli(tmp_path_factory.mktemp("kd-run"), tiny_run(), cifar_subset_dir)


def test_the_run_has_the_pages_learners_and_every_epochs_metrics(kd_run):
    _, bundle = kd_run
    run = bundle["run"]
    assert [(l["key"], l["role"], l["label"]) for l in run["learners"]] == [
        ("teacher0", "teacher", "Teacher (ResNet-8)"), ("scratch", "scratch", "Scratch student (Tiny CNN)"),
        ("student", "student", "Hinton KD student (Tiny CNN)")]
    assert [(m["learner"], m["epoch"]) for m in run["epochs"]] == [("teacher0", 1), ("scratch", 1), ("student", 1), ("scratch", 2), ("student", 2)]
    student = [m for m in run["epochs"] if m["learner"] == "student"]
    assert set(student[0]["terms"]) == {"ce", "kd"}
    # Cosine per step over 2 epochs of 3 steps (115 training images after the hold-out of 13, batches of 32).
    assert student[-1]["lr"] == pytest.approx(0.5 * 0.05 * (1 + np.cos(np.pi * 5 / 6)))
    threads = torch.get_num_threads()
    assert run["name"] == f"kd resnet8\u2192tiny-cnn (PyTorch, 1 process, {threads} thread{'s' if threads > 1 else ''})"
    assert run["adapter"] == f"CPU, {threads} thread{'s' if threads > 1 else ''} per process"


def test_the_bundle_is_the_pages_format_and_the_page_imports_it(kd_run):
    path, bundle = kd_run
    check_bundle_structure(bundle)
    parsed = parse_with_the_page(path)
    if parsed is not None:
        assert parsed["learners"] == ["teacher0", "scratch", "student"] and parsed["epochs"] == 5 and parsed["notes"] == []


def test_every_model_is_written_with_repdistiller_names_and_the_pages_metadata(kd_run):
    path, bundle = kd_run
    for learner in bundle["run"]["learners"]:
        file = path.parent / "models" / f"{learner['key']}.safetensors"
        state, metadata = load_state_dict(file)
        assert metadata["format"] == "distillery-torch" and metadata["model"] == learner["model"] and metadata["numClasses"] == "10"
        assert json.loads(metadata["inputNormalization"])["mean"] == [0.4914, 0.4822, 0.4465]
        assert metadata["imageSide"] == "32"
        assert all(t.dtype.is_floating_point or name.endswith("num_batches_tracked") for name, t in state.items())
        load_into(build_model(learner["model"], 10), file)


def test_a_saved_teacher_travels_in_the_export_and_is_not_trained(tmp_path, parity_dir, cifar_subset_dir):
    teacher = build_model("resnet8", 10)
    load_into(teacher, parity_dir / "resnet8.legacy.pth")
    (tmp_path / "teachers").mkdir()
    save_model(tmp_path / "teachers" / "teacher-0.safetensors", teacher, {"format": "distillery-torch"})
    run = tiny_run(savedTeacher="m-0123456789abcdef", epochs=1)
    run["teachers"] = [{"slot": 0, "model": "resnet8", "numClasses": 10, "name": "resnet8 (parity)", "file": "teachers/teacher-0.safetensors"}]
    _, bundle = run_cli(tmp_path, run, cifar_subset_dir)
    results = {r["key"]: r for r in bundle["run"]["results"]}
    assert results["teacher0"]["epochs"] == 0 and results["teacher0"]["reused"] is True
    assert bundle["run"]["learners"][0]["label"] == "Saved teacher (ResNet-8)"
    assert not [m for m in bundle["run"]["epochs"] if m["learner"] == "teacher0"]



def test_saved_teachers_stand_in_by_slot_and_the_other_slots_are_trained(tmp_path, cifar_subset_dir, capsys):
    """CA-MKD with three teachers, savedTeacher=",m-…,m-…": slot 0 trained, slots 1 and 2 the exported files."""
    (tmp_path / "teachers").mkdir()
    entries = []
    for slot in (1, 2):
        torch.manual_seed(slot)
        save_model(tmp_path / "teachers" / f"teacher-{slot}.safetensors", build_model("tiny-cnn", 10), {"format": "distillery-torch"})
        entries.append({"slot": slot, "model": "tiny-cnn", "numClasses": 10, "name": f"tiny {slot}", "file": f"teachers/teacher-{slot}.safetensors"})
    config = {k: v for k, v in tiny_run()["config"].items() if k not in ("T", "alpha", "ceWeight")}
    run = tiny_run()
    run["config"] = {**config, "method": "camkd", "teacher": "tiny-cnn", "subset": 64, "testSubset": 32, "epochs": 1, "teacherEpochs": 1,
                     "savedTeacher": ",m-0123456789abcdef,m-fedcba9876543210", "methodParams": {"teachers": 3}}
    run["teachers"] = entries
    _, bundle = run_cli(tmp_path, run, cifar_subset_dir)
    results = {r["key"]: r for r in bundle["run"]["results"]}
    assert results["teacher0"]["reused"] is False and results["teacher0"]["epochs"] == 1
    assert all(results[f"teacher{slot}"]["reused"] is True and results[f"teacher{slot}"]["epochs"] == 0 for slot in (1, 2))
    assert [l["label"] for l in bundle["run"]["learners"][:3]] == ["Teacher 1 (Tiny CNN)", "Saved teacher 2 (Tiny CNN)", "Saved teacher 3 (Tiny CNN)"]
    # Two different exported files: the two saved teachers score differently.
    assert results["teacher1"]["lastAccuracy"] != results["teacher2"]["lastAccuracy"] or results["teacher1"]["nll"] != results["teacher2"]["nll"]

    # A slot the link names without its file in the export is refused, not trained instead.
    run["teachers"] = entries[:1]
    assert main(["--config", str(write_run(tmp_path, run)), "--data", str(cifar_subset_dir), "--out", str(tmp_path / "out-missing"), "--device", "cpu", "--quiet"]) == 2
    assert "names a saved teacher for slot 2, but run.json lists no teacher file for it" in capsys.readouterr().err

@pytest.mark.parametrize("method, params, terms", [
    ("scratch", {}, set()),
    ("logit-mse", {}, {"mse"}),
    ("fitnet", {"beta": 100, "ceWeight": 1, "alpha": 0, "T": 4}, {"ce", "hint"}),
    # The explainable oracle with each relevance rule: gradient x input, LRP-epsilon, LRP-gamma, LRP-z+.
    *[("oracle", {"gamma": 0.2, "steps": 1, "rule": rule, "T": 1.5, "alpha": 1, "ceWeight": 1}, {"ce", "kd"}) for rule in (0, 1, 2, 3)],
])
def test_the_other_methods_run_one_epoch_with_their_terms(tmp_path, cifar_subset_dir, method, params, terms):
    config = {k: v for k, v in tiny_run()["config"].items() if k not in ("T", "alpha", "ceWeight")}
    run = tiny_run()
    run["config"] = {**config, "method": method, "teacher": "tiny-cnn", "subset": 64, "testSubset": 32, "epochs": 1, **params}
    _, bundle = run_cli(tmp_path, run, cifar_subset_dir)
    keys = [l["key"] for l in bundle["run"]["learners"]]
    assert keys == (["scratch"] if method == "scratch" else ["teacher0", "scratch", "student"])
    if method != "scratch":
        student = [m for m in bundle["run"]["epochs"] if m["learner"] == "student"][-1]
        assert set(student["terms"]) == terms and all(np.isfinite(v) for v in student["terms"].values())


def test_the_page_run_and_the_package_run_report_the_same_epochs(tmp_path, cifar_subset_dir):
    """The page's own loop (runExperiment, in tests/fixtures/same_seed.json: a tiny KD run at seed 7) and this
    package on the same config: every epoch's learning rate, losses, terms and test metrics."""
    page = json.loads((pathlib.Path(__file__).parent / "fixtures" / "same_seed.json").read_text())["pageRun"]
    run = tiny_run()
    run["config"] = page["config"]
    _, bundle = run_cli(tmp_path, run, cifar_subset_dir)
    assert_same_epochs(bundle["run"]["epochs"], page["epochs"])
