"""Scorecard of past forecasts: each forecast once, the same publisher and measure, proper scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import forecast
from forecast.published._simulate import frame, row, simulate_estimates
from forecast.published.publishers import fit_publishers
from forecast.published.scorecard import crps_t, scorecard


@pytest.fixture(scope="module")
def bundled():
    fit = fit_publishers()
    return fit, scorecard(fit)


def _crps_numeric(y, loc, scale, df):
    F = (lambda x: stats.t.cdf(x, df, loc, scale)) if np.isfinite(df) else (lambda x: stats.norm.cdf(x, loc, scale))
    lo = integrate.quad(lambda x: F(x) ** 2, -np.inf, y, limit=200)[0]
    hi = integrate.quad(lambda x: (1 - F(x)) ** 2, y, np.inf, limit=200)[0]
    return lo + hi


@pytest.mark.parametrize("y,loc,scale,df", [(0.3, 0.0, 1.0, np.inf), (2.5, 0.5, 0.7, np.inf), (0.3, 0.0, 1.0, 3.0),
                                            (-1.2, 0.4, 0.5, 1.6), (4.0, 0.0, 2.0, 10.0)])
def test_crps_closed_form_against_numerical_integration(y, loc, scale, df):
    assert float(crps_t(y, loc, scale, df)[0]) == pytest.approx(_crps_numeric(y, loc, scale, df), rel=1e-6)


@pytest.mark.parametrize("y,loc,scale,df", [(0.3, 0.0, 1.0, np.inf), (2.5, 0.5, 0.7, np.inf), (0.3, 0.0, 1.0, 3.0),
                                            (4.0, 0.0, 2.0, 10.0)])
def test_crps_from_quantiles_equals_the_closed_form(y, loc, scale, df):
    from forecast.intervals import Predictive, year_index
    from forecast.published.scorecard import crps_quantiles, log_score

    p = Predictive(year_index([2020]), loc=np.array([loc]), scale=np.array([scale]), df=df)
    assert crps_quantiles(p, np.exp(y)) == pytest.approx(float(crps_t(y, loc, scale, df)[0]), rel=2e-3)
    logpdf = stats.norm.logpdf(y, loc, scale) if np.isinf(df) else stats.t.logpdf(y, df, loc, scale)
    assert log_score(p, np.exp(y)) == pytest.approx(-logpdf, abs=1e-6)


def test_crps_is_infinite_without_a_mean():
    assert np.isinf(crps_t(0.0, 0.0, 1.0, 1.0)[0]) and np.isinf(crps_t(0.0, 0.0, 1.0, 0.8)[0])


def test_every_passed_forecast_is_scored_once(bundled):
    fit, sc = bundled
    data = forecast.load("global_estimates")
    due = data[(data["kind"] == "forecast") & data["target_year"].notna()]
    due = due[due["target_year"].astype(int) <= fit.last_year]
    listed = set(sc["id"]) | {i.split("row ")[-1] for r in sc["repeated_in"] for i in r.split(", ") if "row " in i}
    assert listed == set(due["id"])
    assert "juniper-2017" not in set(sc["id"])  # a cumulative total has no target year
    assert {"russian-mfa-2018-2019", "russian-mfa-2018-2020", "cv-2016-2021"} <= set(sc["id"])
    # the same Cybersecurity Ventures forecast ($6T for 2021, 2016 and again 2020) is counted once
    assert "cv-2020-2021" not in set(sc["id"])
    cv = sc.set_index("id").loc["cv-2016-2021"]
    assert "cv-2020-2021" in cv["repeated_in"] and "counted once" in cv["note"]
    # forecasts are never fitted: the model that scores them did not see them
    inc = fit.inclusion.set_index("id")
    assert not inc.loc[list(sc["id"]), "included"].any()


def test_no_mean_across_publishers_and_only_the_same_measure(bundled):
    fit, sc = bundled
    by = sc.set_index("id")
    # a publisher without a later estimate of its own has no outcome: never another publisher's figure
    assert np.isnan(by.loc["tass-2017-2020", "outcome_usd"]) and np.isnan(by.loc["russian-mfa-2018-2020", "ratio"])
    assert "no later estimate by TASS" in by.loc["tass-2017-2020", "note"]
    # a data-breach cost and a scenario impact are not compared with the total-cost model
    for i in ("juniper-2015", "mckinsey-wef-2014"):
        assert by.loc[i, "scale"] == "" and np.isnan(by.loc[i, "model_percentile"])
        assert pd.isna(by.loc[i, "in_model_95"]) and "not compared with the model" in by.loc[i, "note"]
    # the outcome, where there is one, is the same publisher's, of the same year and measure
    est = forecast.load("global_estimates").set_index("id")
    for _, r in sc[sc["outcome_usd"].notna()].iterrows():
        o = est.loc[r["outcome_id"]]
        assert o["publisher"] == r["publisher"] and int(o["target_year"]) == r["target_year"]
        assert o["measure"] == r["measure"] and o["kind"] == "estimate"


def test_model_columns_on_the_same_scale(bundled):
    fit, sc = bundled
    # CV's only estimate ($3T for 2015) is borrowed from the WEF: CV has no scale of its own; TASS has one
    assert sc.set_index("id").loc["cv-2016-2021", "scale"] == "CSIS/McAfee"
    r = sc.set_index("id").loc["tass-2017-2020"]
    assert r["scale"] == "TASS"
    pred = fit.predictive_at([2020], "TASS")
    assert r["model_percentile"] == pytest.approx(100 * float(pred.cdf(1e12)[0]))
    assert r["model_lower_80_usd"] == pytest.approx(float(pred.quantile(0.1)[0]))
    inside = (sc["model_lower_95_usd"] <= sc["forecast_usd"]) & (sc["forecast_usd"] <= sc["model_upper_95_usd"])
    has = sc["scale"] != ""
    assert (inside[has] == sc.loc[has, "in_model_95"].astype(bool)).all()
    # expected CRPS under the model: E|log f - log Y|, checked by simulation from the predictive
    draws = np.log(pred.quantile(np.random.default_rng(0).uniform(size=200_000)[:, None])[:, 0])
    assert r["expected_crps_under_model"] == pytest.approx(np.mean(np.abs(draws - np.log(1e12))), rel=0.01)
    mfa = sc.set_index("id").loc["russian-mfa-2018-2019"]
    assert mfa["scale"] == "CSIS/McAfee" and "shown on the CSIS/McAfee scale" in mfa["note"]


def _design():
    df = simulate_estimates({"A": range(2008, 2021), "B": range(2010, 2021)}, {"A": 0.0, "B": 1.0},
                            {"A": 0.1, "B": 0.15}, seed=4)
    df["published_year"] = df["target_year"].astype(int) + 1
    extra = frame([row("a-fc", "A", 2019, 5000.0, kind="forecast", published_year=2015),
                   row("a-fc-again", "A", 2019, 5050.0, kind="forecast", published_year=2017),
                   row("a-range", "A", 2020, None, kind="forecast", published_year=2016, low_bn=900.0,
                       high_bn=2500.0),
                   row("c-fc", "C", 2020, 5000.0, kind="forecast", published_year=2015),
                   row("a-late", "A", 2030, 5000.0, kind="forecast", published_year=2015)])
    return pd.concat([df, extra], ignore_index=True)


def test_same_publisher_outcome_proper_scores_and_the_model_refitted_on_earlier_figures():
    df = _design()
    fit = fit_publishers(df, reference="A")
    sc = scorecard(fit, estimates=df).set_index("id")
    assert "a-late" not in sc.index  # 2030 has not passed
    assert "a-fc-again" not in sc.index and "a-fc-again" in sc.loc["a-fc", "repeated_in"]
    a = sc.loc["a-fc"]
    y = df.set_index("id").loc["a-2019", "point_usd_bn"] * 1e9
    assert a["outcome_id"] == "a-2019" and a["outcome_usd"] == pytest.approx(y)
    assert a["forecast_crps"] == pytest.approx(abs(np.log(5000e9 / y)))  # a point forecast's CRPS
    # the model as a forecaster that knew only the figures published before 2015
    retro = fit_publishers(df[df["published_year"].astype(int) < 2015], reference="A")
    pred = retro.predictive_at([2019], "A")
    assert a["model_rows"] == len(retro.data)
    # the scores of the model's own distribution: the quantile form of the CRPS and the log density, by a
    # numerical integral of its cdf and its quantile function
    ly = np.log(y)
    F = lambda w: float(pred.cdf(np.exp(w))[0])  # noqa: E731
    crps = integrate.quad(lambda w: F(w) ** 2, ly - 40, ly, limit=400)[0] + \
        integrate.quad(lambda w: (1 - F(w)) ** 2, ly, ly + 40, limit=400)[0]
    assert a["model_crps"] == pytest.approx(crps, rel=2e-3)
    dens = (F(ly + 1e-3) - F(ly - 1e-3)) / 2e-3
    assert a["model_log_score"] == pytest.approx(-np.log(dens), abs=1e-3)
    lo, hi = float(pred.quantile(0.025)[0]), float(pred.quantile(0.975)[0])
    assert a["model_interval_score_95"] == pytest.approx(
        np.log(hi / lo) + 2 / 0.05 * (max(np.log(lo / y), 0) + max(np.log(y / hi), 0)))
    # a range forecast is scored as the log-normal its range implies, and by its 90% interval score
    r = sc.loc["a-range"]
    y20 = df.set_index("id").loc["a-2020", "point_usd_bn"] * 1e9
    sd = np.log(2500 / 900) / (2 * stats.norm.ppf(0.95))
    mid = np.sqrt(900e9 * 2500e9)
    assert r["forecast_crps"] == pytest.approx(_crps_numeric(np.log(y20), np.log(mid), sd, np.inf), rel=1e-6)
    assert np.isfinite(r["forecast_interval_score_90"])
    # a publisher with no estimates has no outcome: not the mean of A's and B's figures
    c = sc.loc["c-fc"]
    assert np.isnan(c["outcome_usd"]) and c["scale"] == "A" and "shown on the A scale" in c["note"]


def test_a_wild_forecast_falls_outside_the_model_interval():
    # the scorecard can fail: a forecast 30 times the truth on a well-measured scale is outside the 95% interval
    df = _design()
    df = pd.concat([df, frame([row("a-wild", "A", 2018, 30 * float(np.exp(np.log(500) + 0.12 * 3)),
                                   kind="forecast", published_year=2014)])], ignore_index=True)
    fit = fit_publishers(df, reference="A")
    wild = scorecard(fit, estimates=df).set_index("id").loc["a-wild"]
    assert not wild["in_model_95"] and wild["model_percentile"] > 99


def test_real_and_share_columns(bundled):
    fit, _ = bundled
    sc = scorecard(fit, real=2020, share_of_gdp=True).set_index("id")
    r = sc.loc["russian-mfa-2018-2019"]
    assert r["forecast_usd_real_2020"] == pytest.approx(forecast.to_real(2e12, year=2019, base_year=2020))
    assert r["forecast_usd_share_of_gdp"] == pytest.approx(forecast.share_of_gdp(2e12, year=2019))


def test_docstring_examples():
    import doctest
    import importlib

    mod = importlib.import_module("forecast.published.scorecard")

    assert doctest.testmod(mod).failed == 0


def test_repeats_are_folded_whichever_way_the_origin_points():
    est = frame([row("a-1", "A", 2010, 100.0), row("a-2", "A", 2011, 120.0), row("a-3", "A", 2012, 150.0),
                 row("a-4", "A", 2013, 170.0), row("b-1", "B", 2011, 300.0), row("b-2", "B", 2013, 400.0),
                 # an echo published the same year whose id sorts first, pointing to its origin
                 row("aa-echo", "Speaker", 2012, 990.0, kind="forecast", published_year=2011, likely_origin="z-orig"),
                 row("z-orig", "Origin", 2012, 1000.0, kind="forecast", published_year=2011),
                 # a point figure inside the range its origin published
                 row("r-orig", "Ranger", 2013, None, kind="forecast", published_year=2010, low_bn=800.0,
                     high_bn=1000.0),
                 row("r-echo", "Relay", 2013, 800.0, kind="forecast", published_year=2012, likely_origin="r-orig")])
    sc = scorecard(fit_publishers(est, reference="A"), estimates=est).set_index("id")
    assert set(sc.index) == {"z-orig", "r-orig"}
    assert "aa-echo" in sc.loc["z-orig", "repeated_in"] and "r-echo" in sc.loc["r-orig", "repeated_in"]


def test_the_scorecard_can_fail_on_the_bundled_data(bundled):
    # the old predictive (df about 1) put 12 of 12 past forecasts inside its 95% interval: a check that
    # could not fail. On the reference scale most headline total-cost forecasts now fall outside it.
    fit, sc = bundled
    compared = sc[sc["scale"] != ""]
    assert len(compared) >= 5
    assert (~compared["in_model_95"].astype(bool)).sum() >= len(compared) // 2
