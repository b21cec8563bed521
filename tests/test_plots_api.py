"""One conformance test over every chart: draws into the axes it is given, returns that figure, never shows."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import forecast
from forecast import plots


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def inputs():
    rng = np.random.default_rng(11)
    y = pd.Series(np.exp(np.log(5e8) + 0.25 * np.arange(14) + 0.1 * rng.standard_normal(14)), index=range(2008, 2022))
    y.attrs["unit"] = "USD"
    fit = forecast.fit(y, model="exponential")
    bt = forecast.backtest(y, models=["drift", "exponential"], origins=range(2015, 2021), horizon=2)
    pf = forecast.fit_publishers()
    return {"y": y, "fit": fit, "bt": bt, "acc": forecast.accuracy(bt), "pf": pf,
            "check": forecast.check_claim(3e10, 2024, against=fit, n=200),
            "panel": forecast.fit_panel("ic3_by_state", model="drift", n_paths=200),
            "contrib": forecast.contributions("ic3_by_crime_type")}


CHARTS = {
    "fan_chart": (1, lambda d, ax: plots.fan_chart(d["y"], d["fit"].forecast(horizon=3), ax=ax)),
    "series_chart": (1, lambda d, ax: plots.series_chart(d["y"], ax=ax)),
    "backtest_chart": (1, lambda d, ax: plots.backtest_chart(d["bt"], model="drift", ax=ax)),
    "comparison_chart": (2, lambda d, ax: plots.comparison_chart(d["acc"], ax=ax)),
    "publisher_chart": (1, lambda d, ax: plots.publisher_chart(d["pf"], ax=ax)),
    "claim_chart": (1, lambda d, ax: plots.claim_chart(d["check"], against=d["fit"], ax=ax)),
    "claims_band_chart": (1, lambda d, ax: plots.claims_band_chart(d["pf"], [(2019, 2e12, "$2T")], ax=ax)),
    "residual_diagnostics": (3, lambda d, ax: plots.residual_diagnostics(d["fit"], ax=ax)),
    "panel_chart": (2, lambda d, ax: plots.panel_chart(d["panel"], series=["Total", "Texas"], axes=ax)),
    "contributions_chart": (1, lambda d, ax: plots.contributions_chart(d["contrib"], ax=ax)),
}


def test_every_public_chart_is_covered():
    assert set(CHARTS) == set(plots.__all__)


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_draws_into_given_axes_and_returns_its_figure(name, inputs, monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("a chart must not call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    n_axes, draw = CHARTS[name]
    fig, axes = plt.subplots(1, n_axes + 1)
    target = axes[1] if n_axes == 1 else list(axes[1:])
    before = plt.get_fignums()
    out = draw(inputs, target)
    assert out is fig
    assert plt.get_fignums() == before  # no stray figure
    drawn = [target] if n_axes == 1 else target
    assert all(a.lines or a.collections or a.patches for a in drawn)
    assert not (axes[0].lines or axes[0].collections or axes[0].patches)  # the neighbour is untouched


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_without_axes_a_new_figure(name, inputs):
    n_axes, draw = CHARTS[name]
    before = set(plt.get_fignums())
    fig = draw(inputs, None)
    assert isinstance(fig, plt.Figure)
    assert set(plt.get_fignums()) - before == {fig.number}
    assert len([a for a in fig.axes if a.get_label() != "<colorbar>"]) >= n_axes
