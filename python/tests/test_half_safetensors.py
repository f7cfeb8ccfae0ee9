"""make_half_safetensors.py writes F16 and BF16 copies whose values are PyTorch's rounding of the F32 ones."""
import subprocess
import sys

import pytest
import torch

from conftest import PYTHON_DIR
from safetensors_io import read_safetensors

SOURCES = ["resnet8x4.safetensors", "vgg8.safetensors", "ShuffleV2.safetensors"]


@pytest.mark.parametrize("source", SOURCES)
def test_half_copies_round_the_f32_values(parity_dir, tmp_path, source):
    subprocess.run([sys.executable, str(PYTHON_DIR / "make_half_safetensors.py"), str(tmp_path), str(parity_dir / source)], check=True, capture_output=True)
    original, metadata = read_safetensors(parity_dir / source)
    stem = source.removesuffix(".safetensors")
    for suffix, dtype in (("f16", torch.float16), ("bf16", torch.bfloat16)):
        copy, copy_metadata = read_safetensors(tmp_path / f"{stem}.{suffix}.safetensors")
        assert copy_metadata == metadata
        assert list(copy) == list(original)
        for name, tensor in original.items():
            expected = tensor.to(dtype) if tensor.is_floating_point() else tensor
            assert copy[name].dtype == expected.dtype and torch.equal(copy[name], expected), f"{suffix} {name}"
        floats = [t for t in copy.values() if t.is_floating_point()]
        assert floats and all(t.dtype == dtype for t in floats)
