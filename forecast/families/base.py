"""The one result type every model returns, and input coercion.

A model family is a function ``fit_<family>(y, **options) -> FitResult``
where ``y`` is an annual series already checked by :func:`as_annual`. A
:class:`FitResult` subclass implements two methods:

- ``_predictive(years)`` -> :class:`forecast.intervals.Predictive`: the
  marginal predictive distribution for each future year, including parameter
  uncertainty and residual noise;
- ``_simulate(years, n, rng)`` -> array ``(n, len(years))`` of joint sample
  paths in the result's working space (``log`` or ``level``), drawn with
  parameter uncertainty too.

A family whose curve is defined at every calendar year (the trends and the
saturating curves) sets ``in_sample_curve = True``: its ``_predictive`` then
also serves years inside (or shortly before) the data window. The others
(random walk, ETS, ARIMA, auto) are judged inside the window by their
in-sample fitted value with the spread of their residuals.

Everything users see (``predictive_at``, ``forecast``, ``simulate``,
``observations``, ``summary``, ``plot``) is built here, so evaluation, claims, plots and the report never branch on the
model family.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import DataError, ModelError
from forecast.intervals import DEFAULT_LEVELS, Predictive, check_levels, index_years, year_index

__all__ = ["FitResult", "as_annual", "fill_gaps_log", "future_years", "merge_notes", "years_of"]


def as_annual(y: Any, name: str = "series") -> pd.Series:
    """Return ``y`` as a float ``pd.Series`` on an annual ``PeriodIndex``.

    Accepts a Series indexed by a yearly ``PeriodIndex``, by integer years, by
    year-like strings or by timestamps (converted, not rejected). Values must
    be positive and finite and years unique; ``attrs`` (e.g. the unit) are
    kept.

    Examples
    --------
    >>> s = as_annual(pd.Series([1.0, 2.0], index=[2020, 2021]))
    >>> s.index
    PeriodIndex(['2020', '2021'], dtype='period[Y-DEC]', name='year')
    """
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DataError(f"{name}: expected one column of values, got {y.shape[1]} columns")
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series):
        raise DataError(f"{name}: expected a pandas Series of annual values, got {type(y).__name__}")
    attrs = dict(y.attrs)
    idx = y.index
    if (isinstance(idx, pd.PeriodIndex) and idx.freqstr == "Y-DEC" and y.dtype == np.float64 and len(idx)
            and idx.is_monotonic_increasing and idx.is_unique):
        # already annual, sorted and unique (a backtest slices such series thousands of times): check the values only
        values = y.to_numpy(dtype=float, copy=True)
        years = idx.asi8 + 1970
        if np.isfinite(values).all() and (values > 0).all() and years[0] >= 1000 and years[-1] <= 9999:
            out = pd.Series(values, index=idx.rename("year"), name=y.name)
            out.attrs.update(attrs)
            return out
    try:
        if isinstance(idx, pd.PeriodIndex):
            if not idx.freqstr.startswith("Y") and not idx.freqstr.startswith("A"):
                raise DataError(f"{name}: index has frequency {idx.freqstr!r}; annual data is needed")
            years = np.asarray(idx.year, dtype=np.int64)
        elif isinstance(idx, pd.DatetimeIndex):
            years = list(idx.year)
        else:
            years = []
            for v in idx:
                fv = float(v)
                if not fv.is_integer():
                    raise DataError(f"{name}: index value {v!r} is not a whole year")
                years.append(int(fv))
    except (TypeError, ValueError):
        raise DataError(f"{name}: index value(s) cannot be read as years: {list(idx[:3])!r}") from None
    odd = [yr for yr in years if not 1000 <= yr <= 9999]
    if odd:
        hint = (f"; a plain 0, 1, 2, ... index? give the years, e.g. y.index = range(2001, 2001 + {len(years)})"
                if sorted(years)[:1] in ([0], [1]) else "")
        raise DataError(f"{name}: index value {odd[0]} is not a calendar year (4 digits expected){hint}")
    try:
        values = pd.to_numeric(pd.Series(y.to_numpy()), errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"{name}: values are not numeric") from None
    out = pd.Series(values, index=year_index(years), name=y.name).sort_index()
    dup = out.index[out.index.duplicated()]
    if len(dup):
        raise DataError(f"{name}: year {dup[0].year} appears more than once")
    bad = out[~np.isfinite(out.to_numpy()) | (out.to_numpy() <= 0)]
    if len(bad):
        raise DataError(f"{name}: value for {bad.index[0].year} is {bad.iloc[0]!r}; values must be positive and finite")
    if len(out) == 0:
        raise DataError(f"{name}: the series is empty")
    out.attrs.update(attrs)
    return out


def years_of(y: pd.Series) -> np.ndarray:
    """Integer years of an annual series."""
    return index_years(y.index).astype(int, copy=False)


def future_years(last_year: int, horizon: int | None = None, until: int | None = None) -> pd.PeriodIndex:
    """Years after ``last_year``: ``horizon`` of them, or through ``until``."""
    if (horizon is None) == (until is None):
        raise ModelError("give exactly one of horizon= or until=")
    if until is not None:
        until = int(until)
        if until <= last_year:
            raise ModelError(f"until={until} must be after the last observed year {last_year}")
        horizon = until - last_year
    horizon = int(horizon)
    if horizon < 1:
        raise ModelError(f"horizon must be at least 1, got {horizon}")
    return year_index(range(last_year + 1, last_year + horizon + 1))


def fill_gaps_log(y: pd.Series) -> tuple[pd.Series, list[int]]:
    """Fill missing years by linear interpolation on the log scale.

    Returns the consecutive series and the list of years that were filled.
    """
    yrs = years_of(y)
    full = np.arange(yrs.min(), yrs.max() + 1)
    missing = sorted(set(full) - set(yrs))
    if not missing:
        return y, []
    logv = np.interp(full, yrs, np.log(y.to_numpy()))
    out = pd.Series(np.exp(logv), index=year_index(full), name=y.name)
    out.attrs.update(y.attrs)
    return out, [int(m) for m in missing]


def merge_notes(notes: Sequence[str]) -> list[str]:
    """The notes with the same words said once: ``"drift, arima: ..."`` instead of one line per model.

    Notes of the form ``"<model>: <text>"`` whose texts agree (once the model's
    own name in quotes is set aside) are merged into one line naming the models.

    Examples
    --------
    >>> merge_notes(["drift: gap filled ('drift' needs consecutive years)",
    ...              "arima: gap filled ('arima' needs consecutive years)", "auto chose drift"])
    ['drift, arima: gap filled (each needs consecutive years)', 'auto chose drift']
    """
    import re

    groups: dict[str, list[str]] = {}
    for note in notes:
        m = re.match(r"^([a-z][a-z0-9_]*): (.*)$", note, flags=re.DOTALL)
        name, key = (m.group(1), m.group(2).replace(f"'{m.group(1)}'", "'{}'")) if m else (None, note)
        names = groups.setdefault(key, [])
        if name is not None and name not in names:
            names.append(name)
    out = []
    for key, names in groups.items():
        if not names:
            out.append(key)
        elif len(names) == 1:
            out.append(f"{names[0]}: {key.replace(chr(39) + '{}' + chr(39), repr(names[0]))}")
        else:
            out.append(f"{', '.join(names)}: {key.replace(chr(39) + '{}' + chr(39), 'each')}")
    return out


class FitResult:
    """A fitted model: parameters, fit, forecasts with intervals, sample paths.

    Subclasses set the attributes below in ``__init__`` and implement
    ``_predictive`` and ``_simulate``.

    Attributes
    ----------
    model : str
        The model's name as given to :func:`forecast.fit` (``"exponential"``, ...).
    y : pd.Series
        The observed series (annual ``PeriodIndex``); its unit is ``attrs["unit"]``.
    params : pd.DataFrame
        One row per parameter with ``estimate``, ``std_err`` and ``identified``;
        an unidentified parameter has ``identified=False`` and NaN numbers.
    fitted : pd.Series
        In-sample fitted values (medians) on the scale of ``y``.
    residuals : pd.Series
        In-sample residuals in the working space (log scale for log models).
    aicc : float or None
        Small-sample AIC where defined (comparable only between models of the
        same response on the same observations).
    notes : list of str
        What a user must know (capacity not identified, a gap interpolated, a
        fallback taken).
    space : str
        ``"log"`` or ``"level"``: where the model's errors are additive.
    options : dict
        The options the model was fitted with (for refitting in backtests).
    """

    model: str = ""
    space: str = "log"
    in_sample_curve: bool = False
    # attributes a subclass may make on first use instead of at fit time (a backtest reads only forecasts)
    _DEFERRED: frozenset[str] = frozenset()

    def __getattr__(self, name: str) -> Any:
        # called only for attributes not set: a deferred one is made by _complete(), once; then it is ordinary
        if name in type(self)._DEFERRED and self.__dict__.get("_incomplete"):
            kept = {k: self.__dict__[k] for k in type(self)._DEFERRED if k in self.__dict__}  # set by a user: kept
            self.__dict__["_incomplete"] = False
            try:
                self._complete()
            except BaseException:
                self.__dict__["_incomplete"] = True
                raise
            self.__dict__.update(kept)
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _complete(self) -> None:  # pragma: no cover - only subclasses with _DEFERRED attributes call it
        """Make the ``_DEFERRED`` attributes (a subclass that defers them sets ``_incomplete = True``)."""
        raise NotImplementedError

    def __init__(self, y: pd.Series, *, params: pd.DataFrame, fitted: pd.Series, residuals: pd.Series,
                 aicc: float | None = None, notes: Sequence[str] = (), options: dict | None = None,
                 model: str | None = None) -> None:
        self.y = y
        if model is not None:
            self.model = model
        params = params.copy()
        if "identified" not in params:
            params["identified"] = True
        cols = ["estimate", "std_err", "identified"]
        self.params = params if list(params.columns) == cols else params[cols]
        self.fitted = fitted
        self.residuals = residuals
        self.aicc = aicc
        self.notes = list(notes)
        self.options = dict(options or {})

    # ------------------------------------------------------------------ API
    @property
    def unit(self) -> str:
        """Unit of the series and of every forecast (e.g. ``"USD"``)."""
        return str(self.y.attrs.get("unit", ""))

    @property
    def nobs(self) -> int:
        """Number of observations the model was fitted to."""
        return int(len(self.y))

    @property
    def last_year(self) -> int:
        """Last observed year."""
        return int(self.y.index[-1].year)

    @property
    def first_year(self) -> int:
        """First observed year."""
        return int(self.y.index[0].year)

    def observations(self) -> pd.Series:
        """The observed series (annual ``PeriodIndex``, unit in ``attrs``)."""
        return self.y

    def predictive(self, horizon: int | None = None, until: int | None = None) -> Predictive:
        """Predictive distribution for each of the next years (see :class:`Predictive`)."""
        return self._predictive(future_years(self.last_year, horizon, until))

    def predictive_at(self, years: Sequence[int]) -> Predictive:
        """Distribution of the series' figure for any ``years``, inside the data window or after it.

        After the last observation this is the predictive distribution. Inside
        the window it is the distribution of a figure for that year given the
        fit: the model's own predictive where its curve is defined at every
        year (trends, logistic, Gompertz; also up to a few years before the
        data), otherwise (random walk, ETS, ARIMA, auto) the in-sample fitted
        value with the spread of the in-sample residuals, a Student t with
        ``n - 1`` degrees of freedom on the working scale.

        Raises
        ------
        ModelError
            A year before the data of a model that has no curve there.

        Examples
        --------
        >>> import forecast
        >>> res = forecast.fit(forecast.series("ic3"), model="exponential")
        >>> p = res.predictive_at([2015, 2030])
        >>> [int(y.year) for y in p.years]
        [2015, 2030]
        """
        yrs = np.array([int(y) for y in years])
        if self.in_sample_curve or (yrs > self.last_year).all():
            return self._predictive(year_index(yrs))
        past = yrs <= self.last_year
        parts = [(past, self._residual_predictive(yrs[past]))]
        if (~past).any():
            parts.append((~past, self._predictive(year_index(yrs[~past]))))
        return _join(yrs, parts, self.space)

    def forecast(self, horizon: int | None = None, until: int | None = None,
                 levels: Sequence[float] = DEFAULT_LEVELS) -> pd.DataFrame:
        """Forecast frame in the package's interval schema.

        Parameters
        ----------
        horizon : int, optional
            Number of years after the last observation.
        until : int, optional
            Last year to forecast (instead of ``horizon``).
        levels : sequence of float
            Interval levels in percent.

        Returns
        -------
        pd.DataFrame
            Indexed by year; ``mean`` (bias-adjusted), ``median``,
            ``lower_L``/``upper_L`` per level, ``model``; unit in ``attrs``.
        """
        levels = check_levels(levels)
        frame = self.predictive(horizon, until).to_frame(levels, model=self.model, unit=self.unit)
        frame.attrs["notes"] = list(self.notes)
        return frame

    def simulate(self, horizon: int, n: int = 1000, seed: int | None = 0) -> pd.DataFrame:
        """Joint sample paths of the next ``horizon`` years.

        Parameters
        ----------
        horizon : int
            Number of future years.
        n : int
            Number of paths.
        seed : int
            Seed of the random generator: the same seed gives the same paths.

        Returns
        -------
        pd.DataFrame
            Index: years; columns: path number; values on the scale of ``y``.
        """
        years = future_years(self.last_year, horizon)
        if int(n) < 1:
            raise ModelError(f"n must be at least 1, got {n}")
        rng = np.random.default_rng(seed)
        w = np.asarray(self._simulate(years, int(n), rng), dtype=float)
        values = np.exp(w) if self.space == "log" else np.maximum(w, 0.0)
        frame = pd.DataFrame(values.T, index=years)
        frame.attrs["unit"] = self.unit
        frame.attrs["model"] = self.model
        return frame

    def summary(self) -> str:
        """A readable summary: the model, the data, the parameters and the notes."""
        yrs = years_of(self.y)
        lines = [f"Model: {self.model}    (errors additive on the {self.space} scale)",
                 f"Data: {self.nobs} observations, {yrs[0]}-{yrs[-1]}" + (f", unit {self.unit}" if self.unit else "")]
        if self.aicc is not None and np.isfinite(self.aicc):
            lines.append(f"AICc: {self.aicc:.2f}")
        lines.append("")
        w = max([16, *(len(str(n)) + 2 for n in self.params.index)])
        lines.append(f"{'parameter':<{w}}{'estimate':>14}{'std. error':>14}")
        for name, row in self.params.iterrows():
            if not row["identified"]:
                lines.append(f"{name:<{w}}{'not identified by the data':>28}")
            else:
                se = "" if not np.isfinite(row["std_err"]) else f"{row['std_err']:.4g}"
                lines.append(f"{name:<{w}}{row['estimate']:>14.6g}{se:>14}")
        if self.notes:
            lines.append("")
            lines += [f"Note: {n}" for n in merge_notes(self.notes)]
        return "\n".join(lines)

    def _fitted_to(self) -> str:
        """``"IC3 reported losses: 23 observations 2001-2024 (USD), last $16.6bn"``."""
        from forecast.data.money import format_amount

        yrs = years_of(self.y)
        name = self.y.attrs.get("name") or self.y.name or "series"
        unit = f" ({self.unit})" if self.unit else ""
        return (f"{name}: {self.nobs} observations {yrs[0]}-{yrs[-1]}{unit}, "
                f"last {format_amount(float(self.y.iloc[-1]), self.unit)}")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.model!r} fitted to {self._fitted_to()}>"

    def _repr_html_(self) -> str:
        """What was fitted, to what, the parameters, the next years' forecast and the notes (for notebooks)."""
        import html

        from forecast.data.money import format_amount

        esc = html.escape
        parts = [f"<p><b>{esc(self.model)}</b> fitted to {esc(self._fitted_to())}"
                 f" &middot; errors additive on the {esc(self.space)} scale</p>"]
        rows = []
        for name, row in self.params.iterrows():
            if not row["identified"]:
                rows.append(f"<tr><td>{esc(str(name))}</td><td colspan='2'>not identified by the data</td></tr>")
            else:
                se = "" if not np.isfinite(row["std_err"]) else f"{row['std_err']:.4g}"
                rows.append(f"<tr><td>{esc(str(name))}</td><td>{row['estimate']:.6g}</td><td>{se}</td></tr>")
        parts.append("<table><tr><th>parameter</th><th>estimate</th><th>std. error</th></tr>" + "".join(rows)
                     + "</table>")
        try:
            fc = self.forecast(horizon=3)
        except Exception as exc:  # noqa: BLE001 - a display never fails: it says why there is no forecast
            parts.append(f"<p>No forecast: {esc(str(exc))}</p>")
        else:
            cells = "".join(
                f"<tr><td>{p.year}</td><td>{esc(format_amount(r['median'], self.unit))}</td>"
                f"<td>{esc(format_amount(r['lower_80'], self.unit))} to {esc(format_amount(r['upper_80'], self.unit))}"
                f"</td><td>{esc(format_amount(r['lower_95'], self.unit))} to "
                f"{esc(format_amount(r['upper_95'], self.unit))}</td></tr>" for p, r in fc.iterrows())
            parts.append("<table><tr><th>year</th><th>median</th><th>80% interval</th><th>95% interval</th></tr>"
                         + cells + "</table>")
        notes = merge_notes(self.notes)
        if notes:
            parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
        return "<div>" + "".join(parts) + "</div>"

    def plot(self, horizon: int = 6, levels: Sequence[float] = DEFAULT_LEVELS, **kwargs: Any):
        """Fan chart of the history and the forecast (see :func:`forecast.plots.fan_chart`)."""
        from forecast.plots.fan import fan_chart

        return fan_chart(self.y, self.forecast(horizon=horizon, levels=levels), **kwargs)

    def _residual_predictive(self, years: np.ndarray) -> Predictive:
        """In-sample fitted values of ``years`` with the spread of the in-sample residuals."""
        fitted_years = [p.year for p in self.fitted.index]
        missing = [int(y) for y in years if int(y) not in fitted_years]
        if missing:
            raise ModelError(f"year {missing[0]} is outside the fitted values of the {self.model!r} model "
                             f"({fitted_years[0]}-{fitted_years[-1]}); a time-series model has no figure there")
        res = np.asarray(self.residuals, dtype=float)
        res = res[np.isfinite(res)]
        if len(res) < 2:
            raise ModelError(f"the {self.model!r} model has too few residuals to judge a year inside its data")
        scale = float(np.sqrt(np.sum(res**2) / (len(res) - 1)))
        values = np.array([float(self.fitted.iloc[fitted_years.index(int(y))]) for y in years])
        loc = np.log(values) if self.space == "log" else values
        return Predictive(year_index(years), loc=loc, scale=np.full(len(years), max(scale, 1e-12)),
                          df=float(len(res) - 1), space=self.space)

    # ------------------------------------------------- subclass obligations
    def _predictive(self, years: pd.PeriodIndex) -> Predictive:  # pragma: no cover - abstract
        raise NotImplementedError

    def _simulate(self, years: pd.PeriodIndex, n: int, rng: np.random.Generator) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


def _join(years: np.ndarray, parts: list[tuple[np.ndarray, Predictive]], space: str) -> Predictive:
    """One :class:`Predictive` for ``years`` from pieces, each covering the years where its mask is true.

    Closed-form pieces are concatenated; when a piece is given by draws, the
    closed-form ones are represented by the same number of evenly spaced
    quantiles (each year's marginal is what counts, not the joint draws).
    """
    if all(p.closed_form for _, p in parts):
        loc, scale, df = np.empty(len(years)), np.empty(len(years)), np.empty(len(years))
        for mask, p in parts:
            loc[mask], scale[mask], df[mask] = p.loc, p.scale, np.asarray(p.df, dtype=float)
        return Predictive(year_index(years), loc=loc, scale=scale, df=df, space=space)
    n = max(p.samples.shape[0] for _, p in parts if not p.closed_form)
    samples = np.empty((n, len(years)))
    probs = (np.arange(n) + 0.5) / n
    for mask, p in parts:
        if p.closed_form:
            samples[:, mask] = p._dist().ppf(probs[:, None])
        else:
            idx = np.linspace(0, p.samples.shape[0] - 1, n).round().astype(int)
            samples[:, mask] = np.sort(p.samples, axis=0)[idx]
    return Predictive(year_index(years), samples=samples, space=space)
