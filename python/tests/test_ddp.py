"""A tiny KD experiment and a tiny oracle experiment under `torchrun --nproc_per_node=2` (gloo, CPU), end to
end; each learner's test accuracy in the 2-process run equals a 1-process evaluation of its saved weights."""
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch

from distillery_torch.batches import Normalizer
from distillery_torch.checkpoints import load_into
from distillery_torch.cifar import balanced_subset, load_cifar
from distillery_torch.metrics import evaluation_metrics
from distillery_torch.models import build_model

from bundle_checks import check_bundle_structure, parse_with_the_page
from conftest import PYTHON_DIR
from run_configs import tiny_run, write_run

TORCHRUN = [sys.executable, "-m", "torch.distributed.run"]
# Debian's torch 1.13 on Python 3.11 cannot parse torchrun's default "--redirects 0 --tee 0" (IntFlag's zero
# member is not iterable there); "2" (stderr) is parsed, and keeps each rank's errors visible in the log.
DEBIAN_WORKAROUND = ["--redirects", "2", "--tee", "2"]
EXPERIMENTS = {
    "kd": tiny_run(method="kd", teacher="resnet8", student="tiny-cnn"),
    "oracle": tiny_run(method="oracle", teacher="tiny-cnn", student="tiny-cnn", epochs=1, T=1.5, alpha=1, ceWeight=1, gamma=0.2, steps=1, rule=0),
}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def two_process_runs(tmp_path_factory, cifar_subset_dir):
    """Both experiments launched at once (their start-up, mostly importing torch, overlaps)."""
    root = tmp_path_factory.mktemp("ddp")
    started = {}
    for name, run in EXPERIMENTS.items():
        path = write_run(root / name, run)
        rendezvous = ["--nnodes=1", "--master_addr=127.0.0.1", f"--master_port={free_port()}"]
        command = [*TORCHRUN, *rendezvous, *DEBIAN_WORKAROUND, "--nproc_per_node=2", "-m", "distillery_torch",
                   "--config", str(path), "--data", str(cifar_subset_dir), "--out", str(root / name / "out"), "--quiet", "--device", "cpu"]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(PYTHON_DIR)}
        started[name] = subprocess.Popen(command, cwd=PYTHON_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    outs = {}
    for name, process in started.items():
        log, _ = process.communicate(timeout=300)
        assert process.returncode == 0, log[-3000:]
        [bundle] = (root / name / "out").glob("*.distillery-run.json")
        outs[name] = (bundle, json.loads(bundle.read_text()))
    return outs


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_a_two_process_run_ends_with_the_pages_bundle(two_process_runs, name):
    path, bundle = two_process_runs[name]
    check_bundle_structure(bundle)
    assert bundle["run"]["name"].endswith("(PyTorch, 2 processes)")
    assert {r["key"] for r in bundle["run"]["results"]} == {"teacher0", "scratch", "student"}
    parsed = parse_with_the_page(path)
    if parsed is not None:
        assert parsed["notes"] == []


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_two_process_accuracy_equals_one_process_evaluation_of_the_saved_weights(two_process_runs, name, cifar_subset_dir):
    path, bundle = two_process_runs[name]
    config = bundle["run"]["config"]
    _, _, test, _ = load_cifar(cifar_subset_dir)
    test = balanced_subset(test, config["testSubset"], 10)
    norm = EXPERIMENTS[name]["dataset"]["normalization"]
    x = Normalizer(norm["mean"], norm["std"])(test.images)
    for learner in bundle["run"]["learners"]:
        net = build_model(learner["model"], 10).eval()
        load_into(net, path.parent / "models" / f"{learner['key']}.safetensors")
        with torch.no_grad():
            logits = net(x).numpy()
        one_process = evaluation_metrics(logits, test.labels)
        last = [m for m in bundle["run"]["epochs"] if m["learner"] == learner["key"]][-1]
        assert last["testAccuracy"] == one_process["accuracy"], learner["key"]
        assert last["testNll"] == pytest.approx(one_process["nll"], rel=1e-5), learner["key"]
        assert last["ece"] == pytest.approx(one_process["ece"], abs=1e-5), learner["key"]
        assert np.isclose(last["testAccuracy"] * len(test.labels), round(last["testAccuracy"] * len(test.labels)))
