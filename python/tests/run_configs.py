"""Tiny exported runs for the tests: every FIELDS key of the page's config, as the export writes them."""
import json

CIFAR10 = {"id": "cifar10-subset", "kind": "cifar10", "numClasses": 10,
           "classNames": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
           "normalization": {"mean": [0.4914, 0.4822, 0.4465], "std": [0.247, 0.2435, 0.2616]}}
TINY_CONFIG = {
    "dataset": "cifar10-subset", "teacher": "resnet8", "student": "tiny-cnn", "method": "kd", "epochs": 2, "teacherEpochs": 1,
    "subset": 128, "holdout": True, "testSubset": 64, "batch": 32, "lr": 0.05, "schedule": "cosine", "momentum": 0.9,
    "weightDecay": 5e-4, "nesterov": False, "augment": True, "seed": 3, "backend": "auto", "reuseTeachers": True,
    "savedTeacher": "", "userLoss": "", "milestones": "", "decay": 0.1, "T": 4, "alpha": 0.9, "ceWeight": 0.1,
}


def tiny_run(**config):
    return {"format": "distillery-pytorch-run", "version": 1, "exportedAt": "2026-12-02T18:00:00.000Z",
            "link": "?method=kd", "config": {**TINY_CONFIG, **config}, "dataset": CIFAR10, "teachers": []}


def write_run(folder, run):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "run.json"
    path.write_text(json.dumps(run))
    return path
