"""Short text forms of money amounts, percentiles and growth rates; reading a claimed amount."""

from __future__ import annotations

import math
from typing import Any

from forecast import text
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
    """Where a percentile lies, in words (:func:`forecast.text.percentile`, the one wording).

    Examples
    --------
    >>> percentile(73.2), percentile(99.99), percentile(0.5)
    ('at the 73rd percentile', 'above the 99.9th percentile', 'at the 0.5th percentile')
    """
    return text.percentile(p)


def _ordinal(v: float) -> str:
    return text.ordinal(v)


def ratio(r: float) -> str:
    """A ratio in short form (:func:`forecast.text.ratio`): ``'2.4'``, ``'620'``, ``'0.67'``.

    Examples
    --------
    >>> ratio(2.415), ratio(619.6), ratio(0.6666)
    ('2.4', '620', '0.67')
    """
    return text.ratio(r)


def rate(r: float) -> str:
    """Annual growth rate in percent (:func:`forecast.text.growth`): ``'+15.0%/yr'``.

    Examples
    --------
    >>> rate(0.1406)
    '+14.1%/yr'
    """
    return text.growth(r)


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
