"""What a run brings back to the page: the run bundle in the page's exact format (`src/storage/page/
runBundle.ts`: format "distillery-run-bundle", version 1, `run` = SavedRun without id and importedFrom),
which the Runs panel's Import reads unchanged, and `models/<key>.safetensors` for the Saved models import."""
import datetime
import json
import pathlib
import re
import time
import unicodedata

from .checkpoints import save_model
from .input_normalization import RenormalizedTeacher
from .models import REPDISTILLER_NAME

BUNDLE_FORMAT = "distillery-run-bundle"
BUNDLE_VERSION = 1
RUN_NAME_MAX_LENGTH = 80


def run_name(config, processes, device, threads, nudged=False):
    """e.g. "kd resnet20→resnet8 (PyTorch, 1 process, 2 threads)": says where it ran, down to the CPU threads,
    since runs of one seed on 1 and on 2 threads part in float rounding and are not the same run; and
    "…, initial weights nudged" for a run whose initial weights were moved one float step (`--nudge-init`)."""
    models = config["student"] if config["method"] == "scratch" else f"{config['teacher']}\u2192{config['student']}"
    where = f"PyTorch{' on GPU' if device.type == 'cuda' else ''}, {processes} process{'es' if processes > 1 else ''}"
    if device.type != "cuda":
        where += f", {cpu_threads(threads)}"
    if nudged:
        where += ", initial weights nudged"
    return f"{config['method']} {models} ({where})"[:RUN_NAME_MAX_LENGTH]


def cpu_threads(threads):
    return f"{threads} thread{'s' if threads > 1 else ''}"


def adapter_of(device, threads, cuda_name):
    """The bundle's `adapter`: the GPU's name, or the CPU and its thread count (the page shows it as a tooltip)."""
    return cuda_name if device.type == "cuda" else f"CPU, {cpu_threads(threads)} per process"


def file_stem(name):
    """The page's `runFileStem`: letters and digits joined by dashes, at most 60 characters."""
    text = unicodedata.normalize("NFKC", name).lower()
    stem = re.sub(r"[^\w]+|_+", "-", text).strip("-")[:60]
    return stem or "run"


def run_bundle(name, config, learners, epochs, results, seconds, backend, adapter, finished_at=None):
    finished_at = time.time() if finished_at is None else finished_at
    stamp = datetime.datetime.fromtimestamp(finished_at, datetime.timezone.utc).isoformat(timespec="milliseconds")
    run = {
        "name": name, "config": config, "finishedAt": int(finished_at * 1000), "seconds": seconds, "backend": backend,
        "adapter": adapter, "stopped": False, "learners": learners, "epochs": epochs, "results": results,
    }
    return {"format": BUNDLE_FORMAT, "version": BUNDLE_VERSION, "exportedAt": stamp.replace("+00:00", "Z"), "run": run}


def write_outputs(out, bundle, nets, dataset, accuracy):
    """`<stem>.distillery-run.json` and `models/<key>.safetensors` in `out`; returns the bundle's path."""
    out = pathlib.Path(out)
    (out / "models").mkdir(parents=True, exist_ok=True)
    path = out / f"{file_stem(bundle['run']['name'])}.distillery-run.json"
    path.write_text(json.dumps(bundle, indent=2, allow_nan=False) + "\n")
    for learner in bundle["run"]["learners"]:
        net, normalization = nets[learner["key"]], dataset["normalization"]
        if isinstance(net, RenormalizedTeacher):  # the zoo network, with the constants it was trained on
            net, normalization = net.inner, net.input_normalization
        save_model(out / "models" / f"{learner['key']}.safetensors", net, {
            "format": "distillery-torch", "model": net.model_id, "repdistillerModel": REPDISTILLER_NAME.get(net.model_id, net.model_id),
            "numClasses": str(net.num_classes), "inputNormalization": normalization, "name": learner["label"],
            "dataset": dataset.get("id", "unknown"), "classNames": dataset.get("classNames", []),
            "testAccuracy": str(accuracy.get(learner["key"])), "run": bundle["run"]["name"],
            "imageSide": str(dataset["imageSide"]),
        })
    return path
