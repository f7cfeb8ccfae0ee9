"""Image folders imported at 64x64 (the page's other side beside CIFAR's 32): the pack's and run.json's
imageSide must agree, run.json's is 32 or 64 for an image folder, 32 for CIFAR, the crops keep the images'
side, and the models, the methods' probe-sized modules and the data-free generator work on 64x64 images
end to end."""
import json

import numpy as np
import pytest

import distillery_torch.data_free as data_free
import distillery_torch.run as run_module
from distillery_torch.batches import crop_and_flip
from distillery_torch.checkpoints import load_state_dict
from distillery_torch.config import ConfigError, check_run

from bundle_checks import check_bundle_structure, parse_with_the_page
from run_configs import tiny_run
from test_image_folder_run import pack, image_run, run_package

TRAIN, TEST = [i % 3 for i in range(48)], [i % 3 for i in range(18)]


def pack_of(side, image_side=None):
    return pack(TRAIN, TEST, side=side, image_side=image_side)


@pytest.mark.parametrize("pack_side, run_side", [(64, 32), (64, None), (32, 64)])
def test_a_pack_of_another_side_than_run_json_is_refused_naming_both(tmp_path, capsys, pack_side, run_side):
    images = pack_of(pack_side, image_side=pack_side if pack_side != 32 else None)
    assert run_package(tmp_path, image_run(image_side=run_side), images) == 2
    expected = run_side or 32
    assert f"holds {pack_side}x{pack_side} images, not run.json's {expected}x{expected} (dataset.imageSide)" in capsys.readouterr().err


@pytest.mark.parametrize("image_side", [64, 0, "32", True])
def test_a_cifar_run_is_32x32(image_side):
    run = tiny_run()
    run["dataset"] = {**run["dataset"], "imageSide": image_side}
    with pytest.raises(ConfigError, match=r"dataset\.imageSide .* is not 32 \(CIFAR's images are 32x32\)"):
        check_run(run)
    run["dataset"]["imageSide"] = 32
    check_run(run)


@pytest.mark.parametrize("image_side", [48, "64", 64.0, None])
def test_an_image_folder_run_is_32_or_64(image_side):
    run = image_run()
    run["dataset"]["imageSide"] = image_side
    with pytest.raises(ConfigError, match=r"dataset\.imageSide .* is not 32 or 64"):
        check_run(run)


def test_a_64x64_crop_moves_a_pixel_by_its_offsets_and_mirrors_it():
    """Padded by 4, cropped at (dy, dx): pixel (r, c) lands at (r + 4 - dy, c + 4 - dx), mirrored to column
    63 - that when flipped; what leaves the 64x64 window is gone and the padding brings zeros in."""
    image = np.zeros((1, 64, 64, 3), np.uint8)
    image[0, 10, 50] = (1, 2, 3)
    image[0, 63, 63] = (9, 9, 9)
    for dy, dx, flip in ((1, 7, False), (1, 7, True), (8, 8, False), (8, 0, False), (0, 8, True)):
        [out] = crop_and_flip(image, [(dy, dx, flip)])
        assert out.shape == (64, 64, 3)
        row, col = 10 + 4 - dy, 50 + 4 - dx
        assert tuple(out[row, 63 - col if flip else col]) == (1, 2, 3)
        corner = (63 + 4 - dy, 63 + 4 - dx)
        inside = corner[0] < 64 and corner[1] < 64
        assert (out == 9).any() == inside and out.sum() == 6 + (27 if inside else 0)


def recorded_shapes(monkeypatch, module, name):
    """Replaces module.name (a function returning (x, ...)) by one that also records each x's shape."""
    shapes, original = [], getattr(module, name)

    def recording(*args, **kwargs):
        out = original(*args, **kwargs)
        shapes.append(tuple(out[0].shape))
        return out

    monkeypatch.setattr(module, name, recording)
    return shapes


def trained_bundle(folder, run, images):
    assert run_package(folder, run, images) == 0
    [path] = (folder / "out").glob("*.distillery-run.json")
    bundle = json.loads(path.read_text())
    check_bundle_structure(bundle)
    parse_with_the_page(path)
    return bundle


def test_a_64_px_pack_trains_end_to_end_on_64x64_batches(tmp_path, monkeypatch):
    batches = recorded_shapes(monkeypatch, run_module, "train_batch")
    bundle = trained_bundle(tmp_path, image_run(image_side=64), pack_of(64, image_side=64))
    assert [l["key"] for l in bundle["run"]["learners"]] == ["teacher0", "scratch", "student"]
    assert batches and set(batches) == {(8, 3, 64, 64)}
    # Each model file says the side it was trained on, so the page can tell it from a 32x32 model.
    for learner in bundle["run"]["learners"]:
        _, metadata = load_state_dict(tmp_path / "out" / "models" / f"{learner['key']}.safetensors")
        assert metadata["imageSide"] == "64"


@pytest.mark.parametrize("method, params, term", [("fitnet", {}, "hint"), ("camkd", {"teachers": 2}, "inter"), ("refilled", {"stage1Epochs": 1}, "kd")])
def test_methods_with_probe_sized_modules_train_on_64_px(tmp_path, method, params, term):
    """FitNets' regressor, CA-MKD's embedders and REFILLED's class centres take their shapes from a probe
    forward (CA-MKD's embedder resizes to the teacher map's size itself: a 32x32 probe would not fit 64x64)."""
    bundle = trained_bundle(tmp_path, image_run(image_side=64, method=method, methodParams=params), pack_of(64, image_side=64))
    student = [m for m in bundle["run"]["epochs"] if m["learner"] == "student"][-1]
    assert term in student["terms"]


@pytest.mark.parametrize("method", ["ta-dfkd", "dfkd-basic"])
def test_a_data_free_method_generates_64x64_images_for_a_64_px_run(tmp_path, monkeypatch, method):
    generated = recorded_shapes(monkeypatch, data_free, "student_batch")
    run = image_run(image_side=64, method=method, epochs=1, methodParams={"nz": 16, "ngf": 8, "studentSteps": 2})
    bundle = trained_bundle(tmp_path, run, pack_of(64, image_side=64))
    [student] = [m for m in bundle["run"]["epochs"] if m["learner"] == "student"]
    assert "generator loss" in student["diagnostics"]
    assert generated and set(generated) == {(8, 3, 64, 64)}
