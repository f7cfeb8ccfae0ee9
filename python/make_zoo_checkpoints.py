"""Random-weight checkpoints with RepDistiller's state_dict names and shapes, for the zoo models the shared
parity assets lack: ResNet50 (models/resnetv2.py), vgg16 and vgg19 (models/vgg.py, the BatchNorm builds).

The names and shapes are written out here from the architectures' structure (module registration order,
as `state_dict()` lists them), independently of the TypeScript name map they test. Nothing is trained: the
convolutions are Kaiming-normal, the BatchNorm affine parameters and running statistics are random, so
every tensor is distinct.

Usage: python3 make_zoo_checkpoints.py OUT_DIR MODEL:CLASSES... [--seed N]
Writes, per model, OUT_DIR/MODEL.pth (torch.save zip, a bare state_dict), OUT_DIR/MODEL.safetensors (F32,
int64 counters) and OUT_DIR/MODEL.json: the class count, the trainable parameter count and, per tensor,
its shape, first value and float64 sum, for checking an import without reading the checkpoint.
"""
import argparse
import json
import math
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from safetensors_io import write_safetensors  # noqa: E402


class StateDict:
    """Adds tensors in the order PyTorch's state_dict() lists a module's parameters and buffers."""

    def __init__(self, generator):
        self.tensors = {}
        self.generator = generator

    def _uniform(self, shape, low, high):
        return low + (high - low) * torch.rand(shape, generator=self.generator)

    def conv(self, name, out_channels, in_channels, kernel, bias=False):
        std = math.sqrt(2.0 / (kernel * kernel * out_channels))
        self.tensors[f"{name}.weight"] = torch.randn((out_channels, in_channels, kernel, kernel), generator=self.generator) * std
        if bias:
            self.tensors[f"{name}.bias"] = self._uniform((out_channels,), -0.1, 0.1)

    def batch_norm(self, name, channels):
        self.tensors[f"{name}.weight"] = self._uniform((channels,), 0.5, 1.5)
        self.tensors[f"{name}.bias"] = self._uniform((channels,), -0.2, 0.2)
        self.tensors[f"{name}.running_mean"] = self._uniform((channels,), -0.2, 0.2)
        self.tensors[f"{name}.running_var"] = self._uniform((channels,), 0.5, 1.5)
        self.tensors[f"{name}.num_batches_tracked"] = torch.tensor(3, dtype=torch.int64)

    def linear(self, name, out_features, in_features):
        self.tensors[f"{name}.weight"] = torch.randn((out_features, in_features), generator=self.generator) * 0.01
        self.tensors[f"{name}.bias"] = self._uniform((out_features,), -0.1, 0.1)


def resnet50(sd, num_classes):
    """resnetv2.py's ResNet(Bottleneck, [3, 4, 6, 3]): 3x3 stem, layer1..4, `shortcut` Sequential, `linear`."""
    sd.conv("conv1", 64, 3, 3)
    sd.batch_norm("bn1", 64)
    in_planes = 64
    for layer, (planes, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], start=1):
        for block in range(blocks):
            prefix = f"layer{layer}.{block}"
            sd.conv(f"{prefix}.conv1", planes, in_planes, 1)
            sd.batch_norm(f"{prefix}.bn1", planes)
            sd.conv(f"{prefix}.conv2", planes, planes, 3)
            sd.batch_norm(f"{prefix}.bn2", planes)
            sd.conv(f"{prefix}.conv3", 4 * planes, planes, 1)
            sd.batch_norm(f"{prefix}.bn3", 4 * planes)
            if (stride if block == 0 else 1) != 1 or in_planes != 4 * planes:
                sd.conv(f"{prefix}.shortcut.0", 4 * planes, in_planes, 1)
                sd.batch_norm(f"{prefix}.shortcut.1", 4 * planes)
            in_planes = 4 * planes
    sd.linear("linear", num_classes, 512 * 4)


# vgg.py's cfg 'D' and 'E': each block's 3x3 conv widths.
VGG_CONFIGS = {
    "vgg16": [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]],
    "vgg19": [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]],
}


def vgg(config):
    """vgg.py's VGG with batch_norm: blockB is a Sequential [Conv2d, BatchNorm2d, ReLU]* without its last ReLU."""

    def build(sd, num_classes):
        in_channels = 3
        for block, widths in enumerate(config):
            for unit, width in enumerate(widths):
                sd.conv(f"block{block}.{3 * unit}", width, in_channels, 3, bias=True)
                sd.batch_norm(f"block{block}.{3 * unit + 1}", width)
                in_channels = width
        sd.linear("classifier", num_classes, 512)

    return build


MODELS = {"ResNet50": resnet50, "vgg16": vgg(VGG_CONFIGS["vgg16"]), "vgg19": vgg(VGG_CONFIGS["vgg19"])}


def state_dict(model, num_classes, seed):
    generator = torch.Generator().manual_seed(seed)
    sd = StateDict(generator)
    MODELS[model](sd, num_classes)
    return sd.tensors


def trainable_count(tensors):
    """Trainable scalars: everything but BatchNorm's running statistics and counters."""
    return sum(t.numel() for name, t in tensors.items() if not name.endswith(("running_mean", "running_var", "num_batches_tracked")))


def manifest(model, num_classes, tensors):
    probes = {name: {"shape": list(t.shape), "first": t.reshape(-1)[0].item(), "sum": t.double().sum().item()} for name, t in tensors.items()}
    return {"model": model, "numClasses": num_classes, "parameters": trainable_count(tensors), "tensors": probes}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=pathlib.Path)
    parser.add_argument("models", nargs="+", help="MODEL:CLASSES, MODEL one of " + ", ".join(MODELS))
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for index, spec in enumerate(args.models):
        model, _, classes = spec.partition(":")
        if model not in MODELS or not classes.isdigit():
            parser.error(f"{spec}: expected MODEL:CLASSES with MODEL one of {', '.join(MODELS)}")
        tensors = state_dict(model, int(classes), args.seed + index)
        torch.save(tensors, args.out_dir / f"{model}.pth")
        write_safetensors(args.out_dir / f"{model}.safetensors", tensors)
        (args.out_dir / f"{model}.json").write_text(json.dumps(manifest(model, int(classes), tensors)))


if __name__ == "__main__":
    main()
