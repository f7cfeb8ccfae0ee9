"""The Python zoo loads every parity checkpoint (RepDistiller's own code wrote them, in every layout people
have) with strict=True and reproduces its eval logits within 1e-5 and its `is_feat` features."""
import json

import numpy as np
import pytest
import torch

from distillery_torch.checkpoints import load_into, read_safetensors
from distillery_torch.models import build_model, model_id_of


def close(got, expected, tol):
    """The fixtures' rule: |got - expected| <= tol * max(1, |expected|)."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return bool(np.all(np.abs(got - expected) <= tol * np.maximum(1, np.abs(expected))))


@pytest.fixture(scope="module")
def parity(parity_dir):
    data = json.loads((parity_dir / "parity.json").read_text())
    features, _ = read_safetensors(parity_dir / "features.safetensors")
    return data, features


def parity_input(data):
    images = torch.tensor(data["testImages"], dtype=torch.float32) / 255
    mean = torch.tensor(data["normalize"]["mean"]).view(1, 3, 1, 1)
    std = torch.tensor(data["normalize"]["std"]).view(1, 3, 1, 1)
    return (images - mean) / std


def test_every_checkpoint_loads_strictly_and_matches_its_logits_and_features(parity, parity_dir):
    data, features = parity
    x = parity_input(data)
    assert len(data["models"]) >= 8
    for entry in data["models"]:
        model = build_model(model_id_of(entry["model"]), entry["numClasses"]).eval()
        load_into(model, parity_dir / entry["file"])
        assert sum(p.numel() for p in model.parameters()) == entry["parameters"], entry["model"]
        with torch.no_grad():
            feats, logits = model(x, is_feat=True)
            first_feats, _ = model(x[:1], is_feat=True)
        assert close(logits.numpy(), entry["logits"], 1e-5), entry["model"]
        assert len(first_feats) == len(entry["features"]), entry["model"]
        for got, key in zip(first_feats, entry["features"]):
            assert list(got.shape) == list(features[key].shape), key
            assert close(got.numpy(), features[key].numpy(), 1e-4), key


def test_a_checkpoint_of_another_architecture_is_refused_by_strict_loading(parity_dir):
    with pytest.raises(RuntimeError, match="Missing key|Unexpected key|size mismatch"):
        load_into(build_model("resnet20", 10), parity_dir / "resnet8.legacy.pth")
