"""Panel charts: small multiples on one shared log scale, contribution bars."""

from __future__ import annotations

import numpy as np
import pytest

import forecast
from forecast.errors import ForecastError


@pytest.fixture(scope="module")
def states():
    return forecast.fit_panel("ic3_by_state", model="drift", n_paths=200)


def test_panel_chart_draws_the_library_forecasts_on_a_shared_log_axis(states):
    fc = states.forecast(horizon=3)
    fig = forecast.plots.panel_chart(states, top=4, forecast_frame=fc)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in axes] == ["Total", "California", "Texas", "Florida", "New York"]
    assert all(ax.get_yscale() == "log" for ax in axes)
    assert axes[0].get_shared_y_axes().joined(axes[0], axes[4])
    # the median line of California is the forecast's median, continuing from the last observation
    line = next(ln for ln in axes[1].get_lines() if ln.get_label().startswith("Median"))
    med = fc[fc.state == "California"]["median"].to_numpy()
    np.testing.assert_allclose(line.get_ydata()[-3:], med, rtol=1e-12)
    drawn = fc[fc.state.isin(["Total", "California", "Texas", "Florida", "New York"])]
    lo, hi = axes[0].get_ylim()
    assert lo < drawn["lower_95"][drawn.lower_95 > 0].min() and hi > drawn["upper_95"].max()


def test_panel_chart_unknown_series(states):
    with pytest.raises(ForecastError, match="no forecast for 'Atlantis'"):
        forecast.plots.panel_chart(states, series=["Atlantis"])


def test_contributions_chart_bars_are_the_contributions():
    parts = forecast.contributions("ic3_by_crime_type")
    fig = forecast.plots.contributions_chart(parts, top=3)
    widths = sorted(p.get_width() for p in fig.axes[0].patches)
    by_type = parts.set_index("canonical_type")["contribution_pp"]
    top3 = by_type.abs().sort_values().tail(3).index
    expected = sorted([*by_type.loc[top3], by_type.drop(index=top3).sum()])  # the top 3 and "all others"
    assert widths == pytest.approx(expected)
    assert any("overlap" in t.get_text() for t in fig.axes[0].texts)
