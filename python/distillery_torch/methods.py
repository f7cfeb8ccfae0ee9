"""The methods `scratch`, `kd`, `logit-mse`, `fitnet` and `oracle` (any relevance rule) as the page runs them (`src/methods/`):
which teacher outputs each needs, its modules, and its named loss terms (summed into the loss)."""
import torch

from .data_free import DATA_FREE_METHODS, dfkd_student_loss
from .losses import ConvReg, cross_entropy, kd_loss, logit_mse, oracle_input
from .lrp import lrp_oracle_input, relevance_rule
from .refilled import refilled_stage1_terms, refilled_stage2_terms
from .multi_teacher import MULTI_TEACHER_METHODS, create_multi_teacher_modules, multi_teacher_terms

# FitNets' hint is RepDistiller's `--hint_layer 2`: feat[2], the second stage map, in every family.
HINT_STAGE = 1


def create_modules(method, student, teacher, seed, image_side):
    """The method's trainable modules (FitNets' regressor; FitNet-MKD's and CA-MKD's per teacher, `teacher`
    then being the list of teachers), seeded as the page seeds them; None otherwise. Their shapes come from a
    probe forward of the run's `image_side`: the feature maps' sizes follow the input's."""
    device = next(student.parameters()).device
    if method in MULTI_TEACHER_METHODS:
        with torch.no_grad():
            probe = torch.zeros(1, 3, image_side, image_side, device=device)
            s_feats, _ = student.eval()(probe, is_feat=True)
            t_feats = [t.eval()(probe, is_feat=True)[0] for t in teacher]
        student.train()
        return create_multi_teacher_modules(method, s_feats, t_feats, seed)
    if method != "fitnet":
        return None
    with torch.no_grad():
        probe = torch.zeros(1, 3, image_side, image_side, device=device)
        s_feats, _ = student.eval()(probe, is_feat=True)
        t_feats, _ = teacher.eval()(probe, is_feat=True)
    student.train()
    shape = lambda feats: tuple(feats[1 + HINT_STAGE].shape[1:])  # noqa: E731  [stem, *stages, pooled]
    return ConvReg(shape(s_feats), shape(t_feats)).seeded_init(seed)


def teacher_outputs(method, teacher, x, labels, params, global_batch=None):
    """(features, logits) of the frozen teacher in eval mode, on x (the oracle: on its x*); a list of them
    for the multi-teacher methods."""
    if method in MULTI_TEACHER_METHODS:
        with torch.no_grad():
            return [t(x, is_feat=True) for t in teacher]
    if method == "oracle":
        rule = relevance_rule(params["rule"])  # None: the seed's gradient x input
        if rule is None:
            x = oracle_input(teacher, x, labels, params["gamma"], params["steps"], global_batch)
        else:
            x = lrp_oracle_input(teacher, x, labels, rule, params["gamma"], params["steps"], global_batch)
    with torch.no_grad():
        return teacher(x, is_feat=True)


def step_terms(method, params, student_out, teacher_out, labels, modules, epoch=0, teacher_nets=()):
    """(named loss terms, diagnostics) of one step: the multi-teacher methods also need the epoch (CA-MKD
    leaves its feature term out of the first) and the teacher networks (CA-MKD's heads), and report weights."""
    if method in MULTI_TEACHER_METHODS:
        return multi_teacher_terms(method, params, student_out, teacher_out, teacher_nets, labels, modules, epoch)
    if method == "refilled":
        if modules.stage == "embedding":
            return refilled_stage1_terms(params, student_out, teacher_out, labels)
        return refilled_stage2_terms(params, student_out, teacher_out, labels, modules.centres)
    return loss_terms(method, params, student_out, teacher_out, labels, modules), {}


def loss_terms(method, params, student_out, teacher_out, labels, modules):
    """Named loss terms of one step; the loss is their sum."""
    s_feats, s_logits = student_out
    if method == "scratch":
        return {"ce": cross_entropy(s_logits, labels)}
    t_feats, t_logits = teacher_out
    if method == "logit-mse":
        return {"mse": logit_mse(s_logits, t_logits)}
    if method in DATA_FREE_METHODS:  # on the generated batch: mean |s − t|, no CE, no temperature
        return {"l1": dfkd_student_loss(s_logits, t_logits)}
    terms = {"ce": cross_entropy(s_logits, labels) * params["ceWeight"]}
    if method in ("kd", "oracle"):
        terms["kd"] = kd_loss(s_logits, t_logits, params["T"]) * params["alpha"]
        return terms
    if method == "fitnet":
        regressed = modules(s_feats[1 + HINT_STAGE])
        terms["hint"] = torch.mean((regressed - t_feats[1 + HINT_STAGE]) ** 2) * params["beta"]
        if params["alpha"] > 0:
            terms["kd"] = kd_loss(s_logits, t_logits, params["T"]) * params["alpha"]
        return terms
    raise ValueError(f'method "{method}" has no losses here')
