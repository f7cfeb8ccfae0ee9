"""Same seed, same run: the package draws what the page draws (fixtures written by the page's code,
scripts/same-seed-fixture.mjs; tests/torch/sameSeed.test.ts keeps them current on the TypeScript side)."""
import json
import pathlib

import numpy as np
import pytest
import torch

from distillery_torch.batches import Normalizer, augmentation_draws, train_batch
from distillery_torch.cifar import balanced_subset, load_cifar
from distillery_torch.holdout import holdout_count, holdout_indices
from distillery_torch.keyed_random import derived_seed, keyed_rng, permutation
from distillery_torch.learner import Learner
from distillery_torch.losses import ConvReg
from distillery_torch.models import build_model
from distillery_torch.models.keyed_dropout import keyed_dropout_mask, keyed_dropout_uniforms

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
SAME_SEED = json.loads((FIXTURES / "same_seed.json").read_text())
SEED = SAME_SEED["seed"]


def test_the_keyed_generator_is_the_pages_bit_for_bit():
    draws = SAME_SEED["draws"]
    uniform, normal, ints = keyed_rng(SEED, "shuffle", 0), keyed_rng(SEED, "init", 0), keyed_rng(SEED, "augment", 0, 0)
    assert [uniform.next() for _ in draws["next"]] == draws["next"]
    assert [normal.normal() for _ in draws["normal"]] == pytest.approx(draws["normal"], rel=1e-15, abs=1e-15)
    assert [ints.int(10) for _ in draws["int10"]] == draws["int10"]
    seeds = draws["derivedSeeds"]
    assert derived_seed(SEED, "student") == seeds["student"]
    assert [derived_seed(SEED, "teacher", i) for i in (0, 1)] == [seeds["teacher0"], seeds["teacher1"]]


def test_the_first_batch_is_the_pages(cifar_subset):
    expected = SAME_SEED["firstBatch"]
    _, train, _, _ = cifar_subset
    config = expected["config"]
    held_count = holdout_count(config["subset"], config["holdout"])
    subset = balanced_subset(train, config["subset"], 10)
    held = holdout_indices(subset.labels, 10, held_count, SEED)
    assert held[:8].tolist() == expected["holdoutFirst"]
    kept = subset.select(np.setdiff1d(np.arange(subset.count), held))
    assert kept.count == expected["trainImages"]
    order = permutation(kept.count, keyed_rng(SEED, "shuffle", 0))
    indices = order[:16]
    assert indices.tolist() == expected["indices"]
    assert kept.labels[indices].tolist() == expected["labels"]
    draws = augmentation_draws(16, keyed_rng(SEED, "augment", 0, 0))
    assert [{"dy": dy, "dx": dx, "flip": flip} for dy, dx, flip in draws] == expected["crops"]
    norm = SAME_SEED["normalization"]
    x, _ = train_batch(kept, indices, Normalizer(norm["mean"], norm["std"]), keyed_rng(SEED, "augment", 0, 0))
    sums = x.double().sum(dim=(1, 2, 3)).numpy()
    np.testing.assert_allclose(sums, expected["imageSums"], rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(x[0].flatten()[:8].numpy(), expected["firstImageHead"], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("model_id", sorted(SAME_SEED["initialWeights"]))
def test_initial_weights_are_the_pages(model_id):
    state = build_model(model_id, 10, seed=SEED).state_dict()
    for tensor in SAME_SEED["initialWeights"][model_id]:
        got = state[tensor["name"]]
        assert list(got.shape) == tensor["shape"], tensor["name"]
        np.testing.assert_allclose(got.flatten()[:4].numpy(), tensor["head"], rtol=1e-6, atol=1e-7, err_msg=tensor["name"])
        assert got.double().sum().item() == pytest.approx(tensor["sum"], rel=1e-5, abs=1e-4), tensor["name"]


def test_initial_logits_are_the_pages(cifar_subset):
    expected = SAME_SEED["initialLogits"]
    _, _, test, _ = cifar_subset
    norm = SAME_SEED["normalization"]
    model = build_model(expected["model"], 10, seed=SEED).eval()
    with torch.no_grad():
        logits = model(Normalizer(norm["mean"], norm["std"])(test.images[expected["testImages"]]))
    np.testing.assert_allclose(logits.numpy(), expected["logits"], atol=1e-4)


def test_every_zoo_model_has_the_pages_names_and_shapes_in_order():
    table = json.loads((FIXTURES / "zoo_names.json").read_text())
    for model_id, names in table["models"].items():
        state = build_model(model_id, table["numClasses"]).state_dict()
        got = [[name, list(t.shape)] for name, t in state.items() if not name.endswith("num_batches_tracked")]
        assert got == names, model_id


def test_refilled_dropout_masks_are_the_pages():
    """Two training-mode forwards of REFILLED's WRN (passes 0 and 1, different keyed masks) give the page's logits."""
    expected = SAME_SEED["dropoutForward"]
    b, h, w, c = expected["inputShapeNhwc"]
    x = torch.sin(torch.arange(b * h * w * c, dtype=torch.float64) * 0.37).float().reshape(b, h, w, c).permute(0, 3, 1, 2)
    model = build_model(expected["model"], 10, seed=SEED).train()
    with torch.no_grad():
        passes = [model(x).numpy() for _ in expected["passes"]]
    for got, logits in zip(passes, expected["passes"]):
        np.testing.assert_allclose(got, logits, atol=1e-4)
    assert not np.allclose(passes[0], passes[1]), "the two passes must draw different masks"
    uniforms = keyed_dropout_uniforms(SEED, 3, 2, 70_000)
    assert uniforms[:6].tolist() == expected["uniformsHead"] and uniforms[-3:].tolist() == expected["uniformsTail"]


def test_keyed_dropout_keeps_about_1_minus_rate_and_refuses_a_rate_outside_0_1():
    mask = keyed_dropout_mask(1, 0, 0, (4, 8, 16, 16), 0.3)
    assert set(np.unique(mask.numpy()).tolist()) == {0.0, float(np.float32(1 / 0.7))}
    assert 0.27 < (mask == 0).float().mean().item() < 0.33
    with pytest.raises(ValueError, match=r"Dropout rate must be in \[0, 1\), got 1"):
        keyed_dropout_mask(1, 0, 0, (1, 1, 1, 1), 1)


@pytest.mark.parametrize("case", SAME_SEED["regressors"], ids=lambda c: f"{c['student']}->{c['teacher']}")
def test_fitnets_regressor_is_seeded_and_computes_as_the_pages(case):
    (hs, ws, cs), (ht, wt, ct) = case["student"], case["teacher"]
    regressor = ConvReg((cs, hs, ws), (ct, ht, wt)).seeded_init(SEED).eval()
    for weight in case["weights"]:
        got = (regressor.conv.weight if weight["name"].endswith("kernel") else regressor.conv.bias).detach()
        np.testing.assert_allclose(got.flatten()[:4].numpy(), weight["head"], rtol=1e-6, atol=1e-7, err_msg=weight["name"])
        assert got.double().sum().item() == pytest.approx(weight["sum"], rel=1e-5, abs=1e-5)
    count = 2 * hs * ws * cs
    x = torch.sin(torch.arange(count, dtype=torch.float64) * 0.37).float().reshape(2, hs, ws, cs).permute(0, 3, 1, 2)
    with torch.no_grad():
        y = regressor(x)
    np.testing.assert_allclose(y.flatten()[:6].numpy(), case["outputHead"], atol=1e-5)
    assert y.double().sum().item() == pytest.approx(case["outputSum"], rel=1e-5)


def test_the_first_training_step_is_the_pages(cifar_subset):
    """The page's own createLearner + trainStep on the first batch: same loss, same logits after (SGD, BatchNorm)."""
    expected = SAME_SEED["firstStep"]
    _, train, test, _ = cifar_subset
    config = {"subset": 5085, "holdout": True, "batch": 64, "seed": SEED, "lr": 0.05, "momentum": 0.9, "weightDecay": 5e-4, "nesterov": False}
    subset = balanced_subset(train, config["subset"], 10)
    held = holdout_indices(subset.labels, 10, holdout_count(config["subset"], True), SEED)
    kept = subset.select(np.setdiff1d(np.arange(subset.count), held))
    order = permutation(kept.count, keyed_rng(SEED, "shuffle", 0))
    norm = SAME_SEED["normalization"]
    normalize = Normalizer(norm["mean"], norm["std"])
    x, labels = train_batch(kept, order[: expected["batch"]], normalize, keyed_rng(SEED, "augment", 0, 0))
    assert derived_seed(SEED, "student") == expected["initSeed"]
    net = build_model(expected["model"], 10, seed=expected["initSeed"])
    learner = Learner({"key": expected["learner"]}, net, "scratch", {}, None, config)
    loss, correct, _ = learner.step(x, labels, None, expected["lr"])
    assert loss == pytest.approx(expected["loss"], rel=1e-5) and correct == expected["correct"]
    with torch.no_grad():
        logits = net.eval()(normalize(test.images[:2]))
    np.testing.assert_allclose(logits.numpy(), expected["logitsAfter"], atol=1e-4)


@pytest.mark.parametrize("count", [1, 2, 5])
def test_bulk_draws_are_the_one_by_one_draws_rounded_to_float32(count):
    one, bulk = keyed_rng(3, "bulk"), keyed_rng(3, "bulk")
    expected = np.array([one.normal() * 0.3 for _ in range(count)]).astype(np.float32)
    assert bulk.normals(count, 0.3).tolist() == expected.tolist()
    assert bulk.normal() == one.normal()  # the spare carries over
    expected = np.array([(one.next() * 2 - 1) * 0.5 for _ in range(count)]).astype(np.float32)
    assert bulk.uniforms(count, 0.5).tolist() == expected.tolist() and bulk.next() == one.next()
