"""make_zoo_checkpoints.py: RepDistiller's sizes, a loadable zip checkpoint, and a manifest that describes it."""
import json

import pytest
import torch

import make_zoo_checkpoints

# Trainable parameters; at 100 classes RepDistiller's papers list 23.71M, 14.77M and 20.09M.
SIZES = {("ResNet50", 100): 23_705_252, ("ResNet50", 10): 23_520_842, ("vgg16", 100): 14_774_436, ("vgg19", 10): 20_040_522}


@pytest.mark.parametrize(("model", "classes"), list(SIZES))
def test_sizes(model, classes):
    assert make_zoo_checkpoints.trainable_count(make_zoo_checkpoints.state_dict(model, classes, 0)) == SIZES[(model, classes)]


def test_written_checkpoint_loads_and_matches_its_manifest(tmp_path):
    make_zoo_checkpoints.main([str(tmp_path), "vgg16:10", "--safetensors"])
    state = torch.load(tmp_path / "vgg16.pth", map_location="cpu")
    manifest = json.loads((tmp_path / "vgg16.json").read_text())
    assert list(state) == list(manifest["tensors"])
    assert state["block2.6.weight"].shape == (256, 256, 3, 3) and state["block2.7.running_var"].shape == (256,)
    assert state["block4.1.num_batches_tracked"].dtype == torch.int64
    for name, tensor in state.items():
        probe = manifest["tensors"][name]
        assert list(tensor.shape) == probe["shape"]
        assert tensor.double().sum().item() == pytest.approx(probe["sum"], rel=1e-12, abs=1e-12)
    assert (tmp_path / "vgg16.safetensors").stat().st_size > 0
