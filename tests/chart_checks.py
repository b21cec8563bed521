"""Checks of a finished chart as the SVG shows it: every text inside the figure, no two texts on top of each other."""

from __future__ import annotations

import io
import itertools
from typing import Any


def text_boxes(fig: Any) -> list[tuple[Any, Any]]:
    """``(text, bbox in points)`` of every text the figure shows, measured as the SVG backend draws it.

    The figure is laid out by its engine (if any) and drawn at 72 dpi with the
    SVG renderer (text as glyph outlines): tick labels of ticks outside the
    view and empty or hidden texts are left out.
    """
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.text import Text

    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    fig.set_layout_engine(None)
    fig.set_dpi(72)
    width, height = fig.get_size_inches()
    renderer = RendererSVG(width * 72, height * 72, io.StringIO())
    fig.draw(renderer)
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            tol = 1e-9 * abs(hi - lo)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                loc = tick.get_loc()
                if loc is None or not lo - tol <= loc <= hi + tol:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return [(t, t.get_window_extent(renderer)) for t in fig.findobj(Text)
            if id(t) not in hidden and t.get_visible() and t.get_text().strip()]


def text_problems(fig: Any, tol: float = 0.5) -> list[str]:
    """Texts cut by the figure's edge and pairs of texts that overlap (by more than ``tol`` points each way)."""
    boxes = text_boxes(fig)
    width, height = fig.bbox.width, fig.bbox.height
    out = []
    for t, bb in boxes:
        if bb.x0 < -tol or bb.y0 < -tol or bb.x1 > width + tol or bb.y1 > height + tol:
            out.append(f"cut by the edge: {t.get_text()!r} at {tuple(round(v) for v in bb.extents)} "
                       f"in {width:.0f} x {height:.0f} pt")
    for (t1, b1), (t2, b2) in itertools.combinations(boxes, 2):
        w = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
        h = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
        if w > tol and h > tol:
            out.append(f"overlap: {t1.get_text()!r} and {t2.get_text()!r} ({w:.0f} x {h:.0f} pt)")
    return out
