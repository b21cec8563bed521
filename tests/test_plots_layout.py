"""The measured-margins layout of the report's charts: nothing cut, nothing on top of something else, one drawing."""

from __future__ import annotations

import io

import numpy as np
import pytest
from chart_checks import text_problems
from matplotlib.figure import Figure

import forecast
from forecast.plots.layout import MeasuredMargins, fit_margins, save_once
from forecast.plots.style import fixed_log_ticks, set_value_axis, source_note
from forecast.report.figures import new_figure, svg_bytes


def _count_draws(fig, monkeypatch) -> list[int]:
    calls = [0]
    original = type(fig).draw

    def draw(self, renderer):
        calls[0] += 1
        return original(self, renderer)

    monkeypatch.setattr(type(fig), "draw", draw)
    return calls


def _panels(long_titles: bool = True) -> Figure:
    fig = new_figure(7.0, 4.6, ncols=3, nrows=2)
    names = ["Non-Payment/Non-Delivery", "Romance", "Government Impersonation", "BEC", "Investment", "Tech"]
    for i, ax in enumerate(fig.axes):
        years = np.arange(2015, 2028)
        ax.plot(years, 10 ** (7 + 0.3 * i + 0.15 * (years - 2015)), marker="o")
        set_value_axis(ax, "USD", True, [1e7, 1e11])
        ax.set_title(names[i] if long_titles else "x", loc="left", fontsize=10)
        if ax is not fig.axes[0]:
            ax.set_ylabel("")
    fig.axes[0].set_ylim(1e7, 3e11)
    fixed_log_ticks(fig.axes[0].yaxis, 1e7, 3e11)
    return fig


def test_shared_log_panels_keep_their_texts_inside_and_apart():
    assert text_problems(_panels()) == []


def test_figure_legend_note_and_colour_bar_get_room():
    fig, ax = new_figure(6.4, 4.6)
    ax.plot([2001, 2030], [1e9, 1e13], label="80% interval for a new figure of the reference")
    for i in range(11):
        ax.plot([2010 + i], [1e10], marker="o", linestyle="none", label=f"publisher number {i}")
    set_value_axis(ax, "USD", True, [1e9, 1e13])
    ax.set_xlabel("Year the figure refers to")
    ax.set_title("A title over the chart", loc="left")
    source_note(ax, "a source note under the axis label, long enough to matter for the bottom margin")
    fig.legend(loc="outside lower center", ncol=3, fontsize=7, frameon=False)
    sm = __import__("matplotlib").cm.ScalarMappable(cmap="cividis")
    sm.set_clim(2008, 2023)
    fig.colorbar(sm, ax=ax, label="Forecast origin (last year of data used)")
    assert text_problems(fig) == []


def test_measured_margins_follow_the_labels():
    """Wider tick labels give a wider left margin; the plot keeps the rest of the width."""
    narrow, wide = Figure(figsize=(5, 3)), Figure(figsize=(5, 3))
    for fig, labels in ((narrow, ["a", "b"]), (wide, ["a much longer category label", "b"])):
        ax = fig.add_subplot()
        ax.barh([0, 1], [1, 2])
        ax.set_yticks([0, 1], labels)
        fit_margins(fig)
    x_narrow, x_wide = narrow.axes[0].get_position().x0, wide.axes[0].get_position().x0
    assert x_narrow < 0.1 < x_wide
    assert text_problems(wide) == []


def test_saving_draws_the_figure_once(monkeypatch):
    """With constrained layout saving drew each report chart twice (a dry run, then the output); now once."""
    fig = _panels()
    calls = _count_draws(fig, monkeypatch)
    svg = svg_bytes(fig)
    assert svg.startswith(b"<?xml") and calls[0] == 1
    assert isinstance(fig.get_layout_engine(), MeasuredMargins)  # kept for a later save


def test_saving_is_deterministic_and_margins_do_not_drift():
    fig = _panels()
    first = svg_bytes(fig)
    pos = [ax.get_position().bounds for ax in fig.axes]
    assert svg_bytes(fig) == first
    assert [ax.get_position().bounds for ax in fig.axes] == pos


def test_save_once_leaves_other_figures_alone(monkeypatch):
    fig = Figure(figsize=(3, 2), layout="constrained")
    fig.add_subplot().plot([1, 2], [3, 4])
    buf = io.BytesIO()
    save_once(fig, buf, format="svg")
    assert buf.getvalue().startswith(b"<?xml") and fig.get_layout_engine() is not None


def test_too_small_a_figure_says_so():
    fig = Figure(figsize=(0.6, 0.5))
    ax = fig.add_subplot()
    ax.set_ylabel("a long axis label")
    ax.set_yticks([0, 1], ["a long tick label", "another long tick label"])
    with pytest.raises(ValueError, match="too small for its labels"):
        fit_margins(fig)


@pytest.mark.parametrize("top", [3, 6])
def test_report_panel_chart_with_its_real_labels(top):
    """The panel chart as the report draws it: shared log scale, one label per decade over 2.5 decades."""
    res = forecast.fit_panel("ic3_by_crime_type", model="drift", n_paths=200)
    fig = new_figure(7.0, 4.6, ncols=3, nrows=2)
    names = forecast.plots.panel._largest(res, top)
    forecast.plots.panel_chart(res, series=names, axes=fig.axes[:len(names)], source="", legend=False)
    for ax in fig.axes[len(names):]:
        ax.set_visible(False)
    assert text_problems(fig) == []
    ticks = fig.axes[0].yaxis.get_major_locator()()
    low, high = fig.axes[0].get_ylim()
    assert all(low <= t <= high for t in ticks) and len(ticks) >= 3
    assert len(fig.axes[0].yaxis.get_minor_locator()()) == 0


def test_ticks_outside_the_view_are_not_made_and_the_drawing_is_the_same():
    """Only the ticks in view are made (a log axis' locator returns a decade more each side): same SVG."""
    import matplotlib

    def chart(fig, ax):
        ax.plot(np.arange(2001, 2025), np.geomspace(2e7, 2e10, 24), marker="o")
        set_value_axis(ax, "USD", True, [2e7, 2e10])
        ax.set_xlabel("Year")
        return fig

    kept = chart(*new_figure(6.4, 3.5))
    plain = chart(*new_figure(6.4, 3.5))
    fit_margins(plain)  # the same margins, the locators as they were
    plain.set_layout_engine(None)
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "forecast-report", "svg.fonttype": "path"}):
        plain.savefig(buf, format="svg", metadata={"Date": None})
    assert svg_bytes(kept) == buf.getvalue()
    for axis in (kept.axes[0].xaxis, kept.axes[0].yaxis):
        lo, hi = sorted(axis.get_view_interval())
        locs = [t.get_loc() for t in axis.get_major_ticks() + axis.get_minor_ticks()]
        assert locs and all(lo <= v <= hi for v in locs)
    assert len(plain.axes[0].yaxis.get_minor_ticks()) > len(kept.axes[0].yaxis.get_minor_ticks())
