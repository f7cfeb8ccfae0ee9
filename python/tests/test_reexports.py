"""A checkpoint RepDistiller's code wrote, imported by the page and exported again, is the same state_dict:
same keys in the same order, shapes, dtypes and float values bit for bit (num_batches_tracked, which the
playground does not keep, comes back as an int64 0)."""
import pytest
import torch

from conftest import REEXPORTED
from safetensors_io import read_safetensors
from test_zoo_exports import load_parity


@pytest.mark.parametrize("name", REEXPORTED)
@pytest.mark.parametrize("fmt", ["pth", "safetensors"])
def test_reexport_equals_the_original(parity_dir, reexports, name, fmt):
    original = load_parity(parity_dir / name)
    stem = name.removesuffix(".safetensors").removesuffix(".pth").removesuffix(".legacy")
    path = reexports / f"{stem}.{fmt}"
    exported = torch.load(path, map_location="cpu") if fmt == "pth" else read_safetensors(path)[0]
    assert list(exported) == list(original)
    for key, tensor in original.items():
        got = exported[key]
        assert got.shape == tensor.shape and got.dtype == tensor.dtype, key
        if key.endswith("num_batches_tracked"):
            assert got.item() == 0
        else:
            assert torch.equal(got.view(torch.int32), tensor.contiguous().view(torch.int32)), f"{key} differs"
