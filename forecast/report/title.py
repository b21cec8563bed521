"""The title page: the key findings in numbers and the date of the data.

Each finding is taken from the results the sections use (the same library
calls, made once), so the title page and the body never disagree. A finding
whose library call failed is left out and the reason is listed instead.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import forecast
from forecast.report.blocks import Section, bold, one_line
from forecast.report.context import Context
from forecast.report.sections.common import (
    attr,
    choice_lead,
    choice_name,
    frame_levels,
    fmt_percentile,
    interval,
    is_missing,
    money,
    origin_names,
    value_fmt,
    year_of,
)


def verdict(percentile: float) -> str:
    """Where a claim falls in a predictive distribution, in words.

    Examples
    --------
    >>> verdict(99.0), verdict(91.0), verdict(50.0), verdict(1.0)
    ('above the 95% interval', 'above the 80% interval', 'inside the 80% interval', 'below the 95% interval')
    """
    p = float(percentile)
    if p > 97.5:
        return "above the 95% interval"
    if p > 90:
        return "above the 80% interval"
    if p < 2.5:
        return "below the 95% interval"
    if p < 10:
        return "below the 80% interval"
    return "inside the 80% interval"


def _finding(label: str, value: str, detail: Any = "") -> dict[str, Any]:
    return {"label": label, "value": value, "detail": detail}


def title_page(ctx: Context, sections: list[Section]) -> dict[str, Any]:
    """The ``meta`` and ``title_page`` parts of the report's document."""
    findings: list[dict[str, Any]] = []
    failures: list[str] = []
    fmt = value_fmt(ctx)

    def add(name: str, build) -> None:
        try:
            out = build()
        except Exception as exc:  # noqa: BLE001 - reported on the title page, not fatal
            failures.append(f"{name}: {one_line(exc)}")
            return
        if out:
            findings.extend(out if isinstance(out, list) else [out])

    if ctx.claim_specs:
        def claim_findings():
            out = []
            for spec, rec in ctx.claims.value:
                if isinstance(rec, Exception):
                    failures.append(f"Claim {spec.label}: {one_line(rec)}")
                    continue
                out.append(claim_finding(spec.label, rec, money if ctx.options.uses_global else fmt))
            return out
        add("Claims", claim_findings)

    if ctx.options.uses_global:
        def basis_finding():
            from forecast.published.catalog import derivations

            d = derivations(ctx.publishers.value)
            fitted = d[d["in_model"] > 0]
            n_method = int(fitted["published_method"].sum())
            return _finding("What the model stands on",
                            f"{int(fitted['in_model'].sum())} figures, {n_method} published method"
                            + ("s" if n_method != 1 else ""), d.attrs["summary"])
        add("Basis", basis_finding)

    def series_finding():
        fc = ctx.forecast_frame.value
        r = fc.iloc[-1]
        lo, hi = frame_levels(fc)
        horizon = year_of(fc.index[-1])
        latest = f"{fmt(ctx.y.iloc[-1])} in {ctx.last_year}"
        what = ("Reported to the FBI by US victims: a lower bound of the US cost, not a global figure. "
                if ctx.is_ic3 else f"{ctx.name}. {ctx.source[0].upper() + ctx.source[1:]}. ")
        return _finding(
            "US reported losses (IC3, US only)" if ctx.is_ic3 else ctx.name,
            f"{latest}; {fmt(r['median'])} in {horizon} (median)",
            [{"t": f"{what}Forecast for {horizon}: {lo:g}% interval "
                   f"{interval(r[f'lower_{lo:g}'], r[f'upper_{lo:g}'], fmt)}, {hi:g}% interval "
                   f"{interval(r[f'lower_{hi:g}'], r[f'upper_{hi:g}'], fmt)}. {choice_lead(ctx.fit.value)}: "},
             bold(choice_name(ctx.fit.value)), {"t": "."}])
    add("Forecast", series_finding)

    if ctx.options.uses_global:
        def global_finding():
            pf = ctx.publishers.value
            ref_pub = attr(pf, "reference", default=None)
            fc = pf.forecast(publisher=ref_pub, until=ctx.horizon_year)
            r = fc.iloc[-1]
            return _finding(f"Global cost in {year_of(fc.index[-1])}", f"{money(r['median'])} (median)",
                            f"On {ref_pub}'s scale; 80% interval {interval(r['lower_80'], r['upper_80'])}, "
                            f"95% interval {interval(r['lower_95'], r['upper_95'])}. "
                            + _above_world_gdp(r["upper_95"], money).strip())
        add("Global cost", global_finding)

    omitted = [s.title for s in sections if s.status == "omitted"]
    failed = [s.title for s in sections if s.status == "failed"]
    footer = []
    if omitted:
        footer.append(f"Left out for a user's own series: {', '.join(omitted)} (they need the bundled global "
                      "estimates).")
    if failed:
        quoted = [f"'{t}'" for t in failed]
        names = ", ".join(quoted[:-1]) + " and " + quoted[-1] if len(quoted) > 1 else quoted[0]
        failures.append(f"the section{'s' if len(failed) > 1 else ''} {names} (the reason is given in "
                        f"{'each' if len(failed) > 1 else 'it'}).")
    footer.append(f"Made with forecast {forecast.__version__} (python -m forecast report). Every number comes "
                  "from the package's library functions and its sourced datasets (Section 1 lists the sources).")
    first, last = ctx.first_year, ctx.last_year
    data_date = f"{ctx.name}, {first}–{last}"
    if ctx.options.uses_global:
        data_date += _global_span(ctx.options.through)
    through = f" (data used through {ctx.options.through})" if ctx.options.through else ""
    title = "The economic damage of cybercrime" if ctx.is_ic3 or ctx.options.uses_global else ctx.name
    meta = {
        "title": f"{title}: data, forecasts and published claims" if ctx.options.uses_global
                 else f"{title}: forecast",
        "subtitle": (f"Reported losses to {ctx.horizon_year} with honest intervals, the global estimates side by "
                     "side, and the headline figures tested" if ctx.options.uses_global
                     else f"Forecast to {ctx.horizon_year} with {' and '.join(f'{lv:g}%' for lv in ctx.options.levels)}"
                     " prediction intervals"),
        "kicker": "Forecast report",
        "author": f"forecast {forecast.__version__}",
        "data_date": data_date + through + ".",
        "data_short": f"Data through {last}",
        "running_title": "The economic damage of cybercrime" if ctx.options.uses_global else ctx.name,
    }
    return {"meta": meta, "title_page": {"findings": findings, "failures": failures, "footer": footer}}


def _global_span(through: int | None = None) -> str:
    try:
        est = forecast.load("global_estimates")
        yrs = est["published_year"].dropna().astype(int)
        if through is not None:
            yrs = yrs[yrs <= through]
        return f"; global estimates published {yrs.min()}–{yrs.max()}"
    except Exception:  # noqa: BLE001 - the span is a nicety
        return ""


def _above_world_gdp(upper: float, money) -> str:
    """A sentence when an interval's upper end exceeds the latest world GDP, else ''."""
    gdp = forecast.series("world_gdp")
    if not float(upper) > float(gdp.iloc[-1]):
        return ""
    return (f"Its upper end exceeds world GDP ({money(gdp.iloc[-1])} in {gdp.index[-1].year}): the few published "
            "figures leave the level very uncertain. ")


def claim_finding(label: str, rec: Any, fmt=money) -> dict[str, Any]:
    """The title-page finding for one claim: the verdict, the interval, the other scales, the origin, what to quote."""
    scale = rec.scale
    head = f"{rec.verdict.capitalize()} on {scale}'s scale ({fmt_percentile(rec.percentile)} percentile)"
    bits = [f"{float(rec.ratio_to_median):.1f}× the median of the model's {rec.year} figure there, "
            f"{fmt(rec.median)}; 80% interval "
            f"{interval(rec.lower_80, rec.upper_80, fmt)}, 95% interval {interval(rec.lower_95, rec.upper_95, fmt)} "
            f"(outside it only above {float(rec.reject_multiple):.2g}× the median)."]
    others = [r for _, r in getattr(rec, "scales", pd.DataFrame()).iterrows() if r["scale"] != scale]
    if others:
        bits.append("On " + "; on ".join(
            f"{r['scale']}'s scale: {r['verdict']} ({fmt_percentile(r['percentile'])} percentile)"
            for r in others) + ".")
    if rec.origin_ids:
        origin = "Likely origin: " + ", ".join(origin_names(tuple(rec.origin_ids)))
        if rec.origin_note and ", not " in rec.origin_note:
            origin += " — not " + rec.origin_note.split(": the claim")[0].split(", not ", 1)[1]
        bits.append(origin + ".")
    quote = quote_instead(rec)
    if quote:
        bits.append(quote)
    return _finding(f"Does {money(rec.value)} for {rec.year} hold?", head, " ".join(bits))


def exact_money(x: float) -> str:
    """A published figure as published: ``$2.95T`` rather than ``$3.0T``.

    Examples
    --------
    >>> exact_money(2.95e12), exact_money(945e9), exact_money(3e12)
    ('$2.95T', '$945bn', '$3.0T')
    """
    from forecast.data.money import format_money, parse_money

    for digits in (None, 2, 3):
        text = format_money(x, digits)
        if abs(parse_money(text) / float(x) - 1) < 1e-9:
            return text
    return format_money(x, 2)


def quote_instead(rec: Any) -> str:
    """What to quote instead of a claim: the fitted publishers' own figures for its year, or the nearest years.

    Figures of the publishers the model fits, as published (a range where one
    was given), with their measure; nearest years only from publishers with a
    scale of their own (three or more figures).
    """
    figs = getattr(rec, "figures", None)
    if figs is None or not len(figs):
        return ""
    figs = figs[figs["in_model"]]
    same = figs[figs["relation"] == "same year"]
    scales = set(getattr(rec, "scales", pd.DataFrame({"scale": []}))["scale"])
    use = same if len(same) else figs[figs["publisher"].isin(scales)]
    if use.empty:
        return ""
    parts = []
    for pub, g in use.groupby("publisher", sort=False):
        vals = []
        for _, r in g.sort_values("year").iterrows():
            ranged = not is_missing(r["low_usd"]) and not is_missing(r["high_usd"])
            amount = (f"{exact_money(r['low_usd'])}–{exact_money(r['high_usd'])}" if ranged
                      else exact_money(r["value_usd"]))
            vals.append(f"{amount} for {int(r['year'])}" if not len(same) else amount)
        parts.append(f"{pub} {' and '.join(vals)}")
    measures = ", ".join(sorted({m.replace("_", " ") for m in use["measure"]}))
    if len(same):
        return f"Quote instead, with the publisher: {'; '.join(parts)} ({measures})."
    return (f"No publisher in the model estimated {rec.year}; quote the nearest, with the publisher: "
            f"{'; '.join(parts)} ({measures}).")
