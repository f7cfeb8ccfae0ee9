"""The package refuses, by name, what it cannot run the page's way: another format, an unknown version, an
unknown config key, an unknown or unported method, `custom`, values out of the page's ranges."""
import zipfile

import pytest

from distillery_torch.cli import main
from distillery_torch.config import ConfigError, check_run, read_run
from distillery_torch.metrics import learning_rate, step_decay_of
from run_configs import TINY_CONFIG, tiny_run, write_run


@pytest.mark.parametrize("change, message", [
    ({"format": "distillery-run-bundle"}, "format is 'distillery-run-bundle'"),
    ({"version": 2}, "version 2 is not one this package knows"),
    ({"config": {**TINY_CONFIG, "learningRate": 0.1}}, 'unknown config key "learningRate"'),
    ({"config": {**TINY_CONFIG, "method": "distill-everything"}}, 'unknown method "distill-everything"'),
    ({"config": {**TINY_CONFIG, "method": "custom"}}, "code written in the page is not exportable"),
    ({"config": {**TINY_CONFIG, "epochs": 0}}, r"config.epochs=0 is outside \[1, 500\]"),
    ({"config": {**TINY_CONFIG, "augment": 1}}, "config.augment must be true or false"),
    ({"config": {**TINY_CONFIG, "schedule": "linear"}}, 'config.schedule "linear" is not one of'),
    ({"config": {**TINY_CONFIG, "methodParams": {"temperature": 2}}}, 'unknown method parameter "temperature"'),
    ({"config": {k: v for k, v in TINY_CONFIG.items() if k != "seed"}}, "config lacks seed"),
    ({"config": {**TINY_CONFIG, "schedule": "step", "milestones": "1;2"}}, "config.milestones='1;2' should be whole epochs separated by commas"),
    ({"config": {**TINY_CONFIG, "schedule": "step", "epochs": 2, "milestones": "1,3"}}, r"config.milestones='1,3': epoch 3 is not within 1..2"),
    ({"config": {**TINY_CONFIG, "schedule": "step", "epochs": 3, "milestones": "2,1"}}, "config.milestones='2,1' must rise from one epoch to the next"),
    ({"config": {**TINY_CONFIG, "milestones": 15}}, "config.milestones must be text"),
    ({"config": {**TINY_CONFIG, "decay": 0}}, r"config.decay=0 is outside \[0.0001, 1\]"),
    ({"config": {**TINY_CONFIG, "decay": 1.5}}, r"config.decay=1.5 is outside \[0.0001, 1\]"),
    ({"config": {**TINY_CONFIG, "method": "oracle", "rule": 4}}, r"oracle rule must be one of 0 \(gradient x input\), 1 \(LRP-epsilon\), 2 \(LRP-gamma\), 3 \(LRP-z\+\), not 4"),
])
def test_a_run_it_cannot_follow_is_refused_by_name(change, message):
    with pytest.raises(ConfigError, match=message):
        check_run({**tiny_run(), **change})


def test_method_parameters_come_from_the_link_or_methodParams_over_the_defaults():
    config = check_run(tiny_run(T=2, alpha=0.5))["config"]
    assert config["methodParams"] == {"T": 2, "alpha": 0.5, "ceWeight": 0.1}
    nested = {k: v for k, v in TINY_CONFIG.items() if k not in ("T", "alpha", "ceWeight")}
    config = check_run({**tiny_run(), "config": {**nested, "method": "fitnet", "methodParams": {"beta": 50}}})["config"]
    assert config["methodParams"] == {"beta": 50, "ceWeight": 1, "alpha": 0, "T": 4}


def test_the_export_zip_is_read_with_its_files(tmp_path):
    run_json = write_run(tmp_path / "src", tiny_run())
    archive = tmp_path / "kd.distillery-pytorch.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(run_json, "run.json")
    run, folder = read_run(archive, tmp_path / "unpacked")
    assert run["config"]["method"] == "kd" and folder == tmp_path / "unpacked"


def test_the_command_line_says_why_it_refuses_and_exits_2(tmp_path, capsys):
    path = write_run(tmp_path, tiny_run(method="custom"))
    assert main(["--config", str(path), "--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert 'method "custom": code written in the page is not exportable' in capsys.readouterr().err


def test_data_that_is_not_the_runs_dataset_is_refused(tmp_path, capsys, cifar_subset_dir):
    run = tiny_run()
    run["dataset"] = {**run["dataset"], "kind": "cifar100", "numClasses": 100}
    path = write_run(tmp_path, run)
    (tmp_path / "empty").mkdir()
    assert main(["--config", str(path), "--data", str(tmp_path / "empty"), "--out", str(tmp_path / "out")]) == 2
    assert "expected the official CIFAR binary layout" in capsys.readouterr().err
    assert main(["--config", str(path), "--data", str(cifar_subset_dir), "--out", str(tmp_path / "out")]) == 2
    assert "the run is for 100 classes, but" in capsys.readouterr().err


def test_an_export_from_before_milestones_runs_the_step_schedule_it_ran_then():
    old = {k: v for k, v in TINY_CONFIG.items() if k not in ("milestones", "decay")}
    config = check_run({**tiny_run(), "config": {**old, "schedule": "step"}})["config"]
    assert (config["milestones"], config["decay"]) == ("", 0.1)
    config = check_run({**tiny_run(), "config": {**TINY_CONFIG, "schedule": "step", "epochs": 24, "milestones": "15,18,21", "decay": 0.2}})["config"]
    assert step_decay_of(config) == ((15, 18, 21), 24, 0.2)


# The same table is in tests/core/schedule.test.ts (SCHEDULE_TABLE): base 0.05, 4 steps per epoch.
SCHEDULE_TABLE = [
    ("step", 24, "15,18,21", 0.1, 14, 3, 0.05),
    ("step", 24, "15,18,21", 0.1, 15, 0, 0.005),
    ("step", 24, "15,18,21", 0.1, 23, 3, 0.05 * 0.1**3),
    ("step", 20, "10,14,18", 0.2, 14, 0, 0.05 * 0.2**2),
    ("step", 10, "", 0.1, 6, 1, 0.005),
    ("step", 10, "", 0.5, 9, 1, 0.05 * 0.5**3),
    ("step", 4, "", 0.1, 2, 0, 0.05),
    ("step", 4, "", 0.1, 3, 0, 0.05 * 0.1**2),  # 2.5 rounds half up to 3, as Math.round
    ("cosine", 2, "1", 0.1, 1, 0, 0.025),
    ("constant", 3, "", 0.1, 2, 3, 0.05),
]


@pytest.mark.parametrize("schedule, epochs, milestones, decay, epoch, step, lr", SCHEDULE_TABLE)
def test_learning_rate_matches_the_page(schedule, epochs, milestones, decay, epoch, step, lr):
    decay_of = step_decay_of({"milestones": milestones, "decay": decay, "epochs": epochs})
    assert learning_rate(schedule, 0.05, epochs, 4, epoch, step, decay_of) == pytest.approx(lr, rel=1e-12, abs=1e-15)


def test_a_teacher_of_other_epochs_decays_at_the_same_fractions():
    decay_of = step_decay_of({"milestones": "15,18,21", "decay": 0.1, "epochs": 24})
    rates = [learning_rate("step", 1.0, 48, 1, e, 0, decay_of) for e in range(48)]
    assert [e + 1 for e in range(1, 48) if rates[e] < rates[e - 1]] == [31, 37, 43]


def test_cosine_with_a_floor_anneals_to_that_fraction_as_the_page():
    assert learning_rate("cosine", 0.1, 2, 50, 0, 0, cosine_floor=0.1) == pytest.approx(0.1, abs=1e-15)
    assert learning_rate("cosine", 0.1, 2, 50, 1, 0, cosine_floor=0.1) == pytest.approx(0.055, abs=1e-15)
    assert 0.01 < learning_rate("cosine", 0.1, 2, 50, 1, 49, cosine_floor=0.1) < 0.0101
