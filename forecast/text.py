"""Numbers in words: percentiles, ordinals, money, growth, shares and ratios, one wording everywhere.

Results, the command line, the charts and the report all word their numbers
here, so a claim at the 99.92nd percentile reads "above the 99.9th
percentile" in each, and 0.05 reads "below the 0.1st percentile", not
"0.1th" in one place and "0.1st" in another.

Examples
--------
>>> percentile(99.92), percentile(0.05), percentile(73.5)
('above the 99.9th percentile', 'below the 0.1st percentile', 'at the 74th percentile')
>>> percentile_label(99.92), percentile_label(0.05), percentile_label(99.4)
('above 99.9th', 'below 0.1st', '99.4th')
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["growth", "money", "number", "ordinal", "percent", "percentile", "percentile_label", "ratio", "share"]

#: Percentiles beyond these are not told apart: a model's tail is not known to a tenth of a percent.
TOP, BOTTOM = 99.9, 0.1


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def ordinal(x: float | int) -> str:
    """A number with its ordinal suffix: ``1st``, ``2nd``, ``13th``, ``22nd``, ``0.1st``, ``99.9th``.

    Whole numbers follow English (``11th``-``13th``); a decimal takes the
    suffix of its last digit as written.

    Examples
    --------
    >>> [ordinal(k) for k in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th', '112th']
    >>> ordinal(0.1), ordinal(99.9), ordinal(99.2), ordinal(5.0)
    ('0.1st', '99.9th', '99.2nd', '5th')
    """
    v = float(x)
    if v.is_integer():
        n = int(v)
        suffix = "th" if 10 <= abs(n) % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(abs(n) % 10, "th")
        return f"{n}{suffix}"
    text = f"{v:g}"
    return text + {"1": "st", "2": "nd", "3": "rd"}.get(text[-1], "th")


def _rounded(p: float) -> float:
    """A percentile as shown: to one decimal in the outer percent, else whole."""
    return round(p, 1) if (p > 99 or p < 1) else float(round(p))


def percentile_label(p: Any) -> str:
    """A percentile (0-100) in a table cell: ``74th``, ``99.4th``, ``above 99.9th``, ``below 0.1st``, ``n/a``.

    Examples
    --------
    >>> [percentile_label(p) for p in (73.5, 99.4, 99.92, 100.0, 0.05, 0.1, float("nan"))]
    ['74th', '99.4th', 'above 99.9th', 'above 99.9th', 'below 0.1st', '0.1st', 'n/a']
    """
    if _missing(p):
        return "n/a"
    p = float(p)
    if p > TOP:
        return f"above {ordinal(TOP)}"
    if p < BOTTOM:
        return f"below {ordinal(BOTTOM)}"
    return ordinal(_rounded(p))


def percentile(p: Any) -> str:
    """Where a value lies in a distribution, in words: ``'at the 73rd percentile'``, ``'above the 99.9th percentile'``.

    Examples
    --------
    >>> percentile(73.2), percentile(99.99), percentile(0.5), percentile(float("nan"))
    ('at the 73rd percentile', 'above the 99.9th percentile', 'at the 0.5th percentile', 'at an undefined percentile')
    """
    if _missing(p):
        return "at an undefined percentile"
    p = float(p)
    if p > TOP:
        return f"above the {ordinal(TOP)} percentile"
    if p < BOTTOM:
        return f"below the {ordinal(BOTTOM)} percentile"
    return f"at the {ordinal(_rounded(p))} percentile"


def money(x: Any, unit: str = "USD") -> str:
    """An amount the package's way: ``$16.6bn`` for US$, else the number with its unit (``n/a`` if missing).

    Examples
    --------
    >>> money(1.66e10), money(2.1e12), money(float("nan"))
    ('$16.6bn', '$2.1T', 'n/a')
    """
    if _missing(x):
        return "n/a"
    from forecast.data.money import format_amount, format_money

    if str(unit).upper() in ("USD", "US$", "$"):
        return format_money(float(x))
    return format_amount(float(x), str(unit or ""))


def growth(r: Any) -> str:
    """An annual growth rate (a fraction) in percent a year: ``'+14.1%/yr'``.

    Examples
    --------
    >>> growth(0.1406), growth(-0.05), growth(None)
    ('+14.1%/yr', '-5.0%/yr', 'n/a')
    """
    if _missing(r):
        return "n/a"
    return f"{100 * float(r):+.1f}%/yr"


def share(x: Any) -> str:
    """A share (0-1) as a percentage with two significant digits: ``5.3e-7`` -> ``"0.000053%"``.

    Examples
    --------
    >>> share(5.3e-7), share(0.000149), share(0.0116), share(0.25), share(0)
    ('0.000053%', '0.015%', '1.2%', '25%', 'n/a')
    """
    if _missing(x) or not float(x) > 0:
        return "n/a"
    pct = 100 * float(x)
    dec = max(0, 1 - int(math.floor(math.log10(pct))))
    return f"{pct:.{dec}f}%"


def number(x: Any, digits: int = 3) -> str:
    """A plain number with thousands separators and about ``digits`` significant digits.

    Examples
    --------
    >>> number(859532), number(0.1234), number(-0.001234), number(0), number(float("nan"))
    ('859,532', '0.123', '-0.00123', '0', 'n/a')
    """
    if _missing(x):
        return "n/a"
    v = float(x)
    if abs(v) >= 10 ** (digits - 1):
        return f"{v:,.0f}"
    if v == 0:
        return "0"
    dec = max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))
    return f"{v:,.{dec}f}"


def percent(x: Any, digits: int = 0) -> str:
    """A share (0-1) as a percentage with a fixed number of decimals: ``0.873`` -> ``"87%"``.

    Unlike :func:`share`, which keeps two significant digits of tiny shares,
    this rounds to ``digits`` decimals (growth rates, coverage).

    Examples
    --------
    >>> percent(0.873), percent(0.1234, 1), percent(-0.06, 1), percent(None)
    ('87%', '12.3%', '-6.0%', 'n/a')
    """
    if _missing(x):
        return "n/a"
    return f"{100 * float(x):.{digits}f}%"


def ratio(r: Any) -> str:
    """A ratio in short form: ``'2.4'``, ``'620'``, ``'0.67'``.

    Examples
    --------
    >>> ratio(2.415), ratio(619.6), ratio(0.6666)
    ('2.4', '620', '0.67')
    """
    if _missing(r):
        return "n/a"
    r = float(r)
    return f"{r:,.0f}" if r >= 100 else f"{r:.2g}"
