"""Fitting and forecasting one chunk of series: the unit of work mapped over workers.

:func:`fit_chunk` fits every series of a chunk with one model and returns a
:class:`ChunkFit`, which forecasts them (:meth:`ChunkFit.forecast`): one long
frame of base forecasts, and, when asked, the log-scale sample paths that
reconciliation needs. ``drift`` and ``ets`` are fitted in batches
(:mod:`forecast.panel.batch`); ``"auto"`` is the equal mixture of the two
(half the paths from each, drift alone where a series is too short for ETS);
any other family of :func:`forecast.models` is fitted series by series with
:func:`forecast.fit`.

Randomness: each series draws from its own generator, seeded from the panel
seed and the series key (``series_seed``), so the numbers do not depend on how
the series are split into chunks or where a chunk runs.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.families._common import single_thread_blas
from forecast.intervals import interval_columns, level_label
from forecast.panel.batch import DRIFT_MIN_OBS, ETS_MIN_OBS, fit_drift_batch, fit_ets_batch

__all__ = ["BATCHED", "ChunkFit", "SeriesData", "fit_chunk", "series_seed"]

BATCHED = ("drift", "ets", "auto")
AUTO_PARTS = ("drift", "ets")


def series_seed(seed: int, key: str) -> int:
    """Seed of one series' generator: a function of the panel seed and the key only.

    Examples
    --------
    >>> series_seed(0, "Texas") == series_seed(0, "Texas") != series_seed(1, "Texas")
    True
    """
    ss = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, zlib.crc32(str(key).encode("utf-8"))])
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


@dataclass
class SeriesData:
    """One series of a panel: key, years (ints) and positive values."""

    key: str
    years: np.ndarray
    values: np.ndarray


@dataclass
class _Prepared:
    key: str
    years: np.ndarray  # consecutive
    logy: np.ndarray
    notes: list[str]


def _prepare(s: SeriesData, last_year: int, min_obs: int) -> _Prepared | str:
    """Consecutive log values of ``s``, or the reason it cannot be fitted."""
    yrs = np.asarray(s.years, dtype=int)
    vals = np.asarray(s.values, dtype=float)
    if len(yrs) == 0:
        return "no values"
    if yrs[-1] != last_year:
        return f"no value for {last_year} (the last year of the panel); last value {yrs[-1]}"
    zero = vals <= 0
    if zero.any():
        # a zero cannot be modelled on the log scale; fit the years after the last zero if enough remain
        last_zero = int(np.flatnonzero(zero)[-1])
        if len(yrs) - last_zero - 1 < min_obs:
            return (f"value 0 in {yrs[last_zero]} (the log scale needs positive values) and too few "
                    f"positive years after it ({len(yrs) - last_zero - 1}; {min_obs} needed)")
        note = f"years up to {yrs[last_zero]} left out: value 0 in {yrs[last_zero]} (log scale)"
        yrs, vals = yrs[last_zero + 1:], vals[last_zero + 1:]
        notes = [note]
    else:
        notes = []
    if len(yrs) < min_obs:
        return f"{len(yrs)} years of data; the model needs at least {min_obs}"
    full = np.arange(yrs[0], yrs[-1] + 1)
    logv = np.log(vals)
    if len(full) != len(yrs):
        missing = sorted(set(full.tolist()) - set(yrs.tolist()))
        logv = np.interp(full, yrs, logv)
        notes.append("missing years " + ", ".join(map(str, missing)) + " filled by linear interpolation of log values")
    return _Prepared(s.key, full, logv, notes)


@dataclass
class _Group:
    """Batched fits of one model over series of one length."""

    model: str
    keys: list[str]
    batch: Any


@dataclass
class ChunkFit:
    """Fitted series of one chunk (see module docstring)."""

    model: str
    seed: int
    n_paths: int
    last_year: int
    status: list[dict] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)
    singles: dict[str, Any] = field(default_factory=dict)
    # by series: (years, one-step fitted values in levels) and (years, log-scale errors), plain arrays
    insample: dict[str, tuple] = field(default_factory=dict)
    insample_log_resid: dict[str, tuple] = field(default_factory=dict)

    @property
    def fitted_keys(self) -> list[str]:
        return [r["series"] for r in self.status if r["status"] == "fitted"]

    # -------------------------------------------------------------- forecasts
    def _draw(self, h: int, want_paths: bool) -> dict[str, dict]:
        """Per series: ``mean`` (h,), and ``paths`` (log scale, (n_paths, h)) or ``loc``/``scale``."""
        out: dict[str, dict] = {}
        n = self.n_paths
        for grp in self.groups:
            parts = grp.batch
            if grp.model == "drift":
                loc, scale = parts.loc_scale(h)
                mean = np.exp(loc + scale**2 / 2)
                for j, key in enumerate(grp.keys):
                    rec = {"loc": loc[j], "scale": scale[j], "mean": mean[j]}
                    if want_paths:
                        rec["paths"] = parts.paths(j, h, n, np.random.default_rng(series_seed(self.seed, key)))
                    out[key] = rec
            elif grp.model == "ets":
                for j, key in enumerate(grp.keys):
                    paths = parts.paths(j, h, n, np.random.default_rng(series_seed(self.seed, key)))
                    out[key] = {"paths": paths, "mean": np.exp(paths).mean(axis=0)}
            else:  # auto: equal mixture of drift and ETS, half the paths from each
                drift, ets = parts
                half = n // 2
                loc, scale = drift.loc_scale(h)
                dmean = np.exp(loc + scale**2 / 2)
                for j, key in enumerate(grp.keys):
                    seed = series_seed(self.seed, key)
                    pd_ = drift.paths(j, h, n - half, np.random.default_rng([seed, 1]))
                    pe = ets.paths(j, h, half, np.random.default_rng(seed))
                    out[key] = {"paths": np.vstack([pd_, pe]),
                                "mean": 0.5 * dmean[j] + 0.5 * np.exp(pe).mean(axis=0)}
        for key, res in self.singles.items():
            seed = series_seed(self.seed, key)
            fc = res.forecast(horizon=h)
            rec = {"mean": fc["mean"].to_numpy(dtype=float)}
            if want_paths or not res.predictive(horizon=h).closed_form:
                sim = res.simulate(h, n=n, seed=seed).to_numpy(dtype=float).T
                with np.errstate(divide="ignore"):
                    rec["paths"] = np.log(np.maximum(sim, 1e-300))
            if "paths" not in rec:
                rec["frame"] = fc
            out[key] = rec
        return out

    def forecast(self, h: int, levels: tuple, want_paths: bool = False) -> tuple[pd.DataFrame, dict]:
        """Base forecasts of every fitted series: a long frame and, if asked, the log paths by key."""
        with single_thread_blas():
            recs = self._draw(h, want_paths)
        years = np.arange(self.last_year + 1, self.last_year + h + 1)
        paths: dict[str, np.ndarray] = {}
        probs = [0.5]
        for lv in levels:
            a = (1 - lv / 100) / 2
            probs += [a, 1 - a]
        from scipy import special

        names = interval_columns(levels)[1:-1]  # median, lower_L, upper_L, ...
        order = [0]
        for i in range(len(levels)):
            order += [1 + 2 * i, 2 + 2 * i]
        keys = self.fitted_keys
        k, nq = len(keys), len(probs)
        q_all = np.empty((k, nq, h))
        mean_all = np.empty((k, h))
        models = []
        z = special.ndtri(np.array(probs))
        for r, key in enumerate(keys):
            rec = recs[key]
            mean_all[r] = rec["mean"]
            if "frame" in rec:
                fr = rec["frame"]
                q_all[r] = np.vstack([fr[c].to_numpy(dtype=float) for c in names])
            elif "paths" in rec and "loc" not in rec:
                q_all[r] = np.exp(np.quantile(rec["paths"], probs, axis=0))[order]
            else:
                q_all[r] = np.exp(rec["loc"][None, :] + z[:, None] * rec["scale"][None, :])[order]
            models.append(self.status_of(key)["model"])
            if want_paths:
                paths[key] = rec["paths"]
        cols: dict[str, Any] = {"series": np.repeat(np.asarray(keys, dtype=object), h),
                                "year": np.tile(years, k), "mean": mean_all.reshape(-1)}
        for j, c in enumerate(names):
            cols[c] = q_all[:, j, :].reshape(-1)
        cols["model"] = np.repeat(np.asarray(models, dtype=object), h)
        frame = pd.DataFrame(cols)[["series", "year", *interval_columns(levels)]]
        return frame, paths

    def status_of(self, key: str) -> dict:
        if getattr(self, "_by_key", None) is None or len(self._by_key) != len(self.status):
            self._by_key = {r["series"]: r for r in self.status}
        return self._by_key[key]


def _status(key: str, model: str, prep: _Prepared | None, status: str, reason: str = "") -> dict:
    if prep is None:
        return {"series": key, "model": model, "status": status, "n_obs": 0, "first_year": None,
                "last_year": None, "reason": reason}
    return {"series": key, "model": model, "status": status, "n_obs": int(len(prep.logy)),
            "first_year": int(prep.years[0]), "last_year": int(prep.years[-1]),
            "reason": reason or "; ".join(prep.notes)}


def _record_insample(fit: ChunkFit, prep: _Prepared, fitted_log: np.ndarray, offset: int) -> None:
    """Keep fitted values (levels) and log residuals by year, for MinT and the copula."""
    yrs = prep.years[offset:]
    fit.insample[prep.key] = (yrs, np.exp(fitted_log))
    fit.insample_log_resid[prep.key] = (yrs, prep.logy[offset:] - fitted_log)


def fit_chunk(series: list[SeriesData], model: str, *, last_year: int, seed: int = 0, n_paths: int = 2000,
              options: dict | None = None) -> ChunkFit:
    """Fit ``model`` to each series of a chunk; series that cannot be fitted are recorded and skipped.

    Examples
    --------
    >>> s = SeriesData("a", np.arange(2015, 2025), np.exp(np.linspace(0, 2, 10) + 0.1 * np.sin(np.arange(10))))
    >>> ch = fit_chunk([s], "drift", last_year=2024)
    >>> ch.status[0]["status"], ch.forecast(2, (80, 95))[0]["year"].tolist()
    ('fitted', [2025, 2026])
    """
    options = dict(options or {})
    fit = ChunkFit(model, int(seed), int(n_paths), int(last_year))
    if model in BATCHED:
        min_obs = DRIFT_MIN_OBS if model in ("drift", "auto") else ETS_MIN_OBS
        grid_size = int(options.get("grid_size", 30))
        preps: list[_Prepared] = []
        for s in series:
            p = _prepare(s, last_year, min_obs)
            if isinstance(p, str):
                fit.status.append(_status(s.key, model, None, "skipped", p))
            else:
                preps.append(p)
        by_len: dict[int, list[_Prepared]] = {}
        for p in preps:
            by_len.setdefault(len(p.logy), []).append(p)
        for n, ps in sorted(by_len.items()):
            logy = np.vstack([p.logy for p in ps])
            drift = dfit = ets = efit = None
            if model in ("drift", "auto"):
                drift, dfit = fit_drift_batch(logy)
            if model == "ets" or (model == "auto" and n >= ETS_MIN_OBS):
                with single_thread_blas():  # small matrix products: threads only contend (4x slower on 2 busy cores)
                    ets, efit = fit_ets_batch(logy, grid_size=grid_size)
            ok = np.ones(len(ps), dtype=bool)
            if drift is not None:
                ok &= drift.sigma >= 1e-8
            ets_ok = ets.sigma_ok() if ets is not None else np.zeros(len(ps), dtype=bool)
            if model == "ets":
                ok &= ets_ok
            kinds: dict[str, list[int]] = {}
            for j, p in enumerate(ps):
                if not ok[j]:
                    fit.status.append(_status(p.key, model, p, "skipped",
                                              "the series follows the model exactly (zero noise): no interval "
                                              "can be estimated"))
                    continue
                kind = model if model != "auto" else ("auto" if ets is not None and ets_ok[j] else "drift")
                kinds.setdefault(kind, []).append(j)
                label = {"auto": "auto (drift+ets)", "drift": "drift", "ets": "ets"}[kind]
                extra = "" if not (model == "auto" and kind == "drift") else \
                    f"drift only: ETS needs {ETS_MIN_OBS} years or noise"
                st = _status(p.key, label, p, "fitted")
                if extra:
                    st["reason"] = "; ".join(x for x in (st["reason"], extra) if x)
                fit.status.append(st)
                if kind == "drift":
                    _record_insample(fit, p, dfit[j], 1)
                elif kind == "ets":
                    _record_insample(fit, p, efit[j], 0)
                else:
                    # mixture: fitted log value = average of the two one-step fitted log values
                    _record_insample(fit, p, 0.5 * (dfit[j] + efit[j][1:]), 1)
            for kind, idx in kinds.items():
                idx_a = np.asarray(idx)
                keys = [ps[j].key for j in idx]
                if kind == "drift":
                    fit.groups.append(_Group("drift", keys, _take_drift(drift, idx_a)))
                elif kind == "ets":
                    fit.groups.append(_Group("ets", keys, _take_ets(ets, idx_a)))
                else:
                    fit.groups.append(_Group("auto", keys, (_take_drift(drift, idx_a), _take_ets(ets, idx_a))))
    else:
        from forecast.families import fit as fit_family, get_spec

        spec = get_spec(model)
        for s in series:
            p = _prepare(s, last_year, spec.min_obs)
            if isinstance(p, str):
                fit.status.append(_status(s.key, model, None, "skipped", p))
                continue
            y = pd.Series(np.exp(p.logy), index=p.years)
            try:
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = fit_family(y, model=model, **options)
                    res.forecast(horizon=1)
            except (ForecastError, ValueError, np.linalg.LinAlgError) as exc:
                fit.status.append(_status(s.key, model, p, "skipped", f"{type(exc).__name__}: {exc}"))
                continue
            fit.singles[s.key] = res
            fit.status.append(_status(s.key, model, p, "fitted"))
            fv = res.fitted.dropna()
            fyrs = np.array([q.year for q in fv.index])
            fit.insample[s.key] = (fyrs, fv.to_numpy(dtype=float))
            logy = pd.Series(p.logy, index=p.years)
            fit.insample_log_resid[s.key] = (fyrs, logy.reindex(fyrs).to_numpy() - np.log(fv.to_numpy(dtype=float)))
    return fit


def _take_drift(d, idx):
    from forecast.panel.batch import DriftBatch

    return DriftBatch(d.last_log[idx], d.drift[idx], d.sigma[idx], d.n_diff[idx])


def _take_ets(e, idx):
    from forecast.panel.batch import ETSBatch

    return ETSBatch(e.n, e.grid_size, e.center[idx], e.sse[idx], e.x0[idx], e.fdata[idx], e.weights[idx],
                    e.best[idx])
