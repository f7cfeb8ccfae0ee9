"""Writes F16 and BF16 copies of F32 .safetensors checkpoints, for the importer's tests.

    python3 python/make_half_safetensors.py OUT_DIR IN.safetensors [IN.safetensors ...]

writes OUT_DIR/<stem>.f16.safetensors and OUT_DIR/<stem>.bf16.safetensors. Float tensors are rounded by
PyTorch's own conversion (round to nearest even); int64 counters are kept as they are.
"""
import os
import sys

import torch

from safetensors_io import read_safetensors, write_safetensors

HALF_TYPES = {"f16": torch.float16, "bf16": torch.bfloat16}


def write_half_copies(out_dir, source):
    tensors, metadata = read_safetensors(source)
    stem = os.path.basename(source).removesuffix(".safetensors")
    written = []
    for suffix, dtype in HALF_TYPES.items():
        converted = {name: t.to(dtype) if t.is_floating_point() else t for name, t in tensors.items()}
        path = os.path.join(out_dir, f"{stem}.{suffix}.safetensors")
        write_safetensors(path, converted, metadata)
        written.append(path)
    return written


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out_dir, sources = argv[0], argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    for source in sources:
        for path in write_half_copies(out_dir, source):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
