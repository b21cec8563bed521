"""``--through YEAR``: the data up to a year, applied once where the data is loaded.

Examples
--------
>>> import pandas as pd
>>> y = pd.Series([1.0, 2.0, 3.0], index=pd.PeriodIndex(["2020", "2021", "2022"], freq="Y"))
>>> y.attrs["unit"] = "USD"
>>> cut = through(y, 2021)
>>> [p.year for p in cut.index], cut.attrs["unit"]
([2020, 2021], 'USD')
"""

from __future__ import annotations

from typing import TypeVar

import pandas as pd

from forecast.errors import DataError

__all__ = ["through"]

T = TypeVar("T", pd.Series, pd.DataFrame)


def through(data: T, year: int | None, *, column: str = "published_year", what: str = "the data") -> T:
    """``data`` up to ``year``: a series' years, or the rows of a frame whose ``column`` is at most ``year``.

    ``year=None`` returns ``data`` unchanged. ``attrs`` are kept.

    Parameters
    ----------
    data : pd.Series or pd.DataFrame
        An annual series (``PeriodIndex`` or integer years), or a table of
        published figures (cut by ``column``, default ``published_year``).
    year : int or None
        The last year to keep.
    column : str
        The frame's column of years.
    what : str
        What the data is, for the error message.

    Raises
    ------
    DataError
        When ``year`` is before the first year of ``data`` (nothing would be left).

    Examples
    --------
    >>> import pandas as pd
    >>> est = pd.DataFrame({"published_year": [2014, 2018, 2023], "v": [1, 2, 3]})
    >>> through(est, 2018)["v"].tolist()
    [1, 2]
    >>> through(est, 2000)
    Traceback (most recent call last):
    ...
    forecast.errors.DataError: --through 2000 is before the first year of the data (2014)
    """
    if year is None:
        return data
    year = int(year)
    if isinstance(data, pd.Series):
        years = [int(getattr(p, "year", p)) for p in data.index]
    else:
        years = [int(v) for v in pd.to_numeric(data[column], errors="coerce").fillna(10**6)]
    if not years or min(years) > year:
        first = min(years) if years else "none"
        raise DataError(f"--through {year} is before the first year of {what} ({first})")
    attrs = dict(data.attrs)
    out = data[[y <= year for y in years]]
    out.attrs.update(attrs)
    return out
