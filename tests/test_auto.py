"""The automatic choice: candidate table, combination, calibration and nested honesty."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import forecast
import forecast.evaluate.auto as auto_mod
from forecast.errors import ModelError
from forecast.evaluate.auto import AutoResult, fit_auto, mixture
from forecast.intervals import Predictive, validate_frame, year_index
from toy_models import fit_random_walk
from forecast.families import REGISTRY, ModelSpec


def fit_toy_flat(y):
    return fit_random_walk(y, model="toy_flat")


@pytest.fixture
def flat(monkeypatch):
    monkeypatch.setitem(REGISTRY, "toy_flat", ModelSpec("toy_flat", "toy random walk", 3, False,
                                                        f"{__name__}:fit_toy_flat"))
    return "toy_flat"


def growth_then_flat(turn: int = 2012) -> pd.Series:
    """Steady 30% growth to ``turn``, then no growth; small noise."""
    rng = np.random.default_rng(3)
    years = np.arange(2000, 2025)
    step = np.where(years <= turn, 0.3, 0.0) + 0.03 * rng.standard_normal(len(years))
    return pd.Series(np.exp(10 + np.cumsum(step)), index=years)


def test_mixture_quantiles_match_the_exact_mixture():
    a = Predictive(year_index([2025, 2026]), loc=np.array([0.0, 1.0]), scale=np.array([0.2, 0.3]))
    b = Predictive(year_index([2025, 2026]), loc=np.array([0.5, 2.0]), scale=np.array([0.4, 0.2]), df=4.0)
    mix = mixture([a, b], [0.25, 0.75])
    for j in range(2):
        def cdf(x, j=j):
            return (0.25 * stats.norm.cdf(x, a.loc[j], a.scale[j])
                    + 0.75 * stats.t.cdf(x, 4.0, b.loc[j], b.scale[j]))
        for q in (0.025, 0.1, 0.5, 0.9, 0.975):
            exact = optimize.brentq(lambda x, q=q: cdf(x) - q, -10, 10)
            assert np.log(mix.quantile(q)[j]) == pytest.approx(exact, abs=5e-3)


def test_auto_reports_candidates_and_choice(flat):
    y = growth_then_flat(turn=2030)  # growth throughout
    res = forecast.fit(y, model="auto", candidates=["drift", flat], combine=False, calibrate="none")
    assert isinstance(res, AutoResult)
    table = res.candidates
    assert {"model", "mape", "coverage_80", "coverage_95", "winkler_80", "wis", "windows", "weight"} <= set(table)
    assert table["model"].tolist()[0] == "drift"  # ranked first
    assert table.set_index("model")["weight"].to_dict() == {"drift": 1.0, flat: 0.0}  # combine=False: no mix
    assert res.choice.startswith("drift: the lowest backtest weighted interval score")
    assert any("auto chose drift" in n for n in res.notes)
    # uncalibrated single choice: exactly the drift forecast
    f = res.forecast(horizon=3)
    validate_frame(f)
    d = forecast.fit(y, model="drift").forecast(horizon=3)
    assert np.allclose(f.drop(columns="model"), d.drop(columns="model"))
    assert (f["model"] == "auto").all()
    assert "drift" in res.summary()


def test_combination_and_calibration(flat):
    y = growth_then_flat(turn=2016)
    none = fit_auto(y, candidates=["drift", flat, "exponential"], combine=True, top=2, calibrate="none")
    assert set(none.weights) == set(none.candidates["model"][:2]) and sum(none.weights.values()) == 1.0
    assert "equal-weight combination" in none.choice
    fn = none.forecast(horizon=4)
    validate_frame(fn)
    widened = fit_auto(y, candidates=["drift", flat, "exponential"], combine=True, top=2, calibrate="widen")
    fw = widened.forecast(horizon=4)
    assert widened.calibration.factor >= 1.0
    assert np.allclose(fw["median"], fn["median"], rtol=1e-9)
    assert (fw["upper_95"] >= fn["upper_95"] * (1 - 1e-12)).all() and (fw["lower_95"] <= fn["lower_95"]).all()
    assert any("conformal calibration on" in n and "backtest errors" in n for n in widened.notes)
    # simulated paths: same seed, same numbers; their median near the predictive median
    p1 = widened.simulate(4, n=4000, seed=11)
    p2 = widened.simulate(4, n=4000, seed=11)
    pd.testing.assert_frame_equal(p1, p2)
    assert np.allclose(np.log(p1.median(axis=1)), np.log(fw["median"]), atol=0.05)


def test_nested_backtest_chooses_with_past_data_only(flat, monkeypatch):
    y = growth_then_flat(turn=2012)
    fit_years: list[int] = []
    inner_years: list[tuple[int, int]] = []
    real_fit_auto, real_backtest = auto_mod.fit_auto, auto_mod.backtest

    def spy_fit_auto(yy, **kw):
        fit_years.append(int(yy.index[-1].year))
        return real_fit_auto(yy, **kw)

    def spy_backtest(yy, *a, **kw):
        inner_years.append((fit_years[-1], int(yy.index[-1].year)))
        return real_backtest(yy, *a, **kw)

    import dataclasses

    monkeypatch.setitem(REGISTRY, "auto", dataclasses.replace(REGISTRY["auto"], target=spy_fit_auto))
    monkeypatch.setattr(auto_mod, "backtest", spy_backtest)
    opts = {"auto": {"candidates": ["drift", flat], "combine": False, "calibrate": "none"}}
    origins = [2012, 2013, 2022]
    bt = forecast.backtest(y, models=["auto", "drift", flat], origins=origins, horizon=2, model_options=opts)
    assert fit_years == origins
    assert inner_years and all(inner == outer for outer, inner in inner_years)
    # at 2012 the past says "growth": auto forecasts as drift does; by 2022 it has seen ten flat years
    cols = ["median", "lower_80", "upper_95"]
    at = {(o, m): g[cols].to_numpy() for (o, m), g in bt.groupby(["origin", "model"])}
    assert np.allclose(at[(2012, "auto")], at[(2012, "drift")])
    assert np.allclose(at[(2022, "auto")], at[(2022, flat)])
    # fitted on the whole series, auto would have chosen the flat model at 2012 too
    assert real_fit_auto(y, candidates=["drift", flat], combine=False).weights == {flat: 1.0}


def test_short_series_falls_back_with_a_note():
    y = pd.Series([1.0, 1.5, 2.1, 3.0], index=range(2020, 2024))
    res = fit_auto(y)
    assert res.weights == {"drift": 1.0}
    assert "fallback" in res.choice and "too short" in res.choice
    validate_frame(res.forecast(horizon=2))
    assert forecast.fit(y, model="auto").weights == {"drift": 1.0}  # 4-8 points still get an answer
    with pytest.raises(ModelError, match="at least 3"):
        forecast.fit(y.iloc[:2], model="auto")


def test_bad_options():
    y = growth_then_flat()
    with pytest.raises(ModelError, match="unknown model"):
        fit_auto(y, candidates=["drift", "nope"])
    with pytest.raises(ModelError, match="candidates"):
        fit_auto(y, candidates=["auto"])
    with pytest.raises(ModelError, match="calibrate"):
        fit_auto(y, candidates=["drift"], calibrate="sometimes")
    with pytest.raises(ModelError, match="combine"):
        fit_auto(y, candidates=["drift"], combine="maybe")


def test_default_rule_is_the_equal_mixture_of_the_local_models():
    """The documented default: drift, ARIMA, ETS, damped ETS mixed equally, one conformal factor."""
    y = growth_then_flat(turn=2018)
    res = forecast.fit(y, model="auto")
    assert auto_mod.DEFAULT_CANDIDATES == ("drift", "arima", "ets", "ets_damped")
    assert res.weights == {m: 0.25 for m in auto_mod.DEFAULT_CANDIDATES}
    assert res.choice.startswith("the equal-weight combination of") and "all 4 candidates" in res.choice
    assert res.calibration.mode == "rescale" and not res.calibration.by_horizon and not res.calibration.per_level
    cand = res.candidates.set_index("model")
    assert cand.loc["combination", "weight"] == 0.0 and cand["weight"].sum() == pytest.approx(1.0)
    # the forecast is the mixture of the four, its log spread scaled by the one factor
    raw = fit_auto(y, calibrate="none").forecast(horizon=3)
    got = res.forecast(horizon=3)
    ratio = (np.log(got["upper_95"]) - np.log(got["median"])) / (np.log(raw["upper_95"]) - np.log(raw["median"]))
    assert np.allclose(ratio, res.calibration.factor, rtol=1e-6)


def test_candidate_scores_are_those_a_backtest_of_the_same_series_gives():
    """auto's candidate table and forecast.backtest's default rows agree (the default origins follow the series)."""
    y = forecast.series("ic3")
    res = forecast.fit(y, model="auto")
    bt = forecast.backtest(y)  # default models (auto's candidates) and default origins
    assert bt.attrs["origins"] == res.origins
    acc = forecast.accuracy(bt).set_index("model")
    cand = res.candidates.set_index("model")
    for m in res.options["candidates"]:
        for col in ("windows", "mape", "mase", "coverage_80", "coverage_95", "wis"):
            assert acc.loc[m, col] == pytest.approx(cand.loc[m, col], rel=1e-12), (m, col)
    # the backtest auto kept is the same frame, with the combination's rows beside the candidates'
    kept = res.backtest[res.backtest["model"] != "combination"].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.DataFrame(kept), pd.DataFrame(bt).reset_index(drop=True), check_like=True)
    assert set(res.backtest["model"]) == {*res.options["candidates"], "combination"}
