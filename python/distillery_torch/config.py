"""The export's `run.json` (see ../../helpers contract, issue 17): read, checked and refused by name.

The config's keys are the page's URL table (`src/config/fields.ts` FIELDS); method parameters (T, alpha, ...)
may sit beside them under their URL names, as in a playground link, or in a `methodParams` object. Anything
else is refused, as are another format, an unknown version, an unknown method and `custom`.
"""
import json
import re
import pathlib
import tempfile
import zipfile

from .cifar import CIFAR_SIDE, IMAGE_FOLDER_SIDES, is_image_side

FORMAT = "distillery-pytorch-run"
VERSIONS = (1,)

# FIELDS of src/config/fields.ts: key -> (kind, min, max). Choice fields are checked where they are used.
FIELDS = {
    "dataset": ("text",), "teacher": ("text",), "student": ("text",), "method": ("text",),
    "epochs": ("int", 1, 500), "teacherEpochs": ("int", 1, 500), "subset": ("int", 16, 50_000), "holdout": ("bool",),
    "testSubset": ("int", 16, 10_000), "batch": ("int", 8, 512), "lr": ("float", 1e-5, 1), "schedule": ("text",),
    "momentum": ("float", 0, 0.999), "weightDecay": ("float", 0, 0.1), "nesterov": ("bool",), "augment": ("bool",),
    "seed": ("int", 0, 2**31 - 1), "reuseTeachers": ("bool",), "savedTeacher": ("text",), "userLoss": ("text",),
    "backend": ("text",), "milestones": ("text",), "decay": ("float", 1e-4, 1),
}
SCHEDULES = ("cosine", "step", "constant")
# Settings newer than some exports, at the value that keeps an older run's meaning (the step schedule it ran).
LATER_FIELDS = {"milestones": "", "decay": 0.1}

# The data-free methods' parameters (methodCatalog.ts dfkdParams) at their reference defaults.
DFKD_PARAMS = {"studentSteps": 10, "generatorLr": 1e-3, "ngf": 64, "nz": 1000, "bnsWeight": 10}
# The methods this package runs (src/contract/methodCatalog.ts): label, teachers, parameter defaults.
METHODS = {
    "scratch": {"label": "Scratch (cross-entropy only)", "teachers": 0, "params": {}},
    "kd": {"label": "Hinton KD", "teachers": 1, "params": {"T": 4, "alpha": 0.9, "ceWeight": 0.1}},
    "logit-mse": {"label": "Logit MSE", "teachers": 1, "params": {}},
    "fitnet": {"label": "FitNets (hint)", "teachers": 1, "params": {"beta": 100, "ceWeight": 1, "alpha": 0, "T": 4}},
    "oracle": {"label": "Explainable oracle KD", "teachers": 1,
               "params": {"gamma": 0.2, "steps": 1, "rule": 0, "T": 1.5, "alpha": 1, "ceWeight": 1}},
    # Several teachers: their number is the `teachers` parameter (CA-MKD setup: 3), each trained with its own seed.
    "aver-mkd": {"label": "AVER-MKD (average of teachers)", "teachers": "param", "params": {"teachers": 3, "T": 4, "alpha": 1, "ceWeight": 1}},
    "fitnet-mkd": {"label": "FitNet-MKD", "teachers": "param",
                   "params": {"teachers": 3, "beta": 100, "detachHint": 0, "T": 4, "alpha": 1, "ceWeight": 1}},
    "ebkd": {"label": "EBKD (entropy-weighted teachers)", "teachers": "param", "params": {"teachers": 3, "T": 4, "alpha": 1, "ceWeight": 1}},
    "aekd": {"label": "AEKD (gradient-space ensemble)", "teachers": "param",
             "params": {"teachers": 3, "T": 4, "alpha": 1, "ceWeight": 1, "cTol": 0.6}},
    "refilled": {"label": "REFILLED (two stages)", "teachers": 1,
                 "params": {"stage1Epochs": 8, "stage1Cosine": 0, "tau1": 4, "margin": 0.2, "tau2": 2, "lambda": 100}},
    "ta-dfkd": {"label": "TA-DFKD (data-free)", "teachers": 1, "params": DFKD_PARAMS},
    "dfkd-basic": {"label": "Data-free KD, basic (no selection)", "teachers": 1, "params": DFKD_PARAMS},
    "camkd": {"label": "CA-MKD (confidence-aware)", "teachers": "param", "params": {"teachers": 3, "beta": 50, "T": 4, "alpha": 1, "ceWeight": 1}},
}
# The oracle's `rule` parameter (oracle.ts relevanceRule; the LRP rules in lrp_rules.py).
ORACLE_RULES = {0: "gradient x input", 1: "LRP-epsilon", 2: "LRP-gamma", 3: "LRP-z+"}
# The page's other methods: known, not ported yet (their own issue).
NOT_PORTED = ()
ALL_METHOD_PARAMS = {"T", "alpha", "ceWeight", "beta", "gamma", "steps", "rule", "teachers", "studentSteps",
                     "generatorLr", "ngf", "nz", "bnsWeight", "tau1", "tau2", "margin", "lambda", "stage1Epochs", "stage1Cosine", "cTol", "detachHint"}


class ConfigError(ValueError):
    """A run.json this package refuses; the message names what and why."""


def _check_field(key, value):
    kind = FIELDS[key]
    if kind[0] == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"config.{key} must be true or false, not {value!r}")
    elif kind[0] == "text":
        if not isinstance(value, str):
            raise ConfigError(f"config.{key} must be text, not {value!r}")
    else:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind[0] == "int" and value != int(value)):
            raise ConfigError(f"config.{key} must be {'a whole number' if kind[0] == 'int' else 'a number'}, not {value!r}")
        if not kind[1] <= value <= kind[2]:
            raise ConfigError(f"config.{key}={value} is outside [{kind[1]}, {kind[2]}]")


def _check_milestones(text, epochs):
    """The page's milestonesProblem (src/core/schedule.ts): ascending whole epochs within 1..epochs, or ''."""
    if not re.fullmatch(r"(\d{1,3}(,\d{1,3}){0,9})?", text):
        raise ConfigError(f"config.milestones={text!r} should be whole epochs separated by commas, e.g. 15,18,21 (at most 10)")
    milestones = parse_milestones(text)
    outside = [m for m in milestones if not 1 <= m <= epochs]
    if outside:
        raise ConfigError(f"config.milestones={text!r}: epoch {outside[0]} is not within 1..{epochs} (the student epochs)")
    if any(b <= a for a, b in zip(milestones, milestones[1:])):
        raise ConfigError(f"config.milestones={text!r} must rise from one epoch to the next")


def parse_milestones(text):
    return [int(m) for m in text.split(",")] if text else []


def check_method(method):
    if method == "custom":
        raise ConfigError('method "custom": code written in the page is not exportable')
    if method in NOT_PORTED:
        raise ConfigError(f'method "{method}" is not ported to PyTorch yet (this package runs {", ".join(METHODS)})')
    if method not in METHODS:
        raise ConfigError(f'unknown method "{method}" (this package runs {", ".join(METHODS)})')


def read_config(raw):
    """The run config (every FIELDS key, `methodParams` with defaults filled), or a ConfigError naming the problem."""
    if not isinstance(raw, dict):
        raise ConfigError("config must be an object")
    method = raw.get("method")
    check_method(method)
    defaults = METHODS[method]["params"]
    nested = raw.get("methodParams", {})
    if not isinstance(nested, dict):
        raise ConfigError("config.methodParams must be an object")
    config, params = {}, dict(defaults)
    for key, value in raw.items():
        if key in FIELDS:
            _check_field(key, value)
            config[key] = value
        elif key == "methodParams":
            continue
        elif key in ALL_METHOD_PARAMS:
            if key in defaults:
                params[key] = value
        else:
            raise ConfigError(f'unknown config key "{key}"')
    for key, value in nested.items():
        if key not in ALL_METHOD_PARAMS:
            raise ConfigError(f'unknown method parameter "{key}"')
        if key in defaults:
            params[key] = value
    for key, value in LATER_FIELDS.items():
        config.setdefault(key, value)
    missing = [key for key in FIELDS if key not in config]
    if missing:
        raise ConfigError(f"config lacks {', '.join(missing)}")
    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"method parameter {key} must be a number, not {value!r}")
    if config["schedule"] not in SCHEDULES:
        raise ConfigError(f'config.schedule "{config["schedule"]}" is not one of {", ".join(SCHEDULES)}')
    if config["schedule"] == "step":
        _check_milestones(config["milestones"], config["epochs"])
    if method == "oracle" and params["rule"] not in ORACLE_RULES:
        raise ConfigError(f"oracle rule must be one of {', '.join(f'{k} ({v})' for k, v in ORACLE_RULES.items())}, not {params['rule']!r}")
    if METHODS[method]["teachers"] == "param" and not (params["teachers"] == int(params["teachers"]) and 2 <= params["teachers"] <= 5):
        raise ConfigError(f"method parameter teachers must be a whole number from 2 to 5, not {params['teachers']!r}")
    config["methodParams"] = params
    return config


def read_run(path, workdir=None):
    """(run, folder its files are relative to) from an export `.zip` or a `run.json`."""
    path = pathlib.Path(path)
    if path.suffix == ".zip":
        folder = pathlib.Path(workdir or tempfile.mkdtemp(prefix="distillery-run-"))
        with zipfile.ZipFile(path) as archive:
            archive.extractall(folder)
        candidates = sorted(folder.rglob("run.json"))
        if not candidates:
            raise ConfigError(f"{path.name} holds no run.json")
        path = candidates[0]
    try:
        run = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path.name} is not valid JSON ({error})") from error
    return check_run(run), path.parent


def dataset_image_side(dataset):
    """The side of the run's square images: run.json's dataset.imageSide, CIFAR's 32 when absent."""
    return dataset.get("imageSide", CIFAR_SIDE)


def _check_image_side(dataset):
    """An image folder is imported at one of IMAGE_FOLDER_SIDES; CIFAR's images are 32x32."""
    folder = dataset.get("kind") == "image-folder"
    allowed = IMAGE_FOLDER_SIDES if folder else (CIFAR_SIDE,)
    side = dataset_image_side(dataset)
    if not is_image_side(side, allowed):
        sides = " or ".join(map(str, allowed))
        raise ConfigError(f"run.json dataset.imageSide {side!r} is not {sides}" + ("" if folder else f" (CIFAR's images are {sides}x{sides})"))


def check_run(run):
    if not isinstance(run, dict):
        raise ConfigError("run.json must hold an object")
    if run.get("format") != FORMAT:
        raise ConfigError(f'run.json format is {run.get("format")!r}, not "{FORMAT}"')
    if run.get("version") not in VERSIONS:
        raise ConfigError(f"run.json version {run.get('version')!r} is not one this package knows ({', '.join(map(str, VERSIONS))})")
    config = read_config(run.get("config"))
    dataset = run.get("dataset")
    if not isinstance(dataset, dict) or "normalization" not in dataset:
        raise ConfigError("run.json lacks dataset.normalization")
    if dataset.get("kind", "cifar10") not in ("cifar10", "cifar100", "image-folder"):
        raise ConfigError(f"run.json dataset.kind {dataset.get('kind')!r} is not cifar10, cifar100 or image-folder")
    if dataset.get("kind") == "image-folder":
        file = dataset.get("file")
        # A path inside the export only: run.json may come from anyone.
        if not isinstance(file, str) or not file.startswith("data/") or ".." in file.split("/") or "\\" in file:
            raise ConfigError(f"run.json dataset.file {file!r} must name a file under data/ in the export")
    _check_image_side(dataset)
    teachers = run.get("teachers", [])
    if not isinstance(teachers, list):
        raise ConfigError("run.json teachers must be a list")
    return {**run, "config": config, "teachers": teachers}
