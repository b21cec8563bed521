"""Publisher chart: estimates filled, forecasts hollow, ranges as bars, the fitted level on a chosen scale."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastError
from forecast.plots import publisher_chart
from forecast.plots.publishers import publisher_rows


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def rows():
    return pd.DataFrame({
        "publisher": ["A", "A", "A", "B", "B", "C"],
        "year": [2015, 2017, 2021, 2016, 2019, 2016],
        "value_usd": [4e11, 5e11, 1e12, 3e12, 6e12, 9e11],
        "low_usd": [3e11, np.nan, np.nan, np.nan, np.nan, np.nan],
        "high_usd": [6e11, np.nan, np.nan, np.nan, np.nan, np.nan],
        "kind": ["estimate", "estimate", "forecast", "estimate", "forecast", "estimate"],
        "included": [True, True, False, True, False, False],
    })


def _by_gid(ax, prefix):
    return {ln.get_gid().split(":", 1)[1]: ln for ln in ax.lines if str(ln.get_gid()).startswith(prefix)}


def test_estimates_filled_forecasts_hollow_ranges_as_bars(rows):
    fig = publisher_chart(rows)
    ax = fig.axes[0]
    est, fc = _by_gid(ax, "estimate:"), _by_gid(ax, "forecast:")
    assert set(est) == {"A", "B"}  # C was left out by the model for another reason: hidden by default
    assert set(fc) == {"A", "B"}
    np.testing.assert_allclose(est["A"].get_ydata(), [4e11, 5e11])
    np.testing.assert_allclose(fc["B"].get_ydata(), [6e12])
    assert fc["A"].get_markerfacecolor() == "white" and est["A"].get_markerfacecolor() != "white"
    # same publisher, same colour and marker for estimates and forecasts; publishers differ in marker
    assert est["A"].get_marker() == fc["A"].get_marker() != est["B"].get_marker()
    assert fc["A"].get_markeredgecolor() == est["A"].get_markerfacecolor()
    bars = [c for c in ax.collections if len(c.get_segments())]
    assert len(bars) == 1
    (x0, lo), (_, hi) = bars[0].get_segments()[0]
    assert (x0, lo, hi) == (2015, 3e11, 6e11)
    assert ax.get_yscale() == "log"
    legend = [t.get_text() for t in (ax.get_legend() or fig.legends[0]).get_texts()]
    assert legend[:2] == ["A", "B"] and "hollow: a forecast when published" in legend


def test_show_excluded(rows):
    fig = publisher_chart(rows, show_excluded=True)
    excl = _by_gid(fig.axes[0], "excluded:")
    assert set(excl) == {"C"}
    np.testing.assert_allclose(excl["C"].get_ydata(), [9e11])


def test_fit_line_on_chosen_scale():
    fit = forecast.fit_publishers()
    other = fit.publishers[1]
    fig = publisher_chart(fit, scale=other, until=2026)
    ax = fig.axes[0]
    line = [ln for ln in ax.lines if ln.get_label().startswith("Fitted level")][0]
    assert line.get_label() == f"Fitted level, {other} scale"
    years = np.arange(fit.first_year, 2027)
    np.testing.assert_array_equal(line.get_xdata(), years)
    expected = fit.predictive_at(years, publisher=other).median()
    np.testing.assert_allclose(line.get_ydata(), expected)
    band = [c for c in ax.collections if c.get_label().startswith("80% interval")][0]
    ys = band.get_paths()[0].vertices[:, 1]
    pred = fit.predictive_at(years, publisher=other)
    assert np.isclose(ys.min(), pred.quantile(0.1).min()) and np.isclose(ys.max(), pred.quantile(0.9).max())
    # every fitted row is drawn as a filled marker at its value
    est = _by_gid(ax, "estimate:")
    drawn = sorted(v for ln in est.values() for v in ln.get_ydata())
    assert np.allclose(drawn, sorted(fit.data["value_usd"]))


def test_raw_estimates_are_accepted():
    est = forecast.load("global_estimates")
    rows = publisher_rows(est)
    assert len(rows) > 10 and set(rows["kind"]) <= {"estimate", "forecast"}
    fig = publisher_chart(est, log=False)
    assert fig.axes[0].get_yscale() == "linear"


def test_bad_input():
    with pytest.raises(ForecastError, match="publisher fit"):
        publisher_chart([1, 2, 3])


def _legend(fig):
    return fig.axes[0].get_legend() or fig.legends[0]


def test_every_colour_names_one_publisher_and_the_legend_leaves_the_plot_its_width():
    fit = forecast.fit_publishers()
    fig = publisher_chart(fit, show_excluded=True)
    fig.canvas.draw()
    ax = fig.axes[0]
    colours = {}
    for ln in ax.lines:
        gid = ln.get_gid() or ""
        if ":" in gid:
            pub = gid.split(":", 1)[1]
            colours.setdefault(matplotlib.colors.to_hex(ln.get_markeredgecolor() if gid.startswith(("forecast",
                               "excluded")) else ln.get_markerfacecolor()), set()).add(pub)
    repeated = {c: p for c, p in colours.items() if len(p) > 1 and c not in ("#595959", "#a6a6a6")}
    assert repeated == {}
    # the plot takes most of the figure's width; the legend sits under it
    assert ax.get_position().width >= 0.8
    legend_box = _legend(fig).get_window_extent()
    assert legend_box.y1 <= ax.get_window_extent().y0


def test_axis_reaches_until_and_off_scale_figures_are_named_not_drawn():
    fit = forecast.fit_publishers()
    fig = publisher_chart(fit, until=2030)
    ax = fig.axes[0]
    assert ax.get_xlim()[1] >= 2030
    line = [ln for ln in ax.lines if ln.get_label().startswith("Fitted level")][0]
    assert line.get_xdata()[-1] == 2030
    fig = publisher_chart(fit, show_excluded=True, show_fit=False)
    ax = fig.axes[0]
    drawn = [ln.get_gid() for ln in ax.lines if ln.get_gid()]
    assert not any("Hiscox" in g for g in drawn if g.startswith("excluded"))
    assert ax.get_ylim()[0] > 1e10  # not stretched down to the $1.8bn survey total
    note = [t.get_text() for t in ax.texts if t.get_text().startswith("Source:")]
    assert len(note) == 1 and "Hiscox 2019 (survey sample total)" in note[0]
    fig = publisher_chart(fit, show_excluded="all", show_fit=False)
    assert fig.axes[0].get_ylim()[0] < 1.8e9
