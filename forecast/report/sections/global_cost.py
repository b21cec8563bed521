"""Section 3, the global cost: the multi-publisher model, its offsets, forecast and sensitivity."""

from __future__ import annotations

from typing import Any

import forecast
from forecast.report.blocks import (
    Block,
    Section,
    bold,
    bullets,
    figure,
    fmt_pct,
    heading,
    note,
    para,
    ref,
    table,
)
from forecast.report.context import LEVELS, Context
from forecast.report.figures import new_figure
from forecast.report.sections.common import fmt_percentile, interval, is_missing, money, txt, year_of


def section_global(ctx: Context) -> Section:
    """Global cost: publisher chart, publisher offsets, the latent level's forecast, sensitivity."""
    s = Section("global", "The global cost of cybercrime")
    pf = ctx.publishers.value
    inc = pf.inclusion
    n_in = int(inc["included"].sum())
    s.add(para(
        "Publishers' estimates of the global cost differ by an order of magnitude for the same year. They are not "
        "one time series. The multi-publisher model fits them together: one latent level growing along "
        f"{'an' if str(pf.curve)[:1] in 'aeiou' else 'a'} {pf.curve} curve, a systematic offset for each publisher, and each publisher's own noise, with the "
        f"published low–high ranges as measurement uncertainty. It uses {n_in} of the {len(inc)} published "
        f"figures, from {len(pf.publishers)} publishers ({pf.first_year}–{pf.last_year}); the others are forecasts "
        "made at publication (claims to test, Section 4) or measure something else (", ref("tab-global-data", "Section 1"),
        "). The latent level is expressed on the scale of ", bold(pf.reference), ", the reference publisher."))
    s.part("Publisher chart", lambda: _publisher_figure(ctx, pf))
    s.part("Publisher offsets", lambda: _offsets_table(ctx, pf))
    s.part("Latent forecast", lambda: _latent_table(ctx, pf))
    s.part("Sensitivity", lambda: _sensitivity_table(ctx, pf))
    notes = list(getattr(pf, "notes", []) or [])
    if notes:
        s.add(heading("What to know about this model"))
        s.add(bullets(notes))
    return s


def _publisher_figure(ctx: Context, pf: Any) -> Block:
    fig, ax = new_figure(6.4, 4.6)
    # the fitted line and the year axis end in the last year of the forecast table below (Table "tab-latent")
    forecast.plots.publisher_chart(pf, ax=ax, until=max(ctx.horizon_year, pf.last_year + 1))
    name = ctx.add_figure("publishers", fig)
    return figure(name, label="fig-publishers", caption=(
        "Published estimates of the global cost by publisher, with their low–high ranges; hollow markers are "
        f"figures that were forecasts when published. The line and band are the model's latent level on "
        f"{pf.reference}'s scale."))


def _offsets_table(ctx: Context, pf: Any) -> list[Block]:
    off = pf.offsets
    rows = []
    for _, r in off.iterrows():
        is_ref = str(r["publisher"]) == pf.reference
        rows.append([txt(r["publisher"]), "reference" if is_ref else f"×{float(r['ratio']):.2f}",
                     "" if is_ref or is_missing(r.get("lower_95")) else
                     f"×{float(r['lower_95']):.2f} – ×{float(r['upper_95']):.2f}",
                     txt(r.get("n_rows")), f"{int(r['first_year'])}–{int(r['last_year'])}"
                     if int(r["first_year"]) != int(r["last_year"]) else str(int(r["first_year"])),
                     txt(r.get("noise"))])
    top = off[off["publisher"] != pf.reference].sort_values("ratio", ascending=False)
    lead = []
    if len(top):
        lead = [para("Reading the offsets: ", txt(top.iloc[0]["statement"]), ". A publisher with one figure has a "
                     "wide interval and borrows its noise from the others (column 'Noise').")]
    return [heading("How far the publishers' scales differ"), *lead,
            table(["Publisher", f"Multiple of {pf.reference}", "95% interval", "Figures", "Years", "Noise"], rows,
                  label="tab-offsets", align="lrrrcl", widths=["1.9fr", "1.2fr", "1.5fr", "0.8fr", "1fr", "2.3fr"],
                  caption=f"Publisher offsets: each publisher's figures as a multiple of {pf.reference}'s.")]


def _latent_table(ctx: Context, pf: Any) -> list[Block]:
    until = max(ctx.horizon_year, pf.last_year + 1)
    fc = pf.forecast(until=until, levels=LEVELS)
    g, glo, ghi = pf.growth_rate()
    rows = [[str(year_of(p)), money(r["median"]), interval(r["lower_80"], r["upper_80"]),
             interval(r["lower_95"], r["upper_95"])] for p, r in fc.iterrows()]
    return [heading("The latent level and its forecast"),
            para(f"On {pf.reference}'s scale the latent level grows by {fmt_pct(g, 1)} a year (95% interval "
                 f"{fmt_pct(glo, 1)} to {fmt_pct(ghi, 1)}). ", ref("tab-latent"), " gives its forecast; on another "
                 "publisher's scale multiply by that publisher's offset (", ref("tab-offsets", "Section 3.1"), "). The intervals "
                 "are for a new figure on that scale: they include the curve's parameter uncertainty and the "
                 "publisher's noise.", _measured_coverage(pf)),
            table(["Year", "Median", "80% interval", "95% interval"], rows, label="tab-latent", align="rrrr",
                  caption=f"Forecast of the global cost on {pf.reference}'s scale (nominal US$).")]


def _measured_coverage(pf: Any) -> str:
    """The calibration study's coverage beside the nominal levels, when the fit has the options it measured."""
    from forecast.published.calibration import applies_to, coverage_range

    if not applies_to(pf):
        return ""
    lo80, hi80, designs, reps = coverage_range(80)
    lo95, hi95, _, _ = coverage_range(95)
    return (f" Measured in a simulation study shaped like the bundled figures ({designs} designs, {reps:,} "
            f"replications each; benchmarks/publisher_study.py), these intervals for a new figure of the reference "
            f"publisher contained it in {lo80:.1f}–{hi80:.1f}% of replications at 80% and {lo95:.1f}–{hi95:.1f}% "
            "at 95%.")


def _sensitivity_table(ctx: Context, pf: Any) -> list[Block]:
    sens = ctx.sensitivity.value
    med_col = next((c for c in sens.columns if str(c).startswith("median_")), None)
    pct_cols = [c for c in sens.columns if str(c).startswith("percentile[")]
    headers = ["Variant", "Reference", "Figures", "Growth a year", "95% interval"]
    if med_col:
        headers.append(f"Level {med_col.split('_', 1)[1]}")
    headers += [f"Percentile of {c[len('percentile['):-1]}" for c in pct_cols]
    widths = ["2.3fr", "1.5fr", "1fr", "1.1fr", "1.7fr"] + ["1.2fr"] * (len(headers) - 5)
    rows = []
    for _, r in sens.iterrows():
        if is_missing(r.get("growth")):
            row = [txt(r["variant"]), "could not be fitted: " + txt(r.get("note")), "", "", ""]
            row += [""] * (len(headers) - len(row))
            rows.append(row)
            continue
        row = [txt(r["variant"]), txt(r.get("reference")), txt(int(r["n_rows"])), fmt_pct(r["growth"], 1),
               f"{fmt_pct(r['lower_95'], 1)} to {fmt_pct(r['upper_95'], 1)}"]
        if med_col:
            row.append(money(r[med_col]))
        row += [fmt_percentile(r[c]) for c in pct_cols]
        rows.append(row)
    return [heading("How sensitive the answer is"),
            para("The answer depends on which publishers are in and how the model is specified. ",
                 ref("tab-sensitivity"), " refits the model without each publisher in turn, with one noise level "
                 "for all, with each publisher's noise estimated from its own figures alone (not pooled), with the "
                 "other curve, and for each publisher with enough figures alone (its own growth "
                 "rate). A variant whose likelihood has more than one maximum within 2 log-likelihood units has a "
                 "row for each. Levels and percentiles are on each variant's reference scale."),
            table(headers, rows, label="tab-sensitivity", align="ll" + "r" * (len(headers) - 2), widths=widths,
                  caption="Sensitivity of the multi-publisher model to its specification.")]
