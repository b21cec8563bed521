"""fit_panel: batched fits equal the families' own, coherent reconciled forecasts, skips, seeds, no Dask."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import DataError, ForecastError
from forecast.families.drift import fit_drift
from forecast.families.ets import fit_ets
from forecast.intervals import interval_columns
from forecast.panel.chunk import series_seed

COLS = ["mean", "median", "lower_80", "upper_80", "lower_95", "upper_95"]


def _synthetic(n_series=6, years=range(2008, 2022), seed=0, key="branch"):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_series):
        level = 12 + i + np.cumsum(0.1 + 0.2 * rng.standard_normal(len(years)))
        rows += [{key: f"s{i}", "year": y, "loss": float(np.exp(v))} for y, v in zip(years, level, strict=True)]
    return pd.DataFrame(rows)


def test_batched_drift_equals_fit_drift():
    df = _synthetic()
    fc = forecast.fit_panel(df, key="branch", value="loss", model="drift", reconcile=None).forecast(horizon=3)
    assert list(fc.columns) == ["branch", "year", *interval_columns((80, 95))]
    for name, g in fc.groupby("branch"):
        y = df[df.branch == name].set_index("year")["loss"]
        ref = fit_drift(y).forecast(horizon=3)
        np.testing.assert_allclose(g[COLS].to_numpy(), ref[COLS].to_numpy(), rtol=1e-9)
        assert g["year"].tolist() == [2022, 2023, 2024]


def test_batched_ets_draws_equal_fit_ets():
    # the batch draws from the same grid posterior with the same calls on the same generator as fit_ets
    df = _synthetic(n_series=3)
    res = forecast.fit_panel(df, key="branch", value="loss", model="ets", reconcile=None, seed=5, n_paths=1000)
    fc = res.forecast(horizon=2)
    for name, g in fc.groupby("branch"):
        y = df[df.branch == name].set_index("year")["loss"]
        ref = fit_ets(y, seed=series_seed(5, name), n_draws=1000).forecast(horizon=2)
        # fit_ets withholds a mean whose Monte Carlo error is 1% or more (NaN); the panel keeps the plain path
        # average (its reconciled means must add up): equal wherever fit_ets shows one
        cols = [c for c in COLS if c != "mean"]
        np.testing.assert_allclose(g[cols].to_numpy(), ref[cols].to_numpy(), rtol=1e-9)
        shown = ref["mean"].notna().to_numpy()
        np.testing.assert_allclose(g["mean"].to_numpy()[shown], ref["mean"].to_numpy()[shown], rtol=1e-9)


def test_other_family_fitted_series_by_series():
    df = _synthetic(n_series=2)
    fc = forecast.fit_panel(df, key="branch", value="loss", model="exponential", reconcile=None).forecast(horizon=2)
    y = df[df.branch == "s1"].set_index("year")["loss"]
    ref = forecast.fit(y, model="exponential").forecast(horizon=2)
    np.testing.assert_allclose(fc[fc.branch == "s1"][COLS].to_numpy(), ref[COLS].to_numpy(), rtol=1e-9)


def test_state_panel_reconciled_means_add_up_and_total_row():
    res = forecast.fit_panel("ic3_by_state", n_paths=500)
    assert res.model == "auto" and res.reconcile == "mint_shrink"
    fc = res.forecast(horizon=3)
    assert set(fc.state) == set(forecast.load("ic3_by_state").state) | {"Total"}
    assert len(fc) == 58 * 3 and fc.iloc[0]["state"] == "Total"
    tot = fc[fc.state == "Total"].set_index("year")["mean"]
    bottoms = fc[fc.state != "Total"].groupby("year")["mean"].sum()
    np.testing.assert_allclose(tot.to_numpy(), bottoms.to_numpy(), rtol=1e-10)
    num = fc[COLS].to_numpy()
    assert np.isfinite(num).all() and (num >= 0).all()
    assert (fc["lower_95"] <= fc["lower_80"]).all() and (fc["upper_80"] <= fc["upper_95"]).all()
    assert any("not IC3's national total" in n for n in fc.attrs["notes"])
    # the pooled small territories are split by shares that add up to one
    assert sum(res.pooled_.values()) == pytest.approx(1.0)
    assert "American Samoa" in res.pooled_ and "Puerto Rico" not in res.pooled_


def test_bottom_up_keeps_base_bottoms():
    df = _synthetic(n_series=4)
    res = forecast.fit_panel(df, key="branch", value="loss", model="ets", reconcile="bottom_up", pool_below=None)
    base = res.forecast(horizon=2, reconcile=None).set_index(["branch", "year"])
    rec = res.forecast(horizon=2).set_index(["branch", "year"])
    bottoms = [k for k in base.index.get_level_values(0).unique() if k != "Total"]
    # the copula only reorders paths: each series' distribution is unchanged by bottom-up (quantiles differ only
    # by interpolating between the same two order statistics in levels rather than in logs)
    np.testing.assert_allclose(rec.loc[bottoms, COLS].to_numpy(), base.loc[bottoms, COLS].to_numpy(), rtol=1e-5)
    np.testing.assert_allclose(rec.loc[bottoms, "mean"].to_numpy(), base.loc[bottoms, "mean"].to_numpy(), rtol=1e-12)
    assert rec.attrs["clipped"] == {}


def test_crime_types_are_a_panel_without_total():
    res = forecast.fit_panel("ic3_by_crime_type", model="drift")
    assert res.reconcile is None and res.total is None
    fc = res.forecast(horizon=2)
    assert "Total" not in set(fc.canonical_type)
    summ = res.summary()
    skipped = summ[summ.status == "skipped"]
    # types reported only in early years are skipped with the reason, never fatal
    assert "Auction" in set(skipped.canonical_type)
    assert skipped.set_index("canonical_type").loc["Auction", "reason"].startswith("no value for 2024")
    with pytest.raises(DataError, match="overlap"):
        forecast.fit_panel("ic3_by_crime_type", reconcile="ols")


def test_short_zero_and_flat_series_are_skipped_with_reasons():
    df = _synthetic(n_series=3)
    df = pd.concat([df, pd.DataFrame({"branch": "short", "year": [2020, 2021], "loss": [1.0, 2.0]}),
                    pd.DataFrame({"branch": "zero", "year": range(2016, 2022), "loss": [1.0, 0, 2, 3, 4, 5]}),
                    pd.DataFrame({"branch": "flat", "year": range(2016, 2022), "loss": np.exp(np.arange(6.0))})])
    res = forecast.fit_panel(df, key="branch", value="loss", model="drift", pool_below=None)
    summ = res.summary().set_index("branch")
    assert summ.loc["short", "status"] == "skipped" and "needs at least 3" in summ.loc["short", "reason"]
    assert summ.loc["zero", "status"] == "fitted" and "value 0 in 2017" in summ.loc["zero", "reason"]
    assert summ.loc["flat", "status"] == "skipped" and "zero noise" in summ.loc["flat", "reason"]
    fc = res.forecast(horizon=1)
    assert set(fc.branch) == {"s0", "s1", "s2", "zero", "Total"}
    # the total is the sum of the fitted series only
    assert res.sources_["Total"].loc[2021] == pytest.approx(df[df.branch.isin(["s0", "s1", "s2", "zero"])
                                                               & (df.year == 2021)]["loss"].sum())


def test_same_seed_same_numbers_other_seed_other_numbers():
    df = _synthetic(n_series=5)
    a = forecast.fit_panel(df, key="branch", value="loss", seed=3, chunk_size=2).forecast(horizon=2)
    b = forecast.fit_panel(df, key="branch", value="loss", seed=3, chunk_size=500).forecast(horizon=2)
    c = forecast.fit_panel(df, key="branch", value="loss", seed=4).forecast(horizon=2)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["median"], c["median"])


def test_bad_arguments():
    df = _synthetic(n_series=2)
    with pytest.raises(ForecastError, match="reconcile='topdown'"):
        forecast.fit_panel(df, key="branch", value="loss", reconcile="topdown")
    with pytest.raises(forecast.ModelError, match="unknown model"):
        forecast.fit_panel(df, key="branch", value="loss", model="nope")
    named = df.assign(branch=df.branch.replace({"s0": "Total"}))
    with pytest.raises(DataError, match="named 'Total'"):
        forecast.fit_panel(named, key="branch", value="loss")


def test_import_and_in_process_fit_do_not_import_dask():
    code = ("import sys, forecast; assert 'dask' not in sys.modules; "
            "r = forecast.fit_panel('ic3_by_state', model='drift', n_paths=200); r.forecast(horizon=1); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
