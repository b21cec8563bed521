"""Conformal calibration of interval width from backtest errors.

A model's intervals are rescaled on the log scale around the median by one
factor ``c``. For each backtest forecast and level ``L`` the score is the log
error divided by the half-width of the ``L``% interval on the side where the
actual fell (``r <= 1`` means the interval covered it). The conformal
quantile of the ``n`` scores, the ``ceil((n + 1) * L / 100)``-th smallest, is
the factor by which the ``L``% intervals would have needed to be scaled to
cover at least ``L``% of the errors, with the finite-sample correction of
split conformal prediction. The factor used is the largest over the levels,
so every level is calibrated at least to nominal.

With ``mode="by_horizon"`` the same is done separately for the errors of
each horizon (1, 2, 3 years ahead), whose spread differs; a level that a
horizon has too few errors to calibrate takes the factor pooled over all
horizons for that level, and forecasts further ahead than the backtest
horizon take the factor of the last horizon.

Backtest errors overlap (horizons 1-3 from neighbouring origins) and the
windows are few, so the adjustment is only as good as the handful of errors
it rests on; :func:`calibration` reports how many.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.intervals import Predictive, level_label

__all__ = ["MODES", "Calibration", "calibration", "rescale"]

MODES = ("rescale", "widen", "none", "by_horizon")


@dataclass
class Calibration:
    """Result of :func:`calibration`.

    Attributes
    ----------
    factor : float
        Multiplier of the log-scale spread around the median (1 = unchanged).
    n : int
        Number of backtest errors the factor rests on.
    by_level : dict
        Level -> conformal factor for that level, or ``None`` when there are
        too few errors to calibrate it (``ceil((n+1)L/100) > n``).
    mode : str
        ``"rescale"`` (narrow or widen), ``"widen"`` (never narrow),
        ``"by_horizon"`` (one factor per horizon) or ``"none"``.
    too_few : int
        Non-zero when there were fewer errors than this minimum (no calibration).
    by_horizon : dict
        Horizon -> factor used for it (``mode="by_horizon"`` only; empty
        otherwise, when ``factor`` applies to every horizon).
    """

    factor: float
    n: int
    by_level: dict = field(default_factory=dict)
    mode: str = "rescale"
    too_few: int = 0
    by_horizon: dict = field(default_factory=dict)

    def factors(self, horizons: Sequence[int] | np.ndarray) -> np.ndarray:
        """Factor for each of ``horizons`` (years ahead of the last observation).

        Examples
        --------
        >>> Calibration(1.2, 40, by_horizon={1: 0.8, 2: 1.0, 3: 1.3}).factors([1, 2, 3, 6]).tolist()
        [0.8, 1.0, 1.3, 1.3]
        >>> Calibration(1.2, 40).factors([1, 6]).tolist()
        [1.2, 1.2]
        """
        h = np.asarray(horizons, dtype=int)
        if not self.by_horizon:
            return np.full(h.shape, float(self.factor))
        known = sorted(self.by_horizon)
        idx = np.clip(np.searchsorted(known, h, side="right") - 1, 0, len(known) - 1)
        return np.array([float(self.by_horizon[known[i]]) for i in np.atleast_1d(idx)]).reshape(h.shape)

    def note(self) -> str:
        """One sentence for a result's notes."""
        if self.mode == "none":
            return "interval widths are the models' own (no calibration)"
        if self.too_few:
            return (f"interval widths are the models' own: {self.n} backtest errors are too few to calibrate "
                    f"them (at least {self.too_few} are needed)")
        parts = []
        for lv, c in self.by_level.items():
            if c is None:
                need = math.ceil(lv / (100 - lv))
                parts.append(f"{level_label(lv)}%: too few errors (needs at least {need})")
            else:
                parts.append(f"{level_label(lv)}%: x{c:.2f}")
        if self.by_horizon:
            what = "log-scale interval widths multiplied by " + ", ".join(
                f"{f:.2f} at horizon {h}" for h, f in sorted(self.by_horizon.items()))
        elif self.factor == 1.0:
            what = "interval widths left as the models give them"
        else:
            what = f"log-scale interval widths multiplied by {self.factor:.2f}"
        return (f"{what} by conformal calibration on {self.n} backtest errors "
                f"(factor needed per level: {'; '.join(parts)}); few overlapping errors, so treat it as rough")


def _scores(rows: pd.DataFrame, level: float) -> np.ndarray:
    lab = level_label(level)
    e = np.log(rows["actual"].to_numpy(float)) - np.log(rows["median"].to_numpy(float))
    up = np.log(rows[f"upper_{lab}"].to_numpy(float)) - np.log(rows["median"].to_numpy(float))
    lo = np.log(rows["median"].to_numpy(float)) - np.log(rows[f"lower_{lab}"].to_numpy(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(e > 0, e / up, -e / lo)
    return np.where(np.isfinite(r), r, np.inf)


def calibration(rows: pd.DataFrame, levels: Sequence[float] = (80, 95), mode: str = "rescale",
                min_errors: int = 10) -> Calibration:
    """Conformal factor for the interval widths of a model from its backtest rows.

    Parameters
    ----------
    rows : pd.DataFrame
        Backtest rows of one model (``actual``, ``median``, ``lower_L``, ``upper_L``).
    levels : sequence of float
        Levels to calibrate (each must have its columns in ``rows``).
    mode : {"rescale", "widen", "by_horizon", "none"}
        ``"rescale"`` may narrow intervals that were too wide, but only when
        every level has enough errors to be calibrated; ``"widen"`` never
        narrows; ``"by_horizon"`` is ``"rescale"`` done separately for each
        horizon (needs a ``horizon`` column).
    min_errors : int
        Fewer errors than this: no calibration (factor 1).

    Returns
    -------
    Calibration

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"actual": [1.0] * 19, "median": [1.0] * 19,
    ...                      "lower_80": [0.5] * 19, "upper_80": [2.0] * 19})
    >>> calibration(rows, levels=[80]).n
    19
    """
    if mode not in MODES:
        raise ValueError(f"calibration mode must be one of {MODES}, got {mode!r}")
    n = len(rows)
    if mode == "none":
        return Calibration(1.0, n, {lv: None for lv in levels}, mode)
    if n < min_errors:
        return Calibration(1.0, n, {lv: None for lv in levels}, mode, too_few=min_errors)
    by_level = _level_factors(rows, levels)
    factor = _combine(by_level, widen_only=mode == "widen")
    if mode != "by_horizon":
        return Calibration(factor, n, by_level, mode)
    if "horizon" not in rows:
        raise ValueError("calibration mode 'by_horizon' needs a 'horizon' column")
    by_horizon = {}
    for h, sub in rows.groupby("horizon", sort=True):
        own = _level_factors(sub, levels)
        # a level this horizon cannot calibrate on its own takes the pooled factor
        merged = {lv: own[lv] if own[lv] is not None else by_level[lv] for lv in levels}
        by_horizon[int(h)] = _combine(merged, widen_only=False)
    return Calibration(factor, n, by_level, mode, by_horizon=by_horizon)


def _level_factors(rows: pd.DataFrame, levels: Sequence[float]) -> dict:
    """Level -> conformal quantile of the scores of ``rows`` (``None``: too few errors)."""
    n = len(rows)
    by_level: dict = {}
    for lv in levels:
        k = math.ceil((n + 1) * lv / 100)
        if k > n:
            by_level[lv] = None
            continue
        c = float(np.sort(_scores(rows, lv))[k - 1])
        by_level[lv] = c if np.isfinite(c) else None
    return by_level


def _combine(by_level: dict, widen_only: bool) -> float:
    """One factor calibrating every level at least to nominal; never below 1 when a level is unknown."""
    known = [c for c in by_level.values() if c is not None]
    if not known:
        return 1.0
    factor = max(known)
    if widen_only or any(c is None for c in by_level.values()):
        factor = max(factor, 1.0)
    return float(factor)


def rescale(pred: Predictive, factor: float | np.ndarray) -> Predictive:
    """Scale the log-scale (or level) spread of ``pred`` around its median by ``factor``.

    ``factor`` is one number or one per year of ``pred``.

    Examples
    --------
    >>> import numpy as np
    >>> from forecast.intervals import year_index
    >>> p = Predictive(year_index([2025]), loc=np.array([0.0]), scale=np.array([1.0]))
    >>> float(rescale(p, 2.0).scale[0])
    2.0
    """
    factor = np.asarray(factor, dtype=float)
    if np.all(factor == 1.0):
        return pred
    if pred.closed_form:
        return Predictive(pred.years, loc=pred.loc, scale=pred.scale * factor, df=pred.df, space=pred.space,
                          meta=dict(pred.meta))
    med = np.median(pred.samples, axis=0)
    return Predictive(pred.years, samples=med + factor * (pred.samples - med), space=pred.space,
                      meta=dict(pred.meta))
