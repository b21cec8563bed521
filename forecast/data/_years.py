"""Annual PeriodIndex from calendar years (ints), without pandas' ordinal ambiguity."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd


def annual_index(years: Iterable[int]) -> pd.PeriodIndex:
    """``PeriodIndex(freq="Y")`` named ``year`` for calendar years given as ints.

    Examples
    --------
    >>> annual_index([2019, 2020])
    PeriodIndex(['2019', '2020'], dtype='period[Y-DEC]', name='year')
    """
    return pd.PeriodIndex([str(int(y)) for y in years], freq="Y", name="year")


_FISCAL = re.compile(r"^fy[\s\-_]?(\d{4})$", re.IGNORECASE)
_SPLIT_YEAR = re.compile(r"^(?:fy[\s\-_]?)?(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})$", re.IGNORECASE)
_DATES = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<rest>\d{1,2}[-/.]\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$"),  # 2019-12-31
    re.compile(r"^(?P<y>\d{4})[-/.](?P<rest>\d{1,2})$"),  # 2019-12
    re.compile(r"^(?P<rest>\d{1,2}[-/.]\d{1,2})[-/.](?P<y>\d{4})$"),  # 31.12.2019, 12/31/2019
)


def read_year(cell: str) -> tuple[int, str, str] | None:
    """Read a year cell: ``(year, kind, detail)`` or None when it is not written as a year.

    ``kind`` is ``"year"`` (``2019``, ``2019.0``), ``"fiscal"`` (``FY2019``,
    read as 2019) or ``"date"`` (``2019-12-31``, ``31.12.2019``; ``detail``
    is the part that is not the year, e.g. ``"12-31"``, so that a caller can
    check every row is on the same day of the year). Raises ``ValueError``
    with the reason for a cell that names two years (``2019/20``) or is
    not a whole year.

    Examples
    --------
    >>> read_year("2019"), read_year("FY2019"), read_year("2019-12-31")
    ((2019, 'year', ''), (2019, 'fiscal', ''), (2019, 'date', '12-31'))
    >>> read_year("about 2019") is None
    True
    """
    s = cell.strip()
    try:
        value = float(s)
    except ValueError:
        pass
    else:
        if not value.is_integer():
            raise ValueError("not a whole year")
        return int(value), "year", ""
    m = _FISCAL.match(s)
    if m:
        return int(m.group(1)), "fiscal", ""
    m = _SPLIT_YEAR.match(s)
    if m and int(m.group(2)) in ((int(m.group(1)) + 1) % 100, int(m.group(1)) + 1):
        raise ValueError("names two years (a fiscal year across two calendar years?); write the one year "
                         "it should count as, e.g. FY2020 or 2020")
    for pattern in _DATES:
        m = pattern.match(s)
        if m:
            rest = re.sub(r"[/.]", "-", m.group("rest"))
            parts = [int(x) for x in rest.split("-")]
            if not all(1 <= x <= 31 for x in parts) or min(parts) > 12:
                raise ValueError("is not a valid date")
            return int(m.group("y")), "date", "-".join(f"{int(p):02d}" for p in rest.split("-"))
    return None
