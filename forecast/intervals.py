"""The one interval schema shared by every model, the ensemble and the report.

A forecast is a :class:`pandas.DataFrame` indexed by year
(``pd.PeriodIndex(freq="Y")`` named ``year``), one row per year, with columns
``mean``, ``median``, ``lower_<L>`` / ``upper_<L>`` for each level ``L`` and
``model``. Its ``attrs`` hold ``unit`` (e.g. ``"USD"``), ``model`` and
``levels``.

:class:`Predictive` holds the predictive distribution behind such a frame for
each forecast year, either in closed form (a location-scale family, Normal or
Student t) or as draws. It lives in a *working space*: ``"log"`` (the value is
``exp`` of the working variable, so forecasts stay positive) or ``"level"``
(the value itself, a distribution truncated at zero so that it stays positive).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import stats

from forecast.errors import ForecastError

DEFAULT_LEVELS: tuple[int, ...] = (80, 95)
SPACES = ("log", "level")


def check_levels(levels: Iterable[float]) -> tuple[float, ...]:
    """Validate interval levels (percent, above 1 and below 100) and sort them.

    Every entry point that takes ``levels`` (a fit's ``forecast``, ``auto``,
    the multi-publisher fit, ``backtest``, the command line) goes through
    this check. A level at or below 1 is refused: it is almost always a
    fraction typed where a percent is meant (``0.8`` for 80, the statsmodels
    and Prophet habit), and a 0.8% interval printed as ``lower_0.8`` would be
    a silent wrong answer.

    Examples
    --------
    >>> check_levels([95, 80])
    (80, 95)
    >>> check_levels([0.8, 0.95])
    Traceback (most recent call last):
    ...
    forecast.errors.ForecastError: interval level 0.8 is at or below 1: levels are in percent; did you mean 80?
    """
    if isinstance(levels, (str, bytes)) or not isinstance(levels, Iterable):
        raise ForecastError(f"levels {levels!r}: give a sequence of levels in percent, e.g. (80, 95)")
    out = []
    for lv in levels:
        if isinstance(lv, bool):
            raise ForecastError(f"interval level {lv!r} is not a number")
        try:
            v = float(lv)
        except (TypeError, ValueError):
            raise ForecastError(f"interval level {lv!r} is not a number") from None
        if not 0 < v < 100:
            raise ForecastError(f"interval level {lv!r} must be between 0 and 100 (percent)")
        if v <= 1:
            hint = f"did you mean {100 * v:g}?" if v < 1 else "a 1% interval is almost never meant (give e.g. 80 or 95)"
            raise ForecastError(f"interval level {lv!r} is at or below 1: levels are in percent; {hint}")
        out.append(int(v) if v.is_integer() else v)
    if not out:
        raise ForecastError("at least one interval level is needed")
    return tuple(sorted(set(out)))


def level_label(level: float) -> str:
    """Column suffix of a level: ``80`` -> ``"80"``, ``99.5`` -> ``"99.5"``."""
    return f"{level:g}"


def interval_columns(levels: Sequence[float]) -> list[str]:
    """Column names of the schema for ``levels``, in order.

    Examples
    --------
    >>> interval_columns((80, 95))
    ['mean', 'median', 'lower_80', 'upper_80', 'lower_95', 'upper_95', 'model']
    """
    cols = ["mean", "median"]
    for lv in levels:
        cols += [f"lower_{level_label(lv)}", f"upper_{level_label(lv)}"]
    return cols + ["model"]


def year_index(years: Iterable) -> pd.PeriodIndex:
    """Annual ``PeriodIndex`` named ``year`` from ints, Periods or timestamps."""
    def one(y):
        if isinstance(y, pd.Period):
            return y.asfreq("Y")
        if isinstance(y, (int, np.integer)):  # an integer is a calendar year (pandas 3 reads it as an ordinal)
            return pd.Period(str(int(y)), freq="Y")
        return pd.Period(y, freq="Y")

    idx = pd.PeriodIndex([one(y) for y in years], freq="Y")
    return idx.rename("year")


@dataclass
class Predictive:
    """Predictive distribution of a positive quantity for each of several years.

    Either ``loc``/``scale`` (and ``df``; ``inf`` means Normal) of a
    location-scale family in the working ``space``, or ``samples`` of the
    working variable with shape ``(n_draws, n_years)``.

    Examples
    --------
    >>> p = Predictive(year_index([2025]), loc=np.array([0.0]), scale=np.array([1.0]))
    >>> float(p.quantile(0.5)[0])
    1.0
    """

    years: pd.PeriodIndex
    loc: np.ndarray | None = None
    scale: np.ndarray | None = None
    df: float | np.ndarray = np.inf
    samples: np.ndarray | None = None
    space: str = "log"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.years = year_index(self.years)
        if self.space not in SPACES:
            raise ValueError(f"space must be one of {SPACES}")
        if self.samples is not None:
            self.samples = np.asarray(self.samples, dtype=float)
            if self.samples.ndim != 2 or self.samples.shape[1] != len(self.years):
                raise ValueError("samples must have shape (n_draws, n_years)")
        else:
            if self.loc is None or self.scale is None:
                raise ValueError("give loc and scale, or samples")
            self.loc = np.asarray(self.loc, dtype=float).reshape(-1)
            self.scale = np.asarray(self.scale, dtype=float).reshape(-1)
            if len(self.loc) != len(self.years) or len(self.scale) != len(self.years):
                raise ValueError("loc and scale need one value per year")
            self.df = np.broadcast_to(np.asarray(self.df, dtype=float), self.loc.shape).copy()

    # -- helpers -----------------------------------------------------------
    @property
    def closed_form(self) -> bool:
        """True when the distribution is a location-scale family, not draws."""
        return self.samples is None

    def _dist(self):
        # ppf/cdf of the Student t without freezing a scipy distribution:
        # freezing builds docstrings and costs ~3 ms per call, which adds up in backtests
        df = np.where(np.isfinite(self.df), self.df, 1e12)
        loc, scale = self.loc, self.scale
        return SimpleNamespace(ppf=lambda q: stats.t.ppf(q, df, loc, scale),
                               cdf=lambda x: stats.t.cdf(x, df, loc, scale))

    def _to_value(self, w: np.ndarray) -> np.ndarray:
        return np.exp(w) if self.space == "log" else w

    def _to_working(self, value: np.ndarray) -> np.ndarray:
        value = np.asarray(value, dtype=float)
        if self.space == "log":
            with np.errstate(divide="ignore"):
                return np.log(value)
        return value

    # -- public ------------------------------------------------------------
    def quantile(self, q: float) -> np.ndarray:
        """Quantile ``q`` (0-1) of the value for each year."""
        if self.samples is not None:
            w = np.quantile(self.samples, q, axis=0)
            return np.maximum(self._to_value(w), 0.0)
        d = self._dist()
        if self.space == "log":
            return np.exp(d.ppf(q))
        f0 = d.cdf(0.0)  # truncated at zero
        return d.ppf(f0 + q * (1 - f0))

    def median(self) -> np.ndarray:
        """Median of the value for each year (exp of the log-scale median)."""
        return self.quantile(0.5)

    def mean(self) -> np.ndarray:
        """Mean of the value for each year.

        On the log scale this is the bias-adjusted back-transform
        ``exp(mu + s**2 / 2)`` (``s`` the predictive scale); from draws it is
        the average of the back-transformed draws.
        """
        if self.samples is not None:
            return np.maximum(self._to_value(self.samples), 0.0).mean(axis=0)
        if self.space == "log":
            return np.exp(self.loc + self.scale**2 / 2)
        a = -self.loc / self.scale
        return stats.truncnorm(a, np.inf, loc=self.loc, scale=self.scale).mean()

    def cdf(self, value: float | np.ndarray) -> np.ndarray:
        """P(Y <= value) for each year (``value`` scalar or one per year)."""
        w = self._to_working(np.broadcast_to(np.asarray(value, dtype=float), (len(self.years),)))
        if self.samples is not None:
            return (self.samples <= w[None, :]).mean(axis=0)
        d = self._dist()
        if self.space == "log":
            return d.cdf(w)
        f0 = d.cdf(0.0)
        return np.clip((d.cdf(w) - f0) / (1 - f0), 0.0, 1.0)

    def to_frame(self, levels: Sequence[float] = DEFAULT_LEVELS, model: str = "", unit: str = "") -> pd.DataFrame:
        """The standard forecast frame (see module docstring)."""
        levels = check_levels(levels)
        data: dict[str, np.ndarray | str] = {"mean": self.mean(), "median": self.median()}
        for lv in levels:
            a = (1 - lv / 100) / 2
            data[f"lower_{level_label(lv)}"] = self.quantile(a)
            data[f"upper_{level_label(lv)}"] = self.quantile(1 - a)
        data["model"] = model
        frame = pd.DataFrame(data, index=self.years)[interval_columns(levels)]
        frame.attrs.update({"unit": unit, "model": model, "levels": levels})
        return frame


def validate_frame(frame: pd.DataFrame) -> None:
    """Raise ``AssertionError`` unless ``frame`` follows the interval schema.

    Checks the index, the columns, finiteness, positivity and nesting
    (lower_95 <= lower_80 <= median <= upper_80 <= upper_95).
    """
    assert isinstance(frame.index, pd.PeriodIndex) and frame.index.freqstr.startswith("Y"), "index must be annual"
    levels = frame.attrs.get("levels")
    assert levels, "attrs['levels'] missing"
    assert list(frame.columns) == interval_columns(levels), f"columns {list(frame.columns)}"
    assert "unit" in frame.attrs, "attrs['unit'] missing"
    num = frame.drop(columns="model").to_numpy(dtype=float)
    assert np.isfinite(num).all(), "non-finite values"
    assert (num > 0).all(), "non-positive values"
    prev_lo = frame["median"].to_numpy()
    prev_hi = prev_lo
    for lv in levels:  # ascending levels: each band contains the previous one
        lo = frame[f"lower_{level_label(lv)}"].to_numpy()
        hi = frame[f"upper_{level_label(lv)}"].to_numpy()
        assert (lo <= prev_lo * (1 + 1e-12)).all() and (hi >= prev_hi * (1 - 1e-12)).all(), f"level {lv} not nested"
        prev_lo, prev_hi = lo, hi
