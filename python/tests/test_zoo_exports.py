"""Zoo models exported by the page's code load in PyTorch with the right names, shapes, dtypes and values,
and match the state_dicts RepDistiller's model code made (the parity checkpoints) key for key."""
import json

import numpy as np
import pytest
import torch

from conftest import ZOO_EXPORTS
from safetensors_io import read_safetensors

# tfjs axis order -> PyTorch's, per layout (torch shape[i] = tfjs shape[axes[i]]).
TO_TORCH_AXES = {"conv2d": (3, 2, 0, 1), "depthwise": (2, 3, 0, 1), "dense": (1, 0), "vector": (0,)}

# The parity checkpoint each zoo export must match key for key (RepDistiller's model_dict name).
PARITY_CHECKPOINTS = {
    "resnet8-10": "resnet8.legacy.pth",
    "resnet20-10": "resnet20.pth",
    "resnet8x4-10": "resnet8x4.safetensors",
    "wrn_16_2-100": "wrn_16_2.pth",
    "vgg8-10": "vgg8.safetensors",
    "mobilenetv2-10": "MobileNetV2.pth",
    "shufflev1-10": "ShuffleV1.legacy.pth",
    "shufflev2-10": "ShuffleV2.safetensors",
}

STEMS = [spec.replace(":", "-") for spec in ZOO_EXPORTS]


def bare_state_dict(checkpoint):
    """The state_dict inside any of the parity layouts, without DataParallel's `module.` prefixes."""
    for key in ("model", "state_dict"):
        if isinstance(checkpoint, dict) and key in checkpoint and isinstance(checkpoint[key], dict):
            checkpoint = checkpoint[key]
    return {name.removeprefix("module."): tensor for name, tensor in checkpoint.items()}


def load_parity(path):
    if path.suffix == ".safetensors":
        return read_safetensors(path)[0]
    return bare_state_dict(torch.load(path, map_location="cpu"))


def tfjs_weights(folder, stem):
    """The exported model's tfjs files: local name -> float32 array in tfjs order."""
    manifest = json.loads((folder / f"{stem}.json").read_text())["weightsManifest"][0]["weights"]
    raw = np.fromfile(folder / f"{stem}.weights.bin", dtype="<f4")
    weights, offset = {}, 0
    for spec in manifest:
        size = int(np.prod(spec["shape"]))
        weights[spec["name"]] = raw[offset : offset + size].reshape(spec["shape"])
        offset += size
    assert offset == raw.size
    return weights


@pytest.mark.parametrize("stem", STEMS)
def test_pth_and_safetensors_hold_the_tfjs_weights(zoo_exports, stem):
    exported = torch.load(zoo_exports / f"{stem}.pth", map_location="cpu")
    assert isinstance(exported, dict)
    safetensors, metadata = read_safetensors(zoo_exports / f"{stem}.safetensors")
    assert list(safetensors) == list(exported)
    assert metadata["model"] == stem.rsplit("-", 1)[0]
    weights = tfjs_weights(zoo_exports, stem)
    names = json.loads((zoo_exports / f"{stem}.names.json").read_text())
    assert len(names) == len(weights)
    counters = [n for n in exported if n.endswith(".num_batches_tracked")]
    assert len(exported) == len(weights) + len(counters)
    for entry in names:
        expected = torch.from_numpy(np.ascontiguousarray(weights[entry["local"]].transpose(TO_TORCH_AXES[entry["layout"]])))
        for source in (exported, safetensors):
            got = source[entry["torch"]]
            assert got.dtype == torch.float32 and got.is_contiguous(), entry["torch"]
            assert torch.equal(got, expected), f"{stem}: {entry['torch']} differs from {entry['local']}"
    for name in counters:
        assert exported[name].dtype == torch.int64 and exported[name].shape == ()
        assert f"{name.removesuffix('num_batches_tracked')}running_var" in exported
        assert torch.equal(exported[name], safetensors[name])


def skeleton_of(state_dict):
    """A module tree with exactly `state_dict`'s parameters and buffers (zeros): RepDistiller's model code
    may not be copied here, so strict loading is checked against the names and shapes its code wrote."""
    root = torch.nn.Module()
    for name, tensor in state_dict.items():
        *path, leaf = name.split(".")
        module = root
        for part in path:
            if not hasattr(module, part):
                module.add_module(part, torch.nn.Module())
            module = getattr(module, part)
        zeros = torch.zeros_like(tensor)
        if tensor.is_floating_point() and not leaf.startswith("running_"):
            module.register_parameter(leaf, torch.nn.Parameter(zeros))
        else:
            module.register_buffer(leaf, zeros)
    return root


@pytest.mark.parametrize("stem", sorted(PARITY_CHECKPOINTS))
def test_export_matches_repdistillers_state_dict_strictly(zoo_exports, parity_dir, stem):
    original = load_parity(parity_dir / PARITY_CHECKPOINTS[stem])
    exported = torch.load(zoo_exports / f"{stem}.pth", map_location="cpu")
    assert list(exported) == list(original), "keys or their order differ"
    for name, tensor in original.items():
        assert exported[name].shape == tensor.shape, name
        assert exported[name].dtype == tensor.dtype, name
    model = skeleton_of(original)
    result = model.load_state_dict(exported, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, exported[name]), name
