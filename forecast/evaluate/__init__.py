"""Evaluation of forecasts: rolling-origin backtests, accuracy and the automatic choice.

Importing this package registers the model ``"auto"`` (:mod:`forecast.evaluate.auto`)
with :func:`forecast.families.register` (``forecast.fit`` and ``forecast.models``
import this package first, so ``"auto"`` is always among them).

Examples
--------
>>> import pandas as pd
>>> import forecast
>>> y = pd.Series([1.0, 1.3, 1.5, 2.1, 2.4, 3.2, 3.9, 5.1], index=range(2013, 2021))
>>> bt = forecast.backtest(y, models=["drift"], horizon=2)
>>> acc = forecast.accuracy(bt)
>>> acc["windows"].tolist(), acc["origins"].tolist(), acc["horizons"].tolist()
([3], ['2018-2019'], ['1-2'])
"""

from __future__ import annotations

from forecast.evaluate import auto as _auto  # noqa: F401 - registers the model "auto"
from forecast.evaluate.accuracy import accuracy
from forecast.evaluate.backtest import backtest

__all__ = ["accuracy", "backtest"]
