"""The ready teachers' make command: each teacher's run.json is a valid scratch run at the reference recipe,
the committed manifest states exactly that recipe, and the metadata rename keeps the tensors' bytes."""
import json
import struct

import pytest

from distillery_torch.config import check_run
from distillery_torch.plan import plan_run
from ready_teachers.make import PINNED_THREADS, renamed, saved_model_id
from ready_teachers.recipes import TEACHERS, run_config

from conftest import REPO

MANIFEST = REPO / "public" / "teachers" / "manifest.json"


@pytest.mark.parametrize("teacher_id", list(TEACHERS))
def test_each_config_is_a_scratch_run_of_the_teacher_at_the_reference_recipe(teacher_id):
    run = run_config(teacher_id)
    check_run(run)
    config = run["config"]
    assert (config["method"], config["student"]) == ("scratch", TEACHERS[teacher_id]["model"])
    assert {k: config[k] for k in ("lr", "momentum", "weightDecay", "schedule", "batch", "augment", "nesterov")} == {
        "lr": 0.05, "momentum": 0.9, "weightDecay": 5e-4, "schedule": "cosine", "batch": 64, "augment": True, "nesterov": False}
    plan = plan_run(config, 5085, 1017)  # the whole subset: no holdout, every test image
    assert (plan["trainImages"], plan["testImages"], plan["teachers"]) == (5085, 1017, [])


def test_the_weak_teacher_trains_fewer_epochs_and_the_strong_one_is_deeper():
    assert TEACHERS["resnet20-weak"]["epochs"] < TEACHERS["resnet20"]["epochs"]
    assert TEACHERS["resnet56"]["model"] == "resnet56"


def test_an_unknown_teacher_is_refused_by_name():
    with pytest.raises(ValueError, match='unknown ready teacher "resnet9000"'):
        run_config("resnet9000")


def test_the_committed_manifest_states_each_teachers_recipe_and_command():
    manifest = json.loads(MANIFEST.read_text())
    assert [e["id"] for e in manifest["teachers"]] == list(TEACHERS)
    # A teacher made before the step schedule existed states no milestones or decay: the package reads their defaults.
    read = lambda recipe: {"milestones": "", "decay": 0.1, **recipe}  # noqa: E731
    for entry in manifest["teachers"]:
        expected = run_config(entry["id"])["config"]
        assert read(entry["recipe"]) == expected, entry["id"]
        assert (entry["epochs"], entry["seed"], entry["model"]) == (expected["epochs"], expected["seed"], expected["student"])
        assert entry["command"] == f"npm run make-ready-teachers -- --only {entry['id']}"
        assert entry["threads"] == 1


def test_threads_are_pinned_to_one():
    assert set(PINNED_THREADS.values()) == {"1"}


def test_renaming_changes_only_the_name_and_keeps_the_tensor_bytes():
    header = {"__metadata__": {"format": "distillery-torch", "name": "Scratch student"}, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    encoded = json.dumps(header).encode()
    data = struct.pack("<Q", len(encoded)) + encoded + struct.pack("<2f", 1.5, -2.0)
    out = renamed(data, "Ready ResNet-20")
    (length,) = struct.unpack("<Q", out[:8])
    assert length % 8 == 0
    parsed = json.loads(out[8:8 + length])
    assert parsed["__metadata__"] == {"format": "distillery-torch", "name": "Ready ResNet-20"}
    assert parsed["w"] == header["w"]
    assert out[8 + length:] == struct.pack("<2f", 1.5, -2.0)
    assert saved_model_id(out).startswith("m-") and len(saved_model_id(out)) == 18
