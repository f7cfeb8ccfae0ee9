"""CIFAR-10/100 from the official binary layout (a folder or the `.tar.gz` itself), and the page's choice of
images (`src/data/cifarBinary.ts`): the class-balanced prefix subset, kept in record order."""
import io
import pathlib
import tarfile

import numpy as np

CIFAR_SIDE = 32
# Sides an image-folder import may be resized to on the page (src/contract/cifarFormat.ts IMAGE_FOLDER_SIDES).
IMAGE_FOLDER_SIDES = (32, 64)


def is_image_side(value, sides):
    """Whether `value` is an int among `sides`: a bool or float equal to one is not (the page writes neither)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in sides


def image_bytes(side):
    """Bytes of one side x side RGB image, uint8 NHWC."""
    return side * side * 3


RECORD_PIXELS = image_bytes(CIFAR_SIDE)  # 3072: the pixel part of a CIFAR record
LAYOUTS = {
    "cifar10": {"folder": "cifar-10-batches-bin", "label_bytes": 1, "classes": 10,
                "train": [f"data_batch_{i}.bin" for i in range(1, 6)], "test": ["test_batch.bin"], "names": "batches.meta.txt"},
    "cifar100": {"folder": "cifar-100-binary", "label_bytes": 2, "classes": 100,
                 "train": ["train.bin"], "test": ["test.bin"], "names": "fine_label_names.txt"},
}


class DatasetError(ValueError):
    """A data folder or archive that is not the official CIFAR binary layout."""


class LabeledImages:
    """uint8 images [N, side, side, 3] (NHWC, as the page keeps them; CIFAR's side is 32) and int64 labels [N]."""

    def __init__(self, images, labels):
        self.images = images
        self.labels = labels

    @property
    def count(self):
        return len(self.labels)

    def select(self, indices):
        return LabeledImages(self.images[indices], self.labels[indices])


def parse_records(data, kind, file):
    layout = LAYOUTS[kind]
    record = layout["label_bytes"] + RECORD_PIXELS
    if len(data) == 0 or len(data) % record:
        raise DatasetError(f"{file}: {len(data)} bytes is not a whole number of {record}-byte {kind} records")
    rows = np.frombuffer(data, dtype=np.uint8).reshape(-1, record)
    labels = rows[:, layout["label_bytes"] - 1].astype(np.int64)
    if labels.max(initial=0) >= layout["classes"]:
        raise DatasetError(f"{file}: a label is {labels.max()}, but {kind} labels are 0..{layout['classes'] - 1}")
    images = rows[:, layout["label_bytes"]:].reshape(-1, 3, CIFAR_SIDE, CIFAR_SIDE).transpose(0, 2, 3, 1)
    return LabeledImages(np.ascontiguousarray(images), labels)


def _reader(path):
    """(kind, read(member) -> bytes) for a folder holding the official layout, that folder, or the archive."""
    path = pathlib.Path(path)
    if path.is_file() and path.name.endswith((".tar.gz", ".tgz")):
        archive = tarfile.open(path, "r:gz")
        members = {m.name.lstrip("./"): m for m in archive.getmembers() if m.isfile()}
        for kind, layout in LAYOUTS.items():
            if f"{layout['folder']}/{layout['test'][0]}" in members:
                return kind, lambda name, f=layout["folder"]: archive.extractfile(members[f"{f}/{name}"]).read()
        raise DatasetError(f"{path}: no cifar-10-batches-bin/ or cifar-100-binary/ inside the archive")
    for kind, layout in LAYOUTS.items():
        for folder in (path / layout["folder"], path):
            if (folder / layout["test"][0]).is_file() and (folder / layout["train"][0]).is_file():
                return kind, lambda name, f=folder: (f / name).read_bytes()
    raise DatasetError(f"{path}: expected the official CIFAR binary layout (cifar-10-batches-bin/ with data_batch_*.bin "
                       "and test_batch.bin, or cifar-100-binary/ with train.bin and test.bin), or the .tar.gz archive")


def load_cifar(path):
    """(kind, train, test, class names) from `path`."""
    kind, read = _reader(path)
    layout = LAYOUTS[kind]

    def split(files):
        parts = [parse_records(read(name), kind, name) for name in files]
        return LabeledImages(np.concatenate([p.images for p in parts]), np.concatenate([p.labels for p in parts]))

    try:
        names = [line.strip() for line in read(layout["names"]).decode().splitlines() if line.strip()]
    except (KeyError, FileNotFoundError):
        names = [str(c) for c in range(layout["classes"])]
    return kind, split(layout["train"]), split(layout["test"]), names


def balanced_subset(data, n, num_classes):
    """The first `n` images with classes as even as the data allows, in record order (`takeBalancedSubset`)."""
    if n >= data.count:
        return data
    quota = [n // num_classes + (1 if c < n % num_classes else 0) for c in range(num_classes)]
    chosen = np.zeros(data.count, dtype=bool)
    taken = 0
    for i, label in enumerate(data.labels.tolist()):
        if taken >= n:
            break
        if quota[label] > 0:
            quota[label] -= 1
            chosen[i] = True
            taken += 1
    for i in range(data.count):
        if taken >= n:
            break
        if not chosen[i]:
            chosen[i] = True
            taken += 1
    return data.select(np.flatnonzero(chosen))
