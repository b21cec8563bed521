"""Where the losses are: IC3 losses by state and by crime type, their growth and forecasts.

Every number comes from the panel calls made once by
:func:`forecast.report.compute.compute_panels` (``forecast.fit_panel``,
``.forecast``, ``forecast.contributions``) and from the main series' forecast.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import forecast
from forecast.report.blocks import Block, Section, bold, bullets, figure, heading, para, refs, table
from forecast.report.context import Context
from forecast.report.figures import new_figure
from forecast.report.sections.common import frame_levels, interval, money, year_of

TOP = 8  # rows of the tables
PANELS = 6  # small multiples per figure (with the total)


def section_panels(ctx: Context) -> Section:
    """Where the losses are: states reconciled to their total, crime types, contributions to growth."""
    s = Section("panels", "Where the losses are")
    p = ctx.panels.value
    states, crimes = p["states"], p["crimes"]
    sfc, cfc = p["states_forecast"], p["crimes_forecast"]
    last = states.panel.last_year
    end = int(sfc["year"].max())
    tot = sfc[(sfc.state == "Total") & (sfc.year == end)].iloc[0]
    lo, hi = frame_levels(sfc)
    s.add(para(
        f"IC3 publishes the reported losses by state (50 states, the District of Columbia and the territories) and "
        f"by crime type. Each series is fitted and forecast on its own (model {states.model}: per series the "
        "equal mixture of a random walk with drift and ETS on the log scale), three years ahead. The states add "
        f"up to a total of states, whose forecasts are reconciled ({states.reconcile}) so that the states' forecasts "
        f"add up to it: its median for {end} is ", bold(money(tot["median"])),
        f" ({lo:g}% interval {interval(tot[f'lower_{lo:g}'], tot[f'upper_{lo:g}'])})",
        refs("fig-panel-states", "tab-panel-total"), "."))
    s.part("Total of states and national total", lambda: _total_table(ctx, p))
    s.add(heading("States"))
    s.part("States chart", lambda: _panel_figure(ctx, states, sfc, "states", "fig-panel-states",
                                                 "The total of states and the largest states"))
    s.part("States table", lambda: _largest_table(p["states_growth"], sfc, "state", "tab-panel-states",
                                                  f"The {TOP} states with the largest reported losses in {last}"))
    s.add(heading("Crime types"))
    s.part("Crime types chart", lambda: _panel_figure(ctx, crimes, cfc, "crime-types", "fig-panel-types",
                                                      "The largest crime types"))
    s.part("Crime types table", lambda: _largest_table(p["crimes_growth"], cfc, "canonical_type",
                                                       "tab-panel-types",
                                                       f"The {TOP} crime types with the largest reported losses "
                                                       f"in {last}"))
    s.add(heading("What drove the growth"))
    s.part("Contributions", lambda: _contributions(ctx, p["contributions"]))
    s.add(heading("What to know about these panels"))
    s.add(bullets(_caveats(states, crimes)))
    return s


def _total_table(ctx: Context, p: dict) -> Block:
    sfc = p["states_forecast"]
    national = ctx.forecast_frame.value if ctx.forecast_frame.ok else None
    states_total = p["states"].sources_["Total"]
    nat = ctx.y
    rows = []
    for yr in states_total.index[-4:]:
        n = nat.get(pd.Period(str(yr), freq="Y"), float("nan")) if hasattr(nat, "get") else float("nan")
        rows.append([str(yr), "observed", money(states_total.loc[yr]), money(n), _pct(states_total.loc[yr] / n)])
    lo, _ = frame_levels(sfc)
    for _, r in sfc[sfc.state == "Total"].iterrows():
        n = float("nan")
        if national is not None:
            match = [i for i in national.index if year_of(i) == int(r["year"])]
            n = float(national.loc[match[0], "median"]) if match else float("nan")
        rows.append([str(int(r["year"])), "forecast (median)", f"{money(r['median'])} "
                     f"({interval(r[f'lower_{lo:g}'], r[f'upper_{lo:g}'])})", money(n), _pct(r["median"] / n)])
    return table(["Year", "", f"Total of states ({lo:g}% interval)", "National total (IC3)", "States' share"],
                 rows, label="tab-panel-total", align="llrrr", widths=["auto", "auto", "2fr", "1.2fr", "auto"],
                 caption="The total of the states beside IC3's national total: observed, then forecast (the "
                 "national forecast is that of the Reported losses section).",
                 note="The states cover only complaints that gave a US state: the rest of the national losses are "
                 "foreign or of unknown origin. The two forecasts are made separately, so the share in the "
                 "forecast years is a comparison of two medians, not a forecast of the share.")


def _pct(x: float) -> str:
    return "" if not pd.notna(x) else f"{100 * x:.0f}%"


def _panel_figure(ctx: Context, res: Any, fc: pd.DataFrame, stem: str, label: str, what: str) -> Block:
    fig = new_figure(7.0, 4.6, ncols=3, nrows=2)
    names = ([res.total] if res.total else []) + _largest(res, PANELS - (1 if res.total else 0))
    forecast.plots.panel_chart(res, series=names, forecast_frame=fc, axes=fig.axes[:len(names)], source="",
                               legend=False)
    for ax in fig.axes[len(names):]:
        ax.set_visible(False)
    name = ctx.add_figure(stem, fig)
    lo, hi = frame_levels(fc)
    return figure(name, label=label, caption=(
        f"{what}: reported losses (points) and forecast median (line) with {lo:g}% and {hi:g}% prediction "
        "intervals (bands), on one logarithmic scale shared by all panels, so sizes compare across panels."))


def _largest(res: Any, n: int) -> list[str]:
    last = res.panel.wide().iloc[-1].dropna().sort_values(ascending=False)
    fitted = set(res.fitted_series) | set(res.pooled_)
    return [k for k in last.index if k in fitted][:n]


def _largest_table(growth: pd.DataFrame, fc: pd.DataFrame, key: str, label: str, caption: str) -> Block:
    g = growth.set_index(key)
    end = int(fc["year"].max())
    lo, _ = frame_levels(fc)
    f = fc[fc["year"] == end].set_index(key)
    top = g.sort_values("end", ascending=False).index[:TOP]
    rows = []
    for k in top:
        r = g.loc[k]
        fr = f.loc[k] if k in f.index else None
        rows.append([str(k), money(r["end"]), "" if not pd.notna(r["annual_growth_pct"]) else
                     f"{r['annual_growth_pct']:.0f}%", f"{r['share_of_growth']:.0f}%",
                     "" if fr is None else money(fr["median"]),
                     "" if fr is None else interval(fr[f"lower_{lo:g}"], fr[f"upper_{lo:g}"])])
    period = str(g["period"].iloc[0])
    return table([key.replace("canonical_type", "Crime type").replace("state", "State"), f"Losses {period[-4:]}",
                  f"Growth a year {period}", "Share of the growth", f"Median {end}", f"{lo:g}% interval {end}"],
                 rows, label=label, caption=caption + ": growth and forecast.", align="lrrrrr",
                 widths=["1.6fr", "auto", "auto", "auto", "auto", "1.6fr"],
                 note="Growth a year: compound annual growth over the period. Share of the growth: the series' "
                 "part of the change of the sum over the same period.")


def _contributions(ctx: Context, parts: pd.DataFrame) -> list[Block]:
    fig, ax = new_figure(6.8, 4.6)
    forecast.plots.contributions_chart(parts, top=TOP, ax=ax, title="Crime types: contributions to growth")
    name = ctx.add_figure("contributions", fig)
    periods = list(dict.fromkeys(parts["period"]))
    first = parts[parts.period == periods[0]].iloc[0]
    lead = [para(
        f"The crime types' losses summed grew {first['total_growth_pct']:.0f}% over {periods[0]}; the largest "
        f"contribution came from {first['canonical_type']} ({first['contribution_pp']:.0f} percentage points, "
        f"{first['share_of_growth']:.0f}% of the growth)", refs("fig-contributions"), ".")]
    if len(periods) > 1:
        fc = parts[parts.period == periods[1]].iloc[0]
        lead.append(para(
            f"In the forecast ({periods[1].replace(' forecast', '')}, on the medians) the sum grows "
            f"{fc['total_growth_pct']:.0f}%, led by {fc['canonical_type']} ({fc['share_of_growth']:.0f}% of "
            "the growth)."))
    return lead + [figure(name, label="fig-contributions", caption=(
        "Contributions of the crime types to the growth of their summed losses, over the data and in the "
        "forecast (medians), in percentage points of the sum's growth; the rest summed as 'all others'. "
        "Crime types overlap: one complaint can have several, and the types sum to 97-126% of the national "
        "losses, so this splits the growth of the types' sum, not of the national total."))]


def _caveats(states: Any, crimes: Any) -> list[str]:
    out = [n[:1].upper() + n[1:] + "." for n in states.notes if "national total" in n or "pooled" in n]
    out += [n[:1].upper() + n[1:] + "." for n in crimes.notes if "overlap" in n]
    skipped = crimes.summary()
    skipped = skipped[skipped["status"] != "fitted"]
    if len(skipped):
        out.append(f"{len(skipped)} crime types are not forecast: they were not reported in the last year "
                   "or have too few years (labels change between reports).")
    out.append("Reconciled intervals come from simulated paths, each made to add up; where a reconciliation "
               "pushed a state below zero in a path, that state is set to zero in that path and the total summed "
               "again, which is why some lower bounds reach zero.")
    return out
