"""The report's "Where the losses are" section shows the panel API's numbers."""

from __future__ import annotations

import pandas as pd
import pytest

import forecast
from forecast.report import compute
from forecast.report.context import Context, ReportOptions
from forecast.report.sections.common import interval, money
from forecast.report.sections.panels import section_panels


@pytest.fixture(scope="module")
def built():
    ctx = Context(options=ReportOptions(), y=forecast.series("ic3"), source="IC3", name="IC3", is_ic3=True)
    compute.compute_models(ctx)
    compute.compute_panels(ctx)
    return ctx, section_panels(ctx)


def _table(section, label):
    return next(b for b in section.blocks if b.get("type") == "table" and b.get("label") == label)


def test_total_of_states_beside_the_national_total(built):
    ctx, sec = built
    assert sec.problems == []
    rows = _table(sec, "tab-panel-total")["rows"]
    res = forecast.fit_panel("ic3_by_state")
    fc = res.forecast(horizon=compute.PANEL_HORIZON)
    tot = fc[fc.state == "Total"].set_index("year")
    r27 = next(r for r in rows if r[0] == "2027")
    assert r27[2] == f"{money(tot.loc[2027, 'median'])} ({interval(tot.loc[2027, 'lower_80'], tot.loc[2027, 'upper_80'])})"
    nat = ctx.forecast_frame.value
    assert r27[3] == money(nat.loc[pd.Period("2027", freq="Y"), "median"])
    # observed years: the total of states and IC3's national total, and the share
    r24 = next(r for r in rows if r[0] == "2024")
    states24 = forecast.load("ic3_by_state").query("year == 2024")["losses_usd"].sum()
    assert r24[2] == money(states24) and r24[3] == money(forecast.series("ic3").loc["2024"])
    assert r24[4] == f"{100 * states24 / forecast.series('ic3').loc['2024']:.0f}%"


def test_largest_states_and_types_with_growth_and_forecast(built):
    _, sec = built
    rows = _table(sec, "tab-panel-states")["rows"]
    growth = forecast.contributions("ic3_by_state").set_index("state")
    assert rows[0][0] == "California" and rows[0][1] == money(growth.loc["California", "end"])
    assert rows[0][2] == f"{growth.loc['California', 'annual_growth_pct']:.0f}%"
    types = _table(sec, "tab-panel-types")["rows"]
    fc = forecast.fit_panel("ic3_by_crime_type").forecast(horizon=3).set_index(["canonical_type", "year"])
    assert types[0][0] == "Investment" and types[0][4] == money(fc.loc[("Investment", 2027), "median"])
    figures = [b["label"] for b in sec.blocks if b.get("type") == "figure"]
    assert figures == ["fig-panel-states", "fig-panel-types", "fig-contributions"]
    text = str(sec.blocks)
    assert "not IC3's national total" in text and "overlap" in text
