"""TA-DFKD's clean-sample selection: a 1-D two-component Gaussian mixture fitted as scikit-learn's
`GaussianMixture(n_components=2, max_iter=10, tol=1e-2, reg_covar=5e-4)` fits a column of values, and the
selection built on it. A port of the page's `src/core/gmm.ts` (float64 numpy), so that the package keeps
exactly the samples the page keeps without depending on scikit-learn (CI's Python has none).

Like the page, k-means starts from the minimum and maximum instead of sklearn's random k-means++ seeding,
so the fit is deterministic; on 1-D data with an unambiguous two-cluster split both end in the same fit
(python/tests/test_gmm.py checks sklearn's own numbers)."""
from dataclasses import dataclass

import numpy as np

SELECTION_GMM_OPTIONS = {"max_iterations": 10, "tolerance": 1e-2, "reg_covar": 5e-4}
_EPS = np.finfo(np.float64).eps
_LOG_2PI = np.log(2 * np.pi)
# Lloyd's iterations always settle on 1-D data; the cap only guards against looping forever.
_MAX_KMEANS_ITERATIONS = 300


@dataclass(frozen=True)
class Gmm1d:
    means: np.ndarray
    variances: np.ndarray
    weights: np.ndarray
    converged: bool
    iterations: int
    lower_bound: float


def _kmeans_labels(x):
    """2-means from (min, max); a value equidistant from both centres joins cluster 0, as argmin does."""
    centres = np.array([x.min(), x.max()])
    labels = np.zeros(len(x), dtype=np.int64)
    for iteration in range(_MAX_KMEANS_ITERATIONS):
        new = (np.abs(x - centres[1]) < np.abs(x - centres[0])).astype(np.int64)
        if iteration > 0 and np.array_equal(new, labels):
            break
        labels = new
        for k in (0, 1):
            if np.any(labels == k):  # an empty cluster (all values equal) keeps its centre
                centres[k] = x[labels == k].mean()
    return labels


def _estimate(x, resp, reg_covar, renormalise):
    """sklearn's _estimate_gaussian_parameters in 1-D; masses get 10·eps so none is exactly 0."""
    masses = resp.sum(axis=0) + 10 * _EPS
    means = (resp * x[:, None]).sum(axis=0) / masses
    variances = (resp * (x[:, None] - means) ** 2).sum(axis=0) / masses + reg_covar
    # sklearn's _initialize divides the masses by n; only its M-step renormalises them.
    weights = masses / masses.sum() if renormalise else masses / len(x)
    return means, variances, weights


def _e_step(means, variances, weights, x):
    """(posteriors [n, 2], mean log-likelihood), in log space as sklearn computes them."""
    log_dens = np.log(weights) - 0.5 * (_LOG_2PI + np.log(variances) + (x[:, None] - means) ** 2 / variances)
    top = log_dens.max(axis=1, keepdims=True)
    log_norm = top + np.log(np.exp(log_dens - top).sum(axis=1, keepdims=True))
    return np.exp(log_dens - log_norm), float(log_norm.mean())


def fit_gmm_1d(values, max_iterations=10, tolerance=1e-2, reg_covar=5e-4):
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    if len(x) < 2:
        raise ValueError(f"a two-component mixture needs at least 2 values, got {len(x)}")
    if not np.all(np.isfinite(x)):
        raise ValueError("cannot fit a mixture to non-finite values")
    labels = _kmeans_labels(x)
    resp = np.stack([labels == 0, labels == 1], axis=1).astype(np.float64)
    params = _estimate(x, resp, reg_covar, renormalise=False)
    lower_bound, converged, iterations = -np.inf, False, 0
    while iterations < max_iterations:
        iterations += 1
        previous = lower_bound
        resp, lower_bound = _e_step(*params, x)
        params = _estimate(x, resp, reg_covar, renormalise=True)
        if abs(lower_bound - previous) < tolerance:
            converged = True
            break
    return Gmm1d(*params, converged=converged, iterations=iterations, lower_bound=lower_bound)


def component_posterior(gmm, values, component):
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    return _e_step(gmm.means, gmm.variances, gmm.weights, x)[0][:, component]


def low_mean_posterior(gmm, values):
    """Posterior of the lower-mean component (the first on a tie, as numpy's argmin)."""
    return component_posterior(gmm, values, 1 if gmm.means[1] < gmm.means[0] else 0)


def select_clean_samples(losses):
    """(keep mask, rate, gmm or None): min-max normalise the losses, fit the mixture, keep a sample when the
    low-loss component's posterior is > 0.5. Fewer than two losses, or all equal (where the reference divides
    by zero), keep everything."""
    x = np.asarray(losses, dtype=np.float64).reshape(-1)
    if np.any(np.isnan(x)):
        raise ValueError("cannot select samples with NaN losses")
    if len(x) < 2 or not x.max() > x.min():
        return np.ones(len(x), dtype=bool), 1.0, None
    normalised = (x - x.min()) / (x.max() - x.min())
    gmm = fit_gmm_1d(normalised, **SELECTION_GMM_OPTIONS)
    keep = low_mean_posterior(gmm, normalised) > 0.5
    return keep, float(keep.mean()), gmm
