"""Claim checks: percentiles against closed forms, crossing years against direct simulation, origins."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import forecast
from forecast.published.check import check_claim, crossing_interval, parse_value
from forecast.published.publishers import fit_publishers
from forecast.errors import ClaimError, MoneyError
from forecast.intervals import Predictive
from forecast.families.base import FitResult, as_annual


class KnownLogLinear(FitResult):
    """log y_t = a + b (t - t0) + N(0, s^2), parameters known exactly (no estimation uncertainty)."""

    model = "exponential"

    def __init__(self, y: pd.Series, a: float, b: float, s: float, t0: int):
        y = as_annual(y)
        self.a, self.b, self.s, self.t0 = a, b, s, t0
        yrs = np.array([p.year for p in y.index])
        fitted = pd.Series(np.exp(a + b * (yrs - t0)), index=y.index)
        params = pd.DataFrame({"estimate": [a, b, s], "std_err": [0.0, 0.0, 0.0]}, index=["a", "b", "s"])
        super().__init__(y, params=params, fitted=fitted, residuals=np.log(y) - np.log(fitted))

    def _loc(self, years):
        return self.a + self.b * (np.array([p.year for p in years]) - self.t0)

    def _predictive(self, years):
        return Predictive(years, loc=self._loc(years), scale=np.full(len(years), self.s), space="log")

    def _simulate(self, years, n, rng):
        return self._loc(years)[None, :] + self.s * rng.standard_normal((n, len(years)))


def _series(n=15, a=np.log(1e9), b=0.2, s=0.15, seed=0, t0=2010):
    rng = np.random.default_rng(seed)
    yrs = np.arange(t0, t0 + n)
    y = pd.Series(np.exp(a + b * (yrs - t0) + s * rng.standard_normal(n)), index=yrs, name="losses")
    y.attrs["unit"] = "USD"
    return y


@pytest.fixture(scope="module")
def pub_fit():
    return fit_publishers()


# ----------------------------------------------------------- percentiles
@pytest.mark.parametrize("year", [2027, 2018, 2005])  # after, inside and before the data
def test_percentile_matches_student_t_closed_form_for_exponential(year):
    y = _series()
    res = forecast.fit(y, model="exponential")
    value = 7.5e9
    # independent OLS on log y and the Student-t prediction interval
    t = np.array([p.year for p in as_annual(y).index], dtype=float)
    ly = np.log(y.to_numpy())
    X = np.column_stack([np.ones_like(t), t])
    coef, *_ = np.linalg.lstsq(X, ly, rcond=None)
    rss = np.sum((ly - X @ coef) ** 2)
    n = len(t)
    s2 = rss / (n - 2)
    x0 = np.array([1.0, year])
    se = np.sqrt(s2 * (1 + x0 @ np.linalg.inv(X.T @ X) @ x0))
    expect = 100 * stats.t.cdf((np.log(value) - x0 @ coef) / se, df=n - 2)
    c = check_claim(value, year, against=res)
    assert c.percentile == pytest.approx(expect, abs=1e-6)
    assert c.median == pytest.approx(np.exp(x0 @ coef), rel=1e-9)
    assert c.ratio_to_median == pytest.approx(value / np.exp(x0 @ coef), rel=1e-9)
    assert c.scale == "losses"


def test_percentile_known_lognormal_and_growth_rates():
    y = _series()
    known = KnownLogLinear(y, a=np.log(1e9), b=0.2, s=0.15, t0=2010)
    c = check_claim("30bn", 2030, against=known)
    mu = np.log(1e9) + 0.2 * 20
    assert c.percentile == pytest.approx(100 * stats.norm.cdf((np.log(30e9) - mu) / 0.15), abs=1e-9)
    # implied growth from the last observation, fitted growth of the median
    last = float(y.iloc[-1])
    assert c.growth_from_year == 2024
    assert c.implied_growth == pytest.approx((30e9 / last) ** (1 / 6) - 1)
    assert c.fitted_growth == pytest.approx(np.expm1(0.2))


# ---------------------------------------------------------- crossing years
def _exact_crossing_quantiles(a, b, s, t0, years, value, q):
    """Quantiles of the first year a path with iid noise reaches value: P(T <= Y) = 1 - prod P(below)."""
    below = stats.norm.cdf((np.log(value) - (a + b * (years - t0))) / s)
    cdf = 1 - np.cumprod(below)
    return [int(years[np.searchsorted(cdf, qq)]) if cdf[-1] >= qq else np.inf for qq in q]


def test_crossing_year_against_closed_form_and_direct_simulation():
    y = _series()
    a, b, s, t0 = np.log(1e9), 0.2, 0.15, 2010
    known = KnownLogLinear(y, a=a, b=b, s=s, t0=t0)
    value = 60e9
    c = check_claim(value, 2030, against=known, n=4000, seed=1)
    # the median first reaches the value in the first year with a + b (t - t0) >= log value
    years = np.arange(2025, 2101)
    assert c.crossing_year == int(years[np.argmax(a + b * (years - t0) >= np.log(value))])
    # independent direct simulation, another seed
    rng = np.random.default_rng(12345)
    paths = a + b * (years - t0)[None, :] + s * rng.standard_normal((20000, len(years)))
    hit = paths >= np.log(value)
    first = np.where(hit.any(axis=1), years[np.argmax(hit, axis=1)], np.inf)
    lo, hi = np.quantile(first, [0.025, 0.975], method="inverted_cdf")
    assert abs(c.crossing_lower - lo) <= 1 and abs(c.crossing_upper - hi) <= 1
    exact = _exact_crossing_quantiles(a, b, s, t0, years, value, [0.025, 0.975])
    assert abs(c.crossing_lower - exact[0]) <= 1 and abs(c.crossing_upper - exact[1]) <= 1
    assert f"{c.crossing_year} (95% interval {c.crossing_lower}-{c.crossing_upper})" == c.crossing


def test_not_reached_says_so_instead_of_inventing_a_year():
    y = _series(b=0.01)
    known = KnownLogLinear(y, a=np.log(1e9), b=0.01, s=0.05, t0=2010)
    c = check_claim("1 trillion", 2030, against=known)
    assert c.crossing_year is None and c.crossing_lower is None
    assert c.crossing.startswith("not reached by 2100")
    assert "not reached by 2100" in c.verdict
    assert c.paths_crossed == 0.0


def test_crossing_within_the_data():
    y = _series()
    known = KnownLogLinear(y, a=np.log(1e9), b=0.2, s=0.15, t0=2010)
    c = check_claim("2bn", 2013, against=known)
    assert c.crossing_year == 2014 and "within the data" in c.crossing


def test_crossing_interval_helper():
    first = np.array([2030.0] * 10 + [2031.0] * 80 + [np.inf] * 10)
    assert crossing_interval(first) == (2030.0, np.inf)


# ------------------------------------------------------- time-series model
def test_time_series_model_in_sample_uses_residual_spread_and_refuses_earlier_years():
    y = _series()
    res = forecast.fit(y, model="drift")
    c = check_claim(float(res.fitted.iloc[3]), int(res.fitted.index[3].year), against=res)
    assert c.percentile == pytest.approx(50.0, abs=1e-6)
    assert "residual spread" in c.judged_on
    with pytest.raises(ClaimError, match="too far before"):
        check_claim("1bn", 2000, against=res)
    first_fitted = int(res.fitted.index[0].year)
    if first_fitted > 2010:  # the drift model has no fitted value for its first year
        with pytest.raises(ClaimError, match="before the data of the 'drift' model"):
            check_claim("1bn", 2010, against=res)


# ------------------------------------------------------ publisher scales
def test_publisher_fit_percentile_and_scale(pub_fit):
    c = check_claim("2 trillion", 2019, against=pub_fit)
    pred = pub_fit.predictive_at([2019])
    assert c.scale == "CSIS/McAfee"
    assert c.percentile == pytest.approx(100 * float(pred.cdf(2e12)[0]))
    s = check_claim("2 trillion", 2019, against=pub_fit, publisher="Statista")
    assert s.scale == "Statista" and s.percentile < c.percentile
    # growth from the publisher's last figure before the claim year
    obs = pub_fit.observations("CSIS/McAfee")
    assert c.growth_from_year == 2017
    assert c.implied_growth == pytest.approx((2e12 / float(obs[obs.index.year == 2017].iloc[0])) ** 0.5 - 1)
    assert c.fitted_growth == pytest.approx(pub_fit.growth_rate()[0], rel=1e-9)


def test_seed_claims_name_their_likely_origins(pub_fit):
    two = check_claim("2 trillion", 2019, against=pub_fit)
    assert two.matched_id == "russian-mfa-2018-2019" and two.origin_ids == ("juniper-2015",)
    assert "Juniper Research (2015)" in two.likely_origin and "inference" in two.likely_origin
    three = check_claim("$3T", 2020, against=pub_fit)
    assert three.matched_id == "russian-mfa-2018-2020" and three.origin_ids == ("mckinsey-wef-2014",)
    assert "McKinsey/WEF (2014)" in three.verdict
    for c in (two, three):
        assert "percentile" in c.verdict and "CSIS/McAfee scale" in c.verdict and "95% interval" in c.verdict
    other = check_claim(1.234e12, 2019, against=pub_fit)
    assert other.matched_id is None and "no catalogued figure" in other.likely_origin


def test_to_frame_is_one_row(pub_fit):
    c = check_claim("3 trillion", 2020, against=pub_fit, real=2024, share_of_gdp=True)
    f = c.to_frame()
    assert len(f) == 1 and f.loc[0, "origin_ids"] == "mckinsey-wef-2014"
    assert f.loc[0, "value_real_2024"] == pytest.approx(forecast.to_real(3e12, year=2020, base_year=2024))
    assert f.loc[0, "value_share_of_gdp"] == pytest.approx(forecast.share_of_gdp(3e12, year=2020))
    assert list(f.columns)[-1] == "verdict"


def test_bad_claims(pub_fit):
    with pytest.raises(MoneyError):
        check_claim("3 zillion", 2020, against=pub_fit)
    with pytest.raises(ClaimError, match="positive"):
        check_claim(-5, 2020, against=pub_fit)
    with pytest.raises(ClaimError, match="after 2100"):
        check_claim("3T", 2150, against=pub_fit)
    with pytest.raises(ClaimError, match="too far before"):
        check_claim("3T", 1950, against=pub_fit)
    with pytest.raises(ClaimError, match="unknown publisher"):
        check_claim("3T", 2020, against=pub_fit, publisher="Nobody")
    with pytest.raises(ClaimError, match="multi-publisher model only"):
        check_claim("3T", 2020, against=forecast.fit(_series(), model="exponential"), publisher="Statista")


def test_parse_value():
    assert parse_value("$2.1 trillion") == 2.1e12
    assert parse_value(445e9) == 445e9


def test_claims_catalogue():
    c = forecast.claims()
    data = forecast.load("global_estimates")
    assert set(c["id"]) == set(data.loc[data["kind"] == "forecast", "id"])
    mfa = c.set_index("id").loc[["russian-mfa-2018-2019", "russian-mfa-2018-2020"]]
    assert list(mfa["value_usd"]) == [2e12, 3e12]
    assert list(mfa["likely_origin"]) == ["juniper-2015", "mckinsey-wef-2014"]
    assert mfa["origin"].str.contains("inference").all()
    assert "data breach cost" in mfa.loc["russian-mfa-2018-2019", "origin"]
    real = forecast.claims(real=2024, share_of_gdp=True).set_index("id")
    assert real.loc["russian-mfa-2018-2019", "value_usd_real_2024"] == pytest.approx(
        forecast.to_real(2e12, year=2019, base_year=2024))
    assert np.isnan(real.loc["juniper-2017", "value_usd_share_of_gdp"])  # a multi-year total has no year


def test_docstring_examples():
    import doctest

    import forecast.published._format as fmt
    import forecast.published.catalog as catalog
    import forecast.published.check as check

    for mod in (fmt, catalog, check):
        result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, mod.__name__


def test_crossing_interval_open_ended_when_paths_do_not_reach_the_value_by_the_horizon():
    y = _series()
    known = KnownLogLinear(y, a=np.log(1e9), b=0.1, s=0.05, t0=2010)
    value = float(np.exp(np.log(1e9) + 0.1 * 26)) * 0.999  # the median just reaches it in 2036
    c = check_claim(value, 2030, against=known, until=2036)
    assert c.crossing_year == 2036 and c.crossing_upper is None
    assert c.crossing.endswith("to after 2036)")
    assert 0.3 < c.paths_crossed < 0.7
