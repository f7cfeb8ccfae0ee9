"""REFILLED's losses (../shared/spec/methods.md Part B §2, njulus/REFILLED at HEAD), as the page's
`src/methods/refilledLosses.ts` and `refilled.ts` compute them: stage 1 matches the teacher's and the
student's semihard-triplet probabilities on the L2-normalised penultimate embeddings; stage 2 distils the
similarities to global class centres over the classes present in the batch. NCM accuracy scores stage 1.

Mining is a dense [B, B, B] mask, as on the page (no triplet cap, no index lists), built without gradient
because the reference mines under no_grad."""
import numpy as np
import torch
import torch.nn.functional as F

from .losses import cross_entropy, kd_loss

REFILLED_DEFAULTS = {"margin": 0.2, "tau1": 4.0, "tau2": 2.0, "lambda": 100.0}
# 1000 × 'batchmean' KL over the 2N stacked [P; 1 − P] is 500 × the mean binary KL.
TRIPLET_LOSS_SCALE = 500
# Squared distances are floored so the square root's gradient stays finite at coincident points.
MIN_SQUARED_DISTANCE = 1e-12
# Logit of a class absent from the batch: softmax gives it 0 and p·(log p − log q) stays 0·(finite).
ABSENT_CLASS_LOGIT = -1e9


def l2_normalize_rows(x):
    return x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)


def pairwise_distances(x):
    """Euclidean distances [B, B] from ‖a‖² + ‖b‖² − 2a·b, as the page (not torch.cdist) computes them."""
    sq = (x * x).sum(dim=1, keepdim=True)
    return (sq + sq.T - 2 * x @ x.T).clamp_min(MIN_SQUARED_DISTANCE).sqrt()


def _gaps(distances):
    """gap[a, p, n] = d[a, n] − d[a, p]."""
    return distances.unsqueeze(1) - distances.unsqueeze(2)


def semihard_triplet_mask(gaps, labels, margin):
    """TripletMarginMiner(margin, 'semihard') as a 0/1 mask: y_a = y_p, a ≠ p, y_n ≠ y_a, 0 < gap ≤ margin."""
    same = labels.unsqueeze(1) == labels.unsqueeze(0)
    positive = same & ~torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    valid = positive.unsqueeze(2) & (~same).unsqueeze(1)
    with torch.no_grad():
        semihard = (gaps > 0) & (gaps <= margin)
    return (valid & semihard).float()


def refilled_triplet_loss(student_embedding, teacher_embedding, labels, tau1=4.0, margin=0.2):
    """(loss, triplets): 500 · mean over the mined triplets of BinKL(P_t ‖ P_s), P = σ((d_an − d_ap)/τ1);
    0 with no triplet. log P and log(1 − P) come from logsigmoid, so nothing needs clamping."""
    student_gaps = _gaps(pairwise_distances(l2_normalize_rows(student_embedding)))
    mask = semihard_triplet_mask(student_gaps.detach(), labels, margin)
    xs = student_gaps / tau1
    xt = _gaps(pairwise_distances(l2_normalize_rows(teacher_embedding))) / tau1
    pt = torch.sigmoid(xt)
    binary_kl = pt * (F.logsigmoid(xt) - F.logsigmoid(xs)) + (1 - pt) * (F.logsigmoid(-xt) - F.logsigmoid(-xs))
    count = mask.sum()
    loss = (mask * binary_kl).sum() / count.clamp_min(1) * TRIPLET_LOSS_SCALE
    return loss, int(count.item())


def refilled_local_kd(student_logits, teacher_embedding, centers, labels, tau2=2.0):
    """KL(softmax(t/τ2) ‖ softmax(s_K/τ2)) over the classes K in the batch, batch mean, no τ² factor;
    t = ⟨e_T(x), normalised centre⟩ with `centers` the raw per-class sums of teacher embeddings."""
    classes = student_logits.shape[1]
    if centers.shape[0] != classes:
        raise ValueError(f"{centers.shape[0]} class centres for {classes} student logits")
    teacher_logits = teacher_embedding @ l2_normalize_rows(centers).T
    present = torch.bincount(labels, minlength=classes) > 0
    absent = torch.tensor(ABSENT_CLASS_LOGIT, dtype=student_logits.dtype, device=student_logits.device)
    restrict = lambda logits: torch.where(present, logits, absent)  # noqa: E731
    return kd_loss(restrict(student_logits), restrict(teacher_logits), tau2) / (tau2 * tau2)


def refilled_stage2_loss(student_logits, teacher_embedding, centers, labels, tau2=2.0, lam=100.0):
    """CE over all classes + λ·`refilled_local_kd`."""
    return cross_entropy(student_logits, labels) + lam * refilled_local_kd(student_logits, teacher_embedding, centers, labels, tau2)


def class_embedding_sums(embeddings, labels, num_classes):
    """[C, D] per-class sums of embeddings (the stage-2 centres before normalisation)."""
    return F.one_hot(labels, num_classes).to(embeddings.dtype).T @ embeddings


def nearest_class_mean_accuracy(embeddings, labels, num_classes):
    """Stage-1 score: centres = normalised per-class sums over the evaluated set itself; predict
    argmax ⟨e (unnormalised), c_k⟩ (the first class on a tie). float64, as the page's CPU loop."""
    e = np.asarray(embeddings, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    if len(y) == 0 or e.shape[0] != len(y):
        raise ValueError(f"{e.shape[0]} embeddings for {len(y)} labels")
    centres = np.zeros((num_classes, e.shape[1]))
    np.add.at(centres, y, e)
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    return float(np.mean(np.argmax(e @ centres.T, axis=1) == y))


def refilled_stage1_terms(params, student_out, teacher_out, labels):
    """Stage 1's (terms, diagnostics): the triplet loss on the penultimate embeddings, and the triplet count."""
    loss, triplets = refilled_triplet_loss(student_out[0][-1], teacher_out[0][-1], labels, params["tau1"], params["margin"])
    return {"triplet": loss}, {"triplets": float(triplets)}


def refilled_stage2_terms(params, student_out, teacher_out, labels, centres):
    """Stage 2's terms: CE and λ·local KD to the global centres (no diagnostics, as on the page)."""
    kd = refilled_local_kd(student_out[1], teacher_out[0][-1], centres, labels, params["tau2"])
    return {"ce": cross_entropy(student_out[1], labels), "kd": kd * params["lambda"]}, {}
