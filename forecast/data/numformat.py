"""How a file writes its numbers: the decimal mark and the thousands mark, decided once per file.

``1.300`` is 1.3 in a US file and 1300 in a German one; ``1,300`` the other
way round. Reading each cell on its own would mix the two and give a silent
wrong answer, so the format is decided once for the whole file from the
cells that can only be read one way:

- ``3.5``, ``0.125``, ``1234.5``, ``1.5e9`` and ``1,234,567`` or
  ``1,234.5`` say the decimal mark is a point;
- ``3,5``, ``1234,5``, ``1.234.567`` and ``1.234,5`` say it is a comma;
- a space, a no-break space or an apostrophe between groups of three digits
  (``1 300``, ``1'300``) is a thousands mark in either format.

A cell such as ``1.300`` or ``1,300`` (one mark, then exactly three digits)
is *ambiguous*. It follows the file's format when other cells decide it. If
nothing decides it, a comma-separated file is read the usual CSV way
(decimal point, ``1,300`` = 1300) and a file separated by ``;`` or a tab,
the usual European export, is refused with a message saying how to choose
(``decimal=`` / ``thousands=``, ``--decimal`` / ``--thousands``). A file
whose cells decide both ways is refused, naming a line of each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from forecast.errors import DataError

__all__ = ["NumberFormat", "decide_format", "parse_number"]

DECIMALS = (".", ",")
#: thousands marks that can never be a decimal mark
_SPACES = (" ", "\u00a0", "\u202f", "'", "\u2019")
THOUSANDS = (",", ".", *_SPACES)
_CHARSET = re.compile(r"^[+-]?[0-9.,'\u2019 \u00a0\u202f]*[0-9][0-9.,'\u2019 \u00a0\u202f]*(?:[eE][+-]?[0-9]+)?$")
_EXPONENT = re.compile(r"[eE][+-]?[0-9]+$")
_NUMBER_IN_TEXT = re.compile(r"[0-9][0-9.,]*[0-9]|[0-9]")


@dataclass(frozen=True)
class NumberFormat:
    """The decimal mark and the thousands marks a file uses.

    Examples
    --------
    >>> fmt = NumberFormat(decimal=",", thousands=".")
    >>> parse_number("1.300,5", fmt)
    1300.5
    """

    decimal: str = "."
    thousands: str = ","  # one of THOUSANDS, or "" for none; spaces and apostrophes are always accepted

    def describe(self) -> str:
        """``"decimal mark ',', thousands mark '.'"``."""
        th = repr(self.thousands) if self.thousands else "none"
        return f"decimal mark {self.decimal!r}, thousands mark {th}"


def _split(cell: str) -> tuple[str, bool] | None:
    """The mantissa without sign and exponent, and whether there was an exponent; None if not a plain number."""
    s = cell.strip()
    if not _CHARSET.match(s):
        return None
    exp = _EXPONENT.search(s)
    body = s[: exp.start()] if exp else s
    return body.lstrip("+-"), exp is not None


def _evidence(cell: str) -> tuple[str | None, bool]:
    """(decimal mark the cell implies or None, whether it is ambiguous)."""
    parts = _split(cell)
    if parts is None:
        return None, False
    body, has_exp = parts
    for sp in _SPACES:
        body = body.replace(sp, "")
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        return ("." if body.rfind(".") > body.rfind(",") else ","), False
    if not dots and not commas:
        return None, False
    mark = "." if dots else ","
    other = "," if mark == "." else "."
    if body.count(mark) > 1:  # only a thousands mark repeats
        return other, False
    head, tail = body.split(mark)
    if has_exp or len(tail) != 3 or not head or len(head) > 3 or head.startswith("0"):
        return mark, False  # cannot be a thousands mark: a decimal mark
    return None, True


def decide_format(cells: Iterable[tuple[int, str]], *, where: str, separator: str = ",",
                  decimal: str | None = None, thousands: str | None = None) -> NumberFormat:
    """Decide the number format of a file from its value cells.

    Parameters
    ----------
    cells : iterable of (line, text)
        The value cells with the line each is on.
    where : str
        The file, for messages.
    separator : str
        The file's field separator (``","``, ``";"`` or a tab).
    decimal : {".", ","}, optional
        The decimal mark, when the caller knows it.
    thousands : str, optional
        The thousands mark (``","``, ``"."``, ``" "``, ``"'"`` or ``""`` for
        none), when the caller knows it.

    Raises
    ------
    DataError
        When cells decide both ways, or when a cell is ambiguous and nothing
        decides it in a file separated by ``;`` or a tab.

    Examples
    --------
    >>> decide_format([(2, "850"), (3, "1.300,5")], where="f.csv", separator=";")
    NumberFormat(decimal=',', thousands='.')
    >>> decide_format([(2, "1.300")], where="f.csv", separator=";")
    Traceback (most recent call last):
    ...
    forecast.errors.DataError: f.csv, line 2: '1.300' could be 1.3 or 1300 and no other value in this ';'-separated file decides which; say which: decimal=',' (1.300 = 1300) or decimal='.' (1.300 = 1.3)
    """
    if decimal is not None and decimal not in DECIMALS:
        raise DataError(f"{where}: decimal mark {decimal!r} is not one of '.' or ','")
    if thousands is not None and thousands not in (*THOUSANDS, ""):
        raise DataError(f"{where}: thousands mark {thousands!r} is not one of ',', '.', ' ', \"'\" or '' (none)")
    if decimal is not None and thousands is not None and decimal == thousands:
        raise DataError(f"{where}: the decimal mark and the thousands mark are both {decimal!r}")
    if decimal is None and thousands in DECIMALS:
        decimal = "," if thousands == "." else "."
    if decimal is not None:
        default_th = "." if decimal == "," else ","
        return NumberFormat(decimal, default_th if thousands is None else thousands)
    seen: dict[str, tuple[int, str]] = {}
    ambiguous: tuple[int, str] | None = None
    for line, cell in cells:
        if _split(cell) is None:  # a money string such as '$3,5bn': its number decides too
            token = _NUMBER_IN_TEXT.search(cell)
            if token is None:
                continue
            cell = token.group(0)
        mark, amb = _evidence(cell)
        if mark is not None and mark not in seen:
            seen[mark] = (line, cell.strip())
        if amb and ambiguous is None:
            ambiguous = (line, cell.strip())
    if len(seen) == 2:
        (lp, cp), (lc, cc) = seen["."], seen[","]
        raise DataError(
            f"{where}: the file mixes number formats: line {lp} has {cp!r} (decimal point) and line {lc} has "
            f"{cc!r} (decimal comma); write every value the same way, or say which with decimal=")
    if seen:
        mark = next(iter(seen))
        return NumberFormat(mark, ("." if mark == "," else ",") if thousands is None else thousands)
    if ambiguous is not None and separator != ",":
        line, cell = ambiguous
        sep = "tab" if separator == "\t" else repr(separator)
        point = cell.replace(",", ".")
        as_dec = float(point.replace(" ", "").lstrip("+"))
        as_th = float(point.replace(".", "").replace(" ", "").lstrip("+"))
        mark = "." if "." in cell else ","
        comma_says = f"{cell} = {as_th:g}" if mark == "." else f"{cell} = {as_dec:g}"
        point_says = f"{cell} = {as_dec:g}" if mark == "." else f"{cell} = {as_th:g}"
        raise DataError(
            f"{where}, line {line}: {cell!r} could be {as_dec:g} or {as_th:g} and no other value in this "
            f"{sep}-separated file decides which; say which: decimal=',' ({comma_says}) or decimal='.' "
            f"({point_says})")
    return NumberFormat(".", "," if thousands is None else thousands)


def parse_number(cell: str, fmt: NumberFormat) -> float | None:
    """Read a plain number written in format ``fmt``; None when ``cell`` is not a plain number.

    Raises
    ------
    ValueError
        When the cell is made of digits and marks but not in ``fmt``
        (e.g. ``"3,5"`` in a file whose decimal mark is a point).

    Examples
    --------
    >>> parse_number("1,234.5", NumberFormat())
    1234.5
    >>> parse_number("1 300", NumberFormat(",", "."))
    1300.0
    >>> parse_number("$3bn", NumberFormat()) is None
    True
    """
    parts = _split(cell)
    if parts is None:
        return None
    s = cell.strip()
    sign = "-" if s.startswith("-") else ""
    exp = _EXPONENT.search(s)
    body = parts[0]
    if body.count(fmt.decimal) > 1:
        raise ValueError(cell)
    head, _, tail = body.partition(fmt.decimal)
    if not re.fullmatch(r"[0-9]*", tail):
        raise ValueError(cell)
    marks = {c for c in head if not c.isdigit()}
    if marks:
        allowed = {fmt.thousands, *_SPACES} - {""}
        if len(marks) > 1 or not marks <= allowed:
            raise ValueError(cell)
        (m,) = marks
        if not re.fullmatch(rf"[0-9]{{1,3}}(?:{re.escape(m)}[0-9]{{3}})+", head):
            raise ValueError(cell)
        head = head.replace(m, "")
    if not head and not tail:
        raise ValueError(cell)
    return float(f"{sign}{head or '0'}.{tail or '0'}{exp.group(0) if exp else ''}")


def to_point_decimal(text: str, fmt: NumberFormat) -> str:
    """Rewrite the numbers inside ``text`` (e.g. a money string) with a decimal point and no thousands marks.

    Examples
    --------
    >>> to_point_decimal("$3,5bn", NumberFormat(",", "."))
    '$3.5bn'
    """
    if fmt.decimal == ".":
        return text

    def fix(m: re.Match) -> str:
        try:
            value = parse_number(m.group(0), fmt)
        except ValueError:
            return m.group(0)
        return m.group(0) if value is None else f"{value:.15g}"

    return _NUMBER_IN_TEXT.sub(fix, text)
