"""What makes fits, backtests and auto fast must not change a number: each shortcut against the long way round."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast
import forecast.families.ets as ets_mod
from forecast.evaluate.fitcache import fit_cache
from forecast.evaluate.record import rerun_backtest
from forecast.intervals import Predictive, index_years, sample_quantiles, sorted_quantiles, year_index

PROBS = [0.5, 0.1, 0.9, 0.025, 0.975, 0.005, 0.995, 0.0, 1.0, 0.3333]


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 10000])
def test_quantiles_of_sorted_draws_are_numpys_to_the_bit(n):
    x = np.random.default_rng(n).standard_t(3, size=(n, 4)) * 10 ** np.arange(4)
    expected = np.quantile(x, PROBS, axis=0)
    np.testing.assert_array_equal(sorted_quantiles(np.sort(x, axis=0), PROBS), expected)
    np.testing.assert_array_equal(sample_quantiles(x, PROBS), expected)
    p = Predictive(year_index(range(2025, 2029)), samples=x, space="level")
    np.testing.assert_array_equal(p.working_quantiles(PROBS[:3]), expected[:3])
    np.testing.assert_array_equal(p.working_quantiles(PROBS), expected)  # the second read uses the sorted draws


def test_draws_holding_nan_give_numpys_nan_quantiles():
    x = np.arange(100.0)[:, None].repeat(2, axis=1)
    x[3, 1] = np.nan
    p = Predictive(year_index([2025, 2026]), samples=x, space="level")
    got = p.working_quantiles([0.001, 0.5])
    np.testing.assert_array_equal(got, np.quantile(x, [0.001, 0.5], axis=0))
    assert np.isnan(got[:, 1]).all() and np.isfinite(got[:, 0]).all()


def test_new_draws_are_sorted_again():
    p = Predictive(year_index([2025]), samples=np.arange(10.0)[:, None])
    assert p.working_quantiles([1.0])[0, 0] == 9.0
    p.samples = np.arange(20.0)[:, None]
    assert p.working_quantiles([1.0])[0, 0] == 19.0
    q = p.shared()
    assert q.samples is p.samples and q.meta is not p.meta and q.working_quantiles([1.0])[0, 0] == 19.0


def test_the_mean_of_draws_is_made_once_for_those_draws():
    x = np.random.default_rng(3).normal(0, 0.1, (20000, 2))
    p = Predictive(year_index([2025, 2026]), samples=x)
    first = p.mean()
    first[0] = -1.0  # the caller's copy: the distribution keeps its own
    np.testing.assert_array_equal(p.mean(), np.exp(x).mean(axis=0))
    p.samples = x * 2
    np.testing.assert_array_equal(p.mean(), np.exp(x * 2).mean(axis=0))


def test_index_years_reads_the_calendar_years():
    assert index_years(year_index([1999, 2024])).tolist() == [1999, 2024]
    assert index_years(pd.PeriodIndex(["2020", "2021"], freq="Y-JUN")).tolist() == [2020, 2021]


@pytest.mark.parametrize("model", ["ets", "ets_damped", "arima"])
def test_a_simulated_forecast_asked_again_is_not_simulated_again(model, monkeypatch):
    res = forecast.fit(forecast.series("ic3"), model=model)
    calls = []
    real = type(res)._simulate
    monkeypatch.setattr(type(res), "_simulate", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    first = res.predictive(3)
    again = res.predictive(3)
    assert len(calls) == 1 and again is not first and again.meta is not first.meta
    np.testing.assert_array_equal(again.samples, first.samples)
    res.predictive(4)
    res.seed = 7
    res.predictive(4)
    assert len(calls) == 3  # other years, another seed: simulated
    fresh = forecast.fit(forecast.series("ic3"), model=model, seed=7)
    np.testing.assert_array_equal(res.predictive(4).samples, fresh.predictive(4).samples)


def test_a_nested_backtest_of_auto_never_climbs_the_ets_likelihood(monkeypatch):
    # auto's fits at each origin are read for their forecasts only: no ETS maximum-likelihood climb runs for them
    calls = []
    real = ets_mod._estimate
    monkeypatch.setattr(ets_mod, "_estimate", lambda *a, **k: calls.append(1) or real(*a, **k))
    y = forecast.series("ic3")
    with fit_cache():
        bt = forecast.backtest(y, models=["auto"], origins=[2020, 2021], horizon=2)
        assert calls == [] and len(bt) == 4
        fit = forecast.fit(y, model="auto")
        assert calls == []
        notes = fit.notes  # the notes name the components' estimates: made now
    assert len(calls) == 2 and notes[0].startswith("auto chose") and any(n.startswith("ets: ") for n in notes)


def test_the_rerun_of_auto_in_the_fit_cache_refits_no_candidate_the_fit_had(monkeypatch):
    import forecast.evaluate.fitcache as fc

    y = forecast.series("ic3")
    with fit_cache():
        fit = forecast.fit(y, model="auto")
        fitted = []
        real = fc.families.fit
        monkeypatch.setattr(fc.families, "fit",
                            lambda s, model, **o: fitted.append((model, s.index[-1].year)) or real(s, model, **o))
        rerun = rerun_backtest(fit)
    # auto once per origin's data (origin 2010, a missing year, has 2009's); candidates only where a short prefix's
    # own backtest starts before the fit's first origin
    trains = sorted({int(y.index[y.index.year <= o][-1].year) for o in fit.origins})
    assert sorted(yr for m, yr in fitted if m == "auto") == trains
    assert all(yr < fit.origins[0] for m, yr in fitted if m != "auto")
    assert sorted(rerun["origin"].unique().tolist()) == fit.origins


def _pandas_accuracy(bt: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """accuracy()'s table the long way round: pandas' groupby and means (the code before it went to numpy)."""
    from forecast.evaluate.accuracy import _levels_of, _span, score_columns
    from forecast.intervals import level_label

    levels = _levels_of(bt)
    work = pd.concat([bt[by].reset_index(drop=True), score_columns(bt).reset_index(drop=True),
                      bt[["ape"]].reset_index(drop=True)], axis=1)
    rows = []
    for key, g in work.groupby(by, sort=False):
        row = dict(zip(by, key, strict=True))
        row["windows"] = len(g)
        row["mape"] = 100 * g["ape"].mean()
        scaled = g["scaled_error"].to_numpy()
        scaled = scaled[np.isfinite(scaled)]
        row["mase"] = float(scaled.mean()) if len(scaled) else float("nan")
        for lv in levels:
            lab = level_label(lv)
            row[f"coverage_{lab}"] = 100 * g[f"inside_{lab}"].mean()
            row[f"nominal_{lab}"] = lv
            row[f"winkler_{lab}"] = g[f"winkler_{lab}"].mean()
        row["wis"] = g["wis"].mean()
        rows.append(row)
    out = pd.DataFrame(rows)
    fails = pd.DataFrame(bt.attrs.get("failures") or [], columns=["origin", "model", "error"])
    counts = fails.groupby("model").size()
    for m in counts.index if by == ["model"] else []:
        if m not in set(out["model"]):
            out = pd.concat([out, pd.DataFrame([{"model": m, "windows": 0}])], ignore_index=True)
    out["failures"] = out["model"].map(counts).fillna(0).astype(int)
    span = {k: (_span(g["origin"]), _span(g["horizon"])) for k, g in bt.groupby(by, sort=False)}
    keys = [tuple(r) for r in out[by].itertuples(index=False)]
    out["origins"] = [span.get(k, ("", ""))[0] for k in keys]
    out["horizons"] = [span.get(k, ("", ""))[1] for k in keys]
    return out


@pytest.mark.parametrize("by", [["model"], ["model", "horizon"], ["horizon", "model"]])
def test_accuracy_is_pandas_groupby_to_the_bit(by):
    y = forecast.series("ic3")
    clean = forecast.backtest(y, models=["drift", "arima"], origins=range(2012, 2024), horizon=3)
    assert not clean.attrs["failures"]
    pd.testing.assert_frame_equal(forecast.accuracy(clean, by=by), _pandas_accuracy(clean, by), check_exact=True)
    bt = forecast.backtest(y, models=["drift", "ets_damped", "logistic"], origins=range(2005, 2024), horizon=3)
    assert bt.attrs["failures"]  # ets_damped needs 7 observations: it fails at the first origins
    bt.loc[bt.index[::7], "ape"] = np.nan  # missing values are counted out
    bt.attrs["failures"] = bt.attrs["failures"] + [{"origin": 2005, "model": "never", "error": "ModelError: x"}]
    got = forecast.accuracy(bt, by=by)
    pd.testing.assert_frame_equal(got, _pandas_accuracy(bt, by), check_exact=True)
    assert got["windows"].sum() == len(bt) and len(got) >= 3


def test_arima_tables_are_made_when_read_and_match(monkeypatch):
    import forecast.families.arima as arima_mod

    made = []
    real = arima_mod.params_frame
    monkeypatch.setattr(arima_mod, "params_frame", lambda *a, **k: made.append(1) or real(*a, **k))
    y = forecast.series("ic3")
    late = forecast.fit(y, model="arima")
    pred = late.predictive(3)
    assert made == []
    early = forecast.fit(y, model="arima")
    params, notes = early.params.copy(), list(early.notes)
    assert made == [1]
    np.testing.assert_array_equal(pred.samples, early.predictive(3).samples)
    pd.testing.assert_frame_equal(late.params, params)
    assert late.notes == notes and late.aicc == early.aicc
    pd.testing.assert_series_equal(late.residuals, early.residuals)
    assert params.loc["ar1", "std_err"] > 0 and late.fitted.index[0].year == 2002


@pytest.mark.parametrize("model", ["ets", "ets_damped"])
def test_the_ets_draws_own_their_memory(model):
    # a draw is gathered from a table of every grid point's numbers at once; what the fit keeps must not hold that
    # table alive (a backtest keeps dozens of fits)
    res = forecast.fit(forecast.series("ic3"), model=model)
    draws = res._posterior_draws(np.random.default_rng(res.seed))
    assert all(v.base is None for v in draws.values())


def test_weighted_choice_is_numpys_choice_to_the_index():
    from forecast.families._common import weighted_choice

    rng = np.random.default_rng(11)
    for t in range(200):
        g = int(rng.integers(1, 9000))
        w = rng.random(g) ** rng.uniform(1, 80)  # from flat to a few points holding nearly all the weight
        w[rng.random(g) < 0.3] = 0.0
        w[rng.integers(g)] += 1e-9
        w /= w.sum()
        a_rng, b_rng = np.random.default_rng(t), np.random.default_rng(t)
        expected = a_rng.choice(g, size=3000, p=w)
        got = weighted_choice(b_rng, w, 3000)
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype and a_rng.random() == b_rng.random()  # the generator moved the same way


def test_a_backtest_partly_cached_gives_the_numbers_of_a_fresh_one():
    # at each origin the first model's forecast is in the fit cache and the next one's is not: the training series
    # is then built for the second model only, and must be the same prefix of the data
    y = forecast.series("ic3")
    fresh = forecast.backtest(y, models=["drift", "arima", "ets"], origins=range(2014, 2024), horizon=2)
    with fit_cache():
        forecast.backtest(y, models=["drift"], origins=range(2014, 2024), horizon=2)
        partly = forecast.backtest(y, models=["drift", "arima", "ets"], origins=range(2014, 2024), horizon=2)
    assert partly.attrs["failures"] == [] and fresh.attrs["failures"] == []
    pd.testing.assert_frame_equal(pd.DataFrame(partly), pd.DataFrame(fresh), check_exact=True)
