"""Your own images as the page decoded them: the `data/images.dstpack` of an image-folder export, in the page's
packed layout (`src/contract/packedImages.ts`):

    8 bytes  "DSTPACK1"
    4 bytes  manifest JSON length (little-endian)
    JSON     the dataset manifest (classNames, train.count, test.count, imageSide, ...)
    then     train images (count x side x side x 3 bytes, NHWC), train labels (count), test images, test labels

`imageSide` is the side the page resized the pictures to: 32 (CIFAR's, and the meaning of an absent field,
as in older packs) or 64.

The pictures travel decoded because another decoder (PIL, torchvision) would crop and resize them differently
from the browser's canvas, and the run should see the pixels the page trained on. Every length is checked
against the manifest before anything is read."""
import json
import struct

import numpy as np

from .cifar import CIFAR_SIDE, IMAGE_FOLDER_SIDES, DatasetError, LabeledImages, image_bytes, is_image_side

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
    side = manifest.get("imageSide", CIFAR_SIDE)
    if not is_image_side(side, IMAGE_FOLDER_SIDES):
        raise damaged(f"its imageSide is {json.dumps(side)}, not {' or '.join(map(str, IMAGE_FOLDER_SIDES))}")
    pixels = image_bytes(side)
    expected = 12 + json_length + sum(counts) * (pixels + 1)
    if len(data) != expected:
        raise damaged(f"{len(data)} bytes where its description needs {expected}")
    at = 12 + json_length
    sets = []
    for count in counts:
        images = np.frombuffer(data, dtype=np.uint8, count=count * pixels, offset=at).reshape(count, side, side, 3)
        at += count * pixels
        labels = np.frombuffer(data, dtype=np.uint8, count=count, offset=at).astype(np.int64)
        at += count
        if labels.max(initial=0) >= len(class_names):
            raise damaged(f"a label is {labels.max()}, but there are {len(class_names)} classes")
        sets.append(LabeledImages(np.ascontiguousarray(images), labels))
    return sets[0], sets[1], class_names
