"""The zoo models that have no parity checkpoint (REFILLED's WRN, the data-free KD codes' ResNet-18/34): their
PyTorch names and shapes are those the reference code's modules register, written out here from its
architecture (njulus/REFILLED networks/wide_resnet.py `MyNetwork`; TA-DFKD networks/resnet.py `ResNet18`,
`ResNet34`), and the page's export loads strictly into a module tree with exactly those names."""
import json

import numpy as np
import pytest
import torch

from distillery_torch.models import build_model
from test_zoo_exports import TO_TORCH_AXES, skeleton_of, tfjs_weights

BN = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


def batch_norm(prefix, channels):
    return [(f"{prefix}.{leaf}", () if leaf == "num_batches_tracked" else (channels,)) for leaf in BN]


def conv(prefix, cout, cin, k, bias):
    return [(f"{prefix}.weight", (cout, cin, k, k))] + ([(f"{prefix}.bias", (cout,))] if bias else [])


def refilled_wrn_names(depth, width, classes):
    """REFILLED's MyNetwork: conv1 (bias); layer1..3 of BasicBlocks registering bn1, conv1, dropout, bn2,
    conv2 and `shortcut` (a Sequential holding a biased 1x1 conv when stride or width changes); bn; fc."""
    names = conv("conv1", 16, 3, 3, True)
    cin = 16
    for s, (cout, stride) in enumerate(((16 * width, 1), (32 * width, 2), (64 * width, 2)), start=1):
        for b in range((depth - 4) // 6):
            block, block_in, block_stride = f"layer{s}.{b}", cin if b == 0 else cout, stride if b == 0 else 1
            names += batch_norm(f"{block}.bn1", block_in) + conv(f"{block}.conv1", cout, block_in, 3, True)
            names += batch_norm(f"{block}.bn2", cout) + conv(f"{block}.conv2", cout, cout, 3, True)
            if block_stride != 1 or block_in != cout:
                names += conv(f"{block}.shortcut.0", cout, block_in, 1, True)
        cin = cout
    return names + batch_norm("bn", cin) + [("fc.weight", (classes, cin)), ("fc.bias", (classes,))]


def dfkd_resnet_names(blocks, classes):
    """TA-DFKD's ResNet: conv1, bn1; layer1..4 of BasicBlocks registering conv1, bn1, conv2, bn2 and
    `shortcut` (0: 1x1 conv, 1: BN where stride or width changes); linear. No biases but the linear's."""
    names = conv("conv1", 64, 3, 3, False) + batch_norm("bn1", 64)
    cin = 64
    for s, (planes, count, stride) in enumerate(zip((64, 128, 256, 512), blocks, (1, 2, 2, 2)), start=1):
        for b in range(count):
            block, block_in, block_stride = f"layer{s}.{b}", cin if b == 0 else planes, stride if b == 0 else 1
            names += conv(f"{block}.conv1", planes, block_in, 3, False) + batch_norm(f"{block}.bn1", planes)
            names += conv(f"{block}.conv2", planes, planes, 3, False) + batch_norm(f"{block}.bn2", planes)
            if block_stride != 1 or block_in != planes:
                names += conv(f"{block}.shortcut.0", planes, block_in, 1, False) + batch_norm(f"{block}.shortcut.1", planes)
        cin = planes
    return names + [("linear.weight", (classes, cin)), ("linear.bias", (classes,))]


REFERENCE = {
    "wrn_16_1_refilled": lambda c: refilled_wrn_names(16, 1, c),
    "wrn_16_2_refilled": lambda c: refilled_wrn_names(16, 2, c),
    "wrn_40_1_refilled": lambda c: refilled_wrn_names(40, 1, c),
    "wrn_40_2_refilled": lambda c: refilled_wrn_names(40, 2, c),
    "resnet18_dfkd": lambda c: dfkd_resnet_names((2, 2, 2, 2), c),
    "resnet34_dfkd": lambda c: dfkd_resnet_names((3, 4, 6, 3), c),
}
# Trainable parameters at 10 classes, summed from the reference's architecture above; ResNet-18/34's are the
# well-known counts of the CIFAR ResNet-18 (11 173 962) and ResNet-34 (21 282 122).
REFERENCE_PARAMETERS = {
    "wrn_16_1_refilled": 175_626, "wrn_16_2_refilled": 692_810, "wrn_40_1_refilled": 565_386, "wrn_40_2_refilled": 2_246_474,
    "resnet18_dfkd": 11_173_962, "resnet34_dfkd": 21_282_122,
}
EXPORTED = {"wrn_16_2_refilled-100": "wrn_16_2_refilled", "resnet18_dfkd-10": "resnet18_dfkd"}


def trainable_count(names):
    leaves = ("running_mean", "running_var", "num_batches_tracked")
    return sum(int(np.prod(shape)) for name, shape in names if not name.endswith(leaves))


@pytest.mark.parametrize("model_id", sorted(REFERENCE))
def test_the_package_models_register_the_reference_names_in_order(model_id):
    state = build_model(model_id, 100).state_dict()
    assert [(name, tuple(t.shape)) for name, t in state.items()] == REFERENCE[model_id](100)


@pytest.mark.parametrize("model_id", sorted(REFERENCE))
def test_parameter_counts_are_the_references(model_id):
    assert trainable_count(REFERENCE[model_id](10)) == REFERENCE_PARAMETERS[model_id]
    assert sum(p.numel() for p in build_model(model_id, 10).parameters()) == REFERENCE_PARAMETERS[model_id]


@pytest.mark.parametrize("stem", sorted(EXPORTED))
def test_the_pages_export_loads_strictly_into_the_reference_names(zoo_exports, stem):
    reference = REFERENCE[EXPORTED[stem]](int(stem.rsplit("-", 1)[1]))
    exported = torch.load(zoo_exports / f"{stem}.pth", map_location="cpu")
    assert [(name, tuple(t.shape)) for name, t in exported.items()] == reference, "names, order or shapes differ"
    model = skeleton_of(exported)
    result = model.load_state_dict(exported, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    # And the package's own network takes it, with the page's values in PyTorch's layout.
    net = build_model(EXPORTED[stem], int(stem.rsplit("-", 1)[1]))
    net.load_state_dict(exported, strict=True)
    weights = tfjs_weights(zoo_exports, stem)
    for entry in json.loads((zoo_exports / f"{stem}.names.json").read_text()):
        expected = np.ascontiguousarray(weights[entry["local"]].transpose(TO_TORCH_AXES[entry["layout"]]))
        assert np.array_equal(net.state_dict()[entry["torch"]].numpy(), expected), entry["torch"]


def test_refilled_final_batch_norm_keeps_references_momentum():
    assert build_model("wrn_16_1_refilled", 10).bn.momentum == 0.9
