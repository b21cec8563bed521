"""Helpers shared by the report's sections: amounts, intervals, percentiles, crossing years, names.

They only word numbers the library computed; none computes a statistic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import forecast
from forecast import text
from forecast.report.blocks import fmt_number
from forecast.report.context import Context


def money(x: Any) -> str:
    """An amount in US$ the library's way (``$16.6bn``)."""
    return forecast.format_money(x)


def value_fmt(ctx: Context) -> Callable[[Any], str]:
    """Formatter for values of the main series: money for US$, plain numbers otherwise."""
    if ctx.unit.upper() in ("USD", "US$", "$"):
        return money
    return fmt_number


def interval(lo: Any, hi: Any, fmt: Callable[[Any], str] = money) -> str:
    """``"$20.1bn – $35.2bn"``."""
    return f"{fmt(lo)} – {fmt(hi)}"


def year_of(idx: Any) -> int:
    """An int year from a Period, a Timestamp or an int."""
    return int(getattr(idx, "year", idx))


def measure_label(measure: Any) -> str:
    """``"total_cost"`` -> ``"total cost"``."""
    if measure is None or (isinstance(measure, float) and math.isnan(measure)):
        return ""
    return str(measure).replace("_", " ")


def is_missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return bool(isinstance(v, float | np.floating) and math.isnan(v))
    except TypeError:
        return False


def txt(v: Any, default: str = "") -> str:
    """A cell's text: missing values become ``default``."""
    return default if is_missing(v) or str(v) in ("nan", "None", "<NA>") else str(v)


def attr(obj: Any, *names: str, default: Any = None) -> Any:
    """The first of ``names`` that ``obj`` has (attribute, mapping key or frame column)."""
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if isinstance(obj, pd.Series) and n in obj.index:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return default


def fmt_share(x: Any) -> str:
    """A share (0-1) as a percentage with two significant digits (:func:`forecast.text.share`).

    Examples
    --------
    >>> fmt_share(5.3e-7), fmt_share(0.000149), fmt_share(0.0116), fmt_share(0.25)
    ('0.000053%', '0.015%', '1.2%', '25%')
    """
    return text.share(None if is_missing(x) else x)


def fmt_crossing(rec: Any) -> str:
    """The crossing year (median of simulated paths) with its 80% interval: ``"2028 (80%: 2024–2043)"``.

    ``"already by 2020"`` when the scale's own figures reached it; ``"not by 2100"`` when most paths never do.
    """
    until = getattr(rec, "until", None)
    cy = getattr(rec, "crossing_year", None)
    if str(getattr(rec, "crossing", "")).startswith("already"):
        return f"already by {int(cy)}"
    if is_missing(cy):
        return f"not by {until}" if until else "not reached"
    lo = getattr(rec, "crossing_lower_80", getattr(rec, "crossing_lower", None))
    hi = getattr(rec, "crossing_upper_80", getattr(rec, "crossing_upper", None))
    lo_t = "?" if is_missing(lo) else str(int(lo))
    hi_t = f"after {until}" if is_missing(hi) else str(int(hi))
    return f"{int(cy)} (80%: {lo_t}–{hi_t})" if lo_t != hi_t else f"{int(cy)}"


def fmt_percentile(p: Any) -> str:
    """A percentile (0-100) in a table cell, the package's one wording (:func:`forecast.text.percentile_label`).

    Examples
    --------
    >>> fmt_percentile(99.999), fmt_percentile(99.4), fmt_percentile(73.5), fmt_percentile(0.01)
    ('above 99.9th', '99.4th', '74th', 'below 0.1st')
    """
    return text.percentile_label(None if is_missing(p) else p)


def frame_levels(fc: Any) -> tuple[float, float]:
    """The narrowest and the widest interval level of a forecast frame (80 and 95 by default).

    Examples
    --------
    >>> import pandas as pd
    >>> fc = pd.DataFrame(); fc.attrs["levels"] = (50, 90, 99)
    >>> frame_levels(fc)
    (50, 99)
    """
    levels = sorted(fc.attrs.get("levels") or (80, 95))
    return levels[0], levels[-1]


def choice_name(fit: Any) -> str:
    """Short name of what ``auto`` used: one model, or "combination of a, b and c"."""
    weights = getattr(fit, "weights", None) or {}
    names = list(weights)
    if len(names) == 1:
        return names[0]
    if names:
        return "combination of " + (", ".join(names[:-1]) + " and " + names[-1])
    return str(getattr(fit, "model", "auto"))


def fixed_combination(fit: Any) -> bool:
    """True when ``auto`` used its rule fixed in advance: the equal-weight combination of all its candidates."""
    options = getattr(fit, "options", None) or {}
    weights = getattr(fit, "weights", None)
    if weights is not None and len(weights) <= 1:  # one model used: nothing was combined
        return False
    return options.get("combine") is True and options.get("top") in (None, len(options.get("candidates", ())))


def choice_lead(fit: Any) -> str:
    """How the model was arrived at, in words that are true for this fit ("chosen by backtest" only if it was).

    Examples
    --------
    >>> class Fit:
    ...     weights = {"drift": 0.5, "ets": 0.5}
    ...     options = {"combine": True, "top": None, "candidates": ["drift", "ets"]}
    >>> choice_lead(Fit())
    'Model (the rule fixed in advance: combine every candidate with equal weights; the backtest checks it)'
    """
    if fixed_combination(fit):
        return "Model (the rule fixed in advance: combine every candidate with equal weights; the backtest checks it)"
    if "fallback" in str(getattr(fit, "choice", "")):
        return "Model (fallback: too few observations to compare candidates by backtest)"
    if isinstance(getattr(fit, "candidates", None), type(None)):
        return "Model"
    return "Model chosen by backtest"


def filled_by(fit: Any) -> list[str]:
    """The models of ``fit`` that filled a missing year by interpolation (from their notes)."""
    out = []
    for n in getattr(fit, "notes", None) or []:
        if "filled by linear interpolation" in n:
            out.append(n.split(":", 1)[0].strip() if ":" in n.split("missing year")[0] else str(fit.model))
    return list(dict.fromkeys(out))


def gap_sentence(ctx: Any, lead: str) -> str:
    """One true sentence on the series' missing years: shown as missing, and how the forecast's models used them."""
    gaps = ctx.y.attrs.get("gaps") or []
    if not gaps:
        return ""
    years = ", ".join(str(g) for g in gaps)
    filled = filled_by(ctx.fit.value) if ctx.fit.ok else []
    if filled:
        how = (f"the table shows it as missing; the forecast's models ({', '.join(filled)}) need consecutive years "
               "and fill it by linear interpolation of the log values, and the filled value counts as data")
    else:
        how = "the table shows it as missing and the forecast's models skip it"
    return f" {lead} {years}: {how}."


def origin_names(ids: tuple[str, ...]) -> list[str]:
    """Catalogued figures by id, as "Publisher (year): $X for YEAR, measure".

    Examples
    --------
    >>> origin_names(("juniper-2015",))
    ['Juniper Research (2015): $2.1T for 2019, data breach cost']
    """
    est = forecast.load("global_estimates").set_index("id")
    out = []
    for i in ids:
        if not i:
            continue
        if i not in est.index:
            out.append(str(i))
            continue
        r = est.loc[i]
        what = ""
        if not is_missing(r["point_usd_bn"]) and not is_missing(r["target_year"]):
            what = f": {money(float(r['point_usd_bn']) * 1e9)} for {int(r['target_year'])}"
        out.append(f"{r['publisher']} ({int(r['published_year'])}){what}, {measure_label(r['measure'])}")
    return out
