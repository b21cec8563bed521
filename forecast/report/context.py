"""What a report is made from: its options, its series, and the library results it reuses.

Each expensive library call (the automatic model choice with its backtests,
the multi-publisher model, the claim checks) is made once and remembered, so
every section and the title page show the same numbers. A call that fails is
remembered as the exception, and every section that needs it reports the
same one-line reason.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from forecast.errors import ReportError

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

    @property
    def uses_global(self) -> bool:
        """True when the report includes the sections built on the bundled global estimates."""
        return self.csv is None


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


@dataclass
class Context:
    """The report's inputs plus the library results shared by its sections."""

    options: ReportOptions
    y: Any                                  # the main series (pd.Series on an annual PeriodIndex)
    source: str                             # where the main series comes from, one line
    name: str                               # the main series' label
    is_ic3: bool
    progress: Progress = field(default_factory=lambda: Progress(enabled=False))
    claim_specs: list[ClaimSpec] = field(default_factory=list)
    figures: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _memo: dict[str, tuple[bool, Any]] = field(default_factory=dict)
    _citations: dict[str, int] = field(default_factory=dict)
    _citation_text: dict[str, str] = field(default_factory=dict)

    # -- shared results ----------------------------------------------------
    def compute(self, key: str, build: Callable[[], Any]) -> Any:
        """Run ``build`` once; later calls return its value or raise its exception again."""
        if key not in self._memo:
            try:
                self._memo[key] = (True, build())
            except Exception as exc:  # noqa: BLE001 - remembered, reported by each section
                self._memo[key] = (False, exc)
        ok, value = self._memo[key]
        if not ok:
            raise value
        return value

    def get(self, key: str) -> Any:
        """A result computed earlier with :meth:`compute` (raises its exception if it failed)."""
        if key not in self._memo:
            raise ReportError(f"internal: {key!r} was not computed")
        return self.compute(key, lambda: None)

    def ok(self, key: str) -> bool:
        """True when ``key`` was computed without error."""
        return key in self._memo and self._memo[key][0]

    # -- citations -----------------------------------------------------------
    def cite(self, url: str | None, text: str) -> str:
        """Number of the source ``url`` in the source list (``"[3]"``), adding it if new."""
        if not url or not isinstance(url, str) or not url.strip():
            return ""
        url = url.strip()
        if url not in self._citations:
            self._citations[url] = len(self._citations) + 1
            self._citation_text[url] = text
        return f"[{self._citations[url]}]"

    def citations(self) -> list[tuple[str, str]]:
        """The sources in citation order: ``[(text, url), ...]``."""
        return [(self._citation_text[u], u) for u in sorted(self._citations, key=self._citations.get)]

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
