"""Defaults shared by the backtest and the automatic choice (so neither imports the other for them)."""

from __future__ import annotations

#: The candidates of ``model="auto"`` and the models :func:`forecast.backtest` compares by default.
DEFAULT_CANDIDATES: tuple[str, ...] = ("drift", "arima", "ets", "ets_damped")
