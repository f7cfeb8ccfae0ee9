"""A saved teacher trained with other input constants than the run's dataset runs behind the page's
re-normalisation (src/models/inputNormalization.ts): its forward on dataset-normalised x is the bare
network's on x_own, gradients reach x, LRP walks it on x_own, and the bundle saves the bare network with its
own constants."""
import torch

from distillery_torch.input_normalization import RenormalizedTeacher, with_input_normalization
from distillery_torch.lrp import lrp_relevance, relevance_rule
from distillery_torch.models import build_model

DATASET = {"mean": [0.49, 0.48, 0.45], "std": [0.25, 0.24, 0.26]}
OWN = {"mean": [0.4914, 0.4822, 0.4465], "std": [0.247, 0.2435, 0.2616]}


def pixels_to(normalization, pixels):
    mean, std = (torch.tensor(normalization[k]).view(1, 3, 1, 1) for k in ("mean", "std"))
    return (pixels - mean) / std


def test_the_teacher_sees_the_pixels_normalised_as_it_was_trained():
    net = build_model("tiny-cnn", 10, seed=4).eval()
    pixels = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    wrapped = with_input_normalization(net, DATASET, OWN)
    assert isinstance(wrapped, RenormalizedTeacher)
    with torch.no_grad():
        torch.testing.assert_close(wrapped(pixels_to(DATASET, pixels)), net(pixels_to(OWN, pixels)), rtol=1e-5, atol=1e-5)
    assert wrapped.model_id == net.model_id and wrapped.num_classes == 10  # the zoo network's attributes read through
    assert with_input_normalization(net, DATASET, DATASET) is net and with_input_normalization(net, DATASET, None) is net


def test_gradients_reach_the_dataset_normalised_input_and_lrp_walks_the_network_on_its_own_inputs():
    net = build_model("tiny-cnn", 10, seed=4).eval()
    wrapped = with_input_normalization(net, DATASET, OWN)
    x = pixels_to(DATASET, torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(2))).requires_grad_(True)
    wrapped(x).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    labels = torch.tensor([1, 2])
    rule = relevance_rule(1)
    own = lrp_relevance(net, wrapped.renormalize(x.detach()), labels, rule)
    torch.testing.assert_close(lrp_relevance(wrapped, x.detach(), labels, rule), own)
