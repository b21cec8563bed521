"""The one-command PDF report on the damage of cybercrime.

:func:`build_report` loads the data, makes the library calls each section
needs (once each), lays the sections out with the Typst template shipped in
this package and writes the PDF atomically. Every number in the PDF comes
from a public library call; the report module only arranges them.

Examples
--------
>>> from forecast.report import build_report
>>> result = build_report("reports/cybercrime-damage-forecast.pdf")   # doctest: +SKIP
>>> result.path, result.pages                                          # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from forecast.errors import ForecastError, ReportError
from forecast.report.context import (
    DEFAULT_CLAIMS,
    DEFAULT_DATASET,
    DEFAULT_HORIZON,
    LEVELS,
    ClaimSpec,
    Context,
    Progress,
    ReportOptions,
    parse_claim,
)

__all__ = ["ClaimSpec", "ReportOptions", "ReportResult", "build_report", "load_series", "parse_claim", "report",
           "DEFAULT_OUTPUT"]

DEFAULT_OUTPUT = Path("reports") / "cybercrime-damage-forecast.pdf"


@dataclass
class ReportResult:
    """What :func:`build_report` wrote and what it could not build."""

    path: Path
    pages: int
    sections: list[str]                    # titles of the sections in the PDF
    problems: list[str] = field(default_factory=list)   # one line per section or part that failed
    omitted: list[str] = field(default_factory=list)    # sections left out (user's own series)
    seconds: float = 0.0


# ------------------------------------------------------------------ checks

def _protected_dirs() -> list[Path]:
    """Folders a report must never write into: the bundled data."""
    import forecast

    pkg = Path(forecast.__file__).resolve().parent
    return [pkg / "_data", pkg.parent / "data"]


def check_output(output: Path | str) -> Path:
    """Check that ``output`` can be written, before any work is done.

    Raises
    ------
    ReportError
        When the name does not end in ``.pdf``, the folder does not exist or
        cannot be written to, or the path is inside the bundled data.

    Examples
    --------
    >>> check_output("/nonexistent-folder/x.pdf")
    Traceback (most recent call last):
    ...
    forecast.errors.ReportError: output folder /nonexistent-folder does not exist
    """
    path = Path(output).expanduser()
    if path.suffix.lower() != ".pdf":
        raise ReportError(f"output {str(path)!r} must end in .pdf")
    parent = path.parent.resolve() if str(path.parent) else Path.cwd()
    for protected in _protected_dirs():
        if parent == protected.resolve() or protected.resolve() in parent.parents:
            raise ReportError(f"output {path} is inside the bundled data folder {protected}; choose another folder")
    if path.is_dir():
        raise ReportError(f"output {path} is a folder; give a file name ending in .pdf")
    if not parent.exists():
        raise ReportError(f"output folder {path.parent} does not exist")
    if not parent.is_dir():
        raise ReportError(f"output folder {path.parent} is not a folder")
    try:  # the only reliable test (access() says yes to root, no on some network mounts)
        with tempfile.NamedTemporaryFile(dir=parent, prefix=f".{path.name}.", suffix=".check"):
            pass
    except OSError as exc:
        raise ReportError(f"cannot write to the output folder {path.parent}: {exc.strerror or exc}") from None
    return path


def load_series(options: ReportOptions) -> Any:
    """The main series, with ``--through`` applied (once, here) and its label and source in ``attrs``.

    ``attrs["name"]`` is its label, ``attrs["source"]`` where it comes from
    (one line) and ``attrs["dataset"]`` the bundled dataset's name (absent
    for a user's file). User errors (unknown dataset, missing or bad CSV, a
    ``--through`` before the data) raise the library's
    :class:`~forecast.errors.DataError`.

    Examples
    --------
    >>> y = load_series(ReportOptions(through=2020))
    >>> y.index[-1].year, y.attrs["dataset"]
    (2020, 'ic3')
    """
    import forecast
    from forecast.data.window import through

    if options.csv is not None:  # the same default columns as read_series and predict --csv
        options.year_column = options.year_column or "year"
        options.value_column = options.value_column or "value"
        y = forecast.read_series(options.csv, year=options.year_column, value=options.value_column,
                                 unit=options.unit or "", **options.read_options)
        name = y.attrs.get("name") or options.value_column
        if name == options.value_column:
            name = f"{options.value_column} ({Path(options.csv).name})"
        source = f"the user's file {Path(options.csv).name} (columns {options.year_column!r}, {options.value_column!r})"
        y.attrs.pop("dataset", None)
    else:
        dataset = options.dataset or DEFAULT_DATASET
        y = forecast.series(dataset)
        name = y.attrs.get("name") or dataset
        source = y.attrs.get("source") or f"the bundled dataset {dataset!r}"
        y.attrs["dataset"] = dataset
    y = through(y, options.through)
    y.attrs.update({"name": name, "source": source})
    return y


def _series_meta(y: Any) -> tuple[str, str, bool]:
    """Label, source line and whether it is IC3, from a series' ``attrs``."""
    name = str(y.attrs.get("name") or getattr(y, "name", None) or "series")
    source = str(y.attrs.get("source") or "the series given")
    return name, source, y.attrs.get("dataset") == "ic3"


def report_timestamp(y: Any) -> dt.datetime:
    """The creation date written into the PDF.

    ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), else
    1 January after the last year of the data: the same inputs always give
    the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime(int(y.index[-1].year) + 1, 1, 1, tzinfo=dt.timezone.utc)


# ------------------------------------------------------------------- build

def build_report(output: Path | str = DEFAULT_OUTPUT, *, dataset: str | None = None, csv: str | Path | None = None,
                 year_column: str | None = None, value_column: str | None = None, through: int | None = None,
                 horizon: int = DEFAULT_HORIZON, claims: Sequence[ClaimSpec | str] | None = None,
                 progress: bool | TextIO = True, series: Any = None, fit: Any = None,
                 publishers: Any = None, model: str = "auto", levels: Sequence[float] = LEVELS,
                 unit: str | None = None, read_options: dict | None = None) -> ReportResult:
    """Build the PDF report and write it atomically to ``output``.

    The report lays out results; it makes each one once through the same
    calls a user would, or takes them ready-made: a series already loaded
    (``series=``), a fitted model (``fit=``, e.g. ``forecast.fit(y,
    model="auto")``) or the multi-publisher model (``publishers=``). What it
    is given it does not refit.

    Parameters
    ----------
    output : path
        The PDF to write (its folder must exist). Never inside ``data/``.
    dataset : str, optional
        A bundled series (default ``"ic3"``); exclusive with ``csv``.
    csv, year_column, value_column : optional
        A user's own CSV file (or .xlsx workbook) and its two columns (default
        ``"year"`` and ``"value"``, as for ``predict --csv``). The sections built on the
        bundled global estimates (global cost, claims, scorecard) are then
        left out, with a line saying so.
    through : int, optional
        Use the data up to this year only.
    horizon : int
        Years to forecast after the last observation (default 6).
    claims : sequence, optional
        Figures to check, as :class:`ClaimSpec` or ``"3 trillion@2020"``
        strings; default the seed's $2T in 2019 and $3T in 2020.
    progress : bool or file
        Print progress lines (to stderr, or to the given stream).
    series : pd.Series, optional
        The main series, already loaded (with ``--through`` applied; label
        and source in ``attrs["name"]`` / ``attrs["source"]``, see
        :func:`load_series`); exclusive with ``dataset`` and ``csv``.
    fit : FitResult, optional
        The main series' model, already fitted (its observations are the
        series). Sections read its forecast, and, for ``auto``, the backtest
        it kept; nothing is refitted.
    publishers : PublisherFit, optional
        The multi-publisher model of the global cost, already fitted.
    model : str
        The main series' model (default ``"auto"``: chosen or combined by
        backtest); any of :func:`forecast.models`.
    levels : sequence of float
        Interval levels of the forecast in percent (default 80 and 95); the
        report shows the narrowest and the widest.
    unit : str, optional
        Unit of the ``csv`` values (default: the header's, or none).
    read_options : dict, optional
        ``decimal=``, ``thousands=``, ``sheet=``, ``allow_jumps=`` of
        :func:`forecast.read_series` for ``csv``.

    Returns
    -------
    ReportResult
        The path, page count, section titles and any parts that could not be built.

    Raises
    ------
    ForecastError
        For bad arguments or input (nothing is written). A failing library
        call inside a section is not an error: it is reported in the PDF and
        in ``ReportResult.problems``.

    Examples
    --------
    >>> res = build_report("/tmp/report.pdf", progress=False)     # doctest: +SKIP
    >>> res.pages > 5                                             # doctest: +SKIP
    True
    """
    from forecast.report import compute
    from forecast.report.sections import build_sections
    from forecast.report.title import title_page
    from forecast.report.typst_render import atomic_write, compile_pdf

    if csv is not None and dataset is not None:
        raise ReportError("give --dataset or --csv, not both")
    if (series is not None or fit is not None) and (csv is not None or dataset is not None):
        raise ReportError("give the data (dataset=, csv=) or a series or fit already made, not both")
    try:
        horizon = int(horizon)
    except (TypeError, ValueError):
        raise ReportError(f"--horizon {horizon!r} is not a whole number") from None
    if not 1 <= horizon <= 30:
        raise ReportError(f"--horizon {horizon} must be between 1 and 30 years")
    specs = None if claims is None else [c if isinstance(c, ClaimSpec) else parse_claim(c) for c in claims]
    import forecast.evaluate  # noqa: F401 - registers the model "auto"
    from forecast.families import get_spec
    from forecast.intervals import check_levels

    get_spec(model)  # an unknown model fails before any work, naming the choices
    if fit is not None and model != "auto":
        raise ReportError(f"give model= or a fit already made, not both (model={model!r})")
    levels = check_levels(levels)
    if len(levels) < 2:
        raise ReportError(f"levels {levels!r}: the report shows two interval levels, e.g. (80, 95)")
    if (unit is not None or read_options) and csv is None:
        raise ReportError("--unit, --decimal, --thousands, --sheet and --allow-jumps go with --csv "
                          "(a bundled dataset carries its unit)")
    options = ReportOptions(dataset=dataset, csv=csv, year_column=year_column, value_column=value_column,
                            through=through, horizon=horizon, claims=specs, model=model, levels=levels,
                            unit=unit, read_options=dict(read_options or {}))
    path = check_output(output)
    stream = progress if hasattr(progress, "write") else None
    say = Progress(stream=stream, enabled=bool(progress))

    if fit is not None:
        y = fit.observations() if series is None else series
        if series is None and "name" not in y.attrs and getattr(y, "name", None):
            y.attrs["name"] = str(y.name)
    elif series is not None:
        y = series
    else:
        y = load_series(options)
    if through is not None and (series is not None or fit is not None) and int(y.index[-1].year) > int(through):
        raise ReportError(f"through={through}: the series given runs to {y.index[-1].year}; cut it where it is "
                          "loaded (forecast.report.load_series, or forecast.data.window.through)")
    name, source, is_ic3 = _series_meta(y)
    if (series is not None or fit is not None) and y.attrs.get("dataset") is None:
        options.own_series = True  # a series from elsewhere: the global sections are left out, as for a CSV
    say(f"Loaded {name}: {len(y)} values, {y.index[0].year}-{y.index[-1].year}")
    ctx = Context(options=options, y=y, source=source, name=name, is_ic3=is_ic3, progress=say)
    if fit is not None:
        ctx.fit.set(fit)
    if publishers is not None:
        ctx.publishers.set(publishers)
    if specs is not None:
        ctx.claim_specs = list(specs)
    elif options.uses_global:
        from forecast.data.money import parse_money

        ctx.claim_specs = [ClaimSpec(parse_money(t), yr, t) for t, yr in DEFAULT_CLAIMS]
    else:
        ctx.claim_specs = []

    steps = [(f"Using the model given ({getattr(fit, 'model', '')})" if fit is not None else
              "Fitting the candidate models and choosing one by rolling-origin backtest", compute.compute_models)]
    if options.uses_global:
        steps.append(("Using the multi-publisher model given" if publishers is not None else
                      "Fitting the multi-publisher model of the global cost", compute.compute_publishers))
    if ctx.claim_specs or options.uses_global:
        steps.append(("Checking the claims", compute.compute_claims))
    if options.uses_global:
        steps.append(("Fitting the panels by state and by crime type", compute.compute_panels))
    for message, step in steps:
        say(message)
        try:
            step(ctx)
        except Exception:  # noqa: BLE001 - remembered in ctx, reported by the sections that need it
            pass

    say("Drawing the charts and laying out the sections")
    import matplotlib.style

    # matplotlib's own defaults while drawing, so a user's matplotlibrc does not change the charts' bytes
    with matplotlib.style.context("default"):
        secs = build_sections(ctx)
    title = title_page(ctx, secs)
    problems = []
    for sec in secs:
        for p in sec.problems:
            line = f"{sec.title}: {p}"
            problems.append(line)
            say(f"warning: could not build {line}")
    shown = [s for s in secs if s.status != "omitted"]
    omitted = [s.title for s in secs if s.status == "omitted"]
    document = {"meta": title["meta"], "title_page": title["title_page"],
                "sections": [s.to_json() for s in shown]}

    say("Typesetting the PDF")
    pdf = compile_pdf(document, ctx.figures, timestamp=report_timestamp(y))
    atomic_write(path, pdf)
    pages = _count_pages(pdf)
    return ReportResult(path=path, pages=pages, sections=[s.title for s in shown], problems=problems,
                        omitted=omitted, seconds=say.elapsed())


def _count_pages(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def report(output: Path | str = DEFAULT_OUTPUT, *, progress: bool | TextIO = False, **options: Any) -> ReportResult:
    """Write the PDF report: ``forecast.report("my-report.pdf", model="drift", levels=(50, 90))``.

    The same as ``python -m forecast report`` and :func:`build_report`, quiet
    by default. ``forecast.report`` is this package, and calling it calls
    this function.

    Parameters
    ----------
    output : path
        The PDF to write (default ``reports/cybercrime-damage-forecast.pdf``).
    progress : bool or file
        Print progress lines (default: no).
    **options
        Any keyword of :func:`build_report`: ``dataset``, ``csv``,
        ``year_column``, ``value_column``, ``through``, ``horizon``,
        ``claims``, ``model``, ``levels``, ``unit``, ``read_options``.

    Returns
    -------
    ReportResult

    Examples
    --------
    >>> import forecast
    >>> res = forecast.report("/tmp/report.pdf", model="drift")   # doctest: +SKIP
    >>> res.path, res.pages                                        # doctest: +SKIP
    """
    return build_report(output, progress=progress, **options)


class _CallableModule(type(sys.modules[__name__])):
    """``forecast.report`` is this package and, called, the :func:`report` function."""

    def __call__(self, *args: Any, **kwargs: Any) -> ReportResult:
        return report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
