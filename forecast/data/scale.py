"""Putting money on a comparable scale: real US$ of a base year, share of world GDP.

Both helpers take a single figure (with ``year=``), an annual Series, or a
forecast frame in the interval schema (every numeric column is converted).
The CPI-U and world GDP figures come from the bundled ``macro`` dataset
(2000-2024). For a year outside the data they raise :class:`DataError` naming
the year; with ``extrapolate=True`` they extend the index at its average
annual growth over the last 10 years of data (or, before the first year, the
first 10 years) and say so in ``attrs["notes"]`` of the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import DataError

_WINDOW = 10


def _table(name: str) -> pd.Series:
    from forecast.data.registry import series

    s = series(name)
    return pd.Series(s.to_numpy(), index=[p.year for p in s.index], dtype=float)


def _lookup(name: str, label: str, years: Iterable[int], extrapolate: bool) -> tuple[np.ndarray, list[str]]:
    table = _table(name)
    first, last = int(table.index.min()), int(table.index.max())
    out, notes, extended = [], [], []
    for year in years:
        y = int(year)
        if y in table.index:
            out.append(float(table[y]))
            continue
        if not extrapolate:
            raise DataError(
                f"{label} for {y} is not in the data ({first}-{last}); pass extrapolate=True to extend it at "
                f"the average growth of the last {_WINDOW} years, or use years {first}-{last}"
            )
        if first < y < last:
            raise DataError(f"{label} for {y} is missing inside the data ({first}-{last}); no value is invented")
        if y > last:
            growth = (table[last] / table[last - _WINDOW]) ** (1 / _WINDOW)
            out.append(float(table[last] * growth ** (y - last)))
            base = f"{last - _WINDOW}-{last}"
        else:
            growth = (table[first + _WINDOW] / table[first]) ** (1 / _WINDOW)
            out.append(float(table[first] / growth ** (first - y)))
            base = f"{first}-{first + _WINDOW}"
        extended.append(y)
        note = (f"{label} extrapolated beyond the data ({first}-{last}) at {100 * (growth - 1):.2f}%/yr, "
                f"the average growth of {base}")
        if note not in notes:
            notes.append(note)
    if extended:
        notes[-1] += f": years {', '.join(str(e) for e in sorted(set(extended)))}"
    return np.array(out, dtype=float), notes


def _years_of_index(index: pd.Index, what: str) -> list[int]:
    if isinstance(index, pd.PeriodIndex):
        return [p.year for p in index]
    if isinstance(index, pd.DatetimeIndex):
        return list(index.year)
    try:
        years = [float(v) for v in index]
    except (TypeError, ValueError):
        raise DataError(f"{what}: the index must hold years, got {list(index[:3])!r}") from None
    if not all(y.is_integer() for y in years):
        raise DataError(f"{what}: the index must hold whole years, got {list(index[:3])!r}")
    return [int(y) for y in years]


def _check_unit(x: Any, what: str) -> None:
    unit = getattr(x, "attrs", {}).get("unit", "")
    if unit not in ("", "USD"):
        raise DataError(f"{what}: unit is {unit!r}; only money in US$ can be converted")


def _apply(x: Any, year: int | None, factor_name: str, label: str, extrapolate: bool,
           combine, what: str, unit_after: str | None, attrs_extra: dict) -> Any:
    if isinstance(x, (pd.Series, pd.DataFrame)):
        _check_unit(x, what)
        years = _years_of_index(x.index, what)
        factors, notes = _lookup(factor_name, label, years, extrapolate)
        if isinstance(x, pd.Series):
            out = pd.Series(combine(x.to_numpy(dtype=float), factors), index=x.index, name=x.name)
        else:
            out = x.copy()
            numeric = [c for c in x.columns if pd.api.types.is_numeric_dtype(x[c]) and not pd.api.types.is_bool_dtype(x[c])]
            for col in numeric:
                out[col] = combine(x[col].to_numpy(dtype=float), factors)
        out.attrs.update(x.attrs)
        out.attrs.update(attrs_extra)
        if unit_after is not None:
            out.attrs["unit"] = unit_after
        if notes:
            out.attrs["notes"] = list(out.attrs.get("notes", [])) + notes
        return out
    if year is None:
        raise DataError(f"{what}: a single figure needs year=")
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise DataError(f"{what}: {x!r} is not a number (use parse_money for text)") from None
    factors, _ = _lookup(factor_name, label, [year], extrapolate)
    return float(combine(np.array([value]), factors)[0])


def to_real(x: Any, year: int | None = None, base_year: int = 2024, *, extrapolate: bool = False) -> Any:
    """Convert nominal US$ into real US$ of ``base_year`` with US CPI-U.

    ``real = nominal * CPI(base_year) / CPI(year)``.

    Parameters
    ----------
    x : float, pandas.Series or pandas.DataFrame
        A single figure (give ``year=``), an annual Series (PeriodIndex or
        integer years), or a forecast frame indexed by year: every numeric
        column is converted, text columns (e.g. ``model``) are kept.
    year : int, optional
        Year of a single figure.
    base_year : int
        Year whose prices the result is in (default 2024).
    extrapolate : bool
        Extend CPI-U beyond 2000-2024 at the average growth of the 10 years at
        that end of the data, recorded in ``attrs["notes"]`` (Series and
        frames). Default False: a year outside the data raises DataError.

    Returns
    -------
    float, pandas.Series or pandas.DataFrame
        Same shape as ``x``; Series and frames keep their ``attrs`` and gain
        ``attrs["price_basis"]``, e.g. ``"real 2024 US$ (CPI-U)"``.

    Raises
    ------
    DataError
        A year outside the CPI data (without ``extrapolate``), a Series whose
        unit is not US$, or a figure that is not a number.

    Examples
    --------
    >>> round(to_real(100.0, year=2014, base_year=2024), 2)
    132.51
    >>> import pandas as pd
    >>> s = pd.Series([1.0, 1.0], index=pd.PeriodIndex(["2014", "2024"], freq="Y"))
    >>> [round(v, 3) for v in to_real(s)]
    [1.325, 1.0]
    """
    basis = getattr(x, "attrs", {}).get("price_basis", "")
    if str(basis).startswith("real"):
        raise DataError(f"to_real: the values are already in {basis}; convert nominal values only")
    base, notes = _lookup("us_cpi", "US CPI-U", [base_year], extrapolate)
    cpi_base = float(base[0])
    out = _apply(x, year, "us_cpi", "US CPI-U", extrapolate, lambda v, f: v * cpi_base / f, "to_real", None,
                 {"price_basis": f"real {base_year} US$ (CPI-U)"})
    if notes and isinstance(out, (pd.Series, pd.DataFrame)):
        out.attrs["notes"] = list(out.attrs.get("notes", [])) + [n for n in notes if n not in out.attrs.get("notes", [])]
    return out


def share_of_gdp(x: Any, year: int | None = None, *, extrapolate: bool = False) -> Any:
    """Express nominal US$ as a fraction of world GDP (current US$) of the same year.

    Parameters
    ----------
    x : float, pandas.Series or pandas.DataFrame
        As for :func:`to_real`; in nominal US$.
    year : int, optional
        Year of a single figure.
    extrapolate : bool
        Extend world GDP beyond 2000-2024 at the average growth of the 10
        years at that end of the data, recorded in ``attrs["notes"]``.
        Default False: a year outside the data raises DataError.

    Returns
    -------
    float, pandas.Series or pandas.DataFrame
        Fractions (0.01 = 1% of world GDP); Series and frames get
        ``attrs["unit"] = "share of world GDP"``.

    Examples
    --------
    >>> round(share_of_gdp(600e9, year=2017), 4)
    0.0074
    """
    return _apply(x, year, "world_gdp", "World GDP", extrapolate, lambda v, f: v / f, "share_of_gdp",
                  "share of world GDP", {})
