"""forecast: sourced estimates of the damage of cybercrime, honest forecasts.

The public API is imported lazily so that ``import forecast`` stays light
(no statsmodels, matplotlib or PDF engine until they are needed).

Examples
--------
>>> import forecast
>>> y = forecast.series("ic3")                      # doctest: +SKIP
>>> res = forecast.fit(y, model="drift")            # doctest: +SKIP
>>> res.forecast(horizon=6)                         # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from forecast.errors import (
    ClaimError,
    DataError,
    ForecastError,
    ModelError,
    MoneyError,
    ReportError,
)

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "datasets": "forecast.data.registry",
    "load": "forecast.data.registry",
    "series": "forecast.data.registry",
    "read_series": "forecast.data.userfile",
    "parse_money": "forecast.data.money",
    "format_money": "forecast.data.money",
    "to_real": "forecast.data.scale",
    "share_of_gdp": "forecast.data.scale",
    "fit": "forecast.families",
    "models": "forecast.families",
    "backtest": "forecast.evaluate",
    "accuracy": "forecast.evaluate",
    "fit_publishers": "forecast.published.publishers",
    "check_claim": "forecast.published.check",
    "claims": "forecast.published.catalog",
    "scorecard": "forecast.published.scorecard",
    "plots": "forecast.plots",
    "report": "forecast.report",
    "fit_panel": "forecast.panel",
    "backtest_panel": "forecast.panel",
    "panel_accuracy": "forecast.panel",
    "contributions": "forecast.panel",
}

__all__ = [
    "ClaimError",
    "DataError",
    "ForecastError",
    "ModelError",
    "MoneyError",
    "ReportError",
    "__version__",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'forecast' has no attribute {name!r}")
    if module == "forecast.families":
        import forecast.evaluate  # noqa: F401 - registers the model "auto" with the families' registry
    mod = importlib.import_module(module)
    value = mod if name in ("plots", "report") else getattr(mod, name)  # forecast.report(...) is callable
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from forecast import plots, report
    from forecast.published.catalog import claims
    from forecast.published.check import check_claim
    from forecast.published.publishers import fit_publishers
    from forecast.published.scorecard import scorecard
    from forecast.data.money import format_money, parse_money
    from forecast.data.registry import datasets, load, series
    from forecast.data.scale import share_of_gdp, to_real
    from forecast.data.userfile import read_series
    from forecast.evaluate import accuracy, backtest
    from forecast.families import fit, models
    from forecast.panel import backtest_panel, contributions, fit_panel, panel_accuracy
