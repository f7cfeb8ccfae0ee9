"""A saved teacher trained on inputs normalised with other constants than the run's dataset (a ready teacher
made with CIFAR-10's reference constants, a RepDistiller import) runs behind a per-channel affine that turns
the dataset-normalised batch into what it was trained on, as the page's `src/models/inputNormalization.ts`:

    x_own = x_data · (s_data / s_own) + (m_data − m_own) / s_own.

It is part of the forward pass, so gradients reach x_data through it (the oracle's gradient × input, the
data-free generators); LRP walks the inner network on x_own (lrp.trace_network), as the page does."""
import torch
from torch import nn


def same_normalization(a, b):
    return list(a["mean"]) == list(b["mean"]) and list(a["std"]) == list(b["std"])


class RenormalizedTeacher(nn.Module):
    def __init__(self, net, dataset, own):
        super().__init__()
        self.inner = net
        self.input_normalization = {"mean": list(own["mean"]), "std": list(own["std"])}
        scale = [d / o for d, o in zip(dataset["std"], own["std"])]
        shift = [(dm - om) / os for dm, om, os in zip(dataset["mean"], own["mean"], own["std"])]
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("shift", torch.tensor(shift, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)

    def renormalize(self, x):
        return x * self.scale + self.shift

    def forward(self, x, *args, **kwargs):
        return self.inner(self.renormalize(x), *args, **kwargs)

    def __getattr__(self, name):
        # The zoo network's own attributes (model_id, num_classes, heads) read through the wrapper.
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name == "inner":
                raise
            return getattr(super().__getattr__("inner"), name)


def with_input_normalization(net, dataset, own):
    """`net` as it must run on dataset-normalised inputs: itself when it carries no constants or the
    dataset's, else wrapped."""
    if not own or same_normalization(own, dataset):
        return net
    return RenormalizedTeacher(net, dataset, own)
