"""House style: palette, markers, money labels, and that importing forecast does not import matplotlib."""

from __future__ import annotations

import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest

import forecast
from forecast.plots import style


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_import_forecast_does_not_import_matplotlib():
    code = ("import forecast, sys; forecast.plots; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_drawing_imports_matplotlib_only_then():
    code = ("import sys, pandas as pd, forecast\n"
            "from forecast.intervals import Predictive, year_index\n"
            "assert 'matplotlib' not in sys.modules\n"
            "import matplotlib; matplotlib.use('Agg')\n"
            "p = Predictive(year_index([2025, 2026]), loc=[1.0, 1.1], scale=[0.1, 0.2])\n"
            "fig = forecast.plots.fan_chart(None, p.to_frame(unit='USD'))\n"
            "assert type(fig).__name__ == 'Figure'\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_palette_is_okabe_ito_and_styles_differ_in_shape():
    assert set(style.OKABE_ITO.values()) == {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
                                             "#D55E00", "#CC79A7"}
    styles = [style.series_style(i) for i in range(14)]
    # neighbours never share a marker; no two of the first 14 share colour, marker and line style
    assert all(styles[i]["marker"] != styles[i + 1]["marker"] for i in range(13))
    keys = {(s["color"], s["marker"], str(s["linestyle"])) for s in styles}
    assert len(keys) == 14
    # yellow (poor on white, invisible in grayscale) is never a series colour
    assert all(s["color"] != style.OKABE_ITO["yellow"] for s in styles)


def test_palette_reads_in_grayscale():
    """Colours used for adjacent series differ in lightness, not only in hue."""
    def lum(hexcol):
        r, g, b = (int(hexcol[i:i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    # the median line is darker than the band colour it is drawn on
    assert lum(style.MEDIAN) < lum(style.BAND) - 0.1
    # nested bands: the narrower (drawn darker) band is more opaque
    a = style.band_alphas(2)
    assert a[0] > a[1]


@pytest.mark.parametrize("value, text", [
    (17.8e6, "$17.8m"), (16.6e9, "$16.6bn"), (3e12, "$3T"), (2.95e12, "$2.95T"), (1e10, "$10bn"),
    (500e3, "$500k"), (1.5e9, "$1.5bn"),
])
def test_money_labels(value, text):
    assert style.format_compact(value) == text


def test_money_labels_agree_with_format_money():
    # for round figures the tick label is the package's own money format
    for v in (16.6e9, 445e9, 525e6):
        assert style.format_compact(v) == forecast.format_money(v)


def test_money_multiplier():
    assert style.money_multiplier("USD") == 1.0
    assert style.money_multiplier("USD bn") == 1e9
    assert style.money_multiplier("usd_bn") == 1e9
    assert style.money_multiplier("share of world GDP") is None
    assert style.money_multiplier("") is None


def test_value_axis_labels_money_share_and_plain():
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [1e9, 1e10, 1e11])
    style.set_value_axis(ax, "USD", True, [1e9, 1e11])
    fig.canvas.draw()
    assert ax.get_yscale() == "log"
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "$1bn" in labels and "$10bn" in labels and "$100bn" in labels
    assert ax.get_ylabel().startswith("US dollars (nominal)")

    fig, ax = plt.subplots()
    ax.plot([1, 2], [0.001, 0.01])
    style.set_value_axis(ax, "share of world GDP", False, [0.001, 0.01])
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert any(lab.endswith("%") for lab in labels)
    assert ax.get_ylabel() == "Share of world GDP"

    fig, ax = plt.subplots()
    ax.plot([1, 2], [100, 2000])
    style.set_value_axis(ax, "complaints", False, [100, 2000], basis=None)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "$" not in "".join(labels) and ax.get_ylabel() == "complaints"
    assert np.isfinite(ax.get_ylim()).all()


def test_real_basis_names_the_prices():
    fig, ax = plt.subplots()
    style.set_value_axis(ax, "USD", False, [1.0, 2.0], basis="real 2024 US$ (CPI-U)")
    assert ax.get_ylabel() == "real 2024 US$ (CPI-U)"


def test_share_ticks_are_plain_decimals_at_every_size():
    from forecast.plots.style import format_percent

    labels = [format_percent(v) for v in (1e-4, 5e-6, 2e-6, 1e-6, 5e-7, 0.0125, 0.5)]
    assert labels == ["0.01%", "0.0005%", "0.0002%", "0.0001%", "0.00005%", "1.25%", "50%"]
    assert not any("e" in t for t in labels)


def test_share_axis_labels_read_alike():
    import matplotlib.pyplot as plt
    import pandas as pd

    from forecast.plots import series_chart

    y = pd.Series([5e-7, 2e-6, 1e-5, 1.5e-4], index=[2001, 2008, 2016, 2024])
    y.attrs["unit"] = "share of world GDP"
    fig = series_chart(y)
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    plt.close(fig)
    assert ticks and all(t.endswith("%") and "e" not in t for t in ticks)
