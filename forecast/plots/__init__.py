"""Charts in one house style: series, fan charts, publishers, backtests, model comparison, claims, diagnostics.

Every function takes an optional ``ax`` (or, for the multi-panel charts, a
sequence of axes), draws, and returns the matplotlib ``Figure`` it drew on.
None of them calls ``plt.show()``; in a notebook the figure shows inline, in
a script call ``fig.savefig(...)``. matplotlib is imported only when a chart
is drawn, so ``import forecast`` stays light.

The style (palette, markers, money axis labels) lives in
:mod:`forecast.plots.style`: an Okabe-Ito palette paired with distinct markers
and line styles, so charts read for colour-blind readers and in grayscale.

Examples
--------
>>> import forecast
>>> fit = forecast.fit(forecast.series("ic3"), model="drift")   # doctest: +SKIP
>>> fig = fit.plot(horizon=6)                                   # doctest: +SKIP
>>> fig.savefig("ic3.svg")                                      # doctest: +SKIP
"""

from __future__ import annotations

from forecast.plots.backtest import backtest_chart
from forecast.plots.claim import claim_chart, claims_band_chart
from forecast.plots.compare import comparison_chart
from forecast.plots.diagnostics import residual_diagnostics
from forecast.plots.fan import fan_chart
from forecast.plots.panel import contributions_chart, panel_chart
from forecast.plots.publishers import publisher_chart
from forecast.plots.series import series_chart

__all__ = [
    "backtest_chart",
    "claim_chart",
    "claims_band_chart",
    "comparison_chart",
    "contributions_chart",
    "fan_chart",
    "panel_chart",
    "publisher_chart",
    "residual_diagnostics",
    "series_chart",
]
