"""Section 5, method and caveats: what each figure measures, under-reporting, nominal and real dollars, the intervals."""

from __future__ import annotations

import forecast
from forecast.report.blocks import Block, Section, bold, bullets, heading, para, ref
from forecast.report.context import Context
from forecast.report.sections.common import fmt_share, measure_label, money, year_of


def section_method(ctx: Context) -> Section:
    """Method and caveats: what each figure measures, under-reporting, nominal vs real, the intervals."""
    s = Section("method", "Method and caveats")
    if ctx.options.uses_global:
        s.add(heading("What each figure measures"))
        s.add(para("Each published figure carries one of these measures (", ref("tab-global-data", "Section 1"),
                   "); only annual estimates of the total cost enter the multi-publisher model."))
        s.part("Measures", lambda: _measures_list(ctx))
    else:
        s.add(heading("What the series measures"))
        s.add(para(f"The series is {ctx.source}, used as given: this report cannot say what it measures or how it "
                   "was collected. Its forecast assumes that the way the figures are produced stays the same."))
    if ctx.is_ic3:
        s.add(heading("Reported losses are a lower bound"))
        s.add(para(
            "IC3 figures are losses that victims chose to report to the FBI's Internet Crime Complaint Center: "
            "self-reported, unverified, mostly from the United States, and without lost business, wages or "
            "remediation. Most victims do not report, and the share who do changes over time, so part of the "
            "growth reflects more reporting. The series changed definition too: early years count losses from "
            "referred fraud cases, later years all reported losses."))
    if ctx.options.uses_global:
        s.add(heading("Published estimates of the global cost"))
        s.add(para(
            "The global estimates are the publishers' own figures. Most are not peer reviewed and few publish "
            "their derivation; survey-based figures are dominated by a few large answers, and later figures by one "
            "publisher often restate its earlier growth assumption. The model can say how far apart the "
            "publishers are and how a claim compares with them; it cannot say which publisher measures the "
            "true cost."))
    s.add(heading("Nominal and real dollars"))
    s.part("Real terms", lambda: _real_terms(ctx))
    s.add(heading("What the intervals include"))
    s.add(para(
        f"The {' and '.join(f'{lv:g}%' for lv in ctx.options.levels)} prediction intervals include the "
        "uncertainty of the model's parameters and the "
        "year-to-year noise seen in the data, on the log scale, so they are positive and skewed. They do not "
        "include a change of the model itself (a break in the trend, a change in reporting), nor the "
        "uncertainty of the model choice beyond what the backtest measured: the backtest coverage beside the "
        "nominal level (", ref("tab-candidates", "Section 2"), ") shows how well they held in the past."))
    return s


def _measures_list(ctx: Context) -> Block:
    from forecast.data.registry import MEASURES

    used = set(forecast.load("global_estimates")["measure"].dropna()) if ctx.options.uses_global else set()
    items = [[bold(measure_label(k) + ": "), {"t": v}] for k, v in MEASURES.items() if not used or k in used]
    return bullets(items)


def _real_terms(ctx: Context) -> list[Block]:
    if not ctx.is_ic3:
        return [para("Values are shown as given, in the unit of the file; no price adjustment is made.")]
    base = ctx.last_year
    real = forecast.to_real(ctx.y, base_year=base)
    first = ctx.y.index[0]
    share = forecast.share_of_gdp(ctx.y)
    blocks = [para(
        f"All money in this report is nominal US$ unless stated. Prices rose between {year_of(first)} and {base}: "
        f"the {year_of(first)} IC3 figure of {money(ctx.y.iloc[0])} is {money(real.iloc[0])} in {base} dollars "
        "(deflated by the US CPI-U). Forecasts are in nominal dollars of their year. As a share of world GDP, "
        f"IC3's reported losses went from {fmt_share(share.iloc[0])} in {year_of(first)} to "
        f"{fmt_share(share.iloc[-1])} in {year_of(share.index[-1])}.")]
    if ctx.options.uses_global and ctx.publishers.ok:
        pf = ctx.publishers.value
        year = pf.last_year
        med = float(pf.predictive_at([year]).median()[0])
        blocks.append(para(
            f"The global cost's latent level for {year} on {pf.reference}'s scale, {money(med)}, is "
            f"{fmt_share(forecast.share_of_gdp(med, year))} of world GDP that year."))
    return blocks
