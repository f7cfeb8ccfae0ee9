"""Trains the ready teachers with the PyTorch package (one scratch run each, one CPU thread so reruns give the
same bytes) and writes `<id>.safetensors`, the run bundle `<id>.distillery-run.json` and `manifest.json`."""
import hashlib
import json
import os
import pathlib
import shutil
import struct
import subprocess
import sys

from .recipes import TEACHERS, run_config

MANIFEST_FORMAT = "distillery-ready-teachers"
MAX_BYTES = 4 * 1024 * 1024
PINNED_THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def saved_model_id(data):
    """The page's saved-model id of a ready teacher: stable because it comes from the file's bytes."""
    return "m-" + hashlib.sha256(data).hexdigest()[:16]


def renamed(data, name):
    """The safetensors bytes with `__metadata__.name` set to `name` (the header is JSON; offsets are relative to
    the data after it, so rewriting it moves nothing)."""
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    header["__metadata__"]["name"] = name
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)  # the format pads the header to 8 bytes with spaces
    return struct.pack("<Q", len(encoded)) + encoded + data[8 + length:]


def train(teacher_id, data_dir, work):
    """Runs the package on the teacher's run.json; returns (the bundle, the scratch model's bytes)."""
    folder = work / teacher_id
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps(run_config(teacher_id), indent=2))
    python_path = str(pathlib.Path(__file__).resolve().parents[1])
    env = {**os.environ, **PINNED_THREADS, "PYTHONPATH": python_path}
    command = [sys.executable, "-m", "distillery_torch", "--config", str(folder / "run.json"), "--data", str(data_dir),
               "--out", str(folder / "out"), "--device", "cpu"]
    subprocess.run(command, env=env, check=True)
    bundles = sorted((folder / "out").glob("*.distillery-run.json"))
    if len(bundles) != 1:
        raise RuntimeError(f"expected one run bundle in {folder / 'out'}, found {len(bundles)}")
    return json.loads(bundles[0].read_text()), (folder / "out" / "models" / "scratch.safetensors").read_bytes()


def manifest_entry(teacher_id, bundle, data):
    recipe = TEACHERS[teacher_id]
    run = bundle["run"]
    (result,) = [r for r in run["results"] if r["key"] == "scratch"]
    return {
        "id": teacher_id, "label": recipe["label"], "role": recipe["role"], "model": recipe["model"],
        "file": f"{teacher_id}.safetensors", "bundle": f"{teacher_id}.distillery-run.json",
        "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "savedModelId": saved_model_id(data),
        "dataset": "cifar10-subset", "trainImages": 5085, "testImages": 1017, "seed": recipe["seed"],
        "epochs": recipe["epochs"], "recipe": run["config"],
        "accuracy": result["lastAccuracy"], "ece": result["ece"], "nll": result["nll"],
        "trainSeconds": round(run["seconds"], 1), "backend": run["backend"], "threads": 1,
        "command": f"npm run make-ready-teachers -- --only {teacher_id}",
    }


def make(teacher_ids, data_dir, out, work):
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    for teacher_id in teacher_ids:
        bundle, data = train(teacher_id, data_dir, work)
        # Read just before writing: another make may have written its teachers while this one trained.
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"format": MANIFEST_FORMAT, "version": 1, "teachers": []}
        data = renamed(data, f"Ready {TEACHERS[teacher_id]['label']} (CIFAR-10 subset)")
        if len(data) > MAX_BYTES:
            raise RuntimeError(f"{teacher_id} is {len(data)} bytes, over the 4 MB limit")
        (out / f"{teacher_id}.safetensors").write_bytes(data)
        (out / f"{teacher_id}.distillery-run.json").write_text(json.dumps(bundle, indent=2) + "\n")
        entry = manifest_entry(teacher_id, bundle, data)
        entries = [e for e in manifest["teachers"] if e["id"] != teacher_id] + [entry]
        manifest["teachers"] = sorted(entries, key=lambda e: list(TEACHERS).index(e["id"]))
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
        print(f"ready_teachers: {teacher_id} ({entry['savedModelId']}, {entry['accuracy']:.1%}) written to {out}", flush=True)
