"""Panels of many series: fits per series, reconciliation to a total, Dask scale-out.

Examples
--------
>>> import forecast
>>> res = forecast.fit_panel("ic3_by_state", model="drift")     # doctest: +SKIP
>>> res.forecast(horizon=3).head()                              # doctest: +SKIP
"""

from __future__ import annotations

from forecast.panel.backtest import backtest_panel, panel_accuracy
from forecast.panel.contributions import contributions
from forecast.panel.data import Panel, read_panel
from forecast.panel.fit import PanelResult, fit_panel
from forecast.panel.reconcile import METHODS

__all__ = ["METHODS", "Panel", "PanelResult", "backtest_panel", "contributions", "fit_panel", "panel_accuracy",
           "read_panel"]
