"""Defaults shared by the backtest and the automatic choice (so neither imports the other for them)."""

from __future__ import annotations

#: The candidates of ``model="auto"`` and the models :func:`forecast.backtest` compares by default.
DEFAULT_CANDIDATES: tuple[str, ...] = ("drift", "arima", "ets", "ets_damped")

#: Observations the first default backtest origin is fitted on: the most any default candidate needs
#: (``ets_damped``), fewer only when the series is too short to leave two origins. The default origins thus
#: depend on the series alone, so a model's backtest scores do not depend on which other models are listed.
DEFAULT_MIN_TRAIN = 7

#: At most this many default origins, the most recent ones: a long series is judged on its last 20 years of
#: forecasts (the cost of a backtest then stops growing with the length of the series; IC3 has 17).
DEFAULT_MAX_ORIGINS = 20
