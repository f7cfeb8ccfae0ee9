"""Shared fixtures: the repository root, the parity assets, and zoo models exported by the Node script."""
import os
import pathlib
import subprocess
import sys

import pytest

PYTHON_DIR = pathlib.Path(__file__).resolve().parents[1]
REPO = PYTHON_DIR.parent
sys.path.insert(0, str(PYTHON_DIR))

# Zoo models exported for the tests: one per family, at the class counts of the parity checkpoints.
ZOO_EXPORTS = [
    "tiny-cnn:10", "resnet8:10", "resnet20:10", "resnet8x4:10", "wrn_16_2:100", "vgg8:10", "mobilenetv2:10",
    "shufflev1:10", "shufflev2:10", "resnet50:100", "vgg16:10", "wrn_16_2_refilled:100", "resnet18_dfkd:10",
]


@pytest.fixture(scope="session")
def parity_dir():
    path = pathlib.Path(os.environ.get("KD_PARITY_DIR", REPO.parent / "shared" / "parity"))
    if not (path / "parity.json").exists():
        pytest.fail(f"No parity assets at {path}: set KD_PARITY_DIR to the folder holding parity.json.")
    return path


@pytest.fixture(scope="session")
def zoo_exports(tmp_path_factory):
    """The folder where scripts/export-torch.mjs wrote each zoo model's .pth, .safetensors and tfjs files."""
    out = tmp_path_factory.mktemp("zoo-exports")
    subprocess.run(["node", str(REPO / "scripts" / "export-torch.mjs"), str(out), *ZOO_EXPORTS], cwd=REPO, check=True, capture_output=True)
    return out


# Parity checkpoints of zoo models that the page imports and exports again (one per format and layout).
REEXPORTED = [
    "resnet20.pth", "resnet8.legacy.pth", "resnet8x4.safetensors", "wrn_16_2.pth", "vgg8.safetensors", "MobileNetV2.pth",
    "ShuffleV1.legacy.pth", "ShuffleV2.safetensors",
]


@pytest.fixture(scope="session")
def reexports(tmp_path_factory, parity_dir):
    """The folder where the parity checkpoints, imported by the page's code, were exported again."""
    out = tmp_path_factory.mktemp("reexports")
    files = [str(parity_dir / name) for name in REEXPORTED]
    subprocess.run(["node", str(REPO / "scripts" / "export-torch.mjs"), "--reexport", str(out), *files], cwd=REPO, check=True, capture_output=True)
    return out


@pytest.fixture(scope="session")
def cifar_subset():
    """(kind, train, test, class names) of the CIFAR-10 subset in ../shared/datasets (or KD_DATASET_DIR)."""
    from distillery_torch.cifar import load_cifar

    path = pathlib.Path(os.environ.get("KD_DATASET_DIR", REPO.parent / "shared" / "datasets" / "cifar10-subset"))
    if not path.exists():
        pytest.fail(f"No CIFAR subset at {path}: set KD_DATASET_DIR to the folder holding cifar-10-batches-bin/.")
    return load_cifar(path)


@pytest.fixture(scope="session")
def cifar_subset_dir():
    path = pathlib.Path(os.environ.get("KD_DATASET_DIR", REPO.parent / "shared" / "datasets" / "cifar10-subset"))
    if not path.exists():
        pytest.fail(f"No CIFAR subset at {path}: set KD_DATASET_DIR to the folder holding cifar-10-batches-bin/.")
    return path
