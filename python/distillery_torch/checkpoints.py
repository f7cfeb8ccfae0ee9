"""State dicts from the files people have: `.safetensors` (read by hand, Debian has no safetensors package),
`.pth` in the zip or the legacy format, bare or wrapped (`{"model": ...}` RepDistiller training checkpoints,
`{"state_dict": ...}`), with or without DataParallel's `module.` prefixes; and `.safetensors` written back
in the page's PyTorch-import layout (`models/<key>.safetensors`)."""
import json
import pathlib
import sys

import torch

# The hand-written safetensors reader/writer lives beside this package (python/safetensors_io.py).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402


def load_state_dict(path):
    """(state_dict, metadata) of a checkpoint file; metadata is the safetensors `__metadata__` or {}."""
    path = pathlib.Path(path)
    if path.suffix == ".safetensors":
        tensors, metadata = read_safetensors(path)
        return _strip(tensors), metadata
    loaded = torch.load(path, map_location="cpu")
    for key in ("model", "state_dict"):
        if isinstance(loaded, dict) and isinstance(loaded.get(key), dict):
            loaded = loaded[key]
            break
    if not isinstance(loaded, dict) or not all(torch.is_tensor(v) for v in loaded.values()):
        raise ValueError(f"{path.name}: not a state_dict, nor a checkpoint holding one under 'model' or 'state_dict'")
    return _strip(loaded), {}


def _strip(state):
    if state and all(name.startswith("module.") for name in state):
        return {name[len("module."):]: tensor for name, tensor in state.items()}
    return dict(state)


def load_into(model, path):
    """Loads a checkpoint into a zoo `model` with strict=True; returns the file's metadata."""
    state, metadata = load_state_dict(path)
    model.load_state_dict(state, strict=True)
    return metadata


def save_model(path, model, metadata):
    """The model's state_dict (F32, int64 BatchNorm counters) as safetensors with the page's metadata."""
    tensors = {name: (t if t.dtype == torch.int64 else t.float()).detach().cpu().contiguous() for name, t in model.state_dict().items()}
    text = {key: value if isinstance(value, str) else json.dumps(value) for key, value in metadata.items()}
    write_safetensors(path, tensors, text)
