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

With ``mode="by_level"`` each level's interval is scaled by its own factor
(a level with too few errors takes the largest known factor, never below 1):
the spread around the median is multiplied by a factor that runs from the
80% level's at and inside the 80% interval to the 95% level's at and beyond
the 95% interval (linearly in between), so a model whose tails are off is
calibrated at both levels instead of one factor over-covering the other.

``model="auto"`` uses one factor (``"rescale"``) by default. On simulated
series (``benchmarks/rule_study.py``) one factor per horizon was worse by
the interval score and further from nominal; one factor per level was near
nominal on average but, resting on fewer errors per decision, covered only
about 64% with its 80% intervals on series whose early years were far
noisier than the later ones. Both remain options.

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

__all__ = ["MODES", "Calibration", "calibration", "level_factor_curve", "rescale", "rescale_by_level",
           "rescale_paths_by_level"]

MODES = ("rescale", "widen", "none", "by_horizon", "by_level")


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
    per_level : dict
        Level -> factor applied to that level's interval (``mode="by_level"``
        only; empty otherwise).
    """

    factor: float
    n: int
    by_level: dict = field(default_factory=dict)
    mode: str = "rescale"
    too_few: int = 0
    by_horizon: dict = field(default_factory=dict)
    per_level: dict = field(default_factory=dict)

    def apply(self, pred: Predictive, horizons: Sequence[int] | np.ndarray) -> Predictive:
        """``pred`` (one column per year, ``horizons`` years ahead) with calibrated interval widths.

        Examples
        --------
        >>> from forecast.intervals import year_index
        >>> p = Predictive(year_index([2025]), loc=np.array([0.0]), scale=np.array([1.0]))
        >>> float(Calibration(2.0, 30).apply(p, [1]).scale[0])
        2.0
        """
        if self.per_level:
            return rescale_by_level(pred, self.per_level)
        return rescale(pred, self.factors(horizons))

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
        if self.per_level:
            what = "log-scale interval widths multiplied by " + ", ".join(
                f"{f:.2f} for the {level_label(lv)}% interval" for lv, f in sorted(self.per_level.items()))
        elif self.by_horizon:
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
        horizon (needs a ``horizon`` column); ``"by_level"`` scales each
        level's interval by its own factor.
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
    if mode == "by_level":
        known = [c for c in by_level.values() if c is not None]
        fill = max([*known, 1.0])
        per_level = {lv: float(c) if c is not None else fill for lv, c in by_level.items()}
        return Calibration(max(per_level.values()), n, by_level, mode, per_level=per_level)
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


def level_factor_curve(per_level: dict, probs: np.ndarray) -> np.ndarray:
    """Factor at each probability: that of the level whose interval bound it is, linear in between.

    Examples
    --------
    >>> level_factor_curve({80: 0.5, 95: 1.0}, np.array([0.5, 0.1, 0.9, 0.05, 0.975, 0.999])).round(3).tolist()
    [0.5, 0.5, 0.5, 0.833, 1.0, 1.0]
    """
    lv = sorted(per_level)
    tail = np.abs(2 * np.asarray(probs, dtype=float) - 1)
    return np.interp(tail, [x / 100 for x in lv], [per_level[x] for x in lv])


def _log_grid(pred: Predictive, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted log-scale values of ``pred`` at ``m`` probabilities (and the probabilities)."""
    if not pred.closed_form and pred.space == "log":
        srt = pred.sorted_samples()
        return srt, (np.arange(srt.shape[0]) + 0.5) / srt.shape[0]
    probs = (np.arange(m) + 0.5) / m
    return pred.log_quantiles(probs), probs


def rescale_by_level(pred: Predictive, per_level: dict, grid: int = 2000) -> Predictive:
    """Scale the log-scale spread of ``pred`` around its median by a factor per interval level.

    The result is a log-scale sample distribution whose ``L``% interval is
    the median plus ``per_level[L]`` times the original interval's distances
    from the median (kept monotone).

    Examples
    --------
    >>> from forecast.intervals import year_index
    >>> p = Predictive(year_index([2025]), loc=np.array([0.0]), scale=np.array([1.0]))
    >>> r = rescale_by_level(p, {80: 0.5, 95: 1.0})
    >>> bool(abs(np.log(r.quantile(0.9))[0] - 0.5 * 1.2816) < 0.01), bool(abs(np.log(r.quantile(0.975))[0] - 1.96) < 0.02)
    (True, True)
    """
    srt, probs = _log_grid(pred, grid)
    med = np.median(srt, axis=0)
    f = level_factor_curve(per_level, probs)
    out = np.maximum.accumulate(med[None, :] + f[:, None] * (srt - med[None, :]), axis=0)
    return Predictive(pred.years, samples=out, space="log", meta=dict(pred.meta))


def rescale_paths_by_level(paths: np.ndarray, med: np.ndarray, per_level: dict) -> np.ndarray:
    """Sample paths (log scale, draws x years) with each year's spread scaled per level by rank.

    Examples
    --------
    >>> x = np.array([[-2.0], [-1.0], [0.0], [1.0], [2.0]])
    >>> rescale_paths_by_level(x, np.array([0.0]), {80: 0.5, 95: 0.5}).ravel().tolist()
    [-1.0, -0.5, 0.0, 0.5, 1.0]
    """
    n = paths.shape[0]
    order = np.argsort(paths, axis=0, kind="stable")
    srt = np.take_along_axis(paths, order, axis=0)
    f = level_factor_curve(per_level, (np.arange(n) + 0.5) / n)
    new = np.maximum.accumulate(med[None, :] + f[:, None] * (srt - med[None, :]), axis=0)
    out = np.empty_like(new)
    np.put_along_axis(out, order, new, axis=0)
    return out
