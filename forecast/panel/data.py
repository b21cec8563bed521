"""Panel input: a bundled dataset, a long DataFrame or a CSV file, checked once.

A panel is a long table with one row per series (``key``) and year, and a
positive value. :func:`read_panel` returns a :class:`Panel`: the rows sorted by
key and year, the name of the key column, the unit, and whether the series
add up to a meaningful total (a hierarchy) or overlap (a panel only).

The bundled panels:

- ``ic3_by_state``: key ``state``, value ``losses_usd``. The 57 rows (50
  states, DC and six territories; territories from 2016) add up to a *total
  of states*, which is **not** IC3's national total: the states cover only
  complaints that gave a US state, 82-92% of the national losses depending on
  the year.
- ``ic3_by_crime_type``: key ``canonical_type`` (rows of one canonical type in
  a year are summed, as :func:`forecast.series` does), value ``losses_usd``.
  Crime types overlap (one complaint can have several types; they sum to
  97-126% of the national total), so they are not a hierarchy: no total is
  reconciled for them.

Errors a user can cause (a missing column, a duplicate key-year row, a
negative or non-numeric value) raise :class:`forecast.DataError` with a
one-line message naming the file, row, column and value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import DataError

__all__ = ["BUNDLED", "Panel", "read_panel"]


@dataclass(frozen=True)
class _Bundled:
    key: str
    value: str
    unit: str
    summable: bool
    caveat: str
    aggregate: bool = False  # sum rows of the same key and year (canonical crime types)


BUNDLED: dict[str, _Bundled] = {
    "ic3_by_state": _Bundled(
        "state", "losses_usd", "USD", True,
        "the states (50, DC and the territories) add up to a total of states, which is not IC3's national "
        "total: state rows cover only complaints that gave a US state, 82-92% of national losses by year"),
    "ic3_by_crime_type": _Bundled(
        "canonical_type", "losses_usd", "USD", False,
        "crime types overlap (one complaint can have several types; they sum to 97-126% of the national "
        "total), so they are a panel, not a hierarchy, and no total is reconciled", aggregate=True),
}


@dataclass
class Panel:
    """A checked long panel.

    Attributes
    ----------
    frame : pd.DataFrame
        Columns ``key`` (str), ``year`` (int), ``value`` (float), sorted by key and year.
    key : str
        Name of the key column in the user's data (``"state"``, ...), used in output.
    unit : str
        Unit of the values (``"USD"`` for the bundled panels).
    summable : bool
        True when the series add up to a meaningful total (a hierarchy).
    source : str
        Dataset name, file name or ``"DataFrame"``.
    notes : list of str
        Caveats that go with every result.
    """

    frame: pd.DataFrame
    key: str
    unit: str = ""
    summable: bool = True
    source: str = "DataFrame"
    notes: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """Series names, sorted."""
        return sorted(self.frame["key"].unique().tolist())

    @property
    def last_year(self) -> int:
        """Last year of the panel."""
        return int(self.frame["year"].max())

    def through(self, year: int | None) -> Panel:
        """The panel cut to the years up to ``year`` (or itself when ``None``)."""
        if year is None:
            return self
        cut = self.frame[self.frame["year"] <= int(year)]
        if cut.empty:
            raise DataError(f"{self.source}: no rows up to year {int(year)}")
        return Panel(cut.reset_index(drop=True), self.key, self.unit, self.summable, self.source, list(self.notes))

    def wide(self) -> pd.DataFrame:
        """Values as a years x keys table (NaN where a series has no value)."""
        return self.frame.pivot(index="year", columns="key", values="value").sort_index()

    def total(self) -> pd.Series:
        """Sum over the series for each year (the total of a summable panel)."""
        return self.frame.groupby("year")["value"].sum()


def _line(src: str, i: int, from_csv: bool) -> str:
    return f"{src}, line {i + 2}" if from_csv else f"{src}, row {i}"


def read_panel(data: Any, key: str | None = None, year: str = "year", value: str | None = None,
               unit: str | None = None) -> Panel:
    """Read a panel from a bundled dataset name, a long DataFrame or a CSV path.

    Parameters
    ----------
    data : str, os.PathLike or pd.DataFrame
        ``"ic3_by_state"``, ``"ic3_by_crime_type"``, a CSV file, or a long
        DataFrame with one row per series and year.
    key, year, value : str
        Column names of the series key, the year and the value (the bundled
        panels know theirs; for a file or a DataFrame ``key`` and ``value``
        are required, ``year`` defaults to ``"year"``).
    unit : str, optional
        Unit of the values (``"USD"`` for the bundled panels).

    Returns
    -------
    Panel

    Raises
    ------
    DataError
        A missing column, a duplicate key-year row, a negative, missing or
        non-numeric value, a year that is not a whole number.

    Examples
    --------
    >>> p = read_panel("ic3_by_state")
    >>> len(p.keys), p.key, p.summable
    (57, 'state', True)
    >>> df = pd.DataFrame({"bank": ["a", "a", "b", "b"], "year": [2020, 2021, 2020, 2021], "loss": [1, 2, 3, 4.0]})
    >>> read_panel(df, key="bank", value="loss").keys
    ['a', 'b']
    """
    notes: list[str] = []
    from_csv = False
    summable = True
    if isinstance(data, pd.DataFrame):
        raw, src = data, "DataFrame"
    elif isinstance(data, (str, Path)) and str(data) in BUNDLED:
        from forecast.data.registry import load

        spec = BUNDLED[str(data)]
        raw, src = load(str(data)), str(data)
        key = key or spec.key
        value = value or spec.value
        unit = spec.unit if unit is None else unit
        summable = spec.summable
        notes.append(spec.caveat)
        if spec.aggregate and key == spec.key:
            raw = raw.groupby([key, year], as_index=False)[value].sum(min_count=1)
            notes.append(f"rows of one {key} in the same year are summed (labels drift between years)")
    elif isinstance(data, (str, Path)):
        path = Path(data)
        src = path.name
        if not path.is_file():
            raise DataError(f"{data}: no such dataset or file (bundled panels: {', '.join(BUNDLED)})")
        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataError(f"{src}: cannot be read as CSV ({str(exc).splitlines()[0]})") from None
        from_csv = True
    else:
        raise DataError(f"data must be a dataset name, a CSV path or a DataFrame, got {type(data).__name__}")
    if key is None or value is None:
        raise DataError(f"{src}: name the key column and the value column (key=..., value=...)")
    for role, col in (("key", key), ("year", year), ("value", value)):
        if col not in raw.columns:
            raise DataError(f"{src}: {role} column {col!r} is missing; columns are: {', '.join(map(str, raw.columns))}")
    keys = raw[key].astype("string")
    years_raw = raw[year]
    vals_raw = raw[value]
    n = len(raw)
    if n == 0:
        raise DataError(f"{src}: no rows")
    yrs = pd.to_numeric(years_raw.astype("string").str.strip() if from_csv else years_raw, errors="coerce")
    yrs = np.asarray(yrs, dtype=float)
    bad = ~np.isfinite(yrs) | (yrs != np.round(yrs))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"{_line(src, i, from_csv)}, column {year!r}: {years_raw.iloc[i]!r} is not a year")
    k_missing = keys.isna() | (keys.str.strip() == "")
    if k_missing.any():
        i = int(np.argmax(k_missing.to_numpy()))
        raise DataError(f"{_line(src, i, from_csv)}, column {key!r}: the key is empty")
    if from_csv:
        vals = pd.to_numeric(vals_raw.str.strip().str.replace(",", "", regex=False), errors="coerce")
    else:
        vals = pd.to_numeric(vals_raw, errors="coerce")
    vals = np.asarray(vals, dtype=float)
    bad = ~np.isfinite(vals)
    if bad.any():
        i = int(np.argmax(bad))
        shown = vals_raw.iloc[i]
        what = "is missing" if (shown is None or (isinstance(shown, float) and np.isnan(shown))
                                or str(shown).strip() == "") else "is not a number"
        raise DataError(f"{_line(src, i, from_csv)}, column {value!r}: {shown!r} {what}")
    neg = vals < 0
    if neg.any():
        i = int(np.argmax(neg))
        raise DataError(f"{_line(src, i, from_csv)}, column {value!r}: {vals_raw.iloc[i]!r} is negative; "
                        "losses must be zero or positive")
    frame = pd.DataFrame({"key": keys.str.strip().astype(str).to_numpy(), "year": yrs.astype(int), "value": vals})
    dup = frame.duplicated(["key", "year"], keep="first")
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise DataError(f"{_line(src, i, from_csv)}: {key}={frame['key'].iloc[i]!r}, {year}={frame['year'].iloc[i]} "
                        "appears more than once (one row per series and year)")
    frame = frame.sort_values(["key", "year"], kind="stable").reset_index(drop=True)
    return Panel(frame, str(key), unit or "", summable, src, notes)
