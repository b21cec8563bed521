"""A user's own CSV file as an annual series, with one-line error messages.

Every problem found in the file raises :class:`forecast.DataError` whose
message is one line naming the file, the line (as a text editor numbers it,
the header is line 1), the column and what is wrong.

Accepted input:

- UTF-8 text, with or without a byte-order mark; separator ``,`` (``;`` or a
  tab is recognised when the header only splits that way);
- a year column holding whole years (``2019`` or ``2019.0``);
- a value column holding positive, finite numbers: plain numbers
  (``1234.5``, ``1.5e9``, ``"2,500,000"``) or money strings that
  :func:`forecast.parse_money` reads (``"$1.2bn"``, ``"600m"``), converted to
  US$; if any value is a money string and no ``unit=`` is given, the unit is
  ``"USD"``;
- lines that are entirely blank (or only separators) are skipped;
- gaps between years are allowed and listed in ``attrs["gaps"]``.
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import re

import pandas as pd

from forecast.data.money import parse_money
from forecast.data._years import annual_index
from forecast.errors import DataError, MoneyError

#: the fewest data rows any model in the package needs
MIN_ROWS = 3

_MISSING = {"na", "n/a", "nan", "null", "none", "-", "--", "#n/a"}
_INFINITE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start:exc.start + 1].hex()
        start = raw.rfind(b"\n", 0, exc.start) + 1
        col = raw.count(b",", start, exc.start) + 1
        raise DataError(
            f"{where}, line {line}, field {col}: byte 0x{bad} is not valid UTF-8 (tried UTF-8 and UTF-8 with BOM); "
            "save the file as UTF-8"
        ) from None


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Rows with the editor line number where each starts (blank rows dropped)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    prev_end = 0
    for row in reader:
        start = prev_end + 1
        prev_end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        out.append((start, row))
    return out


def _parse_year(cell: str, where: str) -> int:
    s = cell.strip()
    if not s:
        raise DataError(f"{where}: the year is empty")
    try:
        value = float(s)
    except ValueError:
        raise DataError(f"{where}: {s!r} is not a year (a whole number such as 2019 is needed)") from None
    if not math.isfinite(value) or not value.is_integer():
        raise DataError(f"{where}: {s!r} is not a whole year")
    year = int(value)
    if not 1000 <= year <= 9999:
        raise DataError(f"{where}: {s!r} is not a plausible year (4 digits expected)")
    return year


def _parse_value(cell: str, where: str) -> tuple[float, bool]:
    """Return the value and whether it was a money string."""
    s = cell.strip()
    low = s.lower()
    if not s or low in _MISSING:
        raise DataError(f"{where}: the value is empty or NaN ({s!r}); every year given needs a value")
    if low in _INFINITE:
        raise DataError(f"{where}: the value {s!r} is infinite")
    money = False
    try:
        value = float(s)
    except ValueError:
        if _THOUSANDS.match(s):
            value = float(s.replace(",", ""))
        else:
            try:
                value = parse_money(s)
                money = True
            except MoneyError as exc:  # e.g. 'abc', '3 lakh', '5 EUR'
                if "negative" in str(exc):
                    raise DataError(f"{where}: the value {s!r} is negative; values must be positive") from None
                raise DataError(f"{where}: {s!r} is not a number") from None
    if math.isnan(value):
        raise DataError(f"{where}: the value is NaN; every year given needs a value")
    if math.isinf(value):
        raise DataError(f"{where}: the value {s!r} is infinite")
    if value == 0:
        raise DataError(f"{where}: the value is zero; values must be positive (models work on the log scale)")
    if value < 0:
        raise DataError(f"{where}: the value {s!r} is negative; values must be positive")
    return value, money


def read_series(path: str | os.PathLike, year: str = "year", value: str = "value", *, unit: str = "") -> pd.Series:
    """Read a user's CSV file into an annual series.

    Parameters
    ----------
    path : str or path-like
        The CSV file (UTF-8, one header line).
    year : str
        Name of the column holding the years (default ``"year"``).
    value : str
        Name of the column holding the values (default ``"value"``).
    unit : str, optional
        Unit recorded in ``attrs["unit"]`` (e.g. ``"USD"``). Default ``""``,
        or ``"USD"`` when values were written as money strings.

    Returns
    -------
    pandas.Series
        Float values on a ``PeriodIndex(freq="Y")`` named ``year``, sorted by
        year, named after the value column. ``attrs``: ``unit``, ``name``
        (the value column), ``source`` (the path), ``gaps`` (missing years
        between the first and the last, a list of ints).

    Raises
    ------
    DataError
        One line naming the file, the line and the column: missing or empty
        file, missing column (the columns found are listed), a value that is
        not a number, zero, negative, empty/NaN or infinite, a year that is
        not a whole number, a year given twice (both lines named), fewer than
        3 rows, or bytes that are not UTF-8.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "losses.csv"
    >>> _ = p.write_text("year,loss\\n2019,3.5\\n2020,4.2\\n2022,10.3\\n")
    >>> y = read_series(p, year="year", value="loss", unit="USD bn")
    >>> y.attrs["gaps"], y.attrs["unit"], float(y["2022"])
    ([2021], 'USD bn', 10.3)
    """
    where = str(path)
    p = Path(path)
    if not p.exists():
        raise DataError(f"{where}: file not found")
    if p.is_dir():
        raise DataError(f"{where}: is a folder, not a CSV file")
    text = _decode(p.read_bytes(), where)
    if not text.strip():
        raise DataError(f"{where}: the file is empty (no header line)")
    first_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = ","
    if "," not in first_line:
        for alt in (";", "\t"):
            if alt in first_line:
                delimiter = alt
                break
    records = _records(text, delimiter)
    if not records:
        raise DataError(f"{where}: the file is empty (only separators, no header line)")
    header_line, header = records[0]
    names = [h.strip() for h in header]
    missing = [c for c in (year, value) if c not in names]
    if missing:
        found = ", ".join(repr(n) for n in names)
        raise DataError(
            f"{where}, line {header_line}: column {missing[0]!r} not found; columns found: {found}"
        )
    dup_cols = [c for c in (year, value) if names.count(c) > 1]
    if dup_cols:
        raise DataError(f"{where}, line {header_line}: column {dup_cols[0]!r} appears more than once in the header")
    iy, iv = names.index(year), names.index(value)
    seen: dict[int, int] = {}
    years: list[int] = []
    values: list[float] = []
    any_money = False
    for line, row in records[1:]:
        cell_y = row[iy] if iy < len(row) else ""
        cell_v = row[iv] if iv < len(row) else ""
        y = _parse_year(cell_y, f"{where}, line {line}, column {year!r}")
        if y in seen:
            raise DataError(
                f"{where}, lines {seen[y]} and {line}, column {year!r}: year {y} appears twice"
            )
        seen[y] = line
        v, money = _parse_value(cell_v, f"{where}, line {line}, column {value!r}")
        any_money |= money
        years.append(y)
        values.append(v)
    if len(years) < MIN_ROWS:
        last = records[-1][0]
        raise DataError(
            f"{where}, line {last}, column {value!r}: {len(years)} data row{'s' if len(years) != 1 else ''}; "
            f"at least {MIN_ROWS} are needed by any model"
        )
    idx = annual_index(years)
    out = pd.Series(values, index=idx, name=value, dtype=float).sort_index()
    present = set(years)
    gaps = [y for y in range(min(years), max(years) + 1) if y not in present]
    out.attrs.update({
        "unit": unit or ("USD" if any_money else ""),
        "name": value,
        "source": where,
        "gaps": gaps,
    })
    return out
