"""``model="auto"``: combine or choose candidate models by their backtest record.

The default rule, the same for every series:

1. Backtest every candidate on the series given (rolling origin, horizons
   1-3, the default origins of :func:`forecast.backtest`, which depend on
   the series only). The result keeps that backtest (``.backtest``,
   ``.origins``), so nothing downstream rebuilds it.
   Candidates that need more data than the series allows, or that fail at
   an origin, are left out (and the notes say so).
2. Score each by the weighted interval score (WIS) on the log scale, a proper
   score of the median and the 80% and 95% intervals together; MAPE and
   coverage are shown beside it in ``.candidates``.
3. Use the equal-weight combination of every candidate kept (a mixture of
   their log-scale predictive distributions). With the few backtest windows
   an annual series allows, picking a winner mostly picks noise; averaging
   local time-series models (drift, ARIMA, ETS, damped ETS) is the robust
   choice. ``combine="auto"`` instead uses the combination of the ``top``
   best only when its backtest WIS is no worse than the best single
   candidate's, otherwise that candidate; ``combine=False`` picks the best.
4. Calibrate the interval width of the choice from its own backtest errors
   (conformal; see :mod:`forecast.evaluate.calibrate`), and say on how many
   errors that rests.

Global trend curves (exponential, quadratic, logistic, Gompertz) are not
default candidates: they assume one growth path for the whole history and,
on series whose growth changes, forecast worst (see ``benchmarks/README.md``).
They can be added with ``candidates=``.

AIC is never compared across families (the candidates differ in response and
observations). When the result of ``auto`` is itself backtested, each origin
runs this whole rule on the data up to that origin only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ModelError
from forecast.evaluate.accuracy import accuracy
from forecast.evaluate.backtest import Backtest, backtest, default_origins
from forecast.evaluate.defaults import DEFAULT_CANDIDATES
from forecast.evaluate.fitcache import _CACHE, cache_key, fit_cache, fit_cached, forecast_cached
from forecast.evaluate.calibrate import MODES, Calibration, calibration, rescale_paths_by_level
from forecast.intervals import Predictive, index_years, level_label, year_index
from forecast.families import ModelSpec, get_spec, register
from forecast.families.base import FitResult, as_annual, years_of

__all__ = ["AutoResult", "DEFAULT_CANDIDATES", "fit_auto", "mixture"]

SCORE_LEVELS: tuple[int, ...] = (80, 95)
FALLBACKS: tuple[str, ...] = ("drift", "exponential")
_GRID_POINTS = 1200  # quasi-draws per unit weight when mixing distributions


def mixture(preds: Sequence[Predictive], weights: Sequence[float]) -> Predictive:
    """Mixture of predictive distributions on the log scale, as quasi-draws.

    Each component contributes its quantiles at an even grid of probabilities
    (as many as its weight warrants), so the mixture is deterministic and its
    quantiles accurate without random noise.

    Examples
    --------
    >>> from forecast.intervals import year_index
    >>> a = Predictive(year_index([2025]), loc=np.array([0.0]), scale=np.array([0.1]))
    >>> b = Predictive(year_index([2025]), loc=np.array([1.0]), scale=np.array([0.1]))
    >>> round(float(np.log(mixture([a, b], [0.5, 0.5]).quantile(0.25))[0]), 2)
    0.0
    """
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    blocks = []
    for p, wk in zip(preds, w, strict=True):
        m = max(1, int(round(wk * _GRID_POINTS * len(w))))
        probs = (np.arange(m) + 0.5) / m
        blocks.append(p.log_quantiles(probs))
    return Predictive(preds[0].years, samples=np.vstack(blocks), space="log",
                      meta={"mixture": True, "weights": w.tolist()})


class AutoResult(FitResult):
    """The model ``auto`` chose (one candidate or a combination) with its reasons.

    Attributes
    ----------
    candidates : pd.DataFrame
        One row per candidate (and one for the combination): backtest
        ``mape`` (%), ``coverage_80``/``coverage_95`` (%), ``winkler_80``/
        ``winkler_95`` and ``wis`` (log scale), ``windows`` (errors scored),
        ``weight`` in the forecast, and ``status``.
    choice : str
        What was used and why, in one sentence.
    components : dict
        Candidate name -> its :class:`FitResult` fitted to the whole series.
    weights : dict
        Candidate name -> weight in the forecast.
    calibration : Calibration
        Interval-width factor and the number of errors it rests on.
    backtest : pd.DataFrame or None
        The backtest the choice was made on (a :func:`forecast.backtest`
        frame): every candidate kept, and the combination as model
        ``"combination"`` when one was scored; ``None`` for a fallback.
    origins : list of int
        Its origins (empty for a fallback).
    horizon : int
        Its horizons are ``1 ... horizon``.
    rerun : pd.DataFrame or None
        The backtest of the whole rule re-run at each origin, calibration
        included, once :func:`forecast.evaluate.record.rerun_backtest` has
        made it (``None`` until then).
    """

    model = "auto"
    # the parameter table, fit and notes are made from the components on first use: a backtest of auto (which
    # fits it at every origin) reads only its forecasts
    _DEFERRED = frozenset({"params", "fitted", "residuals", "aicc", "notes"})

    def __init__(self, y: pd.Series, *, components: dict[str, FitResult], weights: dict[str, float],
                 candidates: pd.DataFrame, choice: str, calib: Calibration, notes: Sequence[str] = (),
                 options: dict | None = None) -> None:
        self.y = y
        self.options = dict(options or {})
        self.components = components
        self.weights = weights
        self.candidates = candidates
        self.choice = choice
        self.calibration = calib
        self.backtest: pd.DataFrame | None = None
        self.origins: list[int] = []
        self.horizon = int(self.options.get("horizon", 3))
        self.rerun: pd.DataFrame | None = None
        self.space = "log"
        self._rule_notes = list(notes)
        self._incomplete = True

    def _complete(self) -> None:
        """The parameter table (the weights, or the one model's), the fit and the notes, from the components."""
        comps, weights, calib = self.components, self.weights, self.calibration
        names = list(weights)
        if len(names) == 1:
            comp = comps[names[0]]
            params = comp.params.copy()
            fitted = comp.fitted
        else:
            params = pd.DataFrame({"estimate": [weights[n] for n in names], "std_err": np.nan, "identified": True},
                                  index=pd.Index([f"weight[{n}]" for n in names], name="parameter"))
            logs = pd.concat([np.log(comps[n].fitted.rename(n)) for n in names], axis=1, join="inner")
            fitted = np.exp((logs * np.array([weights[n] for n in names])).sum(axis=1)).rename("fitted")
        y = self.y
        common = fitted.index.intersection(y.index)
        residuals = pd.Series(np.log(y.loc[common].to_numpy()) - np.log(fitted.loc[common].to_numpy()),
                              index=common, name="residual")
        all_notes = [f"auto chose {self.choice}", *self._rule_notes]
        if calib.mode != "none" or calib.n:
            all_notes.append(calib.note())
        for n in names:
            for note in comps[n].notes:
                text = f"{n}: {note}" if len(names) > 1 else note
                if text not in all_notes:
                    all_notes.append(text)
        FitResult.__init__(self, y, params=params, fitted=fitted, residuals=residuals, aicc=None, notes=all_notes,
                           options=self.options, model="auto")

    def _predictive(self, years: pd.PeriodIndex) -> Predictive:
        names = list(self.weights)
        if len(names) == 1:
            pred = self.components[names[0]]._predictive(years)
        else:
            pred = mixture([self.components[n]._predictive(years) for n in names],
                           [self.weights[n] for n in names])
        return self.calibration.apply(pred, self._horizons(years))

    def _horizons(self, years: pd.PeriodIndex) -> np.ndarray:
        """Years ahead of the last observation."""
        return index_years(year_index(years)) - int(years_of(self.y)[-1])

    def _simulate(self, years: pd.PeriodIndex, n: int, rng: np.random.Generator) -> np.ndarray:
        names = list(self.weights)
        counts = rng.multinomial(n, [self.weights[k] for k in names])
        blocks = []
        for name, c in zip(names, counts, strict=True):
            if c == 0:
                continue
            comp = self.components[name]
            w = np.asarray(comp._simulate(years, int(c), rng), dtype=float)
            if comp.space != "log":
                w = np.log(np.maximum(w, np.finfo(float).tiny))
            blocks.append(w)
        paths = np.vstack(blocks)[rng.permutation(n)]
        calib = self.calibration
        if calib.per_level:
            med = np.log(self._predictive(years).median())
            return rescale_paths_by_level(paths, med, calib.per_level)
        f = calib.factors(self._horizons(years))
        if np.any(f != 1.0):
            med = np.log(self._predictive(years).median())
            paths = med[None, :] + f[None, :] * (paths - med[None, :])
        return paths


def _combo_rows(bt: pd.DataFrame, names: Sequence[str], y: pd.Series, horizon: int,
                options: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Backtest rows of the equal-weight mixture of ``names`` at the origins of ``bt``."""
    base = bt[bt["model"] == names[0]]
    base_origins = base["origin"].to_numpy(dtype=np.int64)
    base_years = base["year"].to_numpy(dtype=np.int64)
    yrs = years_of(y)
    cache = _CACHE.get()
    values: dict[str, list[np.ndarray]] = {}
    vals = y.to_numpy(dtype=float)
    for origin in np.unique(base_origins):
        rows = np.flatnonzero(base_origins == origin)
        upto = int(np.searchsorted(yrs, origin, side="right"))  # the years up to the origin
        data = (yrs[:upto].tobytes(), vals[:upto].tobytes())  # data_key of that prefix, without building it
        keys = tuple(cache_key(y, n, options.get(n, {}), data) for n in names)
        key = ("mixture", keys, int(origin), horizon)
        if cache is not None and key in cache:
            mix, v = cache[key]
        else:
            train = y.iloc[:upto]
            preds = [forecast_cached(train, n, options.get(n, {}), int(origin), horizon, SCORE_LEVELS, data=data)[0]
                     for n in names]
            mix = mixture(preds, [1.0] * len(names))
            # the same members in another order (another ranking) stack the same quasi-draws in another order: their
            # sorted values, all the quantiles need, are the same; only the mean is summed again, in this order
            sorted_key = ("mixture sorted", tuple(sorted(keys)), int(origin), horizon)
            if cache is not None and sorted_key in cache:
                mix._sorted = (mix.samples, cache[sorted_key])
            elif cache is not None:
                cache[sorted_key] = mix.sorted_samples()
            v = mix.values(SCORE_LEVELS)
            if cache is not None:
                cache[key] = (mix, v)
        pyears = index_years(mix.years).tolist()
        pos = [pyears.index(int(yr)) for yr in base_years[rows]]
        for k, a in v.items():
            values.setdefault(k, []).append(np.asarray(a)[pos])
    # rows by origin (in the order of bt within an origin), as the forecasts were read
    order = np.argsort(base_origins, kind="stable")
    out = pd.DataFrame(base[["origin", "horizon", "year", "actual", "scale"]]).iloc[order].reset_index(drop=True)
    out.attrs = {}
    for k, parts in values.items():
        out[k] = np.concatenate(parts)
    out.insert(1, "model", "combination")
    out["error"] = np.log(out["actual"]) - np.log(out["median"])
    out["ape"] = np.abs(out["median"] / out["actual"] - 1)
    out.attrs = {"levels": SCORE_LEVELS}
    return out


def _table(acc: pd.DataFrame) -> pd.DataFrame:
    cols = ["model", "windows", "mape", "mase"]
    for lv in SCORE_LEVELS:
        cols += [f"coverage_{level_label(lv)}", f"winkler_{level_label(lv)}"]
    return acc[cols + ["wis"]].reset_index(drop=True)


def _fallback(y: pd.Series, reason: str, cand_opts: Mapping[str, Mapping[str, Any]], options: dict) -> AutoResult:
    last_exc: Exception | None = None
    for name in FALLBACKS:
        try:
            res, _ = fit_cached(y, name, cand_opts.get(name, {}))
        except Exception as exc:  # try the next fallback
            last_exc = exc
            continue
        choice = f"{name} (fallback: {reason})"
        table = pd.DataFrame([{"model": name, "windows": 0, "weight": 1.0, "status": "fallback"}])
        return _result(y, {name: res}, {name: 1.0}, table, choice, Calibration(1.0, 0, {}, "none"), [], options)
    raise ModelError(f"model 'auto': no candidate can be fitted ({reason}; last error: {last_exc})")


def _result(y: pd.Series, comps: dict[str, FitResult], weights: dict[str, float], table: pd.DataFrame, choice: str,
            calib: Calibration, notes: list[str], options: dict) -> AutoResult:
    return AutoResult(y, components=comps, weights=weights, candidates=table, choice=choice, calib=calib,
                      notes=notes, options=options)


def fit_auto(y: pd.Series, *, candidates: Sequence[str] = DEFAULT_CANDIDATES, horizon: int = 3,
             combine: bool | str = True, top: int | None = None, calibrate: str = "rescale",
             criterion: str = "wis", min_train: int | None = None, recent: int | None = None,
             candidate_options: Mapping[str, Mapping[str, Any]] | None = None) -> AutoResult:
    """Choose or combine candidate models by a rolling-origin backtest on ``y``.

    Parameters
    ----------
    y : pd.Series
        Positive annual series.
    candidates : sequence of str
        Model names to combine or choose from (default: drift, arima, ets,
        ets_damped -- all on the log scale).
    horizon : int
        Horizons scored in the backtest (1 ... horizon).
    combine : {True, "auto", False}
        ``True`` (default): the equal-weight combination of the ``top`` best
        candidates (all of them by default); ``"auto"``: that combination only
        when its backtest WIS is no worse than the best single candidate's;
        ``False``: the best single candidate.
    top : int, optional
        Number of candidates in the combination (default: all kept).
    calibrate : {"rescale", "widen", "by_horizon", "by_level", "none"}
        Conformal calibration of the interval width from the backtest errors
        of the choice: ``"rescale"`` widens or (when every level has enough
        errors) narrows, by one factor for all horizons; ``"widen"`` never
        narrows; ``"by_horizon"`` rescales each horizon by its own factor;
        ``"by_level"`` each level's interval by its own factor; ``"none"``
        keeps the models' own widths.
    criterion : {"wis", "mape"}
        Backtest score that ranks the candidates: the weighted interval score
        on the log scale (proper; judges the median and the intervals) or
        the MAPE of the medians.
    min_train : int, optional
        Observations the first backtest origin is fitted on (default: the
        series-only rule of :func:`forecast.evaluate.backtest.default_origins`,
        7 or fewer for a short series), so the candidates' scores are those
        :func:`forecast.backtest` gives on the same series.
    recent : int, optional
        Rank the candidates on the backtest forecasts made from the last
        ``recent`` origins only (default: all origins). Growth regimes change,
        so recent windows may say more about the next years.
    candidate_options : mapping, optional
        Options for particular candidates, e.g. ``{"logistic": {"capacity": 1e11}}``.

    Returns
    -------
    AutoResult
        A :class:`FitResult` whose forecast is that of the choice, with
        ``.candidates`` (the backtest table), ``.choice`` (a sentence) and
        ``.notes``.

    Examples
    --------
    >>> import forecast
    >>> res = forecast.fit(forecast.series("ic3"), model="auto")  # doctest: +SKIP
    >>> res.choice  # doctest: +SKIP
    """
    y = as_annual(y)
    candidates = list(dict.fromkeys(candidates))
    if not candidates or "auto" in candidates:
        raise ModelError("model 'auto': candidates must be a non-empty list of other models")
    for c in candidates:
        get_spec(c)
    if combine not in ("auto", True, False):
        raise ModelError(f"model 'auto': combine must be 'auto', True or False, got {combine!r}")
    if calibrate not in MODES:
        raise ModelError(f"model 'auto': calibrate must be one of {', '.join(MODES)}, got {calibrate!r}")
    if criterion not in ("wis", "mape"):
        raise ModelError(f"model 'auto': criterion must be 'wis' or 'mape', got {criterion!r}")
    top = len(candidates) if top is None else int(top)
    if top < 1:
        raise ModelError(f"model 'auto': top must be at least 1, got {top}")
    cand_opts = {k: dict(v) for k, v in (candidate_options or {}).items()}
    options = {"candidates": candidates, "horizon": horizon, "combine": combine, "top": top,
               "calibrate": calibrate, "criterion": criterion, "min_train": min_train, "recent": recent,
               "candidate_options": cand_opts}
    notes: list[str] = []
    n = len(y)
    with fit_cache():
        # candidates need two origins at least to be compared
        floor = 0 if min_train is None else int(min_train)
        usable = [c for c in candidates if max(get_spec(c).min_obs, floor) <= n - 2]
        if len(usable) < len(candidates):
            left = [c for c in candidates if c not in usable]
            notes.append(f"left out for want of data: {', '.join(left)} (series of {n} observations)")
        # the origins depend on the series only (and min_train), as in forecast.backtest: the candidates'
        # scores here are the ones a backtest of the same series reports
        origins = default_origins(y, min_train=min_train) if usable else []
        if not origins:
            return _fallback(y, f"the series of {n} observations is too short to backtest the candidates",
                             cand_opts, options)
        bt = backtest(y, usable, origins=origins, horizon=horizon, levels=SCORE_LEVELS,
                      model_options={k: v for k, v in cand_opts.items() if k in usable})
        failed = sorted({f["model"] for f in bt.attrs["failures"]})
        if failed:
            notes.append("left out because they could not be fitted at every backtest origin: " + ", ".join(
                f"{m} ({sum(f['model'] == m for f in bt.attrs['failures'])} of {len(origins)})" for m in failed))
        kept = [c for c in usable if c not in failed]
        if not kept:
            return _fallback(y, "no candidate could be fitted at every backtest origin", cand_opts, options)
        bt_attrs = dict(bt.attrs)
        bt = bt[bt["model"].isin(kept)]
        # pandas deep-copies attrs at every step: the working frame keeps only what accuracy() reads
        bt.attrs = {"levels": bt_attrs["levels"], "failures": bt_attrs["failures"]}
        if recent is not None:
            if int(recent) < 1:
                raise ModelError(f"model 'auto': recent must be at least 1, got {recent}")
            scored = sorted(bt["origin"].unique())[-int(recent):]
            bt = bt[bt["origin"].isin(scored)]
            origins = [o for o in origins if o in set(scored)]
        acc = _table(accuracy(bt))
        other = "mape" if criterion == "wis" else "wis"
        acc = acc.sort_values([criterion, other], kind="stable").reset_index(drop=True)
        ranked = acc["model"].tolist()
        best = ranked[0]
        members = ranked[:top]
        rows_of: dict[str, pd.DataFrame] = {}
        combo_acc = None
        if len(members) > 1 and combine is not False:
            combo_rows = _combo_rows(bt, members, y, horizon, cand_opts)
            combo_acc = _table(accuracy(combo_rows))
            rows_of["combination"] = combo_rows
        label = {"wis": "weighted interval score", "mape": "MAPE"}[criterion]
        unit = "%" if criterion == "mape" else ""
        best_score = float(acc.loc[0, criterion])
        combo_score = float(combo_acc.loc[0, criterion]) if combo_acc is not None else np.inf
        use_combo = combo_acc is not None and (combine is True or combo_score <= best_score)
        windows = int(acc.loc[0, "windows"])
        design = (f"{windows} backtest forecasts, origins {origins[0]}-{origins[-1]}, horizons 1-{horizon}")
        if use_combo:
            weights = {m: 1.0 / len(members) for m in members}
            why = ("combining rather than selecting, since with this few backtest windows a selection is "
                   "mostly noise" if combine is True else
                   f"its backtest {label} {combo_score:.3f}{unit} is no worse than {best_score:.3f}{unit} "
                   f"for {best} alone")
            which = (f"all {len(members)} candidates fitted at every backtest origin"
                     if len(members) == len(kept) else f"the {len(members)} best candidates by backtest {label}")
            choice = f"the equal-weight combination of {', '.join(members)} ({which}): {why}; {design}"
            chosen_rows = rows_of["combination"]
        else:
            weights = {best: 1.0}
            extra = ""
            if combo_acc is not None:
                extra = f", better than the combination of {', '.join(members)} ({combo_score:.3f}{unit})"
            choice = f"{best}: the lowest backtest {label} ({best_score:.3f}{unit}){extra}; {design}"
            chosen_rows = bt[bt["model"] == best]
        calib = calibration(chosen_rows, SCORE_LEVELS, mode=calibrate)
        table = acc.copy()
        table["status"] = "candidate"
        if combo_acc is not None:
            crow = combo_acc.copy()
            crow["model"] = "combination"
            crow["status"] = "combination of " + ", ".join(members)
            table = pd.concat([table, crow], ignore_index=True)
        for m in [c for c in candidates if c not in kept]:
            table = pd.concat([table, pd.DataFrame([{"model": m, "windows": 0, "status": "left out"}])],
                              ignore_index=True)
        table["weight"] = table["model"].map(weights).fillna(0.0)
        comps: dict[str, FitResult] = {}
        for m in weights:
            try:
                comps[m], texts = fit_cached(y, m, cand_opts.get(m, {}))
            except Exception as exc:  # the choice cannot be fitted to the whole series
                return _fallback(y, f"{m} could not be fitted to the whole series ({exc})", cand_opts, options)
            notes += [f"{m} warned: {t}" for t in texts]
    res = _result(y, comps, weights, table, choice, calib, notes, options)
    res.backtest = _kept_backtest(bt, rows_of.get("combination"), bt_attrs)
    res.origins = [int(o) for o in origins]
    return res


def _kept_backtest(bt: pd.DataFrame, combo: pd.DataFrame | None, attrs: dict) -> pd.DataFrame:
    """The candidates' backtest rows with the combination's, as one backtest frame with the backtest's ``attrs``."""
    attrs = dict(attrs)
    frame = bt if combo is None else pd.concat([bt, combo[[c for c in bt.columns if c in combo.columns]]],
                                               ignore_index=True)
    out = Backtest(frame.reset_index(drop=True))
    out.attrs.update(attrs)
    if combo is not None:
        out.attrs["models"] = [*attrs.get("models", []), "combination"]
    return out


register(ModelSpec("auto", "chosen or combined from the candidates by rolling-origin backtest "
                   "(drift when too short to compare)", 3, False, fit_auto))
