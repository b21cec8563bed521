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

MODES = ("rescale", "widen", "none")


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
        ``"rescale"`` (narrow or widen), ``"widen"`` (never narrow) or ``"none"``.
    too_few : int
        Non-zero when there were fewer errors than this minimum (no calibration).
    """

    factor: float
    n: int
    by_level: dict = field(default_factory=dict)
    mode: str = "rescale"
    too_few: int = 0

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
        if self.factor == 1.0:
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
    mode : {"rescale", "widen", "none"}
        ``"rescale"`` may narrow intervals that were too wide, but only when
        every level has enough errors to be calibrated; ``"widen"`` never
        narrows.
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
    by_level: dict = {}
    for lv in levels:
        k = math.ceil((n + 1) * lv / 100)
        if k > n:
            by_level[lv] = None
            continue
        c = float(np.sort(_scores(rows, lv))[k - 1])
        by_level[lv] = c if np.isfinite(c) else None
    known = [c for c in by_level.values() if c is not None]
    if not known:
        factor = 1.0
    else:
        factor = max(known)
        if mode == "widen" or any(c is None for c in by_level.values()):
            factor = max(factor, 1.0)
    return Calibration(float(factor), n, by_level, mode)


def rescale(pred: Predictive, factor: float) -> Predictive:
    """Scale the log-scale (or level) spread of ``pred`` around its median by ``factor``.

    Examples
    --------
    >>> import numpy as np
    >>> from forecast.intervals import year_index
    >>> p = Predictive(year_index([2025]), loc=np.array([0.0]), scale=np.array([1.0]))
    >>> float(rescale(p, 2.0).scale[0])
    2.0
    """
    if factor == 1.0:
        return pred
    if pred.closed_form:
        return Predictive(pred.years, loc=pred.loc, scale=pred.scale * factor, df=pred.df, space=pred.space,
                          meta=dict(pred.meta))
    med = np.median(pred.samples, axis=0)
    return Predictive(pred.years, samples=med + factor * (pred.samples - med), space=pred.space,
                      meta=dict(pred.meta))
