"""A cheap layout for charts saved once: margins measured from the texts, nothing drawn.

matplotlib's constrained layout finds the space that tick labels, axis
labels, titles and legends need by measuring every axes with its ticks (two
passes, each most of a drawing) each time the figure is drawn, and a figure
saved with any layout engine is drawn twice (a dry run, then the output):
for a chart saved once (the report's charts), up to six drawings' worth of work
instead of one. :class:`MeasuredMargins` is a
layout engine that gets the same answer from the strings alone: tick labels
come from each axis' locator and formatter for its final limits, and every
text (tick labels, axis labels, titles, notes anchored under the x-axis
label, a figure legend at the bottom) is measured with the font; no tick,
line or patch is made or drawn. The margins and the gaps between panels are
then set with ``subplots_adjust``, so the same figure always gets the same
layout.

:func:`save_once` saves a figure that uses it with one drawing.

What it handles is what the package's charts have: one grid of panels
(shared axes, hidden inner tick labels), a colour bar made with
``fig.colorbar(..., ax=ax)``, titles, axis labels, source notes under the
x-axis label, a figure legend along the bottom (``loc="outside lower
center"``) and a figure title. Anything else (a legend placed outside the
axes with ``bbox_to_anchor``, free text in figure coordinates) gets no room:
use constrained layout for such figures.

Unlike the other chart modules, importing this one imports matplotlib (the
engine subclasses matplotlib's ``LayoutEngine``): it is imported only where a
figure is made (:func:`forecast.report.figures.new_figure`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["MeasuredMargins", "fit_margins", "save_once"]

_SIDES = ("left", "right", "bottom", "top")


def _layout_engine_base() -> type:
    from matplotlib.layout_engine import LayoutEngine

    return LayoutEngine


class MeasuredMargins(_layout_engine_base()):
    """Layout engine: margins and gaps measured from the texts around the axes (see the module notes).

    Parameters
    ----------
    pad : float
        Space in inches left between the outermost text and the figure's edge,
        and added to each gap between panels.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(4, 3), layout=MeasuredMargins())
    >>> ax = fig.add_subplot()
    >>> _ = ax.plot([2001, 2024], [1e6, 1e9]); _ = ax.set_yscale("log"); _ = ax.set_ylabel("US dollars")
    >>> fig.get_layout_engine().execute(fig)
    >>> bool(0.1 < ax.get_position().x0 < 0.3 and ax.get_position().x1 > 0.9)
    True
    """

    _adjust_compatible = True
    _colorbar_gridspec = True

    def __init__(self, pad: float = 0.05, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._params = {"pad": float(pad)}

    def execute(self, fig: Any) -> None:
        """Set ``fig``'s subplot margins from its texts; keep only the ticks in view."""
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                _ticks_in_view(axis)
        fit_margins(fig, pad=self._params["pad"])


def _in_view_locator() -> type:
    from matplotlib import ticker

    class InView(ticker.Locator):
        """The locations of another locator that fall inside the axis' view.

        matplotlib makes a tick (two lines, two labels, a grid line) for every
        location a locator returns, drawn or not, and log and year locators
        return one or more beyond each end.
        """

        def __init__(self, base: Any) -> None:
            self.base = base

        def set_axis(self, axis: Any) -> None:
            super().set_axis(axis)
            self.base.set_axis(axis)

        def __call__(self) -> Any:
            locs = np.asarray(self.base(), dtype=float)
            lo, hi = sorted(self.axis.get_view_interval())
            tol = 1e-9 * abs(hi - lo)
            return locs[(locs >= lo - tol) & (locs <= hi + tol)]

        def tick_values(self, vmin: float, vmax: float) -> Any:
            return self.base.tick_values(vmin, vmax)

        def view_limits(self, vmin: float, vmax: float) -> Any:
            return self.base.view_limits(vmin, vmax)

        def nonsingular(self, v0: float, v1: float) -> Any:
            return self.base.nonsingular(v0, v1)

    return InView


_INVIEW: type | None = None


def _ticks_in_view(axis: Any) -> None:
    """Wrap the axis' locators so that they return only the locations in view (see ``InView``)."""
    global _INVIEW
    if _INVIEW is None:
        _INVIEW = _in_view_locator()
    for get, put in ((axis.get_major_locator, axis.set_major_locator),
                     (axis.get_minor_locator, axis.set_minor_locator)):
        locator = get()
        if not isinstance(locator, _INVIEW) and type(locator).__name__ not in ("NullLocator", "FixedLocator"):
            put(_INVIEW(locator))


def save_once(fig: Any, buf: Any, **savefig_kw: Any) -> None:
    """``fig.savefig(buf, **savefig_kw)`` drawing the figure once.

    With a :class:`MeasuredMargins` engine, the margins are set first and
    the engine is taken off while saving (matplotlib draws a figure that has
    a layout engine twice); the figure keeps its engine afterwards.
    """
    engine = fig.get_layout_engine()
    if not isinstance(engine, MeasuredMargins):
        fig.savefig(buf, **savefig_kw)
        return
    engine.execute(fig)
    fig.set_layout_engine(None)
    try:
        fig.savefig(buf, **savefig_kw)
    finally:
        fig.set_layout_engine(engine)


# ------------------------------------------------------------------ measuring
class _Measure:
    """Text sizes as the SVG backend sets them (glyph outlines, unhinted), in points.

    Measured with matplotlib's SVG renderer into a throwaway buffer: raster
    (Agg) metrics are hinted and come out a few percent narrower than the
    text drawn as paths in the SVG.
    """

    def __init__(self, fig: Any) -> None:
        import io

        from matplotlib.backends.backend_svg import RendererSVG

        self.fig = fig
        self.dpi = 72.0  # the SVG renderer measures in points
        width, height = fig.get_size_inches()
        self.renderer = RendererSVG(width * 72.0, height * 72.0, io.StringIO())
        self._cache: dict[tuple, tuple[float, float, float]] = {}

    def pt(self, points: float) -> float:
        return float(points) * self.dpi / 72.0

    def strings(self, texts: list[str], size: float) -> tuple[float, float]:
        """Widest width and tallest height of one-line ``texts`` (tick labels, mathtext included) at ``size`` points."""
        from matplotlib.cbook import is_math_text
        from matplotlib.font_manager import FontProperties

        prop = FontProperties(size=size)
        _, h_lp, _ = self._metrics("lp", prop, size, False)
        w = h = 0.0
        for s in texts:
            if s:
                lw, lh, _ = self._metrics(s, prop, size, is_math_text(s))
                w, h = max(w, lw), max(h, lh, h_lp)
        return w, h

    def _metrics(self, s: str, prop: Any, size: float, ismath: bool) -> tuple[float, float, float]:
        key = (s, size, ismath)
        if key not in self._cache:
            self._cache[key] = self.renderer.get_text_width_height_descent(s, prop, ismath=ismath)
        return self._cache[key]

    def artist(self, artist: Any) -> tuple[float, float]:
        """Width and height of a text or legend as it would be drawn (position does not matter)."""
        if artist is None or not artist.get_visible():
            return 0.0, 0.0
        if hasattr(artist, "get_text") and not artist.get_text():
            return 0.0, 0.0
        box = artist.get_window_extent(self.renderer)
        return float(box.width), float(box.height)


def _tick_kw(axis: Any, which: str = "major") -> dict:
    return axis.get_tick_params(which=which)


def _rc(axis: Any, key: str) -> Any:
    import matplotlib as mpl

    return mpl.rcParams[f"{axis.axis_name}tick.{key}"]


def _label_size(axis: Any) -> float:
    from matplotlib.font_manager import FontProperties

    size = _tick_kw(axis).get("labelsize", _rc(axis, "labelsize"))
    return FontProperties(size=size).get_size_in_points()


def _tick_labels(axis: Any) -> list[str]:
    """The tick labels the axis will show for its current limits (major, and minor ones with text)."""
    lo, hi = sorted(axis.get_view_interval())
    tol = 1e-9 * max(abs(hi - lo), 1e-300)
    out: list[str] = []
    for locator, formatter in ((axis.get_major_locator(), axis.get_major_formatter()),
                               (axis.get_minor_locator(), axis.get_minor_formatter())):
        locs = np.asarray(locator(), dtype=float)
        if not len(locs):
            continue
        labels = formatter.format_ticks(locs)  # all locations, as matplotlib does, then those in view
        out += [lab for loc, lab in zip(locs, labels, strict=True) if lo - tol <= loc <= hi + tol and lab]
    return out


def _tick_depth(axis: Any, m: _Measure) -> float:
    """Pixels from the spine to the near edge of the tick labels (tick length outside + pad)."""
    kw = _tick_kw(axis)
    size = kw.get("length", _rc(axis, "major.size"))
    pad = kw.get("pad", _rc(axis, "major.pad"))
    direction = kw.get("direction", _rc(axis, "direction"))
    out = {"out": 1.0, "inout": 0.5}.get(direction, 0.0)
    return m.pt(size * out + pad)


def _marks(axis: Any, side: str, m: _Measure) -> float:
    """Pixels the tick marks (no labels) take on ``side``."""
    import matplotlib as mpl

    if not _tick_kw(axis).get(side, mpl.rcParams[f"{axis.axis_name}tick.{side}"]):
        return 0.0
    return _tick_depth(axis, m) - m.pt(_tick_kw(axis).get("pad", _rc(axis, "major.pad")))


def _shows(axis: Any, side: str) -> bool:
    """True when the axis draws tick labels on ``side`` (left/right/bottom/top)."""
    kw = _tick_kw(axis)
    default = {"left": "ytick.labelleft", "right": "ytick.labelright", "bottom": "xtick.labelbottom",
               "top": "xtick.labeltop"}[side]
    import matplotlib as mpl

    return bool(kw.get(f"label{side}", mpl.rcParams[default]))


def _axes_needs(ax: Any, m: _Measure) -> dict[str, float]:
    """Pixels each side of ``ax`` needs for its texts."""
    import matplotlib as mpl
    from matplotlib.text import Annotation

    need = dict.fromkeys(_SIDES, 0.0)
    x, y = ax.xaxis, ax.yaxis
    # y axis: tick labels and the axis label, left or right
    if y.get_visible():
        ylabels = _tick_labels(y)
        w_tick, h_tick = m.strings(ylabels, _label_size(y))
        depth = _tick_depth(y, m)
        lab_w, _ = m.artist(y.label)
        lab = (lab_w + m.pt(y.labelpad)) if lab_w else 0.0
        for side in ("left", "right"):
            ticks = (depth + w_tick) if _shows(y, side) and ylabels else _marks(y, side, m)
            need[side] = max(need[side], ticks + (lab if y.get_label_position() == side else 0.0))
        need["top"] = max(need["top"], h_tick / 2)  # a label at the top end sticks out by half its height
        need["bottom"] = max(need["bottom"], h_tick / 2)
    if x.get_visible():
        xlabels = _tick_labels(x)
        w_tick, h_tick = m.strings(xlabels, _label_size(x))
        depth = _tick_depth(x, m)
        _, lab_h = m.artist(x.label)
        lab = (lab_h + m.pt(x.labelpad)) if lab_h else 0.0
        for side in ("bottom", "top"):
            ticks = (depth + h_tick) if _shows(x, side) and xlabels else _marks(x, side, m)
            need[side] = max(need[side], ticks + (lab if x.get_label_position() == side else 0.0))
        if xlabels:  # the first and last labels are centred on their ticks: half of each may stick out
            w_end = m.strings([xlabels[0], xlabels[-1]], _label_size(x))[0]
            need["left"] = max(need["left"], w_end / 2)
            need["right"] = max(need["right"], w_end / 2)
        # notes anchored under the x-axis label (forecast.plots.style.source_note)
        below = 0.0
        for t in ax.texts:
            coords = getattr(t, "xycoords", None)
            if isinstance(t, Annotation) and isinstance(coords, tuple) and any(c is x.label for c in coords):
                off = abs(float(t.xyann[1])) if t.anncoords == "offset points" else 0.0
                below = max(below, m.pt(off) + m.artist(t)[1])
        need["bottom"] += below
    # titles
    titles = [ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None)]
    h_title = max((m.artist(t)[1] for t in titles if t is not None), default=0.0)
    if h_title:
        need["top"] = max(need["top"], h_title + m.pt(mpl.rcParams["axes.titlepad"]))
    return need


def _edge(ss: Any, side: str) -> tuple[Any, bool]:
    """The top-level subplot spec holding ``ss`` and whether ``ss`` touches that cell's ``side``."""
    from matplotlib.gridspec import GridSpecFromSubplotSpec

    touches = True
    while True:
        gs = ss.get_gridspec()
        nrows, ncols = gs.get_geometry()
        if isinstance(gs, GridSpecFromSubplotSpec):
            touches &= {"left": ss.colspan.start == 0, "right": ss.colspan.stop == ncols,
                        "top": ss.rowspan.start == 0, "bottom": ss.rowspan.stop == nrows}[side]
            ss = gs._subplot_spec  # the cell of the enclosing grid (matplotlib has no public accessor)
            continue
        return ss, touches


def fit_margins(fig: Any, pad: float = 0.05) -> None:
    """Set the subplot margins and gaps of ``fig`` from the sizes of its texts (see the module notes).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure whose panels are subplots of one grid.
    pad : float
        Inches between the outermost text and the figure's edge, and added to
        each gap between panels.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(6, 3))
    >>> axes = fig.subplots(1, 2, sharey=True)
    >>> _ = axes[0].set_ylabel("losses"); _ = axes[1].set_title("right panel")
    >>> fit_margins(fig)
    >>> bool(axes[0].get_position().x0 > 0.05 and axes[1].get_position().y1 < 0.95)
    True
    """
    dpi = fig.dpi
    fig.set_dpi(72.0)  # measured as the SVG backend draws (at 72 dpi, in points)
    try:
        _fit_margins(fig, pad)
    finally:
        fig.set_dpi(dpi)


def _fit_margins(fig: Any, pad: float) -> None:
    m = _Measure(fig)
    width_in, height_in = fig.get_size_inches()
    W, H = width_in * m.dpi, height_in * m.dpi
    grid = None
    cells: dict[str, dict[int, float]] = {s: {} for s in _SIDES}
    for ax in fig.axes:
        ss = ax.get_subplotspec() if ax.get_visible() else None
        if ss is None:
            continue
        need = _axes_needs(ax, m)
        for side in _SIDES:
            top_ss, touches = _edge(ss, side)
            if grid is None:
                grid = top_ss.get_gridspec()
            if not touches:
                continue
            index = {"left": top_ss.colspan.start, "right": top_ss.colspan.stop - 1,
                     "top": top_ss.rowspan.start, "bottom": top_ss.rowspan.stop - 1}[side]
            cells[side][index] = max(cells[side].get(index, 0.0), need[side])
    if grid is None:
        return
    nrows, ncols = grid.get_geometry()
    p = pad * m.dpi
    left = cells["left"].get(0, 0.0) + p
    right = cells["right"].get(ncols - 1, 0.0) + p
    top = cells["top"].get(0, 0.0) + p
    bottom = cells["bottom"].get(nrows - 1, 0.0) + p
    gap_w = max((cells["right"].get(i, 0.0) + cells["left"].get(i + 1, 0.0) for i in range(ncols - 1)), default=0.0)
    gap_h = max((cells["bottom"].get(i, 0.0) + cells["top"].get(i + 1, 0.0) for i in range(nrows - 1)), default=0.0)
    gap_w, gap_h = gap_w + p, gap_h + p
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None:
        top += m.artist(suptitle)[1] + p
    for legend in fig.legends:  # a figure legend along the bottom (or the top)
        _, h = m.artist(legend)
        if h:  # its frame's padding and its distance from the figure's edge
            h += m.pt((legend.borderaxespad + 2 * legend.borderpad) * legend._fontsize)
        loc = legend._loc  # matplotlib's location code
        if h and loc in (8, 3, 4):  # lower centre, lower left, lower right
            bottom += h + p
        elif h and loc in (9, 2, 1):  # upper centre, upper left, upper right
            top += h + p
    axw = (W - left - right - (ncols - 1) * gap_w) / ncols
    axh = (H - top - bottom - (nrows - 1) * gap_h) / nrows
    if axw <= 0 or axh <= 0:
        raise ValueError(f"the figure ({width_in:g} x {height_in:g} in) is too small for its labels")
    # the figure's subplot parameters (those of a grid made by fig.subplots / add_subplot)
    fig.subplots_adjust(left=left / W, right=1 - right / W, bottom=bottom / H, top=1 - top / H,
                        wspace=gap_w / axw if ncols > 1 else None, hspace=gap_h / axh if nrows > 1 else None)
