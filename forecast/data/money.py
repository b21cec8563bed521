"""Reading and writing amounts of money in US$.

:func:`parse_money` turns strings such as ``"$2.1 trillion"``, ``"445bn"`` or
``"US$ 600 billion"`` into a float in US$; :func:`format_money` writes a float
back as ``"$16.6bn"``, ``"$3.0T"`` or ``"$525m"``.

Rules (no guessing):

- Units: trillion (``T``, ``tn``, ``trn``, ``trln``, ``trillion``), billion
  (``B``, ``bn``, ``bln``, ``billion``), million (``M``, ``m``, ``mn``,
  ``mm``, ``mln``, ``million``), thousand (``k``, ``thousand``), in any
  letter case. ``B`` and ``T`` are read as billion and trillion, the
  short-scale US usage in which the figures this package handles are
  published. Anything else (``lakh``, ``crore``, ``milliard``, ``bi``,
  ``G``, ...) is an error.
- Currency: ``$``, ``US$``, ``USD`` or ``dollars`` are US dollars; no currency
  at all is read as US$. Any other currency (``€``, ``£``, ``EUR``, ``euros``,
  ``A$``, ``C$``, ``rubles``, ...) is an error: convert it first.
- Ranges (``"445-600bn"``), qualifiers (``"over $1bn"``) and negative amounts
  are errors: give one amount.
"""

from __future__ import annotations

import math
import re
from typing import Any

from forecast.errors import MoneyError

_SCALE_WORDS: dict[str, float] = {
    "t": 1e12, "tn": 1e12, "trn": 1e12, "trln": 1e12, "tril": 1e12, "trillion": 1e12, "trillions": 1e12,
    "b": 1e9, "bn": 1e9, "bln": 1e9, "bil": 1e9, "billion": 1e9, "billions": 1e9,
    "m": 1e6, "mn": 1e6, "mm": 1e6, "mln": 1e6, "mil": 1e6, "million": 1e6, "millions": 1e6,
    "k": 1e3, "thousand": 1e3, "thousands": 1e3,
}

_OTHER_CURRENCIES = {
    "€": "EUR", "£": "GBP", "¥": "JPY or CNY", "₹": "INR", "₽": "RUB", "₩": "KRW", "₣": "CHF",
    "eur": "EUR", "euro": "EUR", "euros": "EUR", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
    "sterling": "GBP", "jpy": "JPY", "yen": "JPY", "cny": "CNY", "rmb": "CNY", "yuan": "CNY",
    "inr": "INR", "rupee": "INR", "rupees": "INR", "rub": "RUB", "ruble": "RUB", "rubles": "RUB",
    "rouble": "RUB", "roubles": "RUB", "chf": "CHF", "franc": "CHF", "francs": "CHF",
    "cad": "CAD", "aud": "AUD", "nzd": "NZD", "hkd": "HKD", "sgd": "SGD", "krw": "KRW", "won": "KRW",
    "a$": "AUD", "au$": "AUD", "c$": "CAD", "ca$": "CAD", "nz$": "NZD", "hk$": "HKD", "s$": "SGD",
}

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_PATTERN = re.compile(
    r"^(?P<cur1>us\s?\$|usd|\$)?\s*"
    rf"(?P<num>{_NUMBER})\s*"
    r"(?P<unit>[a-z]+)?\.?\s*"
    r"(?P<cur2>us\s?dollars?|dollars?|usd|us\$)?$"
)


def parse_money(text: str | float | int) -> float:
    """Read an amount of money and return it in US$.

    Parameters
    ----------
    text : str or number
        ``"$2.1 trillion"``, ``"445bn"``, ``"1.2 billion"``, ``"US$ 600 billion"``,
        ``"3T"``, ``"600m"``, ``"$4.88 million"``, ``"2,500,000"``, ``"1.5e9"``...
        A number is returned as a float unchanged.

    Returns
    -------
    float
        The amount in US$.

    Raises
    ------
    MoneyError
        For an unknown or ambiguous unit, another currency, a range, a
        qualifier such as "over", a negative or non-finite amount; the
        message quotes the text.

    Examples
    --------
    >>> parse_money("$2.1 trillion")
    2100000000000.0
    >>> parse_money("445bn")
    445000000000.0
    >>> parse_money("US$ 600 billion")
    600000000000.0
    >>> parse_money("3 bn euros")
    Traceback (most recent call last):
    ...
    forecast.errors.MoneyError: '3 bn euros' is in another currency (EUR); convert it to US$ first
    """
    if isinstance(text, bool):
        raise MoneyError(f"{text!r} is not an amount of money")
    if isinstance(text, (int, float)):
        value = float(text)
        _check_value(value, repr(text))
        return value
    if not isinstance(text, str):
        raise MoneyError(f"{text!r} is not an amount of money")
    raw = text
    s = " ".join(text.strip().lower().replace("\u00a0", " ").split())
    if not s:
        raise MoneyError("empty text is not an amount of money")
    for token, code in _OTHER_CURRENCIES.items():
        if token.isalpha() or token.endswith("$"):
            found = re.search(rf"(?<![a-z]){re.escape(token)}(?![a-z])", s)
        else:
            found = token in s
        if found:
            raise MoneyError(f"{raw!r} is in another currency ({code}); convert it to US$ first")
    if s.startswith("-") or s.startswith("−") or "$-" in s or "$ -" in s:
        raise MoneyError(f"{raw!r} is negative; an amount of damage must be positive or zero")
    if re.search(r"\d\s*(?:-|–|—|to)\s*\$?\s*\d", s):
        raise MoneyError(f"{raw!r} is a range; give one amount")
    m = _PATTERN.match(s)
    if m is None:
        raise MoneyError(
            f"{raw!r} is not an amount of money (expected e.g. '$2.1 trillion', '445bn', 'US$ 600 billion', '3T')"
        )
    number = float(m["num"].replace(",", ""))
    unit = m["unit"]
    if unit is None:
        factor = 1.0
    elif unit in _SCALE_WORDS:
        factor = _SCALE_WORDS[unit]
    else:
        raise MoneyError(
            f"{raw!r} has an unknown or ambiguous unit {m['unit']!r}; use T/trillion, bn/billion, m/million or k"
        )
    value = number * factor
    _check_value(value, repr(raw))
    return value


def _check_value(value: float, shown: str) -> None:
    if not math.isfinite(value):
        raise MoneyError(f"{shown} is not a finite amount of money")
    if value < 0:
        raise MoneyError(f"{shown} is negative; an amount of damage must be positive or zero")


_STEPS = ((1e12, "T"), (1e9, "bn"), (1e6, "m"))


def _finite(x: Any) -> float | None:
    """``x`` as a float, or None when it is missing, not a number or not finite."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def format_money(x: float, digits: int | None = None) -> str:
    """Write an amount in US$ the short way: ``$16.6bn``, ``$3.0T``, ``$525m``.

    Parameters
    ----------
    x : float
        Amount in US$.
    digits : int, optional
        Decimals after the point. By default 1 below 100 of the unit shown
        (``$16.6bn``, ``$3.0T``) and 0 from 100 up (``$525m``, ``$445bn``).
        Amounts below a million are written in full with thousands separators.

    Returns
    -------
    str
        ``"n/a"`` for a missing or non-finite value.

    Examples
    --------
    >>> format_money(16.6e9), format_money(3e12), format_money(525e6)
    ('$16.6bn', '$3.0T', '$525m')
    >>> format_money(4.88e6, digits=2)
    '$4.88m'
    >>> format_money(19372)
    '$19,372'
    """
    v = _finite(x)
    if v is None:
        return "n/a"
    sign = "-" if v < 0 else ""
    a = abs(v)
    for i, (size, suffix) in enumerate(_STEPS):
        if a < size:
            continue
        scaled = a / size
        dec = digits if digits is not None else (1 if scaled < 100 else 0)
        text = f"{scaled:.{dec}f}"
        if float(text) >= 1000 and i > 0:  # rounded up into the next unit: $1000m -> $1.0bn
            size, suffix = _STEPS[i - 1]
            text = f"{a / size:.{digits if digits is not None else 1}f}"
        return f"{sign}${text}{suffix}"
    text = f"{a:,.{digits if digits is not None else 0}f}"
    if a >= 999_999.5 and digits is None:
        return f"{sign}$1.0m"
    return f"{sign}${text}"


#: unit names meaning US dollars
USD_UNITS = frozenset({"USD", "US$", "$", "usd", "us$", "dollars", "US dollars"})


def format_amount(x: float, unit: str = "", digits: int | None = None) -> str:
    """Write a value of any unit the short, readable way: ``$2.5bn``, ``9.5bn EUR``, ``859,532``, ``1.3``.

    US$ amounts are written by :func:`format_money` (small amounts with three
    significant digits instead of being rounded to whole dollars); other
    units the same way without the dollar sign and with the unit after the
    number; never ``2.543e+09`` or ``9,501,284,423``.

    Parameters
    ----------
    x : float
        The value.
    unit : str
        Its unit (``"USD"`` and its synonyms give money; ``""`` a plain count).
    digits : int, optional
        Decimals after the point for values of a million and more (see
        :func:`format_money`).

    Examples
    --------
    >>> format_amount(2.543e9, "USD"), format_amount(9_501_284_423), format_amount(859_532, "complaints")
    ('$2.5bn', '9.5bn', '859,532 complaints')
    >>> format_amount(1.3), format_amount(0.284, "USD"), format_amount(2.5e9, "EUR", digits=2)
    ('1.3', '$0.284', '2.50bn EUR')
    """
    v = _finite(x)
    if v is None:
        return "n/a"
    money = unit in USD_UNITS
    if abs(v) >= 999_999.5 or (money and abs(v) >= 1000):
        text = format_money(v, digits)
        if not money:
            text = text.replace("$", "", 1)
    else:
        body = f"{abs(v):,.0f}" if abs(v) >= 1000 else f"{abs(v):.3g}"
        text = ("-" if v < 0 else "") + ("$" if money else "") + body
    return text if money or not unit else f"{text} {unit}"


def bn_columns_to_usd(frame: Any) -> Any:
    """A copy of ``frame`` with every ``<name>_usd_bn`` column in full US$ as ``<name>_usd``.

    Tables in US$ billions read wrongly through a number format with
    k/m/bn/T steps ($10,500bn shows as "10.5k"); in full dollars the same
    format shows "10.5T". Other columns are kept as they are, in place.

    Parameters
    ----------
    frame : pd.DataFrame
        E.g. ``forecast.load("global_estimates")``.

    Returns
    -------
    pd.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> out = bn_columns_to_usd(pd.DataFrame({"id": ["cv"], "point_usd_bn": [10500.0]}))
    >>> list(out.columns), format_money(out["point_usd"].iloc[0])
    (['id', 'point_usd'], '$10.5T')
    """
    out = frame.copy()
    renames = {c: c[: -len("_bn")] for c in out.columns if str(c).endswith("_usd_bn")}
    for c in renames:
        out[c] = out[c].astype(float) * 1e9
    return out.rename(columns=renames)
