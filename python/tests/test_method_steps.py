"""Same weights, same batch, same step: the multi-teacher, REFILLED and data-free methods give the page's
loss terms and diagnostics within 1e-4 (fixture written by the page's own method code,
scripts/method-steps-fixture.mjs; tests/torch/methodSteps.test.ts keeps it current on the TypeScript side).
The package seeds the methods' modules and the generator itself; their first values and sums are checked
against the page's first, so a mismatch says whether the seeding or the step differs."""
import json
import pathlib

import numpy as np
import pytest
import torch

from distillery_torch.data_free import DataFreeState, Generator, dfkd_student_loss, generator_loss_terms, student_batch, view_draws
from distillery_torch.keyed_random import keyed_rng
from distillery_torch.models import build_model
from distillery_torch.multi_teacher import create_multi_teacher_modules, multi_teacher_terms
from distillery_torch.refilled import class_embedding_sums, refilled_stage1_terms, refilled_stage2_terms

STEPS = json.loads((pathlib.Path(__file__).parent / "fixtures" / "method_steps.json").read_text())
TOL = 1e-4


def close(got, expected, floor=1e-3):
    """Relative 1e-4 down to values of `floor` (absolute 1e-4·floor below it), so small terms are checked too."""
    assert set(got) == set(expected)
    bad = {k: (got[k], v) for k, v in expected.items() if not abs(got[k] - v) <= TOL * max(floor, abs(v))}
    assert bad == {}


def batch():
    n = len(STEPS["labels"])
    x = (np.sin(np.arange(n * 32 * 32 * 3, dtype=np.float64) * 0.37) * 1.5).astype(np.float32).reshape(n, 32, 32, 3)
    return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.tensor(STEPS["labels"])


def nets(count):
    student = build_model(STEPS["student"]["model"], STEPS["numClasses"], seed=STEPS["student"]["seed"]).train()
    teachers = [build_model(t["model"], STEPS["numClasses"], seed=t["seed"]).eval().requires_grad_(False) for t in STEPS["teachers"][:count]]
    return student, teachers


def tfjs_layout(tensor):
    """A torch weight in the page's layout: conv kernels [k, k, in, out] (transposed convs [k, k, out, in]), dense [in, out]."""
    t = tensor.detach()
    return t.permute(2, 3, 1, 0) if t.dim() == 4 else t.T if t.dim() == 2 else t


def check_seeded(expected, tensors):
    for name, tensor in tensors.items():
        values = tfjs_layout(tensor)
        assert list(values.shape) == expected[name]["shape"], name
        np.testing.assert_allclose(values.flatten()[:4].numpy(), expected[name]["head"], rtol=1e-6, atol=1e-7, err_msg=name)
        assert values.double().sum().item() == pytest.approx(expected[name]["sum"], rel=1e-5, abs=1e-5), name


def module_tensors(modules):
    """The page's names of the modules' kernels and biases."""
    out = {}
    for m, module in enumerate(modules or []):
        prefix = f"regressor{m}/{'deconv' if isinstance(module.conv, torch.nn.ConvTranspose2d) else 'conv'}" if hasattr(module, "seeded_init") and not hasattr(module, "size") else f"embedder{m}/conv"
        out[f"{prefix}/kernel"], out[f"{prefix}/bias"] = module.conv.weight, module.conv.bias
    return out


@pytest.mark.parametrize("step", STEPS["multiTeacher"], ids=lambda s: s["method"])
def test_a_multi_teacher_step_is_the_pages(step):
    x, labels = batch()
    student, teachers = nets(len(STEPS["teachers"]))
    with torch.no_grad():
        teacher_outs = [t(x, is_feat=True) for t in teachers]
        probe, _ = build_model(STEPS["student"]["model"], STEPS["numClasses"]).eval()(x[:1], is_feat=True)
    modules = create_multi_teacher_modules(step["method"], probe, [feats for feats, _ in teacher_outs], STEPS["student"]["seed"])
    check_seeded(step["modules"], module_tensors(modules))
    if modules is not None:
        modules.train()
    terms, diagnostics = multi_teacher_terms(step["method"], step["params"], student(x, is_feat=True), teacher_outs, teachers, labels, modules, step["epoch"])
    close({k: float(v) for k, v in terms.items()}, step["terms"])
    close(diagnostics, step["diagnostics"])


def test_refilled_steps_of_both_stages_are_the_pages():
    expected = STEPS["refilled"]
    x, labels = batch()
    student, (teacher,) = nets(1)
    with torch.no_grad():
        teacher_out = teacher(x, is_feat=True)
    terms, diagnostics = refilled_stage1_terms(expected["params"], student(x, is_feat=True), teacher_out, labels)
    # The triplet term of nearly parallel unit embeddings (random-init networks) rests on the cancellation in
    # ‖a‖² + ‖b‖² − 2a·b: float32 gives it only to ~3e-3 relative in either framework (Python's float32 is
    # 5e-4 from float64, the page's 2e-3), so it is checked at the 1e-4 absolute.
    close({k: float(v) for k, v in terms.items()}, expected["stage1"]["terms"], floor=1)
    close(diagnostics, expected["stage1"]["diagnostics"])
    centres = class_embedding_sums(teacher_out[0][-1], labels, STEPS["numClasses"])
    terms, diagnostics = refilled_stage2_terms(expected["params"], student(x, is_feat=True), teacher_out, labels, centres)
    close({k: float(v) for k, v in terms.items()}, expected["stage2"]["terms"])
    close(diagnostics, expected["stage2"]["diagnostics"])


@pytest.mark.parametrize("step", STEPS["dataFree"], ids=lambda s: s["method"])
def test_a_generator_step_is_the_pages(step):
    params = step["params"]
    generator = Generator(params["nz"], params["ngf"]).seeded_init(STEPS["student"]["seed"]).train()
    names = {"l1/weight": generator.l1.weight, "l1/bias": generator.l1.bias}
    names.update({f"conv{i}/{k}": getattr(getattr(generator, f"conv{i}"), "weight" if k == "kernel" else "bias") for i in (1, 2, 3) for k in ("kernel", "bias")})
    check_seeded(step["generator"], names)
    student, (teacher,) = nets(1)
    z = torch.from_numpy((np.cos(np.arange(len(step["z"]), dtype=np.float64) * 0.53) * 1.2).astype(np.float32).reshape(-1, params["nz"]))
    np.testing.assert_allclose(z.flatten().numpy(), step["z"], rtol=1e-6)
    norm = STEPS["normalization"]
    mean, std = torch.tensor(norm["mean"]).view(1, 3, 1, 1), torch.tensor(norm["std"]).view(1, 3, 1, 1)
    rng = keyed_rng(*step["rngKey"])
    rng.int(0x7FFFFFFF)  # the noise seed the page's sample() draws before the view
    terms, diagnostics = generator_loss_terms(generator, teacher, student, z, lambda im: (im - mean) / std, view_draws(rng),
                                              step["method"] == "ta-dfkd", params["bnsWeight"])
    diagnostics["generator loss"] = float(sum(terms.values()))
    close(diagnostics, step["diagnostics"])
    close({k: float(terms[k]) for k in ("tv", "l2")}, step["priors"])


# conv1's and conv2's biases feed a BatchNorm in training mode, which cancels them: their gradient is 0 up to
# rounding, and Adam's first step turns rounding into an update of either sign, in either framework.
BN_CANCELLED = ("conv1/bias", "conv2/bias")


@pytest.mark.parametrize("step", STEPS["dataFree"], ids=lambda s: s["method"])
def test_the_generators_adam_step_moves_its_weights_as_the_pages(step):
    """One whole generator step (selection, losses, backward through the upsampling and BatchNorm, tfjs's Adam
    with epsilon 1e-7) leaves every trainable weight as the page's: Adam's first step is ±lr·sign(gradient),
    so a gradient that differs in sign shows here: tfjs's own resize gradients once moved hundreds of weights
    the other way (l1's sum by 0.66, a BatchNorm's gammas by 0.012)."""
    params = step["params"]
    state = DataFreeState(step["method"], params, STEPS["student"]["seed"], torch.device("cpu"))
    z = torch.from_numpy((np.cos(np.arange(len(step["z"]), dtype=np.float64) * 0.53) * 1.2).astype(np.float32).reshape(-1, params["nz"]))
    state.sample = lambda count, rng: (rng.int(0x7FFFFFFF), z[:count])[1]
    student, (teacher,) = nets(1)
    norm = STEPS["normalization"]
    mean, std = torch.tensor(norm["mean"]).view(1, 3, 1, 1), torch.tensor(norm["std"]).view(1, 3, 1, 1)
    diagnostics = state.after_step(teacher, student, z.shape[0], lambda im: (im - mean) / std, keyed_rng(*step["rngKey"]))
    close(diagnostics, step["diagnostics"])
    g = state.generator
    names = {"l1/weight": g.l1.weight, "l1/bias": g.l1.bias}
    names.update({f"conv{i}/{k}": getattr(getattr(g, f"conv{i}"), "weight" if k == "kernel" else "bias") for i in (1, 2, 3) for k in ("kernel", "bias")})
    names.update({f"bn{i}/{k}": getattr(getattr(g, f"bn{i}"), "weight" if k == "gamma" else "bias") for i in (0, 1, 2) for k in ("gamma", "beta")})
    for name in BN_CANCELLED:
        del names[name]
    for name, tensor in names.items():
        values, expected = tfjs_layout(tensor).double(), step["generatorAfter"][name]
        np.testing.assert_allclose(values.flatten()[:4].numpy(), expected["head"], atol=1e-6, err_msg=name)
        # A weight moved the other way shifts the sum by 2·lr = 2e-3. A few of l1's 16384 weights have a gradient
        # the size of float32 rounding, which may go either way; one such weight per 4096 is allowed.
        flips = max(1, values.numel() // 4096)
        assert values.sum().item() == pytest.approx(expected["sum"], abs=2e-3 * flips), name


@pytest.mark.parametrize("step", STEPS["dataFree"], ids=lambda s: s["method"])
def test_a_data_free_student_step_is_the_pages(step):
    """The student's batch (selection rate, random fill, train view, pseudo labels) and its L1, on fixed noise
    (each draw takes the one integer the page's sample() takes)."""
    expected, params = step["studentStep"], step["params"]
    generator = Generator(params["nz"], params["ngf"]).seeded_init(STEPS["student"]["seed"]).train()
    student, (teacher,) = nets(1)
    z = torch.from_numpy((np.cos(np.arange(len(step["z"]), dtype=np.float64) * 0.53) * 1.2).astype(np.float32).reshape(-1, params["nz"]))
    norm = STEPS["normalization"]
    mean, std = torch.tensor(norm["mean"]).view(1, 3, 1, 1), torch.tensor(norm["std"]).view(1, 3, 1, 1)
    sample = lambda count, rng: (rng.int(0x7FFFFFFF), z[:count])[1]  # noqa: E731
    x, labels, diagnostics = student_batch(generator, teacher, len(STEPS["labels"]), lambda im: (im - mean) / std,
                                           keyed_rng(*expected["rngKey"]), step["method"] == "ta-dfkd", sample)
    close(diagnostics, expected["diagnostics"])
    assert labels.tolist() == expected["labels"]
    assert x.double().sum().item() == pytest.approx(expected["xSum"], rel=1e-5)
    with torch.no_grad():
        t_logits = teacher(x)
    close({"l1": float(dfkd_student_loss(student(x), t_logits))}, expected["terms"])


def test_the_generators_noise_is_the_pages_values():
    """models/generator.ts sample(): one draw of the step's rng keys a stream of Box-Muller normals, which the
    package draws too, so a data-free run's generated images start from the page's very noise."""
    noise = STEPS["generatorNoise"]
    state = DataFreeState("ta-dfkd", {"nz": noise["nz"], "ngf": 8, "generatorLr": 1e-3, "studentSteps": 1, "bnsWeight": 10}, 1, "cpu")
    z = state.sample(noise["batch"], keyed_rng(*noise["rngKey"]))
    assert z.shape == (noise["batch"], noise["nz"]) and z.dtype == torch.float32
    assert z.flatten().tolist() == noise["values"]
