"""``fit_panel``: one model per series of a panel, forecasts reconciled to their total.

Every series gets the treatment a single series gets from
:func:`forecast.fit`: a model on the log scale, intervals with parameter
uncertainty; a series that is too short, has a zero, ends before the
panel's last year or cannot be fitted is reported in ``summary()`` and
skipped, never fatal. Where the series add up to a total (a hierarchy) the
total is fitted too and the forecasts of all of them are reconciled
(:mod:`forecast.panel.reconcile`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import DataError, ForecastError
from forecast.intervals import DEFAULT_LEVELS, check_levels, interval_columns, level_label
from forecast.panel import reconcile as rc
from forecast.panel.batch import DRIFT_MIN_OBS, ETS_MIN_OBS
from forecast.panel.chunk import BATCHED, ChunkFit, SeriesData, fit_chunk
from forecast.panel.data import Panel, read_panel
from forecast.panel.scale import DEFAULT_CHUNK_SIZE, chunks_of, gather, get_client, map_chunks

__all__ = ["DEFAULT_RECONCILE", "PanelResult", "fit_panel"]

DEFAULT_RECONCILE = "mint_shrink"
TOTAL = "Total"
OTHER = "Other (pooled small series)"
DEFAULT_POOL_BELOW = 0.0005


def _min_obs(model: str) -> int:
    if model in ("drift", "auto"):
        return DRIFT_MIN_OBS
    if model == "ets":
        return ETS_MIN_OBS
    from forecast.families import get_spec

    return get_spec(model).min_obs


def _resolve_reconcile(reconcile: str | None, panel: Panel) -> str | None:
    if reconcile is None or reconcile == "none":
        return None
    if reconcile == "auto":
        return DEFAULT_RECONCILE if panel.summable else None
    if reconcile not in rc.METHODS:
        raise ForecastError(f"reconcile={reconcile!r} is not one of: auto, none, {', '.join(rc.METHODS)}")
    if not panel.summable:
        raise DataError(f"{panel.source}: the series overlap, so there is no total to reconcile to "
                        f"({panel.notes[0] if panel.notes else 'not a hierarchy'}); use reconcile=None")
    return reconcile


# functions mapped over chunks (module level, so Dask can pickle them by reference)
def _status(ch: ChunkFit) -> list[dict]:
    return ch.status


def _insample(ch: ChunkFit) -> tuple[dict, dict]:
    return ch.insample, ch.insample_log_resid


def _forecast(ch: ChunkFit, h: int, levels: tuple, want_paths: bool) -> tuple[pd.DataFrame, dict]:
    return ch.forecast(h, levels, want_paths)


class PanelResult:
    """Fitted panel: per-series models, forecasts (reconciled where there is a total), summary.

    Attributes
    ----------
    panel : Panel
        The data (after ``through``).
    model : str
        The model asked for.
    reconcile : str or None
        Reconciliation method used by :meth:`forecast` (``None``: none).
    total : str or None
        Name of the total node (``"Total"``) when the panel is reconciled.
    """

    def __init__(self, panel: Panel, model: str, reconcile: str | None, chunks: list, extra_chunks: list,
                 status: list[dict], client: Any, seed: int, n_paths: int, sources: dict[str, pd.Series],
                 bottoms: list[str], pooled: dict[str, float]) -> None:
        self.panel = panel
        self.model = model
        self.reconcile = reconcile
        self.total = TOTAL if reconcile is not None else None
        self._chunks = chunks
        self._extra = extra_chunks
        self._status = status
        self._client = client
        self.seed = seed
        self.n_paths = n_paths
        self.sources_ = sources
        self.bottoms_ = bottoms
        self.pooled_ = pooled
        self._pool_below = DEFAULT_POOL_BELOW
        self._cache: dict = {}

    # ------------------------------------------------------------- summary
    @property
    def key(self) -> str:
        """Name of the key column."""
        return self.panel.key

    @property
    def fitted_series(self) -> list[str]:
        """Series with a fitted model (not the total, not the pooled small series)."""
        return sorted(r["series"] for r in self._status if r["status"] == "fitted" and r["series"] not in (TOTAL, OTHER))

    @property
    def _parts(self) -> list:
        return list(self._chunks) + list(self._extra)

    def summary(self) -> pd.DataFrame:
        """Which series, which model, what was skipped and why.

        Returns
        -------
        pd.DataFrame
            One row per series (and the total, if any): ``series``, ``model``,
            ``status`` (``fitted``/``skipped``), ``n_obs``, ``first_year``,
            ``last_year``, ``reason`` (why skipped, or notes on the fit).
            ``attrs["notes"]`` holds the caveats of the data and the method.

        Examples
        --------
        >>> import forecast
        >>> res = forecast.fit_panel("ic3_by_state", model="drift")   # doctest: +SKIP
        >>> res.summary()["status"].value_counts()["fitted"]          # doctest: +SKIP
        57
        """
        frame = pd.DataFrame(self._status).rename(columns={"series": self.key})
        frame = frame.sort_values(by=[self.key], key=lambda s: s.map(lambda v: (v == TOTAL, v)), kind="stable")
        frame = frame.reset_index(drop=True)
        frame.attrs["notes"] = self.notes
        return frame

    @property
    def notes(self) -> list[str]:
        """Caveats of the data and the method, in words."""
        notes = list(self.panel.notes)
        if self.model == "auto":
            notes.append("model 'auto': per series the equal mixture of a random walk with drift and ETS(A,A,N) "
                         "on log values (drift alone where a series is too short for ETS)")
        if self.reconcile is not None:
            n_skip = sum(1 for r in self._status if r["status"] != "fitted" and r["series"] not in (TOTAL, OTHER))
            notes.append(f"'{TOTAL}' is the sum of the fitted series"
                         + (f" ({n_skip} skipped series left out)" if n_skip else "")
                         + f"; forecasts reconciled by {self.reconcile} (each simulated path projected, so paths "
                         "and means add up; bottom values below zero in a path are set to zero and re-summed)")
            if self.pooled_:
                names = ", ".join(f"{k} ({v:.1%})" for k, v in self.pooled_.items())
                notes.append(f"{len(self.pooled_)} series with a median share of the total below "
                             f"{self._pool_below:.2%} are reconciled as one pooled series and split by their recent shares: {names}. "
                             "Alone, their log-scale noise (one spike in a few hundred dollars) gives intervals "
                             "spanning orders of magnitude that would dominate the total's tail")
        return notes

    def __repr__(self) -> str:
        return (f"<PanelResult {self.model!r}: {len(self.fitted_series)} series fitted"
                f"{', reconciled by ' + self.reconcile if self.reconcile else ''}>")

    # ----------------------------------------------------------- forecasts
    def _gathered(self, h: int, levels: tuple, want_paths: bool) -> tuple[pd.DataFrame, dict]:
        key = ("fc", h, levels, want_paths)
        if key not in self._cache:
            parts = self._parts
            out = gather(map_chunks(_forecast, parts, self._client, h=h, levels=levels, want_paths=want_paths),
                         self._client)
            frame = pd.concat([f for f, _ in out], ignore_index=True)
            paths: dict = {}
            for _, p in out:
                paths.update(p)
            self._cache[key] = (frame, paths)
        return self._cache[key]

    def insample(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """In-sample one-step fitted values (levels) and log-scale errors: years x series."""
        if "insample" not in self._cache:
            parts = self._parts
            fitted: dict = {}
            resid: dict = {}
            for f, r in gather(map_chunks(_insample, parts, self._client), self._client):
                fitted.update({k: pd.Series(v, index=y) for k, (y, v) in f.items()})
                resid.update({k: pd.Series(v, index=y) for k, (y, v) in r.items()})
            self._cache["insample"] = (pd.DataFrame(fitted).sort_index(), pd.DataFrame(resid).sort_index())
        return self._cache["insample"]

    def forecast(self, horizon: int = 3, levels: Sequence[float] = DEFAULT_LEVELS,
                 reconcile: str | None = "fitted") -> pd.DataFrame:
        """Forecasts of every fitted series (and the total), one long frame.

        Parameters
        ----------
        horizon : int
            Years after the panel's last year.
        levels : sequence of float
            Interval levels in percent.
        reconcile : str or None
            ``"fitted"`` (default): the method given to :func:`fit_panel`;
            ``None``: the base forecasts; or another method of
            :data:`forecast.panel.reconcile.METHODS` (reconciles the same base
            forecasts another way).

        Returns
        -------
        pd.DataFrame
            Columns: the key column, ``year`` (int), then the interval schema
            (``mean``, ``median``, ``lower_L``/``upper_L``, ``model``); the
            total, if any, is the row named ``"Total"``. ``attrs``: ``unit``,
            ``levels``, ``reconcile``, ``notes`` and, when reconciled,
            ``clipped`` (share of paths in which a series was set to zero).

        Examples
        --------
        >>> import forecast
        >>> res = forecast.fit_panel("ic3_by_state", model="drift")         # doctest: +SKIP
        >>> fc = res.forecast(horizon=3)                                     # doctest: +SKIP
        >>> fc.loc[fc.state == "Total", "mean"].round(-6).tolist()           # doctest: +SKIP
        """
        h = int(horizon)
        if h < 1:
            raise ForecastError(f"horizon must be at least 1, got {horizon}")
        levels = check_levels(levels)
        method = self.reconcile if reconcile == "fitted" else reconcile
        if method is not None and self.total is None:
            if not self.panel.summable:
                raise DataError(f"{self.panel.source}: the series overlap; there is no total to reconcile to")
            raise ForecastError("this panel was fitted without a total; fit it with reconcile=... to reconcile")
        if method is None:
            frame, _ = self._gathered(h, levels, False)
            frame = frame[frame["series"] != OTHER].copy()
            clipped: dict = {}
        else:
            frame, clipped = self._reconciled(h, levels, method)
        frame = frame.rename(columns={"series": self.key})
        frame["year"] = frame["year"].astype(int)
        order = frame[self.key].map(lambda v: (v != TOTAL, v))
        frame = frame.iloc[np.argsort(order.to_numpy(), kind="stable")].reset_index(drop=True) \
            if len(frame) else frame
        frame.attrs.update({"unit": self.panel.unit, "levels": levels, "reconcile": method,
                            "notes": self.notes, "clipped": clipped})
        return frame

    def _nodes(self) -> list[str]:
        return rc.node_order(self.bottoms_, TOTAL)

    def _projection(self, method: str, nodes: list[str]) -> tuple[np.ndarray, np.ndarray]:
        s = rc.summing_matrix(len(nodes) - 1)
        resid = None
        if method == "mint_shrink":
            fitted, _ = self.insample()
            actual = self._insample_actuals(fitted.index)
            resid = (actual[nodes] - fitted[nodes]).to_numpy(dtype=float).T
        p, _ = rc.projection(method, s, resid)
        return s, p

    def _reconciled(self, h: int, levels: tuple, method: str) -> tuple[pd.DataFrame, dict]:
        key = ("rec", h, levels, method)
        if key in self._cache:
            return self._cache[key]
        base, paths = self._gathered(h, levels, True)
        nodes = self._nodes()
        s, p = self._projection(method, nodes)
        years = np.arange(self.panel.last_year + 1, self.panel.last_year + h + 1)
        _, log_resid = self.insample()
        log_paths = np.stack([paths[n] for n in nodes])  # (k, N, h)
        corr = rc.correlation(log_resid[nodes].to_numpy(dtype=float).T)
        log_paths = rc.copula_reorder(log_paths, corr, np.random.default_rng([self.seed, 7919]))
        rec, share = rc.reconcile_paths(np.exp(log_paths), s, p)
        probs = [0.5]
        for lv in levels:
            a = (1 - lv / 100) / 2
            probs += [a, 1 - a]
        q = np.quantile(rec, probs, axis=1)  # (len(probs), k, h)
        mean = rec.mean(axis=1)
        label = {r["series"]: r["model"] for r in self._status}
        idx: list[int] = []
        factor: list[float] = []
        names: list[str] = []
        models: list[str] = []
        for i, n in enumerate(nodes):
            if n == OTHER:
                for member, sh in self.pooled_.items():
                    idx.append(i), factor.append(sh), names.append(member)
                    models.append(f"{label.get(n, self.model)}+{method} (pooled, share {sh:.1%})")
            else:
                idx.append(i), factor.append(1.0), names.append(n)
                models.append(f"{label.get(n, self.model)}+{method}")
        ix = np.asarray(idx)
        f = np.asarray(factor)[:, None]
        cols: dict[str, Any] = {"series": np.repeat(np.asarray(names, dtype=object), h),
                                "year": np.tile(years, len(ix)), "mean": (f * mean[ix]).reshape(-1),
                                "median": (f * q[0, ix]).reshape(-1)}
        for j, lv in enumerate(levels):
            cols[f"lower_{level_label(lv)}"] = (f * q[1 + 2 * j, ix]).reshape(-1)
            cols[f"upper_{level_label(lv)}"] = (f * q[2 + 2 * j, ix]).reshape(-1)
        cols["model"] = np.repeat(np.asarray(models, dtype=object), h)
        frame = pd.DataFrame(cols)[["series", "year", *interval_columns(levels)]]
        clipped = {n: float(share[i]) for i, n in enumerate(nodes) if share[i] > 0}
        self._cache[key] = (frame, clipped)
        return self._cache[key]

    def _insample_actuals(self, years: pd.Index) -> pd.DataFrame:
        wide = self.panel.wide()
        for name, src in self.sources_.items():
            wide[name] = src
        return wide.reindex(years)

    def reconciled_point(self, horizon: int = 3, method: str | None = None) -> pd.DataFrame:
        """Reconciled means ``S P m`` (nodes x years), ``m`` the means of the base paths.

        The reconciliation nodes (the total, the fitted series, the pooled
        small series) in rows. Equal to the means of the reconciled paths
        (the ``mean`` column of :meth:`forecast`) wherever no path was clipped
        at zero. ``.attrs["base"]`` holds ``m``; :func:`forecast.panel.reconcile.projection`
        gives ``P``.
        """
        method = method or self.reconcile or DEFAULT_RECONCILE
        if self.total is None:
            raise ForecastError("this panel was fitted without a total; fit it with reconcile=... to reconcile")
        h = int(horizon)
        _, paths = self._gathered(h, DEFAULT_LEVELS, True)
        nodes = self._nodes()
        means = np.vstack([np.exp(paths[n]).mean(axis=0) for n in nodes])
        s, p = self._projection(method, nodes)
        years = np.arange(self.panel.last_year + 1, self.panel.last_year + h + 1)
        out = pd.DataFrame(rc.reconcile_point(means, s, p), index=nodes, columns=years)
        out.attrs["base"] = pd.DataFrame(means, index=nodes, columns=years)
        return out


def fit_panel(data: Any, key: str | None = None, year: str = "year", value: str | None = None,
              model: str = "auto", reconcile: str | None = "auto", client: Any = None, *,
              through: int | None = None, seed: int = 0, n_paths: int = 2000,
              chunk_size: int = DEFAULT_CHUNK_SIZE, unit: str | None = None,
              pool_below: float | None = DEFAULT_POOL_BELOW, options: dict | None = None) -> PanelResult:
    """Fit one model per series of a panel; reconcile to the total where there is one.

    Parameters
    ----------
    data : str, os.PathLike or pd.DataFrame
        ``"ic3_by_state"``, ``"ic3_by_crime_type"``, a CSV path or a long
        DataFrame (one row per series and year).
    key, year, value : str
        Columns of the series key, the year and the value (known for the
        bundled panels).
    model : str
        ``"auto"`` (default: the equal mixture of drift and ETS(A,A,N) per
        series, drift alone for short series), ``"drift"``, ``"ets"`` (both
        fitted in batches across series), or any other family of
        :func:`forecast.models` (fitted series by series).
    reconcile : str or None
        ``"auto"`` (default): ``"mint_shrink"`` where the series add up to a
        total, none where they overlap (crime types); ``None``: no total;
        or ``"bottom_up"``, ``"ols"``, ``"wls_struct"``, ``"mint_shrink"``.
    client : dask.distributed.Client or str, optional
        Map the fits over a Dask cluster in chunks (a client or a scheduler
        address). Without it everything runs in this process and Dask is not
        imported.
    through : int, optional
        Use only the years up to this one.
    seed : int
        Seed of the simulated paths (each series has its own generator derived
        from it and its key: the same seed, the same numbers, wherever run).
    n_paths : int
        Simulated paths per series (intervals of ETS and of reconciled forecasts).
    chunk_size : int
        Series per chunk (one task on Dask).
    pool_below : float or None
        When reconciling: series whose median share of the yearly total is
        below this (default 0.05%) are reconciled as one pooled
        series and split by their shares over the last three years (their
        own log-scale noise can span orders of magnitude and would dominate
        the tail of every sum). ``None``: no pooling.
    unit : str, optional
        Unit of the values (``"USD"`` for the bundled panels).
    options : dict, optional
        Passed to the family (for families fitted one by one) or
        ``{"grid_size": 30}`` for ETS.

    Returns
    -------
    PanelResult

    Examples
    --------
    >>> import forecast
    >>> res = forecast.fit_panel("ic3_by_state", model="drift")
    >>> fc = res.forecast(horizon=2)
    >>> sorted(fc.columns)[:3], int((fc.state == "Total").sum())
    (['lower_80', 'lower_95', 'mean'], 2)
    """
    panel = read_panel(data, key=key, year=year, value=value, unit=unit).through(through)
    method = _resolve_reconcile(reconcile, panel)
    if model not in BATCHED:
        from forecast.families import get_spec

        get_spec(model)
    if int(n_paths) < 100:
        raise ForecastError(f"n_paths={n_paths} is too few for quantiles; use at least 100")
    if method is not None and TOTAL in set(panel.keys):
        raise DataError(f"{panel.source}: a series is named {TOTAL!r}, the name of the reconciled total; rename it")
    client = get_client(client)
    last = panel.last_year
    series = _series_of(panel.frame)
    kw = {"model": model, "last_year": last, "seed": int(seed), "n_paths": int(n_paths), "options": options}
    chunks = map_chunks(fit_chunk, chunks_of(series, chunk_size), client, **kw)
    status: list[dict] = [r for part in gather(map_chunks(_status, chunks, client), client) for r in part]
    extra: list = []
    sources: dict[str, pd.Series] = {}
    bottoms: list[str] = []
    pooled: dict[str, float] = {}
    if method is not None:
        fitted = sorted(r["series"] for r in status if r["status"] == "fitted")
        members = _small_series(panel, fitted, pool_below)
        if len(members) >= 2:
            sub = panel.frame[panel.frame["key"].isin(members)]
            other = sub.groupby("year")["value"].sum()
            ch = fit_chunk([SeriesData(OTHER, other.index.to_numpy(), other.to_numpy(dtype=float))], **kw)
            status.append(ch.status[0])
            if ch.status[0]["status"] == "fitted":
                extra.append(ch)
                sources[OTHER] = other
                wide = sub.pivot(index="year", columns="key", values="value").fillna(0.0).iloc[-3:]
                shares = (wide.div(wide.sum(axis=1), axis=0)).mean()
                pooled = {k: float(shares[k]) for k in members}
                bottoms = [k for k in fitted if k not in members] + [OTHER]
        if not bottoms:
            bottoms = fitted
        if len(bottoms) < 2:
            raise ForecastError(f"{panel.source}: {len(fitted)} series could be fitted; reconciling needs at least 2")
        sub = panel.frame[panel.frame["key"].isin([b for b in bottoms if b != OTHER] + list(pooled))]
        total = sub.groupby("year")["value"].sum()
        ch = fit_chunk([SeriesData(TOTAL, total.index.to_numpy(), total.to_numpy(dtype=float))], **kw)
        if ch.status[0]["status"] != "fitted":
            raise ForecastError(f"{panel.source}: the total could not be fitted ({ch.status[0]['reason']})")
        status.append(ch.status[0])
        extra.append(ch)
        sources[TOTAL] = total
    res = PanelResult(panel, model, method, chunks, extra, status, client, int(seed), int(n_paths), sources,
                      bottoms, pooled)
    res._pool_below = pool_below
    return res


def _series_of(frame: pd.DataFrame) -> list[SeriesData]:
    """The series of a sorted long frame, split without a pandas group per series."""
    keys = frame["key"].to_numpy()
    years = frame["year"].to_numpy()
    values = frame["value"].to_numpy(dtype=float)
    cuts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [len(keys)]])
    return [SeriesData(str(keys[a]), years[a:b], values[a:b]) for a, b in zip(starts, ends, strict=True)]


def _small_series(panel: Panel, fitted: list[str], pool_below: float | None) -> list[str]:
    """Fitted series whose median share of the yearly total is below ``pool_below``.

    The median over the years, not the last year alone: a tiny series with
    one spike (American Samoa: $16k in 2019, $7.8m in 2020, $178k in 2021)
    is still a tiny series.
    """
    if not pool_below:
        return []
    sub = panel.frame[panel.frame["key"].isin(fitted)]
    wide = sub.pivot(index="year", columns="key", values="value")
    shares = wide.div(wide.sum(axis=1), axis=0).median()
    return sorted(shares.index[shares < float(pool_below)].tolist())
