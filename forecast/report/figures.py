"""Matplotlib figures as deterministic SVG for the PDF report.

The same figure always gives the same bytes: text is drawn as paths (no font
needed by the PDF engine), the SVG carries no date, and the ids matplotlib
generates for clip paths and glyphs come from a fixed salt instead of a
random one.

The report's figures are laid out by
:class:`forecast.plots.layout.MeasuredMargins`: margins measured from the
texts around the axes, set once, and the figure drawn once when saved
(with constrained layout it was drawn twice and measured four times).
"""

from __future__ import annotations

import io
from typing import Any

SVG_SALT = "forecast-report"

# Settings that make the SVG independent of the machine and of the run.
SVG_RC: dict[str, Any] = {
    "svg.hashsalt": SVG_SALT,
    "svg.fonttype": "path",
    "svg.image_inline": True,
    "path.simplify": True,
}


def svg_bytes(fig: Any, *, close: bool = True) -> bytes:
    """Render a matplotlib Figure as SVG bytes that do not change between runs.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (an ``Axes`` is accepted too: its figure is used).
    close : bool
        Close the figure afterwards (frees memory held by pyplot).

    Returns
    -------
    bytes
        The SVG document.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> _ = fig.add_subplot().plot([1, 2], [3, 4])
    >>> svg_bytes(fig) == svg_bytes(fig)
    True
    """
    import matplotlib

    from forecast.plots.layout import save_once

    fig = getattr(fig, "figure", fig) if not hasattr(fig, "savefig") else fig
    if not hasattr(fig, "savefig"):
        raise TypeError(f"expected a matplotlib Figure, got {type(fig).__name__}")
    buf = io.BytesIO()
    with matplotlib.rc_context(SVG_RC):
        # no "tight" bounding box: it would draw the figure once more
        save_once(fig, buf, format="svg", metadata={"Date": None})
    if close:
        _close(fig)
    return buf.getvalue()


def _close(fig: Any) -> None:
    """Close ``fig`` if pyplot manages it (a bare ``Figure`` needs nothing)."""
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)


def new_figure(width: float = 6.4, height: float = 3.6, ncols: int = 1, nrows: int = 1):
    """A Figure not registered with pyplot (no GUI backend, nothing to close), laid out by measured margins.

    With one panel returns ``(figure, axes)``; with more columns (sharing the
    y axis) or rows returns the figure, whose ``axes`` list holds the panels.
    Its layout engine (:class:`~forecast.plots.layout.MeasuredMargins`) sets
    the margins from the texts when the figure is saved.

    Examples
    --------
    >>> fig, ax = new_figure(3, 2)
    >>> type(fig).__name__
    'Figure'
    >>> len(new_figure(6, 2, ncols=2).axes)
    2
    """
    from matplotlib.figure import Figure

    from forecast.plots.layout import MeasuredMargins

    fig = Figure(figsize=(width, height), layout=MeasuredMargins())
    if ncols == 1 and nrows == 1:
        return fig, fig.add_subplot()
    fig.subplots(nrows, ncols, sharey=ncols > 1)
    return fig
