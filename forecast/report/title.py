"""The title page: the key findings in numbers and the date of the data.

Each finding is taken from the results the sections use (the same library
calls, made once), so the title page and the body never disagree. A finding
whose library call failed is left out and the reason is listed instead.
"""

from __future__ import annotations

from typing import Any

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

    add("Latest figure", lambda: _finding(
        f"Latest figure ({ctx.last_year})", fmt(ctx.y.iloc[-1]),
        f"{ctx.name}. {ctx.source[0].upper() + ctx.source[1:]}."))

    def forecast_finding():
        fc = ctx.forecast_frame.value
        r = fc.iloc[-1]
        lo, hi = frame_levels(fc)
        return _finding(
            f"Forecast for {year_of(fc.index[-1])}", f"{fmt(r['median'])} (median)",
            [{"t": f"{lo:g}% interval {interval(r[f'lower_{lo:g}'], r[f'upper_{lo:g}'], fmt)}; {hi:g}% interval "
                   f"{interval(r[f'lower_{hi:g}'], r[f'upper_{hi:g}'], fmt)}. {choice_lead(ctx.fit.value)}: "},
             bold(choice_name(ctx.fit.value)), {"t": "."}])
    add("Forecast", forecast_finding)

    if ctx.options.uses_global:
        def global_finding():
            pf = ctx.publishers.value
            ref_pub = attr(pf, "reference", default=None)
            fc = pf.forecast(publisher=ref_pub, until=ctx.horizon_year)
            r = fc.iloc[-1]
            return _finding(f"Global cost in {year_of(fc.index[-1])}", f"{money(r['median'])} (median)",
                            f"On {ref_pub}'s scale; 95% interval {interval(r['lower_95'], r['upper_95'])}. "
                            + _above_world_gdp(r["upper_95"], money)
                            + "Publishers' scales differ by an order of magnitude (Section 3).")
        add("Global cost", global_finding)

    if ctx.claim_specs:
        def claim_findings():
            out = []
            for spec, rec in ctx.claims.value:
                if isinstance(rec, Exception):
                    failures.append(f"Claim {spec.label}: {one_line(rec)}")
                    continue
                bits = [f"{verdict(rec.percentile).capitalize()}: {float(rec.ratio_to_median):.1f} times the model's median "
                        f"({(money if ctx.options.uses_global else fmt)(rec.median)}) on {rec.scale}'s scale"]
                if rec.crossing_year is not None:
                    bits.append(f"the median reaches it in {rec.crossing}")
                else:
                    bits.append(f"the median does not reach it by {rec.until}")
                if rec.origin_ids:
                    bits.append("likely origin: " + ", ".join(origin_names(tuple(rec.origin_ids))))
                out.append(_finding(f"Claim: {spec.label}", f"{fmt_percentile(rec.percentile)} percentile",
                                    "; ".join(bits) + "."))
            return out
        add("Claims", claim_findings)

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
