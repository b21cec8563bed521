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
from scipy import special

from forecast.errors import ForecastError

DEFAULT_LEVELS: tuple[int, ...] = (80, 95)
SPACES = ("log", "level")
MEAN_MC_TOL = 0.01   # a simulated mean is reported only when its Monte Carlo error is below 1%
NORMAL_DF = 1e6      # degrees of freedom at or above which a Student t is treated as Normal


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
            raise ForecastError(f"interval level {v:g} is at or below 1: levels are in percent; {hint}")
        out.append(int(v) if v.is_integer() else v)
    if not out:
        raise ForecastError("at least one interval level is needed")
    return tuple(sorted(set(out)))


def simulated_mean(values: np.ndarray, axis: int = 0) -> tuple[np.ndarray, str]:
    """Mean of simulated ``values`` along ``axis``, NaN where its Monte Carlo error is ``MEAN_MC_TOL`` (1%) or more.

    The Monte Carlo error is the standard error of the mean over the mean.
    Returns the means and a note saying why some are NaN ("" when none is).

    Examples
    --------
    >>> m, note = simulated_mean(np.exp(np.random.default_rng(0).normal(0, 0.1, (20000, 1))))
    >>> bool(abs(m[0] - np.exp(0.005)) < 0.005), note
    (True, '')
    """
    vals = np.asarray(values, dtype=float)
    n = vals.shape[axis]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        m = vals.mean(axis=axis)
        err = vals.std(axis=axis, ddof=1) / np.sqrt(n) / m if n > 1 else np.full(m.shape, np.inf)
    bad = ~(err < MEAN_MC_TOL)
    note = ""
    if bad.any():
        fin = err[np.isfinite(err)]
        worst = float(fin.max()) if fin.size else np.inf
        note = (f"mean not reported for {int(bad.sum())} of {bad.size} values: its Monte Carlo error from {n} draws "
                f"reaches {100 * worst:.3g}% (a mean is shown only below {100 * MEAN_MC_TOL:g}%); the distribution "
                "may have no mean; the median and intervals are unaffected")
    return np.where(bad, np.nan, m), note


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


def index_years(index: pd.Index) -> np.ndarray:
    """Calendar years (int64) of an index of annual periods.

    An annual ``PeriodIndex`` (December year end) stores each year as its
    ordinal, ``year - 1970``: read directly, without building a ``Period``
    per element (a backtest asks for these thousands of times).

    Examples
    --------
    >>> index_years(year_index([2001, 2024])).tolist()
    [2001, 2024]
    """
    if isinstance(index, pd.PeriodIndex) and index.freqstr == "Y-DEC":
        return index.asi8 + 1970
    if isinstance(index, pd.PeriodIndex):
        return np.asarray(index.year, dtype=np.int64)
    return np.array([p.year for p in index], dtype=np.int64)


def year_index(years: Iterable) -> pd.PeriodIndex:
    """Annual ``PeriodIndex`` named ``year`` from ints, Periods or timestamps.

    Examples
    --------
    >>> year_index([2024, 2025])
    PeriodIndex(['2024', '2025'], dtype='period[Y-DEC]', name='year')
    >>> year_index(pd.PeriodIndex(["2024"], freq="Y")).equals(year_index([2024]))
    True
    """
    # fast paths (a backtest builds thousands of these): an annual PeriodIndex, or whole years as integers
    if isinstance(years, pd.PeriodIndex) and years.freqstr == "Y-DEC":
        return years.rename("year")
    if isinstance(years, (np.ndarray, pd.Index, range, list, tuple)):
        arr = np.asarray(years)
        if arr.ndim == 1 and arr.dtype.kind in "iu" and len(arr):
            return pd.PeriodIndex.from_ordinals(arr.astype(np.int64) - 1970, freq="Y").rename("year")

    def one(y):
        if isinstance(y, pd.Period):
            return y.asfreq("Y")
        if isinstance(y, (int, np.integer)):  # an integer is a calendar year (pandas 3 reads it as an ordinal)
            return pd.Period(str(int(y)), freq="Y")
        return pd.Period(y, freq="Y")

    idx = pd.PeriodIndex([one(y) for y in years], freq="Y")
    return idx.rename("year")


def level_probs(levels: Sequence[float]) -> list[float]:
    """Probabilities of the median and of each level's bounds: ``[0.5, lower_L1, upper_L1, ...]``.

    Examples
    --------
    >>> [round(p, 3) for p in level_probs((80, 95))]
    [0.5, 0.1, 0.9, 0.025, 0.975]
    """
    probs = [0.5]
    for lv in levels:
        a = (1 - lv / 100) / 2
        probs += [a, 1 - a]
    return probs


def std_ppf(q: np.ndarray | float, df: np.ndarray | float) -> np.ndarray:
    """Standard Student t quantile (Normal where ``df`` is infinite), ``q`` and ``df`` broadcast together."""
    q = np.asarray(q, dtype=float)
    df = np.asarray(df, dtype=float)
    fin = np.isfinite(df)
    with np.errstate(invalid="ignore"):
        z_t = special.stdtrit(np.where(fin, df, 1.0), q)
    return np.where(fin, z_t, special.ndtri(q))


def std_quantiles(probs: Sequence[float] | np.ndarray, df: np.ndarray) -> np.ndarray:
    """Quantiles of the standard Student t (Normal where ``df`` is infinite): array ``(len(probs), len(df))``.

    Examples
    --------
    >>> std_quantiles([0.975], np.array([np.inf, 10.0])).round(3).tolist()
    [[1.96, 2.228]]
    """
    return std_ppf(np.asarray(probs, dtype=float)[:, None], np.asarray(df, dtype=float)[None, :])


def sample_quantiles(samples: np.ndarray, probs: Sequence[float] | np.ndarray) -> np.ndarray:
    """Quantiles of each column of ``samples`` at ``probs``: array ``(len(probs), n_columns)``.

    ``np.quantile(samples, probs, axis=0)``; for many probabilities (a
    mixture's grid) one full sort, then numpy's default (linear) rule with its
    own interpolation formula (:func:`sorted_quantiles`): the same numbers,
    several times faster.

    Examples
    --------
    >>> s = np.arange(11.0)[:, None]
    >>> sample_quantiles(s, [0.25, 0.5]).ravel().tolist()
    [2.5, 5.0]
    """
    probs = np.asarray(probs, dtype=float)
    if len(probs) <= 8:  # a few probabilities: numpy's partial sort is quicker than a full one
        return np.quantile(samples, probs, axis=0)
    return sorted_quantiles(np.sort(samples, axis=0), probs)


def sorted_quantiles(srt: np.ndarray, probs: Sequence[float] | np.ndarray) -> np.ndarray:
    """``np.quantile(samples, probs, axis=0)`` from ``srt``, the samples sorted along axis 0 (no NaN).

    numpy's default (linear) rule with its own index and interpolation
    formulas, so the numbers are the same to the last bit.

    Examples
    --------
    >>> sorted_quantiles(np.arange(11.0)[:, None], [0.25, 0.5, 1.0]).ravel().tolist()
    [2.5, 5.0, 10.0]
    """
    probs = np.asarray(probs, dtype=float)
    n = srt.shape[0]
    virt = probs * (n - 1)
    prev = np.floor(virt)
    gamma = (virt - prev)[:, None]
    lo = prev.astype(np.intp)
    hi = np.minimum(lo + 1, n - 1)
    a, b = srt[lo], srt[hi]
    diff = b - a
    out = a + diff * gamma
    np.subtract(b, diff * (1 - gamma), out=out, where=np.broadcast_to(gamma >= 0.5, out.shape))
    return out


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
    # the draws sorted year by year, made on the first quantile asked for (a forecast reads several sets of them)
    _sorted: tuple[np.ndarray, np.ndarray] | None = field(default=None, init=False, repr=False, compare=False)
    _mean: tuple[np.ndarray, np.ndarray, str] | None = field(default=None, init=False, repr=False, compare=False)

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

    def _t_cdf(self, w: np.ndarray) -> np.ndarray:
        """CDF of the working variable (closed form), without freezing a scipy distribution."""
        z = (np.asarray(w, dtype=float) - self.loc) / self.scale
        fin = np.isfinite(self.df)
        return np.where(fin, special.stdtr(np.where(fin, self.df, 1.0), z), special.ndtr(z))

    def _dist(self) -> SimpleNamespace:
        """``ppf`` and ``cdf`` of the working variable (closed form), broadcasting like scipy's frozen ones."""
        return SimpleNamespace(ppf=lambda q: self.loc + std_ppf(q, self.df) * self.scale, cdf=self._t_cdf)

    def _to_value(self, w: np.ndarray) -> np.ndarray:
        return np.exp(w) if self.space == "log" else w

    def _to_working(self, value: np.ndarray) -> np.ndarray:
        value = np.asarray(value, dtype=float)
        if self.space == "log":
            with np.errstate(divide="ignore"):
                return np.log(value)
        return value

    # -- public ------------------------------------------------------------
    def working_quantiles(self, probs: Sequence[float] | np.ndarray) -> np.ndarray:
        """Quantiles of the working variable (log or level) at ``probs``: array ``(len(probs), n_years)``.

        The one place where quantiles are computed: closed form through the
        standard Student t / Normal quantile function, draws through
        :func:`sample_quantiles`; a level-space distribution is truncated at
        zero.
        """
        probs = np.asarray(probs, dtype=float)
        if self.samples is not None:
            srt = self.sorted_samples()
            if srt.shape[0] and np.isnan(srt[-1]).any():  # NaN sorts last; numpy's rule returns NaN there
                return sample_quantiles(self.samples, probs)
            return sorted_quantiles(srt, probs)
        if self.space == "log":
            return self.loc[None, :] + std_quantiles(probs, self.df) * self.scale[None, :]
        f0 = self._t_cdf(np.zeros_like(self.loc))  # truncated at zero
        u = f0[None, :] + probs[:, None] * (1 - f0[None, :])
        fin = np.isfinite(self.df)[None, :]
        with np.errstate(invalid="ignore"):
            z = np.where(fin, special.stdtrit(np.where(fin, self.df[None, :], 1.0), u), special.ndtri(u))
        return self.loc[None, :] + z * self.scale[None, :]

    def shared(self) -> Predictive:
        """The same distribution as a new object that shares the arrays (and the sorted draws), with its own meta.

        For a fit that hands out the same forecast again without simulating it again.

        Examples
        --------
        >>> p = Predictive(year_index([2025]), samples=np.array([[1.0], [0.0]]))
        >>> q = p.shared()
        >>> q is p, q.samples is p.samples, q.median().tolist() == p.median().tolist()
        (False, True, True)
        """
        out = Predictive(self.years, loc=self.loc, scale=self.scale, df=self.df, samples=self.samples,
                         space=self.space, meta=dict(self.meta))
        out._sorted, out._mean = self._sorted, self._mean
        return out

    def sorted_samples(self) -> np.ndarray:
        """The draws sorted along each year (computed once; do not modify). Only for a distribution of draws."""
        if self.samples is None:
            raise ValueError("a closed-form distribution has no draws")
        if self._sorted is None or self._sorted[0] is not self.samples:  # made for these very draws
            self._sorted = (self.samples, np.sort(self.samples, axis=0))
        return self._sorted[1]

    def quantiles(self, probs: Sequence[float] | np.ndarray) -> np.ndarray:
        """Quantiles of the value at ``probs`` (0-1): array ``(len(probs), n_years)``.

        Examples
        --------
        >>> p = Predictive(year_index([2025]), loc=np.array([0.0]), scale=np.array([1.0]))
        >>> p.quantiles([0.5, 0.975]).round(3).ravel().tolist()
        [1.0, 7.099]
        """
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return np.maximum(self._to_value(self.working_quantiles(probs)), 0.0)

    def log_quantiles(self, probs: Sequence[float] | np.ndarray) -> np.ndarray:
        """Quantiles of the log of the value at ``probs``: array ``(len(probs), n_years)``."""
        if self.space == "log":
            return self.working_quantiles(probs)
        return np.log(np.maximum(self.quantiles(probs), np.finfo(float).tiny))

    def quantile(self, q: float | np.ndarray) -> np.ndarray:
        """Quantile ``q`` (0-1) of the value for each year.

        An array ``q`` broadcasts against the years for a closed form (as
        scipy's ``ppf``), and gives ``q.shape + (n_years,)`` for draws (as
        ``np.quantile``).
        """
        q = np.asarray(q, dtype=float)
        if q.ndim == 0:
            return self.quantiles([float(q)])[0]
        if self.samples is not None:
            return self.quantiles(q.ravel()).reshape(q.shape + (len(self.years),))
        if self.space == "log":
            with np.errstate(over="ignore"):
                return np.exp(self._dist().ppf(q))
        f0 = self._t_cdf(np.zeros_like(self.loc))
        return self._dist().ppf(f0 + q * (1 - f0))

    def values(self, levels: Sequence[float] = DEFAULT_LEVELS) -> dict[str, np.ndarray]:
        """``mean``, ``median`` and ``lower_L``/``upper_L`` for each level, one value per year.

        Examples
        --------
        >>> p = Predictive(year_index([2025]), loc=np.array([0.0]), scale=np.array([1.0]))
        >>> {k: round(float(v[0]), 3) for k, v in p.values((95,)).items()}
        {'mean': 1.649, 'median': 1.0, 'lower_95': 0.141, 'upper_95': 7.099}
        """
        qs = self.quantiles(level_probs(levels))
        with np.errstate(over="ignore", invalid="ignore"):
            out = {"mean": self.mean(), "median": qs[0]}
        for i, lv in enumerate(levels):
            out[f"lower_{level_label(lv)}"] = qs[1 + 2 * i]
            out[f"upper_{level_label(lv)}"] = qs[2 + 2 * i]
        return out

    def take(self, keep: np.ndarray | Sequence[int]) -> Predictive:
        """The distribution for a subset of its years (a boolean mask or positions).

        Examples
        --------
        >>> p = Predictive(year_index([2025, 2026]), loc=np.array([0.0, 1.0]), scale=np.array([1.0, 1.0]))
        >>> [y.year for y in p.take([1]).years]
        [2026]
        """
        keep = np.asarray(keep)
        if self.samples is not None:
            return Predictive(self.years[keep], samples=self.samples[:, keep], space=self.space, meta=dict(self.meta))
        return Predictive(self.years[keep], loc=self.loc[keep], scale=self.scale[keep],
                          df=np.asarray(self.df)[keep], space=self.space, meta=dict(self.meta))

    def median(self) -> np.ndarray:
        """Median of the value for each year (exp of the log-scale median)."""
        return self.quantile(0.5)

    def mean(self) -> np.ndarray:
        """Mean of the value for each year; NaN where it does not exist or cannot be estimated.

        On the log scale with Normal tails this is the bias-adjusted
        back-transform ``exp(mu + s**2 / 2)`` (``s`` the predictive scale). A
        Student t on the log scale (finite ``df`` below ``NORMAL_DF``) has no
        mean (``E exp(T)`` is infinite for every finite df): NaN. From draws it
        is the average of the back-transformed draws, reported only when its
        Monte Carlo error (standard error over mean) is below ``MEAN_MC_TOL``
        (1%); otherwise NaN. Why a value is NaN is said in
        ``meta["mean_note"]`` (empty when every year has a mean).

        Examples
        --------
        >>> p = Predictive(year_index([2025]), loc=np.array([0.0]), scale=np.array([1.0]), df=5.0)
        >>> bool(np.isnan(p.mean()[0])), "no mean" in p.meta["mean_note"]
        (True, True)
        """
        self.meta["mean_note"] = ""
        if self.samples is not None:
            if self._mean is None or self._mean[0] is not self.samples:  # made once for these very draws
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    vals = np.maximum(self._to_value(self.samples), 0.0)
                self._mean = (self.samples, *simulated_mean(vals, axis=0))
            _, m, note = self._mean
            self.meta["mean_note"] = note
            return m.copy()
        if self.space == "log":
            heavy = np.asarray(self.df) < NORMAL_DF
            if heavy.any():
                self.meta["mean_note"] = ("no mean: the predictive is a Student t on the log scale, whose "
                                          "back-transformed mean is infinite; the median and intervals are shown")
            return np.where(heavy, np.nan, np.exp(self.loc + self.scale**2 / 2))
        from scipy import stats

        a = -self.loc / self.scale
        return stats.truncnorm(a, np.inf, loc=self.loc, scale=self.scale).mean()

    def cdf(self, value: float | np.ndarray) -> np.ndarray:
        """P(Y <= value) for each year (``value`` scalar or one per year)."""
        w = self._to_working(np.broadcast_to(np.asarray(value, dtype=float), (len(self.years),)))
        if self.samples is not None:
            return (self.samples <= w[None, :]).mean(axis=0)
        if self.space == "log":
            return self._t_cdf(w)
        f0 = self._t_cdf(np.zeros_like(w))
        return np.clip((self._t_cdf(w) - f0) / (1 - f0), 0.0, 1.0)

    def to_frame(self, levels: Sequence[float] = DEFAULT_LEVELS, model: str = "", unit: str = "") -> pd.DataFrame:
        """The standard forecast frame (see module docstring)."""
        levels = check_levels(levels)
        data: dict[str, np.ndarray | str] = dict(self.values(levels))
        data["model"] = model
        frame = pd.DataFrame(data, index=self.years)[interval_columns(levels)]
        frame.attrs.update({"unit": unit, "model": model, "levels": levels})
        frame.columns.name = f"unit: {unit}" if unit else None  # shown above the index when the frame is printed
        if self.meta.get("mean_note"):
            frame.attrs["mean_note"] = self.meta["mean_note"]
        return frame


def validate_frame(frame: pd.DataFrame) -> None:
    """Raise ``AssertionError`` unless ``frame`` follows the interval schema.

    Checks the index, the columns, finiteness, positivity and nesting
    (lower_95 <= lower_80 <= median <= upper_80 <= upper_95). The ``mean``
    column may be NaN (a mean that does not exist), never infinite.
    """
    assert isinstance(frame.index, pd.PeriodIndex) and frame.index.freqstr.startswith("Y"), "index must be annual"
    levels = frame.attrs.get("levels")
    assert levels, "attrs['levels'] missing"
    assert list(frame.columns) == interval_columns(levels), f"columns {list(frame.columns)}"
    assert "unit" in frame.attrs, "attrs['unit'] missing"
    num = frame.drop(columns=["model", "mean"]).to_numpy(dtype=float)
    assert np.isfinite(num).all(), "non-finite values"
    assert (num > 0).all(), "non-positive values"
    mean = frame["mean"].to_numpy(dtype=float)  # NaN where the mean does not exist (see Predictive.mean)
    assert ((mean > 0) | np.isnan(mean)).all() and not np.isinf(mean).any(), "mean not positive (or NaN)"
    prev_lo = frame["median"].to_numpy()
    prev_hi = prev_lo
    for lv in levels:  # ascending levels: each band contains the previous one
        lo = frame[f"lower_{level_label(lv)}"].to_numpy()
        hi = frame[f"upper_{level_label(lv)}"].to_numpy()
        assert (lo <= prev_lo * (1 + 1e-12)).all() and (hi >= prev_hi * (1 - 1e-12)).all(), f"level {lv} not nested"
        prev_lo, prev_hi = lo, hi
