"""Issue 21: a run on your own images carries them, decoded, in `data/images.dstpack` (the page's packed layout,
src/contract/packedImages.ts): the package trains on them without --data, names their classes in the bundle, and
refuses a damaged pack, a pack that is not the run's, and --data beside it, each by name."""
import json
import struct

import numpy as np
import pytest

from distillery_torch.cli import main
from distillery_torch.config import ConfigError, check_run

from safetensors_io import read_safetensors

from bundle_checks import check_bundle_structure, parse_with_the_page
from run_configs import tiny_run, write_run

CLASSES = ["circle", "stripe", "square"]


def pack(train_labels, test_labels, class_names=CLASSES, seed=0, side=32, image_side=None):
    """A pack as the page writes it: magic, manifest length, manifest, then images and labels per split.
    `side` is the pictures' side, `image_side` the manifest's imageSide (left out when None, as older packs)."""
    rng = np.random.default_rng(seed)
    manifest = {"name": "imported-images-shapes", "title": "shapes", "format": "image-folder", "classNames": class_names,
                "train": {"count": len(train_labels), "shards": []}, "test": {"count": len(test_labels), "shards": []},
                "normalization": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}}
    if image_side is not None:
        manifest["imageSide"] = image_side
    head = json.dumps(manifest).encode()
    parts = [b"DSTPACK1", struct.pack("<I", len(head)), head]
    for labels in (train_labels, test_labels):
        # Each class its own mean colour, so a network can tell them apart in an epoch or two.
        images = np.clip(rng.normal(60 + 70 * np.asarray(labels, dtype=float).reshape(-1, 1, 1, 1), 20, (len(labels), side, side, 3)), 0, 255).astype(np.uint8)
        parts += [images.tobytes(), np.asarray(labels, dtype=np.uint8).tobytes()]
    return b"".join(parts)


def image_run(image_side=None, **config):
    """A tiny run on the pack's images; `image_side` is run.json's dataset.imageSide (left out when None)."""
    run = tiny_run(dataset="imported-images-shapes", teacher="tiny-cnn", subset=64, testSubset=16, batch=8, holdout=False, **config)
    run["dataset"] = {"id": "imported-images-shapes", "kind": "image-folder", "numClasses": 3, "classNames": CLASSES,
                      "normalization": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
                      "file": "data/images.dstpack", "trainImages": 48, "testImages": 18}
    if image_side is not None:
        run["dataset"]["imageSide"] = image_side
    return run


def export(folder, run, images):
    path = write_run(folder, run)
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "images.dstpack").write_bytes(images)
    return path


def run_package(folder, run, images, *extra):
    path = export(folder, run, images)
    return main(["--config", str(path), "--out", str(folder / "out"), "--quiet", "--device", "cpu", *extra])


def test_a_run_on_your_images_trains_on_the_pack_and_names_its_classes(tmp_path):
    images = pack([i % 3 for i in range(48)], [i % 3 for i in range(18)])
    assert run_package(tmp_path, image_run(), images) == 0
    [bundle_path] = (tmp_path / "out").glob("*.distillery-run.json")
    bundle = json.loads(bundle_path.read_text())
    check_bundle_structure(bundle)
    parse_with_the_page(bundle_path)
    assert bundle["run"]["config"]["dataset"] == "imported-images-shapes"
    # Accuracies over the first 16 (testSubset) of the pack's 18 test pictures: whole sixteenths.
    for result in bundle["run"]["results"]:
        assert result["lastAccuracy"] * 16 == pytest.approx(round(result["lastAccuracy"] * 16))
    models = tmp_path / "out" / "models"
    assert sorted(p.name for p in models.iterdir()) == ["scratch.safetensors", "student.safetensors", "teacher0.safetensors"]
    tensors, metadata = read_safetensors(models / "student.safetensors")
    assert metadata["numClasses"] == "3" and json.loads(metadata["classNames"]) == CLASSES
    assert metadata["dataset"] == "imported-images-shapes"


@pytest.mark.parametrize("damage, message", [
    (lambda b: b"NOTAPACK" + b[8:], "does not start with DSTPACK1"),
    (lambda b: b[:-5], "bytes where its description needs"),
    (lambda b: b[:12] + b"x" + b[13:], "description is unreadable"),
])
def test_a_damaged_pack_is_refused_by_name(tmp_path, capsys, damage, message):
    images = pack([i % 3 for i in range(48)], [i % 3 for i in range(18)])
    assert run_package(tmp_path, image_run(), damage(images)) == 2
    err = capsys.readouterr().err
    assert "images.dstpack is not a readable Distillery image pack" in err and message in err


@pytest.mark.parametrize("image_side", [48, "64", 0, 65, 64.5, -32, True])
def test_a_pack_of_another_image_side_is_refused_by_name(tmp_path, capsys, image_side):
    images = pack([i % 3 for i in range(48)], [i % 3 for i in range(18)], image_side=image_side)
    assert run_package(tmp_path, image_run(), images) == 2
    err = capsys.readouterr().err
    assert "images.dstpack is not a readable Distillery image pack" in err
    assert f"its imageSide is {json.dumps(image_side)}, not 32 or 64" in err


def test_a_pack_declaring_64_with_the_bytes_of_32_is_refused(tmp_path, capsys):
    images = pack([i % 3 for i in range(48)], [i % 3 for i in range(18)], side=32, image_side=64)
    assert run_package(tmp_path, image_run(image_side=64), images) == 2
    needed = len(images) + 66 * (64 * 64 * 3 - 32 * 32 * 3)  # 48 + 18 images of 64x64 instead of 32x32
    assert f"{len(images)} bytes where its description needs {needed}" in capsys.readouterr().err


def test_a_negative_count_is_refused(tmp_path, capsys):
    # One image's bytes, described as -1 train and 2 test images: the total fits, the counts do not.
    images = pack([0], [])
    head_length = struct.unpack_from("<I", images, 8)[0]
    manifest = json.loads(images[12:12 + head_length])
    manifest["train"]["count"], manifest["test"]["count"] = -1, 2
    head = json.dumps(manifest).encode()
    forged = b"DSTPACK1" + struct.pack("<I", len(head)) + head + images[12 + head_length:]
    assert run_package(tmp_path, image_run(), forged) == 2
    assert "image counts" in capsys.readouterr().err


def test_a_label_beyond_the_classes_is_refused(tmp_path, capsys):
    images = pack([i % 3 for i in range(47)] + [7], [i % 3 for i in range(18)])
    assert run_package(tmp_path, image_run(), images) == 2
    assert "a label is 7, but there are 3 classes" in capsys.readouterr().err


def test_a_pack_of_other_classes_and_data_beside_the_pack_are_refused(tmp_path, capsys, cifar_subset_dir):
    other = pack([i % 3 for i in range(48)], [i % 3 for i in range(18)], class_names=["cat", "dog", "fox"])
    assert run_package(tmp_path / "other", image_run(), other) == 2
    assert "holds the classes cat, dog, fox, not run.json's circle, stripe, square" in capsys.readouterr().err
    images = pack([i % 3 for i in range(48)], [i % 3 for i in range(18)])
    assert run_package(tmp_path / "data", image_run(), images, "--data", str(cifar_subset_dir)) == 2
    assert "travel in the export: leave out --data" in capsys.readouterr().err


def test_a_cifar_run_without_data_and_a_pack_path_outside_the_export_are_refused(tmp_path, capsys):
    assert main(["--config", str(write_run(tmp_path, tiny_run())), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "--data is needed" in capsys.readouterr().err
    run = image_run()
    for file in ("../../etc/passwd", "/etc/passwd", "images.dstpack"):
        run["dataset"]["file"] = file
        with pytest.raises(ConfigError, match="must name a file under data/ in the export"):
            check_run(run)
