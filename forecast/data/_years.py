"""Annual PeriodIndex from calendar years (ints), without pandas' ordinal ambiguity."""

from __future__ import annotations

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
