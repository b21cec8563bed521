"""Rolling-origin backtest: structure, no look-ahead, failures, R's golden cross-validation."""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastError, ModelError
from forecast.families import REGISTRY, ModelSpec
from toy_models import fit_random_walk

GOLDEN = pathlib.Path(__file__).resolve().parent / "golden" / "ic3_forecast_r.json"
SEEN: list[tuple[int, int]] = []  # (number of observations, last year) of every toy fit


def fit_toy_rw(y, *, fail_after=None):
    SEEN.append((len(y), int(y.index[-1].year)))
    if fail_after is not None and y.index[-1].year > fail_after:
        raise ModelError("toy model refuses this origin")
    return fit_random_walk(y, options={"fail_after": fail_after})


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setitem(REGISTRY, "toy_rw", ModelSpec("toy_rw", "toy random walk", 3, False,
                                                      f"{__name__}:fit_toy_rw"))
    SEEN.clear()
    return "toy_rw"


@pytest.fixture
def series() -> pd.Series:
    rng = np.random.default_rng(7)
    y = pd.Series(np.exp(np.cumsum(0.2 + 0.1 * rng.standard_normal(15))), index=range(2001, 2016))
    return y.drop(2006)  # a gap


def test_structure(toy, series):
    bt = forecast.backtest(series, models=[toy], horizon=3, levels=(80, 95))
    assert list(bt.columns) == ["origin", "model", "horizon", "year", "actual", "mean", "median", "lower_80",
                                "upper_80", "lower_95", "upper_95", "error", "ape", "scale"]
    assert (bt["year"] == bt["origin"] + bt["horizon"]).all()
    assert set(bt["horizon"]) == {1, 2, 3}
    # default origins: from the 7th observation (2008; the series only decides) to the last year but one
    assert bt.attrs["origins"] == list(range(2008, 2015))
    assert bt.attrs["horizon"] == 3
    gap = forecast.backtest(series, models=[toy], origins=range(2003, 2015), horizon=3)
    assert 2006 not in set(gap["year"])  # a gap is never scored
    assert 2006 in set(gap["origin"])    # but an origin may fall in it (data to 2005)
    assert gap[gap.origin == 2006]["year"].tolist() == [2007, 2008, 2009]
    assert bt["year"].max() == 2015
    observed = dict(zip(series.index, series.to_numpy(), strict=True))
    assert np.allclose(bt["actual"], [observed[yr] for yr in bt["year"]])
    assert np.allclose(bt["error"], np.log(bt["actual"] / bt["median"]))
    assert np.allclose(bt["ape"], np.abs(bt["median"] / bt["actual"] - 1))
    assert (bt["lower_95"] <= bt["lower_80"]).all() and (bt["lower_80"] <= bt["median"]).all()
    assert (bt["median"] <= bt["upper_80"]).all() and (bt["upper_80"] <= bt["upper_95"]).all()
    assert str(bt["origin"].dtype) == "int64" and str(bt["year"].dtype) == "int64"


def test_scale_is_in_sample_naive_log_error(toy, series):
    bt = forecast.backtest(series, models=[toy], origins=[2010], horizon=1)
    train = series.loc[:2010]
    yrs = np.array(train.index)
    d = np.diff(np.log(train.to_numpy()))[np.diff(yrs) == 1]  # pairs across the gap are not one-step
    assert bt["scale"].iloc[0] == pytest.approx(np.mean(np.abs(d)))


def test_each_fit_sees_only_data_up_to_its_origin(toy, series):
    bt = forecast.backtest(series, models=[toy], origins=range(2005, 2015), horizon=2)
    # one fit per distinct training set: origin 2006 (a gap) has the same data as 2005
    assert [last for _, last in SEEN] == [2005, *range(2007, 2015)]
    for origin, rows in bt.groupby("origin"):
        assert rows["year"].min() > origin
    # changing the future leaves every forecast made before it unchanged
    changed = series.copy()
    changed.loc[2012:] *= 5.0
    SEEN.clear()
    bt2 = forecast.backtest(changed, models=[toy], origins=range(2005, 2015), horizon=2)
    early = bt["origin"] < 2012
    cols = ["mean", "median", "lower_80", "upper_80", "lower_95", "upper_95"]
    assert np.allclose(bt.loc[early, cols], bt2.loc[early, cols])
    assert not np.allclose(bt.loc[~early, cols], bt2.loc[~early, cols])


def test_failures_are_recorded_not_fatal(toy, series):
    bt = forecast.backtest(series, models=[toy, "drift"], origins=range(2008, 2015), horizon=1,
                           model_options={toy: {"fail_after": 2010}})
    fails = bt.attrs["failures"]
    assert [f["origin"] for f in fails] == [2011, 2012, 2013, 2014]
    assert all(f["model"] == toy and "refuses" in f["error"] for f in fails)
    assert set(bt[bt.model == toy]["origin"]) == {2008, 2009, 2010}
    assert set(bt[bt.model == "drift"]["origin"]) == set(range(2008, 2015))
    acc = forecast.accuracy(bt).set_index("model")
    assert acc.loc[toy, "failures"] == 4 and acc.loc["drift", "failures"] == 0


def test_bad_arguments(series):
    with pytest.raises(ModelError, match="unknown model"):
        forecast.backtest(series, models=["nope"])
    with pytest.raises(ForecastError, match="outside the data"):
        forecast.backtest(series, models=["drift"], origins=[2015])
    with pytest.raises(ForecastError, match="horizon"):
        forecast.backtest(series, models=["drift"], horizon=0)
    with pytest.raises(ModelError, match="too few"):
        forecast.backtest(series.iloc[:3], models=["drift"])


@pytest.fixture(scope="module")
def ic3() -> pd.Series:
    return forecast.series("ic3")


@pytest.fixture(scope="module")
def golden_cv() -> dict:
    return json.loads(GOLDEN.read_text())["cv"]


def test_drift_matches_r_tscv(ic3, golden_cv):
    # R: rwf(drift=TRUE) on the series with 2010 interpolated; 2010 never scored
    bt = forecast.backtest(ic3, models=["drift"], origins=range(2012, 2024), horizon=3)
    acc = forecast.accuracy(bt).iloc[0]
    assert acc["windows"] == golden_cv["rwf_drift"]["n"] == 33
    assert acc["mape"] == pytest.approx(golden_cv["rwf_drift"]["mape"], abs=5e-4)


def test_log_linear_trend_matches_r_tslm(ic3, golden_cv):
    # R fits tslm(log y ~ trend) to the interpolated series: interpolate=True replicates it
    bt = forecast.backtest(ic3, models=["exponential"], origins=range(2012, 2024), horizon=3, interpolate=True)
    acc = forecast.accuracy(bt).iloc[0]
    assert acc["windows"] == golden_cv["tslm"]["n"]
    assert acc["mape"] == pytest.approx(golden_cv["tslm"]["mape"], abs=5e-4)
    # without interpolation the trend is fitted to the 23 observed years only: a different number
    plain = forecast.accuracy(forecast.backtest(ic3, models=["exponential"], origins=range(2012, 2024))).iloc[0]
    assert abs(plain["mape"] - golden_cv["tslm"]["mape"]) > 0.5


def test_same_numbers_twice(ic3):
    a = forecast.backtest(ic3, models=["drift", "exponential"], origins=range(2018, 2024))
    b = forecast.backtest(ic3, models=["drift", "exponential"], origins=range(2018, 2024))
    pd.testing.assert_frame_equal(a, b)
    assert sys.modules["forecast.evaluate.fitcache"]._CACHE.get() is None  # no cache outlives a call


def test_default_origins_do_not_depend_on_the_models_listed(toy, series):
    """A model's scores are the same whichever other models are backtested beside it (the origins follow the series)."""
    alone = forecast.backtest(series, models=[toy], horizon=2)
    with_others = forecast.backtest(series, models=["ets_damped", toy, "drift"], horizon=2)
    assert alone.attrs["origins"] == with_others.attrs["origins"]
    mine = with_others[with_others["model"] == toy].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.DataFrame(alone).reset_index(drop=True), pd.DataFrame(mine))
    a = forecast.accuracy(alone).iloc[0]
    b = forecast.accuracy(with_others).set_index("model").loc[toy]
    assert a["mape"] == b["mape"] and a["wis"] == b["wis"]
    assert a["origins"] == b["origins"] == "2008-2014" and a["horizons"] == b["horizons"] == "1-2"
