"""Your own images as the page decoded them: the `data/images.dstpack` of an image-folder export, in the page's
packed layout (`src/contract/packedImages.ts`):

    8 bytes  "DSTPACK1"
    4 bytes  manifest JSON length (little-endian)
    JSON     the dataset manifest (classNames, train.count, test.count, ...)
    then     train images (count x 3072, 32x32x3 NHWC), train labels (count), test images, test labels

The pictures travel decoded because another decoder (PIL, torchvision) would crop and resize them differently
from the browser's canvas, and the run should see the pixels the page trained on. Every length is checked
against the manifest before anything is read."""
import json
import struct

import numpy as np

from .cifar import RECORD_PIXELS, DatasetError, LabeledImages

MAGIC = b"DSTPACK1"


def load_packed_images(path):
    """(train, test, class names) from a `.dstpack` file."""
    data = path.read_bytes()
    name = path.name

    def damaged(why):
        return DatasetError(f"{name} is not a readable Distillery image pack ({why}); export the run from the page again")

    if len(data) < 12 or data[:8] != MAGIC:
        raise damaged("it does not start with DSTPACK1")
    (json_length,) = struct.unpack_from("<I", data, 8)
    try:
        manifest = json.loads(data[12:12 + json_length].decode("utf-8"))
        class_names = [str(n) for n in manifest["classNames"]]
        counts = int(manifest["train"]["count"]), int(manifest["test"]["count"])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise damaged(f"its description is unreadable: {error}") from error
    if manifest.get("format") != "image-folder" or len(class_names) < 2 or min(counts) < 0:
        raise damaged("it does not describe an image-folder dataset of two or more classes and its image counts")
    expected = 12 + json_length + sum(counts) * (RECORD_PIXELS + 1)
    if len(data) != expected:
        raise damaged(f"{len(data)} bytes where its description needs {expected}")
    at = 12 + json_length
    sets = []
    for count in counts:
        images = np.frombuffer(data, dtype=np.uint8, count=count * RECORD_PIXELS, offset=at).reshape(count, 32, 32, 3)
        at += count * RECORD_PIXELS
        labels = np.frombuffer(data, dtype=np.uint8, count=count, offset=at).astype(np.int64)
        at += count
        if labels.max(initial=0) >= len(class_names):
            raise damaged(f"a label is {labels.max()}, but there are {len(class_names)} classes")
        sets.append(LabeledImages(np.ascontiguousarray(images), labels))
    return sets[0], sets[1], class_names
