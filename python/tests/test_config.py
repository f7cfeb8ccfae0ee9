"""The package refuses, by name, what it cannot run the page's way: another format, an unknown version, an
unknown config key, an unknown or unported method, `custom`, values out of the page's ranges."""
import zipfile

import pytest

from distillery_torch.cli import main
from distillery_torch.config import ConfigError, check_run, read_run
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
