"""The selection GMM against scikit-learn 1.2.1's own fits: the `gmm` cases of tests/core/gmm.test.ts
(numbers from GaussianMixture(n_components=2, max_iter=10, tol=1e-2, reg_covar=5e-4), identical for
random_state 0..19), so the package keeps exactly the samples the page and sklearn keep."""
import numpy as np
import pytest

from distillery_torch.gmm import component_posterior, fit_gmm_1d, low_mean_posterior, select_clean_samples

BIMODAL = [0.1501, 0.1649, 0.1363, 0.1055, 0.1273, 0.1004, 0.153, 0.217, 0.1254, 0.119, 0.1745, 0.1678, 0.1553, 0.1035, 0.1485, 0.1848,
           0.0828, 0.1271, 0.0549, 0.0855, 0.6895, 0.7859, 0.724, 0.8163, 0.8094, 0.7888, 0.649, 0.7677, 0.7971, 0.8068]
OVERLAPPING = [0.1057, 0.0843, 0.0876, 0.0268, 0.154, 0.1343, 0.0902, 0.1232, 0.1084, 0.0834, 0.1293, 0.0907, 0.0901, 0.0762, 0.1136, 0.097,
               0.1164, 0.0818, 0.1038, 0.0732, 0.1252, 0.1056, 0.1099, 0.1123, 0.2478, 0.6066, 0.8613, 0.1223, 0.1041, 0.149, 0.6183, 0.4757]
LOSSES = [0.3542, 0.158, 0.0067, 0.088, 0.3043, 0.1904, 0.419, 0.0025, 0.2711, 0.0751, 0.1067, 0.9225, 0.4213, 1.1386, 0.5244, 0.6729,
          0.0435, 0.0908, 0.0716, 0.3445, 0.367, 0.0382, 0.1152, 0.3204, 0.0206, 0.0295, 0.2614, 0.5622, 2.7669, 3.0754, 2.2297, 2.5813,
          2.3147, 2.5509, 2.0251, 2.2683, 2.4215, 2.8595, 2.9581, 1.9706]

# (values, options, expected fit sorted by mean: means, variances, weights, iterations, converged, lower bound)
SKLEARN_FITS = {
    "bimodal": (BIMODAL, {}, [0.13417999999999997, 0.7634499999999999], [0.0019494675999999996, 0.0034204464999999995], [2 / 3, 1 / 3], 2, True, 1.0808010367611969),
    "overlapping": (OVERLAPPING, {}, [0.10370215064823433, 0.5514877940537076], [0.0011523610776259501, 0.044598706619460395],
                    [0.8402115489732759, 0.1597884510267241], 6, True, 1.441012036848273),
    "overlapping, max_iter 3, tol 1e-6": (OVERLAPPING, {"max_iterations": 3, "tolerance": 1e-6}, [0.10531330890892567, 0.5811678258636559],
                                          [0.001378088598547073, 0.03707648600292025], [0.8530226916019209, 0.14697730839807902], 3, False, 1.3657411717540966),
}


def _sorted(gmm):
    order = np.argsort(gmm.means, kind="stable")
    return gmm.means[order], gmm.variances[order], gmm.weights[order]


@pytest.mark.parametrize("name", sorted(SKLEARN_FITS))
def test_the_fit_is_sklearns(name):
    values, options, means, variances, weights, iterations, converged, lower_bound = SKLEARN_FITS[name]
    gmm = fit_gmm_1d(values, **options)
    got = _sorted(gmm)
    np.testing.assert_allclose(got[0], means, atol=1e-10)
    np.testing.assert_allclose(got[1], variances, atol=1e-10)
    np.testing.assert_allclose(got[2], weights, atol=1e-10)
    assert (gmm.iterations, gmm.converged) == (iterations, converged)
    assert gmm.lower_bound == pytest.approx(lower_bound, abs=1e-10)


def test_posteriors_are_sklearns():
    low = low_mean_posterior(fit_gmm_1d(BIMODAL), BIMODAL)
    assert np.round(low).tolist() == [1.0] * 20 + [0.0] * 10
    low = low_mean_posterior(fit_gmm_1d(OVERLAPPING), OVERLAPPING)
    np.testing.assert_allclose(low[[0, 3, 24]], [0.9967112715113597, 0.9821566600488837, 0.011121341560064604], atol=1e-10)
    assert low[31] == pytest.approx(2.9264334577210877e-25, abs=1e-30)
    short = fit_gmm_1d(OVERLAPPING, max_iterations=3, tolerance=1e-6)
    assert low_mean_posterior(short, OVERLAPPING)[24] == pytest.approx(0.07850749207136733, abs=1e-10)
    probe = [-1, 0, 0.1, 0.25, 0.3, 0.5, 1, 5]
    gmm = fit_gmm_1d(OVERLAPPING)
    total = component_posterior(gmm, probe, 0) + component_posterior(gmm, probe, 1)
    np.testing.assert_allclose(total, 1, atol=1e-12)


def test_degenerate_inputs_as_sklearn():
    pair = fit_gmm_1d([0, 1])
    np.testing.assert_allclose(_sorted(pair)[0], [0, 1], atol=1e-12)
    np.testing.assert_allclose(pair.variances, [5e-4, 5e-4], atol=1e-15)
    np.testing.assert_allclose(low_mean_posterior(pair, [0, 1]), [1, 0], atol=1e-12)
    same = fit_gmm_1d([0.3, 0.3, 0.3])
    np.testing.assert_allclose(_sorted(same)[0], [0, 0.3], atol=1e-12)
    np.testing.assert_allclose(_sorted(same)[2], [0, 1], atol=1e-12)
    for bad in ([0.5], [], [0, float("nan"), 1]):
        with pytest.raises(ValueError):
            fit_gmm_1d(bad)


def test_the_selection_keeps_the_low_loss_mode_as_sample_selection_split():
    keep, rate, gmm = select_clean_samples(LOSSES)
    assert keep.tolist() == [True] * 28 + [False] * 12 and rate == pytest.approx(0.7, abs=1e-12)
    np.testing.assert_allclose(_sorted(gmm)[0], [0.09104069549437911, 0.812595626281275], atol=1e-10)
    np.testing.assert_allclose(_sorted(gmm)[2], [0.6994920759637159, 0.3005079240362841], atol=1e-10)
    assert select_clean_samples([3 * x + 7 for x in LOSSES])[0].tolist() == keep.tolist()
    for losses in ([], [0.4], [0.2, 0.2, 0.2], [0.0] * 5):
        kept, rate, gmm = select_clean_samples(losses)
        assert kept.tolist() == [True] * len(losses) and rate == 1 and gmm is None
    assert select_clean_samples([2, 0.5, 0.5])[0].tolist() == [False, True, True]
    with pytest.raises(ValueError, match="NaN"):
        select_clean_samples([0.1, float("nan"), 0.3])
