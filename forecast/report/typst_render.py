"""Typesetting the report with Typst and writing the PDF atomically.

The template (``template.typ``, shipped inside the package) is copied into a
temporary folder together with the report's data as JSON and its charts as
SVG files, compiled there with the fonts embedded in the ``typst`` wheel only
(no system fonts, so the output does not depend on the machine) and a fixed
creation timestamp, so the same inputs give byte-identical PDFs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from forecast.errors import ReportError

TEMPLATE = "template.typ"
DATA_FILE = "report-data.json"


def template_text() -> str:
    """The Typst template shipped with the package."""
    return resources.files("forecast.report").joinpath(TEMPLATE).read_text(encoding="utf-8")


def compile_pdf(document: Mapping[str, Any], figures: Mapping[str, bytes], *,
                timestamp: dt.datetime) -> bytes:
    """Compile ``document`` (the JSON-able report content) and ``figures`` to PDF bytes.

    Parameters
    ----------
    document : mapping
        The report's content (see :mod:`forecast.report.sections`).
    figures : mapping of str to bytes
        SVG files by the name the document refers to them with.
    timestamp : datetime.datetime
        Creation date written into the PDF (timezone-aware).

    Returns
    -------
    bytes
        The PDF.

    Examples
    --------
    >>> doc = minimal_document("A title")
    >>> compile_pdf(doc, {}, timestamp=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))[:5]
    b'%PDF-'
    """
    import typst

    with tempfile.TemporaryDirectory(prefix="forecast-report-") as tmp:
        root = Path(tmp)
        (root / TEMPLATE).write_text(template_text(), encoding="utf-8")
        (root / DATA_FILE).write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True),
                                      encoding="utf-8")
        for name, svg in figures.items():
            if Path(name).name != name or not name.endswith(".svg"):
                raise ReportError(f"figure name {name!r} must be a plain file name ending in .svg")
            (root / name).write_bytes(svg)
        compiler = typst.Compiler(root=str(root), ignore_system_fonts=True)
        try:
            pdf, _warnings = compiler.compile_with_warnings(str(root / TEMPLATE), format="pdf",
                                                            timestamp=timestamp)
        except typst.TypstError as exc:  # a layout bug, not a user error: keep the message
            raise RuntimeError(f"typst could not typeset the report: {exc.message}") from exc
    return bytes(pdf)


def atomic_write(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file beside it, then ``os.replace``.

    A reader never sees a half-written file, and a failure leaves any earlier
    file at ``path`` untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write(d / "x.pdf", b"%PDF-").read_bytes()
    b'%PDF-'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def minimal_document(title: str) -> dict[str, Any]:
    """The smallest document the template accepts (for tests and examples)."""
    return {
        "meta": {"title": title, "subtitle": "", "kicker": "", "author": "", "data_date": "",
                 "data_short": "", "running_title": title},
        "title_page": {"findings": [], "failures": [], "footer": []},
        "sections": [],
    }
