"""Model comparison chart: accuracy bars and coverage markers against nominal lines."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from forecast.errors import ForecastError
from forecast.plots import comparison_chart


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def acc():
    frame = pd.DataFrame({
        "model": ["exponential", "drift", "ets"],
        "windows": [33, 33, 30],
        "mape": [32.4, 17.2, 25.0],
        "mase": [1.4, 0.8, 1.1],
        "coverage_80": [60.0, 85.0, 70.0], "nominal_80": [80, 80, 80],
        "coverage_95": [80.0, 97.0, 90.0], "nominal_95": [95, 95, 95],
    })
    frame.attrs["levels"] = (80, 95)
    return frame


def test_bars_sorted_best_on_top_with_values(acc):
    fig = comparison_chart(acc)
    a_acc, a_cov = fig.axes
    bars = a_acc.patches
    assert len(bars) == 3
    # widths are the MAPEs; the lowest MAPE sits at the top (largest y)
    by_y = sorted(bars, key=lambda b: -b.get_y())
    np.testing.assert_allclose([b.get_width() for b in by_y], [17.2, 25.0, 32.4])
    ticks = sorted(zip(a_acc.get_yticks(), (t.get_text() for t in a_acc.get_yticklabels()), strict=True), reverse=True)
    assert [lab for _, lab in ticks] == ["drift (n=33)", "ets (n=30)", "exponential (n=33)"]
    assert sorted(t.get_text() for t in a_acc.texts) == ["17.2%", "25.0%", "32.4%"]
    assert "MAPE" in a_acc.get_xlabel()


def test_coverage_markers_and_nominal_lines(acc):
    fig = comparison_chart(acc)
    a_cov = fig.axes[1]
    nominal = [ln for ln in a_cov.lines if ln.get_label().startswith("nominal")]
    assert [ln.get_label() for ln in nominal] == ["nominal 80%", "nominal 95%"]
    assert [ln.get_xdata()[0] for ln in nominal] == [80.0, 95.0]
    assert nominal[0].get_linestyle() != nominal[1].get_linestyle()
    markers = [ln for ln in a_cov.lines if "share covered" in ln.get_label()]
    assert len(markers) == 2 and markers[0].get_marker() != markers[1].get_marker()
    order = ["drift", "ets", "exponential"]  # best first
    exp = acc.set_index("model").loc[order]
    np.testing.assert_allclose(markers[0].get_xdata(), exp["coverage_80"])
    np.testing.assert_allclose(markers[1].get_xdata(), exp["coverage_95"])
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "80% interval: share covered" in legend and "nominal 95%" in legend


def test_other_metric_and_given_axes(acc):
    fig, axes = plt.subplots(1, 2)
    out = comparison_chart(acc, ax=axes, metric="mase", title="IC3")
    assert out is fig
    assert not fig.legends and axes[1].get_legend() is not None  # your figure: the legend stays in its panel
    np.testing.assert_allclose(sorted(b.get_width() for b in axes[0].patches), [0.8, 1.1, 1.4])
    assert fig._suptitle.get_text() == "IC3"


def test_bad_input(acc):
    with pytest.raises(ForecastError, match="one row per model"):
        comparison_chart(pd.concat([acc, acc]))
    with pytest.raises(ForecastError, match="'wis'"):
        comparison_chart(acc, metric="wis")
    with pytest.raises(ForecastError, match="two axes"):
        _, ax = plt.subplots()
        comparison_chart(acc, ax=[ax])
