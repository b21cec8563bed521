"""The truncated log-t mean by a fixed quadrature rule, against adaptive quadrature at tight tolerance."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

import forecast
from forecast.published._bounds import BoundedPredictive, truncated_log_mean
from forecast.intervals import year_index

TOL = 1e-9  # relative error allowed against the oracle (measured: below 1e-13 on these cases)


def oracle(loc: float, s: float, df: float, lower: float, upper: float) -> float:
    """The same integral by scipy.integrate.quad over frozen scipy.stats pdfs, relative tolerance 1e-12."""
    d = stats.t(df) if np.isfinite(df) else stats.norm()
    zl = -np.inf if lower <= 0 else (np.log(lower) - loc) / s
    zu = (np.log(upper) - loc) / s
    lo = max(zl, -40.0)
    pts = [p for p in (-5.0, -1.0, 0.0, 1.0, 5.0) if lo < p < zu]
    val, _err = integrate.quad(lambda z: np.exp(s * z) * d.pdf(z), lo, zu, limit=1000, points=pts or None,
                               epsabs=0, epsrel=1e-12)
    return float(np.exp(loc) * val / (d.cdf(zu) - d.cdf(zl)))


def _cases(n: int, seed: int) -> list[tuple[float, float, float, float, float]]:
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        loc = rng.uniform(20, 32)
        s = 10 ** rng.uniform(-2, 0.5)
        df = float(rng.choice([0.8, 1.0, 1.5, 2.5, 4.0, 10.0, 50.0, np.inf]))
        lower = 0.0 if rng.random() < 0.3 else float(np.exp(loc - 10 ** rng.uniform(-1, 1.3)))
        upper = float(np.exp(loc + 10 ** rng.uniform(-1, 1.3)))
        out.append((loc, s, df, lower, upper))
    return out


EXTREMES = [(27.0, 3.0, 1.0, 0.0, np.exp(40.0)), (27.0, 0.01, 3.0, np.exp(26.0), np.exp(40.0)),
            (27.0, 1.0, 0.5, np.exp(20.0), np.exp(28.0)), (27.0, 2.0, np.inf, 0.0, np.exp(60.0)),
            (27.0, 0.3, 2.0, np.exp(27.5), np.exp(29.0))]


@pytest.mark.parametrize("case", _cases(40, 1) + EXTREMES)
def test_truncated_mean_matches_adaptive_quadrature(case):
    got = truncated_log_mean(*(np.array([c]) for c in case))[0]
    assert got == pytest.approx(oracle(*case), rel=TOL)


def test_normal_case_is_the_closed_form_of_the_untruncated_lognormal():
    m = truncated_log_mean(np.array([1.0]), np.array([0.5]), np.array([np.inf]), np.array([0.0]),
                           np.array([np.inf]))
    assert m[0] == pytest.approx(np.exp(1.0 + 0.125), rel=1e-12)


def test_infinite_upper_bound_gives_an_infinite_t_mean():
    m = truncated_log_mean(np.array([1.0]), np.array([0.5]), np.array([5.0]), np.array([0.0]), np.array([np.inf]))
    assert np.isinf(m[0])


def test_bundled_fit_means_match_adaptive_quadrature():
    fit = forecast.fit_publishers()
    for pub in fit.scales:
        pred = fit.predictive_at(range(2010, 2031), publisher=pub)
        assert isinstance(pred, BoundedPredictive)
        df = np.broadcast_to(np.asarray(pred.df, dtype=float), (len(pred.years),))
        got = pred._trunc_mean(pred.upper)
        want = [oracle(pred.loc[j], pred.scale[j], df[j] if df[j] < 1e6 else np.inf, pred.lower[j],
                       pred.upper[j]) for j in range(len(got))]
        np.testing.assert_allclose(got, want, rtol=TOL)


def test_mean_reported_only_where_the_bound_does_not_set_it():
    years = year_index([2025, 2026])
    light = BoundedPredictive(years, loc=np.array([27.0, 27.0]), scale=np.array([0.2, 0.2]),
                              df=np.array([40.0, 1.2]), space="log", lower=np.array([1e9, 1e9]),
                              upper=np.array([1e14, 1e14]))
    m = light.mean()
    assert np.isfinite(m[0]) and np.isnan(m[1])
    assert "mean not reported for 1 of 2 years" in light.meta["mean_note"]
