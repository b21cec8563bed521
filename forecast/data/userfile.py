"""A user's own CSV file or Excel workbook as an annual series, with one-line error messages.

Every problem found in the file raises :class:`forecast.DataError` whose
message is one line naming the file, the line (as a text editor numbers it,
the header is line 1; in a workbook, the row), the column and what is wrong.

Accepted input:

- UTF-8 text, with or without a byte-order mark; separator ``,`` (``;`` or a
  tab is recognised when the header only splits that way); or an Excel
  workbook (``.xlsx``, first sheet or ``sheet=``; an old ``.xls`` is refused
  with a message saying to save it as CSV or ``.xlsx``);
- a year column holding whole years (``2019`` or ``2019.0``), fiscal years
  (``FY2019``, read as 2019) or dates that all fall on the same day of the
  year (``2019-12-31``, ``31.12.2019``: read as the year of the date); a
  cell naming two years (``2019/20``) is refused;
- a value column holding positive, finite numbers: plain numbers
  (``1234.5``, ``1.5e9``, ``"2,500,000"``, ``1.300,5``) or money strings that
  :func:`forecast.parse_money` reads (``"$1.2bn"``, ``"600m"``), converted to
  US$; if any value is a money string and no ``unit=`` is given, the unit is
  ``"USD"``;
- the number format (decimal mark, thousands mark) is decided once for the
  whole file (see :mod:`forecast.data.numformat`), or given with
  ``decimal=`` / ``thousands=``; a file that mixes formats, or a value such
  as ``1.300`` in a ``;``-separated file that nothing else decides, is
  refused rather than guessed;
- the unit is read from the value column's header when it says so
  (``Losses (USD)``, ``Loss [US$ bn]``: values in billions are multiplied out
  to US$); the column can then be named with or without the unit
  (``value="Losses"``); an explicit ``unit=`` wins and takes values as they are;
- lines that are entirely blank (or only separators) are skipped; a line
  with more fields than the header is refused (an unquoted ``1,300`` in a
  comma-separated file would otherwise be read as 1);
- a value more than 10 times the one before it, or less than a tenth of it
  (per year between them), is refused as suspicious (a misread number
  format, a slipped unit) unless ``allow_jumps=True``;
- gaps between years are allowed and listed in ``attrs["gaps"]``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import warnings
from pathlib import Path

import pandas as pd

from forecast.data._years import annual_index, read_year
from forecast.data.money import _SCALE_WORDS, format_amount, parse_money
from forecast.data.numformat import NumberFormat, decide_format, parse_number, to_point_decimal
from forecast.errors import DataError, MoneyError

#: the fewest data rows any model in the package needs
MIN_ROWS = 3
#: the largest change from one year to the next accepted without ``allow_jumps=True``
MAX_JUMP = 10.0

_MISSING = {"na", "n/a", "nan", "null", "none", "-", "--", "#n/a"}
_INFINITE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
_HEADER_UNIT = re.compile(r"^(?P<base>.*?)\s*(?:\((?P<a>[^()]*)\)|\[(?P<b>[^\[\]]*)\])\s*$")
_USD_WORDS = {"usd", "us$", "$", "dollars", "dollar"}
_FILLER = {"in", "us", "of", "nominal", "current"}


# ------------------------------------------------------------------ the raw rows


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


def _workbook_kind(raw: bytes, path: Path) -> str | None:
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if raw.startswith(b"PK\x03\x04"):
        if b"xl/" in raw[:4096] or path.suffix.lower() in (".xlsx", ".xlsm"):
            return "xlsx"
        return "zip"
    return None


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def _excel_records(path: Path, sheet: str | int | None, where: str) -> tuple[list[tuple[int, list[str]]], str]:
    """Rows of one sheet with their row numbers (blank rows dropped), and the sheet's name."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency of the package
        raise DataError(f"{where}: this is an Excel workbook; reading it needs openpyxl "
                        "(pip install openpyxl), or save the sheet as CSV") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and data validation it does not read
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any reason the workbook cannot be opened
            raise DataError(f"{where}: this Excel workbook cannot be read ({type(exc).__name__}); "
                            "save the sheet as CSV") from None
        try:
            names = wb.sheetnames
            if sheet is None:
                ws = wb.worksheets[0]
            elif isinstance(sheet, int) and not isinstance(sheet, bool):
                if not 0 <= sheet < len(names):
                    raise DataError(f"{where}: sheet number {sheet} not found; the workbook has {len(names)} "
                                    f"sheet(s) (numbered from 0): {', '.join(repr(n) for n in names)}")
                ws = wb.worksheets[sheet]
            elif str(sheet) in names:
                ws = wb[str(sheet)]
            else:
                raise DataError(f"{where}: sheet {sheet!r} not found; sheets: {', '.join(repr(n) for n in names)}")
            out = []
            for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in row]
                while cells and not cells[-1].strip():
                    cells.pop()
                if any(c.strip() for c in cells):
                    out.append((i, cells))
            return out, ws.title
        finally:
            wb.close()


# ------------------------------------------------------------------ the header


def unit_from_header(name: str) -> tuple[str, str, float] | None:
    """``(column name without the unit, unit, factor)`` when a header states its unit, else None.

    Examples
    --------
    >>> unit_from_header("Losses (USD)"), unit_from_header("loss [US$ bn]")
    (('Losses', 'USD', 1.0), ('loss', 'USD', 1000000000.0))
    >>> unit_from_header("Losses (EUR)"), unit_from_header("loss (estimate)")
    (('Losses', 'EUR', 1.0), None)
    """
    m = _HEADER_UNIT.match(name.strip())
    if m is None or not m.group("base"):
        return None
    content = (m.group("a") if m.group("a") is not None else m.group("b")).strip()
    base = m.group("base")
    if re.fullmatch(r"[A-Z]{3}", content) and content != "USD":
        return base, content, 1.0
    tokens = re.findall(r"us\$|\$|[a-z]+", content.lower())
    if not tokens or not any(t in _USD_WORDS for t in tokens):
        return None
    factor = 1.0
    for t in tokens:
        if t in _USD_WORDS or t in _FILLER:
            continue
        if t in _SCALE_WORDS and factor == 1.0:
            factor = _SCALE_WORDS[t]
            continue
        return None
    return base, "USD", factor


def _column(names: list[str], wanted: str, where: str, line: int, word: str) -> int:
    if wanted in names:
        if names.count(wanted) > 1:
            raise DataError(f"{where}, {word} {line}: column {wanted!r} appears more than once in the header")
        return names.index(wanted)
    by_base = [i for i, n in enumerate(names) if (u := unit_from_header(n)) is not None and u[0] == wanted]
    if len(by_base) == 1:
        return by_base[0]
    found = ", ".join(repr(n) for n in names)
    raise DataError(f"{where}, {word} {line}: column {wanted!r} not found; columns found: {found}")


# ------------------------------------------------------------------ cells


def _parse_value(cell: str, where: str, fmt: NumberFormat) -> tuple[float, bool]:
    """Return the value and whether it was a money string."""
    s = cell.strip()
    low = s.lower()
    if not s or low in _MISSING:
        raise DataError(f"{where}: the value is empty or NaN ({s!r}); every year given needs a value")
    if low in _INFINITE:
        raise DataError(f"{where}: the value {s!r} is infinite")
    money = False
    try:
        plain = parse_number(s, fmt)
    except ValueError:
        raise DataError(f"{where}: {s!r} is not a number written the way the rest of the file writes them "
                        f"({fmt.describe()})") from None
    except OverflowError:  # pragma: no cover - float() gives inf instead
        plain = math.inf
    if plain is not None:
        value = plain
    else:
        try:
            value = parse_money(to_point_decimal(s, fmt))
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


def _read_years(rows, iy: int, where: str, column: str, word: str) -> tuple[list[int], list[str]]:
    years: list[int] = []
    notes: list[str] = []
    kinds: dict[str, tuple[int, str]] = {}
    days: dict[str, tuple[int, str]] = {}
    seen: dict[int, int] = {}
    for line, row in rows:
        cell = (row[iy] if iy < len(row) else "").strip()
        at = f"{where}, {word} {line}, column {column!r}"
        if not cell:
            raise DataError(f"{at}: the year is empty")
        try:
            got = read_year(cell)
        except ValueError as exc:
            raise DataError(f"{at}: {cell!r} {exc}") from None
        if got is None:
            raise DataError(f"{at}: {cell!r} is not a year (a whole number such as 2019, FY2019 or a date such as "
                            "2019-12-31 is needed)")
        year, kind, day = got
        if not 1000 <= year <= 9999:
            raise DataError(f"{at}: {cell!r} is not a plausible year (4 digits expected)")
        kinds.setdefault(kind, (line, cell))
        if kind == "date":
            days.setdefault(day, (line, cell))
        if len(kinds) > 1:
            (l1, c1), (l2, c2) = list(kinds.values())[:2]
            raise DataError(f"{where}, {word}s {l1} and {line}, column {column!r}: years are written in two ways "
                            f"({c1!r} and {c2!r}); write them all the same way")
        if len(days) > 1:
            (l1, c1), (l2, c2) = list(days.values())[:2]
            raise DataError(f"{where}, {word}s {l1} and {l2}, column {column!r}: dates on different days of the year "
                            f"({c1!r} and {c2!r}), so not one figure per year; write plain years")
        if year in seen:
            raise DataError(f"{where}, {word}s {seen[year]} and {line}, column {column!r}: year {year} appears twice")
        seen[year] = line
        years.append(year)
    if "fiscal" in kinds:
        notes.append(f"years written as fiscal years ({kinds['fiscal'][1]!r}) are read as the year named")
    if "date" in kinds:
        notes.append(f"years written as dates ({kinds['date'][1]!r}) are read as the year of the date")
    return years, notes


def _check_jumps(years: list[int], values: list[float], lines: list[int], where: str, column: str, word: str,
                 unit: str, fmt: NumberFormat) -> None:
    order = sorted(range(len(years)), key=years.__getitem__)
    for a, b in zip(order, order[1:]):
        gap = years[b] - years[a]
        ratio = values[b] / values[a]
        if MAX_JUMP ** -gap <= ratio <= MAX_JUMP ** gap:
            continue
        size = f"{ratio:.3g} times" if ratio > 1 else f"1/{1 / ratio:.3g} of"
        span = "the year before" if gap == 1 else f"{gap} years before"
        raise DataError(
            f"{where}, {word} {lines[b]}, column {column!r}: {format_amount(values[b], unit)} for {years[b]} is "
            f"{size} the {format_amount(values[a], unit)} for {years[a]} ({span}, {word} {lines[a]}); a change of "
            f"more than {MAX_JUMP:g} times a year is suspicious (read with {fmt.describe()}: is that the file's "
            f"format? a unit slipped?); if the numbers are right, accept them with allow_jumps=True")


# ------------------------------------------------------------------ public


def read_series(path: str | os.PathLike, year: str = "year", value: str = "value", *, unit: str = "",
                decimal: str | None = None, thousands: str | None = None, sheet: str | int | None = None,
                allow_jumps: bool = False) -> pd.Series:
    """Read a user's CSV file (or Excel workbook) into an annual series.

    Parameters
    ----------
    path : str or path-like
        The CSV file (UTF-8, one header line) or an ``.xlsx`` workbook.
    year : str
        Name of the column holding the years (default ``"year"``).
    value : str
        Name of the column holding the values (default ``"value"``). A header
        with its unit (``Losses (USD)``) can be named with or without it.
    unit : str, optional
        Unit recorded in ``attrs["unit"]`` (e.g. ``"USD"``), values taken as
        they are. Default: the unit the header states (``Losses (USD bn)``:
        ``"USD"``, values times 1e9), else ``"USD"`` when values were written
        as money strings, else ``""``.
    decimal : {".", ","}, optional
        The decimal mark, when the file's own values do not decide it (a
        ``;``-separated file whose only marks are in cells like ``1.300``).
    thousands : {",", ".", " ", "'", ""}, optional
        The thousands mark (``""``: none).
    sheet : str or int, optional
        Workbooks only: the sheet's name or number from 0 (default: the first).
    allow_jumps : bool
        Accept a change of more than 10 times from one year to the next
        (refused by default as a likely misread number or unit).

    Returns
    -------
    pandas.Series
        Float values on a ``PeriodIndex(freq="Y")`` named ``year``, sorted by
        year, named after the value column. ``attrs``: ``unit``, ``name``
        (the value column), ``source`` (the path), ``gaps`` (missing years
        between the first and the last, a list of ints), and ``notes`` when
        something was read that a user should know (fiscal years, dates,
        a unit taken from the header).

    Raises
    ------
    DataError
        One line naming the file, the line and the column: missing or empty
        file, missing column (the columns found are listed), a line with more
        fields than the header, a value that is not a number, zero, negative,
        empty/NaN or infinite, a file mixing number formats or whose format
        cannot be decided, a year that is not a whole number, a year given
        twice (both lines named), a change of more than 10 times in a year,
        fewer than 3 rows, bytes that are not UTF-8, an old ``.xls`` workbook.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "losses.csv"
    >>> _ = p.write_text("year,loss\\n2019,3.5\\n2020,4.2\\n2022,10.3\\n")
    >>> y = read_series(p, year="year", value="loss", unit="USD bn")
    >>> y.attrs["gaps"], y.attrs["unit"], float(y["2022"])
    ([2021], 'USD bn', 10.3)
    >>> _ = p.write_text("Jahr;Verluste\\n2020;850\\n2021;1.150\\n2022;1.300\\n")
    >>> read_series(p, year="Jahr", value="Verluste", decimal=",").tolist()
    [850.0, 1150.0, 1300.0]
    """
    where = str(path)
    p = Path(path)
    if not p.exists():
        looked = p if p.is_absolute() else Path.cwd() / p
        raise DataError(f"{where}: file not found (looked for {looked}"
                        + ("" if p.is_absolute() else "; a relative path is read from the working folder") + ")")
    if p.is_dir():
        raise DataError(f"{where}: is a folder, not a CSV file")
    raw = p.read_bytes()
    kind = _workbook_kind(raw, p)
    word = "line"
    if kind == "xls":
        raise DataError(f"{where}: this is an old Excel workbook (.xls), which is not read; save the sheet as CSV "
                        "(UTF-8) or as .xlsx")
    if kind == "zip":
        raise DataError(f"{where}: this is a zip archive, not a CSV file or an Excel workbook")
    if kind == "xlsx":
        records, sheet_name = _excel_records(p, sheet, where)
        where = f"{where}, sheet {sheet_name!r}"
        word, delimiter = "row", ","
        if not records:
            raise DataError(f"{where}: the sheet is empty (no header row)")
    else:
        if sheet is not None:
            raise DataError(f"{where}: sheet= applies to Excel workbooks only; this is a text file")
        text = _decode(raw, where)
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
    iy = _column(names, year, where, header_line, word)
    iv = _column(names, value, where, header_line, word)
    rows = records[1:]
    for line, row in rows:
        if len(row) > len(names) and any(c.strip() for c in row[len(names):]):
            shown = delimiter.join(row)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            sep = "a tab" if delimiter == "\t" else repr(delimiter)
            raise DataError(
                f"{where}, {word} {line}: {len(row)} fields but the header ({word} {header_line}) has {len(names)}: "
                f"{shown!r}; a value containing {sep} (such as 1,300) must be quoted, or the extra fields removed")
    years, notes = _read_years(rows, iy, where, year, word)
    cells = [(line, row[iv] if iv < len(row) else "") for line, row in rows]
    fmt = decide_format(cells, where=where, separator=delimiter, decimal=decimal, thousands=thousands)
    if fmt.decimal != ".":
        notes.append(f"numbers read with {fmt.describe()}" + ("" if decimal else " (decided from the file's values)"))
    header_unit = unit_from_header(names[iv])
    factor = 1.0
    if not unit and header_unit is not None:
        unit, factor = header_unit[1], header_unit[2]
        notes.append(f"unit {unit} read from the header {names[iv]!r}"
                     + (f" (values times {factor:g})" if factor != 1 else ""))
    values: list[float] = []
    any_money = False
    for line, cell in cells:
        v, money = _parse_value(cell, f"{where}, {word} {line}, column {names[iv]!r}", fmt)
        any_money |= money
        values.append(v if money else v * factor)  # a money string carries its own scale
    if len(years) < MIN_ROWS:
        last = records[-1][0]
        raise DataError(
            f"{where}, {word} {last}, column {value!r}: {len(years)} data row{'s' if len(years) != 1 else ''}; "
            f"at least {MIN_ROWS} are needed by any model"
        )
    unit = unit or ("USD" if any_money else "")
    if not allow_jumps:
        _check_jumps(years, values, [line for line, _ in rows], where, names[iv], word, unit, fmt)
    idx = annual_index(years)
    out = pd.Series(values, index=idx, name=value, dtype=float).sort_index()
    present = set(years)
    gaps = [y for y in range(min(years), max(years) + 1) if y not in present]
    out.attrs.update({
        "unit": unit,
        "name": value,
        "source": str(path),
        "gaps": gaps,
    })
    if notes:
        out.attrs["notes"] = notes
    return out
