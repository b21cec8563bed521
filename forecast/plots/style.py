"""The house style shared by every chart in :mod:`forecast.plots`.

One palette (Okabe & Ito's eight colours, distinguishable by readers with
the common colour-vision deficiencies), paired with distinct markers and line
styles so that no chart depends on colour alone and every chart still reads
when printed in grayscale. Interval bands are drawn in one hue at two
lightnesses, the wider band lighter, so their order survives grayscale.

Money axes are labelled compactly (``$17.8m``, ``$16.6bn``, ``$3T``) with the
series' unit taken from the forecast frame's ``attrs["unit"]``.

Nothing here touches matplotlib's global ``rcParams``: the style is applied
to the artists and axes each chart creates. matplotlib is imported inside the
functions, so importing this module does not import it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "OKABE_ITO",
    "BAND",
    "MARKERS",
    "LINESTYLES",
    "series_style",
    "money_multiplier",
    "format_compact",
    "display_number",
    "set_value_axis",
    "log_subs",
    "fixed_log_ticks",
    "is_share",
    "format_percent",
    "source_note",
    "new_axes",
    "finish_axes",
    "to_years",
]

#: Okabe & Ito (2008) colour-blind safe palette, in the order charts use it.
OKABE_ITO: dict[str, str] = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish_green": "#009E73",
    "orange": "#E69F00",
    "reddish_purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: Colours for named roles, so the same thing looks the same on every chart.
OBSERVED = "#000000"          # history: black points
MEDIAN = "#003f66"            # forecast median: a dark shade of the band blue, visible on the bands in grayscale
BAND = OKABE_ITO["blue"]      # interval bands: blue, lighter for wider levels
CLAIM = OKABE_ITO["vermillion"]
GRID = "#d9d9d9"
TEXT_GREY = "#404040"

#: Distinct markers and line styles, used together with the palette.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "p", "h", "<", ">", "8")  # all read filled and hollow
LINESTYLES: tuple[Any, ...] = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)))

_CYCLE_COLOURS: tuple[str, ...] = (
    OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["bluish_green"], OKABE_ITO["orange"],
    OKABE_ITO["reddish_purple"], OKABE_ITO["sky_blue"], OKABE_ITO["black"],
)


def series_style(i: int) -> dict[str, Any]:
    """Colour, marker and line style of the ``i``-th series on a chart.

    Colour, marker and line style change together, so two series differ in
    shape as well as hue; the combination repeats only after 70 series.

    Examples
    --------
    >>> series_style(0)["color"], series_style(0)["marker"]
    ('#0072B2', 'o')
    >>> series_style(1)["marker"] != series_style(0)["marker"]
    True
    """
    n_c, n_m, n_l = len(_CYCLE_COLOURS), len(MARKERS), len(LINESTYLES)
    return {
        "color": _CYCLE_COLOURS[i % n_c],
        "marker": MARKERS[i % n_m],
        "linestyle": LINESTYLES[(i // n_c + i) % n_l],
    }


def band_alphas(n: int) -> list[float]:
    """Opacities of ``n`` nested interval bands, narrowest first (darkest)."""
    if n <= 1:
        return [0.35][:n]
    return list(np.linspace(0.40, 0.15, n))


# --------------------------------------------------------------------- money
_UNIT_RE = re.compile(r"^\s*(usd|us\$|\$)\s*(?P<mult>[a-z]*)\s*$|^\s*(?P<mult2>[a-z]*)\s*(usd|us\$|\$)\s*$", re.I)
_MULTIPLIERS = {
    "": 1.0, "k": 1e3, "thousand": 1e3, "thousands": 1e3,
    "m": 1e6, "mn": 1e6, "million": 1e6, "millions": 1e6,
    "bn": 1e9, "b": 1e9, "billion": 1e9, "billions": 1e9,
    "t": 1e12, "tn": 1e12, "trillion": 1e12, "trillions": 1e12,
}


def money_multiplier(unit: str | None) -> float | None:
    """How many US dollars one unit of a series is, or ``None`` if not money.

    Examples
    --------
    >>> money_multiplier("USD"), money_multiplier("USD bn"), money_multiplier("complaints")
    (1.0, 1000000000.0, None)
    """
    if not unit:
        return None
    m = _UNIT_RE.match(str(unit).replace("_", " "))
    if not m:
        return None
    word = (m.group("mult") or m.group("mult2") or "").lower()
    return _MULTIPLIERS.get(word)


def _trim(x: float) -> str:
    """At most three significant digits, no trailing zeros: 17.8, 3, 250."""
    if x == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(x)))))
    s = f"{x:.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def format_compact(value: float, money: bool = True) -> str:
    """A short label for an axis tick: ``$17.8m``, ``$16.6bn``, ``$3T``.

    ``money=False`` gives the same steps without the dollar sign
    (``12k``, ``3.4m``).

    Examples
    --------
    >>> format_compact(17_800_000), format_compact(16.6e9), format_compact(3e12)
    ('$17.8m', '$16.6bn', '$3T')
    >>> format_compact(2500, money=False)
    '2.5k'
    """
    if value is None or not np.isfinite(value):
        return ""
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    if money and v >= 0.9995e6:
        return sign + _format_money_short(v)
    cur = "$" if money else ""
    for size, suffix in ((1e12, "T"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if v >= size * 0.9995:
            return f"{sign}{cur}{_trim(v / size)}{suffix}"
    return f"{sign}{cur}{_trim(v)}"


def display_number(value: float) -> str:
    """A number for a table shown to people: three significant digits, k/m/bn/T steps, no ``$``.

    Suited to ``pd.set_option("display.float_format", display_number)``
    in notebooks, where column names carry the unit.

    Examples
    --------
    >>> display_number(547_722_557_505.0), display_number(0.00731), display_number(99.84)
    ('548bn', '0.00731', '99.8')
    """
    return format_compact(value, money=False)


def _format_money_short(v: float) -> str:
    """The package's money format (``forecast.format_money``) with as few decimals as 3 significant digits need."""
    from forecast.data.money import format_money

    text = ""
    for digits in (0, 1, 2):
        text = format_money(v, digits=digits)
        shown = float(re.sub(r"[^0-9.]", "", text))
        exact = v / {"m": 1e6, "bn": 1e9, "T": 1e12}[re.sub(r"[0-9.$,]", "", text)]
        if abs(shown - exact) <= 0.005 * exact:
            break
    return text


def is_share(unit: str | None) -> bool:
    """True for a unit that is a fraction of something (``"share of world GDP"``)."""
    return bool(unit) and "share" in str(unit).lower()


def format_percent(share: float) -> str:
    """A share as a percentage with up to three significant digits, always in plain decimals.

    Ticks of one axis then read alike however small they get (no switch to
    ``5.0e-04%`` below some threshold).

    Examples
    --------
    >>> format_percent(0.0001), format_percent(0.000005), format_percent(0.0125), format_percent(0)
    ('0.01%', '0.0005%', '1.25%', '0%')
    """
    return f"{_trim(100.0 * float(share))}%"


def source_note(ax: Any, text: str | None) -> None:
    """Write ``Source: text`` in small grey type under the x-axis label of ``ax`` (nothing for empty text).

    The note is an annotation of the axes, so a constrained layout makes
    room for it.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure(layout="constrained").add_subplot()
    >>> source_note(ax, "FBI IC3 annual reports")
    >>> [t.get_text() for t in ax.texts]
    ['Source: FBI IC3 annual reports']
    """
    if not text:
        return
    label = text if text.lower().startswith("source") else f"Source: {text}"
    ax.annotate(label, xy=(0.0, 0.0), xycoords=("axes fraction", ax.xaxis.label), xytext=(0, -3),
                textcoords="offset points", ha="left", va="top", fontsize=7.5, color=TEXT_GREY,
                parse_math=False, annotation_clip=False, gid="source-note")


def set_value_axis(ax: Any, unit: str | None, log: bool, values: Iterable[float] = (),
                   basis: str | None = None, axis: str = "y", name: str | None = None) -> None:
    """Scale (log or linear), ticks and tick labels of a value axis (the y axis).

    Money (a unit such as ``"USD"`` or ``"USD bn"``) is labelled compactly
    in dollars, and the axis label says nominal or, with ``basis`` (a
    series' ``attrs["price_basis"]``, e.g. ``"real 2024 US$ (CPI-U)"``), real;
    a share (``"share of world GDP"``) is labelled in percent; other units
    get compact numbers and the unit as the axis label; without a unit the
    label is ``name`` (the series' name, else "Value"), so a log axis always
    says it is one. ``axis="x"`` labels the x axis instead.
    """
    from matplotlib import ticker

    mult = money_multiplier(unit)
    share = is_share(unit)
    scale = 1.0 if mult is None else mult

    def fmt(v: float, _pos: int | None = None) -> str:
        if share:
            return format_percent(v)
        return format_compact(v * scale, money=mult is not None)

    vals = np.asarray([v for v in values if v is not None and np.isfinite(v) and v > 0], dtype=float)
    target = ax.xaxis if axis == "x" else ax.yaxis
    set_scale, set_label = (ax.set_xscale, ax.set_xlabel) if axis == "x" else (ax.set_yscale, ax.set_ylabel)
    if log:
        set_scale("log")
        span = np.log10(vals.max() / vals.min()) if len(vals) else 3.0
        target.set_major_locator(ticker.LogLocator(base=10.0, subs=log_subs(span)))
        target.set_minor_formatter(ticker.NullFormatter())
    else:
        target.set_major_locator(ticker.MaxNLocator(nbins=6))
    target.set_major_formatter(ticker.FuncFormatter(fmt))
    suffix = ", log scale" if log else ""
    if mult is not None:
        set_label(f"{basis or 'US dollars (nominal)'}{suffix}")
    elif share:
        set_label(f"{str(unit)[:1].upper()}{str(unit)[1:]}{suffix}")
    elif unit:
        set_label(f"{unit}{suffix}")
    else:
        set_label(f"{name or 'Value'}{suffix}")


def log_subs(span: float) -> tuple[float, ...]:
    """Mantissas of the labelled ticks of a log axis spanning ``span`` decades.

    Every 1, 2 and 5 below 2.5 decades, each power of ten above, and more
    steps below 0.8 decades, so that an axis carries a handful of labels.

    Examples
    --------
    >>> log_subs(4.0), log_subs(1.0)
    ((1.0,), (1.0, 2.0, 5.0))
    """
    if span < 0.8:
        return (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0)
    return (1.0, 2.0, 5.0) if span < 2.5 else (1.0,)


def fixed_log_ticks(axis: Any, low: float, high: float) -> None:
    """Label a log ``axis`` whose limits are fixed at ``low``-``high``: ticks in view only, no minor ticks.

    For small multiples sharing one axis: the labels follow the span of the
    shared limits (:func:`log_subs`), and matplotlib makes no tick outside
    the view (a tick costs as much to draw as a short line and a label).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> ax.set_yscale("log")
    >>> fixed_log_ticks(ax.yaxis, 3e7, 2e11)
    >>> [float(v) for v in ax.yaxis.get_major_locator()()]
    [100000000.0, 1000000000.0, 10000000000.0, 100000000000.0]
    """
    from matplotlib import ticker

    subs = log_subs(np.log10(high / low))
    decades = np.arange(np.floor(np.log10(low)), np.ceil(np.log10(high)) + 1)
    locs = [m * 10.0 ** d for d in decades for m in subs if low <= m * 10.0 ** d <= high]
    axis.set_major_locator(ticker.FixedLocator(locs))
    axis.set_minor_locator(ticker.NullLocator())


# ---------------------------------------------------------------------- axes
def new_axes(ax: Any = None, figsize: tuple[float, float] = (8.0, 4.8)) -> tuple[Any, Any]:
    """Return ``(figure, axes)``: the given axes and its figure, or a new pair.

    A new figure is created with :func:`matplotlib.pyplot.subplots` so that it
    shows inline in notebooks; pass ``ax=`` to draw into your own layout.
    """
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def finish_axes(ax: Any, title: str | None = None, xlabel: str | None = None, legend: bool = True,
                legend_loc: str = "best") -> None:
    """Apply the house look to ``ax``: light grid, no top/right frame, legend."""
    from matplotlib import ticker

    ax.grid(True, which="major", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if ax.get_xscale() == "linear" and xlabel and xlabel.startswith("Year"):
        ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True, nbins=8))
    if xlabel:
        ax.set_xlabel(xlabel)
    if title:
        # y=1.0: the title sits on the top of the axes, where matplotlib would put it (the house's charts have
        # no tick labels on top and no offset text), without matplotlib measuring the y axis again at each draw
        ax.set_title(title, loc="left", fontsize=11, parse_math=False, y=1.0)
    if legend:
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            order = sorted(range(len(labels)), key=lambda i: (_legend_rank(labels[i]), i))
            plain_text(ax.legend([handles[i] for i in order], [labels[i] for i in order], loc=legend_loc,
                                 frameon=False, fontsize=8.5))


def plain_text(legend: Any) -> Any:
    """Show a legend's labels as written: a ``$`` in a money amount is not a math delimiter."""
    if legend is not None:
        for t in legend.get_texts():
            t.set_parse_math(False)
    return legend


def _legend_rank(label: str) -> int:
    """Legend order: observations, medians and lines first, then bands by level, then claims."""
    if label.endswith("% interval"):
        try:
            return 100 + int(float(label.split("%")[0]))
        except ValueError:
            return 100
    if label.startswith("Claim"):
        return 300
    return 0


def to_years(index: Any) -> np.ndarray:
    """Integer years of an annual index (PeriodIndex, ints, timestamps)."""
    out = []
    for v in index:
        if hasattr(v, "year"):
            out.append(int(v.year))
        else:
            out.append(int(v))
    return np.asarray(out, dtype=int)
