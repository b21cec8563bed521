"""Scorecard of past forecasts: which forecasts, which estimates, the model's interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.published._simulate import frame, row, simulate_estimates
from forecast.published.publishers import fit_publishers
from forecast.published.scorecard import scorecard


@pytest.fixture(scope="module")
def bundled():
    fit = fit_publishers()
    return fit, scorecard(fit)


def test_every_passed_forecast_is_scored(bundled):
    fit, sc = bundled
    data = forecast.load("global_estimates")
    due = data[(data["kind"] == "forecast") & data["target_year"].notna()]
    due = due[due["target_year"].astype(int) <= fit.last_year]
    assert set(sc["id"]) == set(due["id"])
    assert "juniper-2017" not in set(sc["id"])  # a cumulative total has no target year
    assert {"russian-mfa-2018-2019", "russian-mfa-2018-2020", "cv-2016-2021"} <= set(sc["id"])
    # forecasts are never fitted: the model that scores them did not see them
    inc = fit.inclusion.set_index("id")
    assert not inc.loc[list(sc["id"]), "included"].any()


def test_columns_are_consistent(bundled):
    fit, sc = bundled
    ok = sc["later_estimate_usd"].notna()
    assert np.allclose(sc.loc[ok, "ratio"], sc.loc[ok, "forecast_usd"] / sc.loc[ok, "later_estimate_usd"])
    assert np.allclose(sc.loc[ok, "log_error"], np.log(sc.loc[ok, "ratio"]))
    inside = (sc["model_lower_95_usd"] <= sc["forecast_usd"]) & (sc["forecast_usd"] <= sc["model_upper_95_usd"])
    assert (inside == sc["in_model_95"]).all()
    r = sc.set_index("id").loc["cv-2016-2021"]
    assert r["scale"] == "Cybersecurity Ventures" and r["compared_with"] == "other publishers"
    pred = fit.predictive_at([2021], "Cybersecurity Ventures")
    assert r["model_percentile"] == pytest.approx(100 * float(pred.cdf(6e12)[0]))
    mfa = sc.set_index("id").loc["russian-mfa-2018-2019"]
    assert mfa["scale"] == "CSIS/McAfee" and "judged on the CSIS/McAfee scale" in mfa["note"]


def test_same_publisher_estimate_is_preferred():
    df = simulate_estimates({"A": range(2010, 2021), "B": range(2012, 2021)}, {"A": 0.0, "B": 1.0},
                            {"A": 0.1, "B": 0.1}, seed=4)
    df = pd.concat([df, frame([row("a-fc", "A", 2019, 5000.0, kind="forecast", published_year=2015),
                               row("c-fc", "C", 2020, 5000.0, kind="forecast", published_year=2015),
                               row("a-late", "A", 2030, 5000.0, kind="forecast", published_year=2015)])],
                   ignore_index=True)
    fit = fit_publishers(df, reference="A")
    sc = scorecard(fit).set_index("id")
    assert "a-late" not in sc.index  # 2030 has not passed
    a = sc.loc["a-fc"]
    a_est = df.set_index("id").loc["a-2019", "point_usd_bn"] * 1e9
    assert a["compared_with"] == "same publisher" and a["later_estimate_usd"] == pytest.approx(a_est)
    c = sc.loc["c-fc"]
    both = df.set_index("id").loc[["a-2020", "b-2020"], "point_usd_bn"].to_numpy() * 1e9
    assert c["compared_with"] == "other publishers"
    assert c["later_estimate_usd"] == pytest.approx(np.exp(np.log(both).mean()))
    assert c["scale"] == "A"


def test_real_and_share_columns(bundled):
    fit, _ = bundled
    sc = scorecard(fit, real=2020, share_of_gdp=True).set_index("id")
    r = sc.loc["russian-mfa-2018-2019"]
    assert r["forecast_usd_real_2020"] == pytest.approx(forecast.to_real(2e12, year=2019, base_year=2020))
    assert r["forecast_usd_share_of_gdp"] == pytest.approx(forecast.share_of_gdp(2e12, year=2019))
