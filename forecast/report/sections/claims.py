"""Section 4, published claims: each claim in the model's distribution, other figures still to come, the scorecard."""

from __future__ import annotations

from typing import Any

import pandas as pd

import forecast
from forecast.report.blocks import Block, Section, bold, bullets, figure, fmt_pct, heading, one_line, para, ref, table
from forecast.report.context import Context
from forecast.report.figures import new_figure
from forecast.report.sections.common import (
    fmt_crossing,
    fmt_percentile,
    interval,
    is_missing,
    measure_label,
    money,
    origin_names,
    txt,
    value_fmt,
)
from forecast.report.compute import claim_target


def section_claims(ctx: Context) -> Section:
    """Claims: percentile, ratio to median, crossing year, likely origin; other figures; the scorecard."""
    s = Section("claims", "Published claims tested")
    records = ctx.claims.value
    if ctx.options.uses_global:
        pf = ctx.publishers.value
        against = (f"the multi-publisher model (Section 3), on the scale of {pf.reference} unless the claim "
                   "belongs to a publisher in the model")
    else:
        against = f"the forecast of {ctx.name} (Section 2)"
    s.add(para(
        f"Each claim is placed in the distribution of {against} for its year: its percentile (the share of the "
        "distribution below it), a one-word verdict (consistent: inside the central 80% interval; high or low: "
        "outside the 80% but inside the 95% interval; implausible: outside the 95% interval), its ratio to the "
        "median, and the multiple of the median a claim would need to exceed to fall outside the 95% interval. "
        "The verdict depends on whose scale the claim is read on, so it is given on the scale of every publisher "
        "with three or more figures. The crossing year is the median of the years in which simulated paths first "
        "reach the claim, with an 80% interval."))
    s.part("Claim table", lambda: _claims_table(ctx, records))
    s.part("Claim chart", lambda: _claims_figure(ctx, records))
    if ctx.options.uses_global:
        s.part("Other headline figures", lambda: _upcoming_table(ctx))
        s.part("Scorecard", lambda: _scorecard_table(ctx))
    return s


def _claims_table(ctx: Context, records: list[tuple[Any, Any]]) -> list[Block]:
    from forecast.report.title import exact_money

    fmt = money if ctx.options.uses_global else value_fmt(ctx)
    rows, scale_rows, mode_rows, quote_rows, verdicts = [], [], [], [], []
    for spec, rec in records:
        if isinstance(rec, Exception):
            rows.append([spec.label, "", "", "", "", "", "", "", "", ""])
            verdicts.append([bold(spec.label + ": "), {"t": "could not be checked: " + one_line(rec)}])
            continue
        rows.append([spec.label, txt(rec.scale), rec.verdict, fmt_percentile(rec.percentile),
                     f"×{float(rec.ratio_to_median):.2f}", fmt(rec.median), interval(rec.lower_80, rec.upper_80, fmt),
                     interval(rec.lower_95, rec.upper_95, fmt), f"×{float(rec.reject_multiple):.3g}",
                     fmt_crossing(rec)])
        verdicts.append(txt(rec.statement))
        for _, r in rec.scales.iterrows():
            own = "" if is_missing(r["figure"]) else f"{exact_money(r['figure'])} (×{r['ratio_to_figure']:.2f})"
            scale_rows.append([spec.label, txt(r["scale"]), str(int(r["n_figures"])), r["verdict"],
                               fmt_percentile(r["percentile"]), fmt(r["median"]),
                               interval(r["lower_80"], r["upper_80"], fmt), own or "none"])
        for _, m in getattr(rec, "modes", pd.DataFrame()).iterrows():  # one line a maximum, when there are several
            mode_rows.append([spec.label, "best" if int(m["mode"]) == 0 else
                              f"{int(m['mode'])} ({float(m['delta']):.2f} below)", f"{float(m['reml_loglik']):.2f}",
                              fmt_pct(m["growth"], 1), m["verdict"], fmt_percentile(m["percentile"]), fmt(m["median"]),
                              interval(m["lower_95"], m["upper_95"], fmt)])
        figs = getattr(rec, "figures", pd.DataFrame())
        if len(figs):  # the year's own estimates, and the nearest years of the publishers with a scale
            figs = figs[(figs["relation"] == "same year") | figs["publisher"].isin(set(rec.scales["scale"]))]
        for _, f in figs.iterrows():
            ranged = not is_missing(f["low_usd"]) and not is_missing(f["high_usd"])
            amount = (f"{exact_money(f['low_usd'])}–{exact_money(f['high_usd'])}" if ranged
                      else exact_money(f["value_usd"]))
            quote_rows.append([spec.label, txt(f["publisher"]), str(int(f["year"])), amount,
                               measure_label(f["measure"]),
                               "yes" if f["in_model"] else "no: " + txt(f["reason"]).split(":")[0]])
    origin_rows = []
    for spec, rec in records:
        if isinstance(rec, Exception):
            continue
        matched = origin_names((rec.matched_id,)) if getattr(rec, "matched_id", None) else []
        origins = origin_names(tuple(getattr(rec, "origin_ids", ()) or ()))
        if matched or origins:
            origin_rows.append([spec.label, "; ".join(matched) or "no catalogued statement",
                                "; ".join(origins) or "not traced",
                                measure_label(getattr(rec, "origin_measure", "")) or "n/a"])
    out: list[Block] = [
        table(["Claim", "Scale", "Verdict", "Percentile", "Ratio to median", "Model median", "Model 80% interval",
               "Model 95% interval", "Outside 95% above", "Crossing year"], rows, label="tab-claims",
              align="lllrrrrrrr",
              widths=["1.1fr", "1.1fr", "1fr", "0.9fr", "0.8fr", "0.9fr", "1.4fr", "1.5fr", "0.8fr", "1.5fr"],
              caption="The headline claims against the model, each in the distribution for its own year.",
              note="Outside 95% above: the multiple of the median a claim would need to exceed to fall outside the "
                   "95% interval. Crossing year: median of the simulated paths' first years at or above the claim "
                   "(80% interval).")]
    if len(scale_rows) > len(rows):
        out.append(table(["Claim", "Publisher scale", "Figures", "Verdict", "Percentile", "Median", "80% interval",
                          "Publisher's own figure (claim ÷ figure)"], scale_rows, label="tab-claim-scales",
                         align="llrlrrrl", widths=["1fr", "1.3fr", "0.6fr", "1fr", "0.9fr", "0.9fr", "1.4fr", "1.8fr"],
                         caption="How the verdict changes with the publisher whose scale the claim is read on."))
    if mode_rows:
        out.append(table(["Claim", "Maximum", "Log-likelihood", "Growth a year", "Verdict", "Percentile", "Median",
                          "95% interval"], mode_rows, label="tab-claim-modes", align="llrrlrrr",
                         widths=["1fr", "1.3fr", "1fr", "1fr", "1fr", "0.9fr", "0.9fr", "1.5fr"],
                         caption="The model's likelihood has more than one maximum within 2 log-likelihood units: "
                                 "what each implies for the claim, on the scale judged."))
    if origin_rows:
        out.append(table(["Claim", "Published as", "Likely origin", "Origin measures"], origin_rows,
                         label="tab-origins", align="llll", widths=["1fr", "2.2fr", "2.2fr", "1fr"],
                         caption="Where the headline claims were published and where they most likely came from "
                                 "(an inference from matching figures and years)."))
    if quote_rows:
        out.append(table(["Claim", "Publisher", "Year", "Published figure", "Measures", "In the model"],
                         quote_rows, label="tab-quote", align="llrrll",
                         widths=["0.9fr", "1.3fr", "0.5fr", "1.2fr", "1.1fr", "3fr"],
                         caption="What to quote instead: the estimates published for each claim's year (and, for "
                                 "the publishers the model fits, their nearest years), with what they measure.",
                         note="Quote a figure with its publisher and its measure: the publishers' scales differ by "
                              "a factor of several (Section 3)."))
    out += [para(bold("In words. "), "The library's verdict on each claim:"), bullets(verdicts)]
    return out


def _claims_figure(ctx: Context, records: list[tuple[Any, Any]]) -> Block | None:
    ok = [(spec, rec) for spec, rec in records if not isinstance(rec, Exception)][:2]
    if not ok:
        return None
    target = claim_target(ctx)
    if len(ok) == 1:
        fig, ax = new_figure(6.4, 2.8)
        axes = [ax]
    else:
        fig = new_figure(6.4, 6.2, nrows=2)
        axes = fig.axes
    for (spec, rec), ax in zip(ok, axes):
        forecast.plots.claim_chart(rec, ax=ax, against=target, title=f"{spec.label}: {fmt_percentile(rec.percentile)}"
                                   " percentile")
    name = ctx.add_figure("claims", fig)
    return figure(name, label="fig-claims", width="88%", caption=(
        "Each claim (dashed line, diamond) in the model's predictive distribution for its year: the curve is the "
        "density on a logarithmic value axis, with the central 80% and 95% intervals shaded and the median marked."))


def _upcoming_table(ctx: Context) -> list[Block] | None:
    recs = ctx.upcoming.value
    if not recs:
        return None
    rows = []
    for row, rec in recs:
        who = f"{txt(row['publisher'])} ({txt(row['published_year'])})"
        fig = f"{money(row['value_usd'])} in {int(row['target_year'])}"
        if isinstance(rec, Exception):
            rows.append([who, fig, measure_label(row.get("measure")), "could not be checked: " + one_line(rec, 80),
                         "", "", ""])
            continue
        rows.append([who, fig, measure_label(row.get("measure")), txt(rec.scale), fmt_percentile(rec.percentile),
                     f"×{float(rec.ratio_to_median):.2f}", fmt_crossing(rec)])
    return [heading("Other headline figures still to come"),
            para("Published forecasts for years after the last estimate in the model, checked the same way (on the "
                 "publisher's own scale when it has estimates in the model, else on the reference scale)."),
            table(["Published by", "Figure", "Measures", "Scale", "Percentile", "Ratio to median",
                   "Crossing year (80% interval)"],
                  rows, label="tab-upcoming", align="llllrrr",
                  widths=["1.9fr", "1.3fr", "1fr", "1.5fr", "1.2fr", "1fr", "1.7fr"],
                  caption="Forecasts of the global cost whose year has not yet come, against the model.")]


def _scorecard_table(ctx: Context) -> list[Block]:
    from forecast.published.scorecard import describe

    sc = ctx.scorecard.value
    notes = list(dict.fromkeys(n for n in sc["note"] if n))
    rows = []
    for _, r in sc.iterrows():
        has_model = bool(str(r.get("scale") or ""))
        rows.append([f"{txt(r['publisher'])} ({txt(r['published_year'])})",
                     f"{money(r['forecast_usd'])} in {int(r['target_year'])}",
                     measure_label(r.get("measure")),
                     "none" if is_missing(r.get("outcome_usd")) else money(r["outcome_usd"]),
                     "" if is_missing(r.get("forecast_crps")) else f"{float(r['forecast_crps']):.2f}",
                     txt(r.get("scale")) if has_model else "not compared",
                     fmt_percentile(r.get("model_percentile")) if has_model else "",
                     ("yes" if bool(r.get("in_model_95")) else "no") if has_model else "",
                     f"[{notes.index(r['note']) + 1}]" if r["note"] else ""])
    return [heading("Scorecard of past forecasts"),
            para(describe(sc) + " No outcome is a mean across publishers, and a forecast of another quantity is "
                 "not scored against the total cost (", ref("tab-scorecard"), ")."),
            table(["Forecast by", "Figure", "Measures", "Own later estimate", "CRPS", "Model scale",
                   "Model percentile", "In 95%", "Note"], rows,
                  label="tab-scorecard", align="lllrrlrcl",
                  widths=["1.9fr", "1.2fr", "1.2fr", "1fr", "0.6fr", "1.4fr", "1fr", "0.6fr", "0.5fr"],
                  caption="Scorecard: published forecasts whose year has passed, each counted once, against the "
                          "same publisher's later estimate and the model on the publisher's scale.",
                  note="CRPS: continuous ranked probability score on the log scale (for a point forecast, the "
                       "absolute log error; lower is better). The notes follow the table."),
            para(bold("Notes to "), ref("tab-scorecard", alt="the scorecard"), bold(".")),
            bullets([f"[{i}] {n}." for i, n in enumerate(notes, 1)])]
