"""Tiny experiments under `torchrun --nproc_per_node=2` (gloo, CPU), end to end: KD, the oracle (gradient ×
input and LRP-ε), CA-MKD with three teachers, AEKD and data-free TA-DFKD. Each learner's test accuracy in the
2-process run equals a 1-process evaluation of its saved weights; AEKD's λ, which needs the whole batch, is
summed over the shares."""
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
from run_configs import TINY_CONFIG, tiny_run, write_run

TORCHRUN = [sys.executable, "-m", "torch.distributed.run"]
# Debian's torch 1.13 on Python 3.11 cannot parse torchrun's default "--redirects 0 --tee 0" (IntFlag's zero
# member is not iterable there); "2" (stderr) is parsed, and keeps each rank's errors visible in the log.
DEBIAN_WORKAROUND = ["--redirects", "2", "--tee", "2"]


def method_run(method, params, **config):
    """A tiny run of a method whose parameters are its own (no T/alpha/ceWeight at the top level)."""
    run = tiny_run()
    base = {k: v for k, v in TINY_CONFIG.items() if k not in ("T", "alpha", "ceWeight")}
    run["config"] = {**base, "method": method, "teacher": "tiny-cnn", "subset": 64, "testSubset": 32, "batch": 16, "epochs": 1,
                     "methodParams": params, **config}
    return run


EXPERIMENTS = {
    "kd": tiny_run(method="kd", teacher="resnet8", student="tiny-cnn"),
    "oracle": tiny_run(method="oracle", teacher="tiny-cnn", student="tiny-cnn", epochs=1, T=1.5, alpha=1, ceWeight=1, gamma=0.2, steps=1, rule=0),
    "oracle-lrp": tiny_run(method="oracle", teacher="tiny-cnn", student="tiny-cnn", epochs=1, T=1.5, alpha=1, ceWeight=1, gamma=0.2, steps=1, rule=1),
    "camkd": method_run("camkd", {"teachers": 3}),
    "aekd": method_run("aekd", {"teachers": 2}),
    "ta-dfkd": method_run("ta-dfkd", {"nz": 16, "ngf": 8, "studentSteps": 2}),
}
TEACHER_KEYS = {"camkd": ["teacher0", "teacher1", "teacher2"], "aekd": ["teacher0", "teacher1"]}


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
    assert bundle["run"]["name"].endswith("(PyTorch, 2 processes, 1 thread)")  # OMP_NUM_THREADS=1 above
    assert bundle["run"]["adapter"] == "CPU, 1 thread per process"
    assert {r["key"] for r in bundle["run"]["results"]} == {*TEACHER_KEYS.get(name, ["teacher0"]), "scratch", "student"}
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


def student_diagnostics(bundle):
    return [m["diagnostics"] for m in bundle["run"]["epochs"] if m["learner"] == "student"]


def test_two_process_runs_report_their_methods_diagnostics(two_process_runs):
    """CA-MKD's three teachers' weights and TA-DFKD's selection and generator losses come back from torchrun."""
    camkd = student_diagnostics(two_process_runs["camkd"][1])[-1]
    assert sum(camkd[f"logit weight teacher{m}"] for m in (1, 2, 3)) == pytest.approx(1, abs=1e-5)
    dfkd = student_diagnostics(two_process_runs["ta-dfkd"][1])[-1]
    assert set(dfkd) == {"selected", "generator loss", "teacher-student JS", "BN-statistics loss"}
    assert 0 < dfkd["selected"] <= 1 and all(np.isfinite(v) for v in dfkd.values())


def _aekd_share_weights(rank, size, init_file, student, teachers, out):
    """One of `size` gloo processes: AEKD's λ from this rank's strided share of the batch."""
    import torch.distributed as dist

    from distillery_torch.multi_teacher import aekd_weights

    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=size)
    try:
        out[rank] = aekd_weights(student[rank::size], teachers[:, rank::size], 4, 1.0).tolist()
    finally:
        dist.destroy_process_group()


def test_aekd_weights_from_shares_of_a_batch_are_the_whole_batchs(tmp_path):
    """λ solves a QP on the whole batch's KD gradients: under torchrun each process sums its share's into the
    global ones (the page's λ), where its own share alone would give another (cTol 1: no cap, an interior λ)."""
    import torch.multiprocessing as mp

    from distillery_torch.multi_teacher import aekd_weights

    generator = torch.Generator().manual_seed(7)
    student, teachers = torch.randn(16, 10, generator=generator), torch.randn(2, 16, 10, generator=generator) * 3
    whole = aekd_weights(student, teachers, 4, 1.0)
    alone = aekd_weights(student[0::2], teachers[:, 0::2], 4, 1.0)
    assert 0.01 < whole[0] < 0.99 and abs(alone[0] - whole[0]) > 1e-3  # the test can tell them apart
    out = mp.Manager().dict()
    mp.spawn(_aekd_share_weights, args=(2, tmp_path / "rendezvous", student, teachers, out), nprocs=2, join=True)
    for rank in range(2):
        np.testing.assert_allclose(out[rank], whole, atol=1e-6, err_msg=f"rank {rank}")
