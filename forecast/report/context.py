"""What a report is made from: its options, its series, and the library results it reuses.

Each expensive library call (the automatic model choice with its backtests,
the multi-publisher model, the claim checks) is made once and kept in a typed
field of :class:`Context` (a :class:`Computed`), so every section and the
title page show the same numbers. A call that fails is kept as the
exception, and every section that needs it reports the same one-line reason.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TextIO, TypeVar

from forecast.errors import ReportError

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    import pandas as pd

    from forecast.families.base import FitResult
    from forecast.published.check import ClaimCheck
    from forecast.published.publishers import PublisherFit

T = TypeVar("T")

DEFAULT_HORIZON = 6
DEFAULT_DATASET = "ic3"
LEVELS = (80, 95)
SEED = 20240101


@dataclass(frozen=True)
class ClaimSpec:
    """A published figure to check: an amount in US$ for a year, as the user wrote it."""

    value: float
    year: int
    text: str

    @property
    def label(self) -> str:
        """Short label, e.g. ``"$3.0T in 2020"``."""
        from forecast.data.money import format_money

        return f"{format_money(self.value)} in {self.year}"


#: The seed's headline figures: "$2 trillion in 2019 and $3 trillion in 2020".
DEFAULT_CLAIMS = (("2 trillion", 2019), ("3 trillion", 2020))


def parse_claim(text: str) -> ClaimSpec:
    """Read a ``--claim`` argument: ``"AMOUNT@YEAR"``, e.g. ``"3 trillion@2020"``.

    Raises
    ------
    ReportError
        When the text has no ``@``, the year is not a whole year, or the
        amount cannot be read (the message says which).

    Examples
    --------
    >>> c = parse_claim("3 trillion@2020")
    >>> c.value, c.year
    (3000000000000.0, 2020)
    """
    from forecast.data.money import parse_money
    from forecast.errors import MoneyError

    raw = str(text)
    if "@" not in raw:
        raise ReportError(f"--claim {raw!r}: expected AMOUNT@YEAR, e.g. \"3 trillion@2020\"")
    amount, _, year = raw.rpartition("@")
    year = year.strip()
    if not year.isdigit() or not 1900 <= int(year) <= 2200:
        raise ReportError(f"--claim {raw!r}: {year!r} is not a year (expected e.g. 2020)")
    if not amount.strip():
        raise ReportError(f"--claim {raw!r}: the amount before '@' is empty")
    try:
        value = parse_money(amount.strip())
    except MoneyError as exc:
        raise ReportError(f"--claim {raw!r}: {exc}") from None
    if not value > 0:
        raise ReportError(f"--claim {raw!r}: the amount must be positive")
    return ClaimSpec(float(value), int(year), amount.strip())


@dataclass
class ReportOptions:
    """Everything the user chose (the command line's arguments).

    ``dataset`` and ``csv`` are exclusive; with neither, the bundled IC3
    series is used. ``claims=None`` means the seed's two figures (only when
    the bundled global estimates are in the report).
    """

    dataset: str | None = None
    csv: str | Path | None = None
    year_column: str | None = None
    value_column: str | None = None
    through: int | None = None
    horizon: int = DEFAULT_HORIZON
    claims: Sequence[ClaimSpec] | None = None
    own_series: bool = False  # a series given ready-made that is not a bundled dataset (as a user's CSV)
    model: str = "auto"                    # the main series' model (--model)
    levels: tuple = LEVELS                 # interval levels of its forecast (--levels)
    unit: str | None = None                # unit of the --csv values (--unit)
    read_options: dict = field(default_factory=dict)  # decimal=, thousands=, sheet=, allow_jumps= of read_series

    @property
    def uses_global(self) -> bool:
        """True when the report includes the sections built on the bundled global estimates."""
        return self.csv is None and not self.own_series


class Progress:
    """Progress lines on the terminal (stderr), with the elapsed time."""

    def __init__(self, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.start

    def __call__(self, message: str) -> None:
        if not self.enabled:
            return
        out = self.stream or sys.stderr
        print(f"[{time.perf_counter() - self.start:5.1f}s] {message}", file=out, flush=True)


class Computed(Generic[T]):
    """One library result of the report, made once: its value, or the exception its call raised.

    Examples
    --------
    >>> fit = Computed("fit")
    >>> fit.ok, fit.done
    (False, False)
    >>> fit.run(lambda: 41 + 1)
    42
    >>> fit.value, fit.ok
    (42, True)
    >>> broken = Computed("publishers")
    >>> broken.run(lambda: 1 / 0)
    Traceback (most recent call last):
    ...
    ZeroDivisionError: division by zero
    >>> broken.ok, broken.done
    (False, True)
    """

    __slots__ = ("name", "_done", "_value", "_error")

    def __init__(self, name: str) -> None:
        self.name = name
        self._done = False
        self._value: T | None = None
        self._error: BaseException | None = None

    def run(self, build: Callable[[], T]) -> T:
        """Call ``build`` the first time; later calls give its value or raise its exception again."""
        if not self._done:
            try:
                self._value = build()
            except Exception as exc:  # noqa: BLE001 - kept, reported by each section that needs it
                self._error = exc
            self._done = True
        return self.value

    def set(self, value: T) -> T:
        """Keep a result made elsewhere (e.g. a fit the caller passed in); it is not rebuilt."""
        self._value, self._error, self._done = value, None, True
        return value

    @property
    def value(self) -> T:
        """The result; raises the exception its call raised, or :class:`ReportError` if it was never made."""
        if not self._done:
            raise ReportError(f"internal: {self.name!r} was not computed")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    @property
    def done(self) -> bool:
        """True once the call was made (successfully or not)."""
        return self._done

    @property
    def ok(self) -> bool:
        """True when the call was made without error."""
        return self._done and self._error is None

    def __repr__(self) -> str:
        state = "pending" if not self._done else ("ok" if self._error is None else f"failed: {self._error!r}")
        return f"Computed({self.name!r}, {state})"


def _slot(name: str) -> Any:
    return field(default_factory=lambda: Computed(name))


@dataclass
class Context:
    """The report's inputs plus the library results shared by its sections.

    The results are typed fields, each a :class:`Computed` made once by
    :mod:`forecast.report.compute` (or given by the caller) and read by the
    sections and the title page through ``.value``.
    """

    options: ReportOptions
    y: Any                                  # the main series (pd.Series on an annual PeriodIndex)
    source: str                             # where the main series comes from, one line
    name: str                               # the main series' label
    is_ic3: bool
    progress: Progress = field(default_factory=lambda: Progress(enabled=False))
    claim_specs: list[ClaimSpec] = field(default_factory=list)
    figures: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # -- shared results (library calls made once) ---------------------------
    fit: Computed[FitResult] = _slot("fit")                              # auto's fit of the main series
    forecast_frame: Computed[pd.DataFrame] = _slot("forecast")           # its forecast to the horizon
    backtest: Computed[pd.DataFrame] = _slot("backtest")                 # the backtest drawn in the chart
    rerun: Computed[pd.DataFrame | None] = _slot("rerun")                # auto's rule re-run at each origin
    publishers: Computed[PublisherFit] = _slot("publishers")             # the multi-publisher model
    sensitivity: Computed[pd.DataFrame] = _slot("sensitivity")           # its sensitivity table
    claims: Computed[list[tuple[ClaimSpec, ClaimCheck | Exception]]] = _slot("claims")
    scorecard: Computed[pd.DataFrame] = _slot("scorecard")
    upcoming: Computed[list[tuple[pd.Series, ClaimCheck | Exception]]] = _slot("upcoming")
    panels: Computed[dict] = _slot("panels")                             # panels by state and crime type
    _citations: dict[tuple[str, str], int] = field(default_factory=dict)

    # -- citations -----------------------------------------------------------
    def cite(self, url: str | None, text: str) -> str:
        """Number of the source (``text`` read at ``url``) in the source list (``"[3]"``), adding it if new.

        A source is the pair: two publications read from one page (a press
        article recounting two reports) are two sources, each with its own
        title, not one entry under the first title cited.
        """
        if not url or not isinstance(url, str) or not url.strip():
            return ""
        key = (url.strip(), text)
        if key not in self._citations:
            self._citations[key] = len(self._citations) + 1
        return f"[{self._citations[key]}]"

    def citations(self) -> list[tuple[str, str]]:
        """The sources in citation order: ``[(text, url), ...]``."""
        return [(text, url) for url, text in sorted(self._citations, key=self._citations.get)]

    # -- figures -------------------------------------------------------------
    def add_figure(self, stem: str, fig: Any) -> str:
        """Store ``fig`` as deterministic SVG; return its file name."""
        from forecast.report.figures import svg_bytes

        name = f"fig-{len(self.figures) + 1:02d}-{stem}.svg"
        self.figures[name] = svg_bytes(fig)
        return name

    @property
    def first_year(self) -> int:
        return int(self.y.index[0].year)

    @property
    def last_year(self) -> int:
        return int(self.y.index[-1].year)

    @property
    def unit(self) -> str:
        return str(self.y.attrs.get("unit", ""))

    @property
    def horizon_year(self) -> int:
        return self.last_year + int(self.options.horizon)
