"""Short text forms of money amounts, percentiles and growth rates; reading a claimed amount."""

from __future__ import annotations

import math
from typing import Any

from forecast.errors import ClaimError


def money(value: float) -> str:
    """US$ amount in short form: ``$2.1T``, ``$945bn``, ``$3.5bn``, ``$17.8m``.

    Uses :func:`forecast.format_money`.

    Examples
    --------
    >>> money(2.1e12)  
    '$2.1T'
    """
    from forecast.data.money import format_money

    return format_money(value)


def percentile(p: float) -> str:
    """Where a percentile lies, in words: ``'at the 73rd percentile'``, ``'above the 99.9th percentile'``.

    Examples
    --------
    >>> percentile(73.2), percentile(99.99), percentile(0.5)
    ('at the 73rd percentile', 'above the 99.9th percentile', 'at the 0.5th percentile')
    """
    if not math.isfinite(p):
        return "at an undefined percentile"
    if p > 99.9:
        return "above the 99.9th percentile"
    if p < 0.1:
        return "below the 0.1st percentile"
    v = round(p, 1) if (p > 99 or p < 1) else round(p)
    return f"at the {_ordinal(v)} percentile"


def _ordinal(v: float) -> str:
    if isinstance(v, float) and not v.is_integer():
        last = str(v)[-1]
    else:
        v = int(v)
        if 10 <= v % 100 <= 20:
            return f"{v}th"
        last = str(v)[-1]
    suffix = {"1": "st", "2": "nd", "3": "rd"}.get(last, "th")
    return f"{v}{suffix}"


def ratio(r: float) -> str:
    """A ratio in short form: ``'2.4'``, ``'620'``, ``'0.67'``.

    Examples
    --------
    >>> ratio(2.415), ratio(619.6), ratio(0.6666)
    ('2.4', '620', '0.67')
    """
    if not math.isfinite(r):
        return "n/a"
    return f"{r:,.0f}" if r >= 100 else f"{r:.2g}"


def rate(r: float) -> str:
    """Annual growth rate in percent: ``'+15.0%/yr'``.

    Examples
    --------
    >>> rate(0.1406)
    '+14.1%/yr'
    """
    if r is None or not math.isfinite(r):
        return "n/a"
    return f"{100 * r:+.1f}%/yr"


def possessive(name: str) -> str:
    """``"Statista's"``, ``"Cybersecurity Ventures'"``.

    Examples
    --------
    >>> possessive("Cybersecurity Ventures"), possessive("CSIS/McAfee")
    ("Cybersecurity Ventures'", "CSIS/McAfee's")
    """
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def parse_value(value: Any) -> float:
    """A claimed amount in US$: a positive number or a money string (:func:`forecast.parse_money`).

    Examples
    --------
    >>> parse_value("3 trillion")
    3000000000000.0
    >>> parse_value(2e12)
    2000000000000.0
    """
    if isinstance(value, str):
        from forecast.data.money import parse_money

        v = float(parse_money(value))
    else:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ClaimError(f"claimed value {value!r} is not an amount") from None
    if not math.isfinite(v) or v <= 0:
        raise ClaimError(f"claimed value {value!r} must be a positive amount")
    return v
