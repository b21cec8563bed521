"""The backtest record behind a fit, and what a small sample lets one read from it.

:func:`track_record` gives the accuracy table of the models a fit actually
used: for ``auto`` its own candidate table (the record it chose by, on its
own origins), for any other model a rolling-origin backtest of that model,
with benchmarks beside it if asked. :func:`caveats` words how little a
handful of residuals or backtest forecasts can show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from forecast.errors import ForecastError
from forecast.evaluate.accuracy import accuracy
from forecast.evaluate.backtest import backtest

__all__ = ["track_record", "used_backtest", "rerun_backtest", "caveats", "FEW_RESIDUALS", "FEW_FORECASTS"]

#: Below this many residuals a pattern, an autocorrelation or a tail shape cannot be judged.
FEW_RESIDUALS = 15
#: Below this many scored forecasts a coverage share moves by 5 points or more with one miss.
FEW_FORECASTS = 20


def track_record(fit: Any, benchmarks: Sequence[str] = (), horizon: int = 3) -> pd.DataFrame:
    """Backtest accuracy of the model(s) ``fit`` used, one row per model.

    Parameters
    ----------
    fit : a fit result
        ``forecast.fit(y, model=...)``. For ``model="auto"`` the table is
        auto's own candidate table (its backtest, origins and combination);
        nothing is refitted. For another model, a rolling-origin backtest of
        that model on the fit's series.
    benchmarks : sequence of str
        Other models to score beside a single model (e.g. ``["drift"]``);
        ignored for ``auto``, whose candidates are its benchmarks.
    horizon : int
        Years ahead scored from each origin (single models only; auto uses
        its own).

    Returns
    -------
    pd.DataFrame
        The columns of :func:`forecast.accuracy` (``model``, ``windows``,
        ``mape``, ``mase``, ``coverage_L``...); models without a backtest
        (auto's candidates left out for want of data) are dropped.
        ``attrs["used"]`` lists the models the fit's forecast is made of.

    Raises
    ------
    ForecastError
        When the series is too short to backtest the model.

    Examples
    --------
    >>> import pandas as pd
    >>> import forecast
    >>> y = pd.Series([1.0, 1.3, 1.5, 2.1, 2.4, 3.2, 3.9, 5.1, 6.0, 7.7], index=range(2011, 2021))
    >>> rec = track_record(forecast.fit(y, model="drift"), benchmarks=["exponential"], horizon=2)
    >>> rec["model"].tolist(), rec.attrs["used"]
    (['drift', 'exponential'], ['drift'])
    """
    candidates = getattr(fit, "candidates", None)
    if isinstance(candidates, pd.DataFrame):
        table = candidates[pd.to_numeric(candidates["windows"], errors="coerce").fillna(0) > 0]
        table = table.reset_index(drop=True)
        if table.empty:
            raise ForecastError(f"no backtest record: auto chose {getattr(fit, 'choice', fit.model)}")
        weights = getattr(fit, "weights", None) or {}
        used = [m for m, w in weights.items() if w > 0]
        if len(used) > 1 and "combination" in set(table["model"]):
            used = used + ["combination"]
    else:
        names = list(dict.fromkeys([fit.model, *benchmarks]))
        table = accuracy(backtest(fit.y, models=names, horizon=horizon))
        used = [fit.model]
    table = table.copy()
    table.attrs["used"] = used
    return table


def used_backtest(fit: Any) -> pd.DataFrame:
    """Backtest rows of the forecast ``fit`` makes: for auto's combination, the combination itself.

    For ``auto`` the rows are those of its own backtest: its origins and
    horizon, and for a combination the equal-weight mixture of its members at
    each origin (model ``"combination"``), so their scores are those of auto's
    candidate table. They are read from the backtest auto kept
    (``fit.backtest``): nothing is refitted. For another model, a backtest of
    that model at the default origins.

    Parameters
    ----------
    fit : a fit result

    Returns
    -------
    pd.DataFrame
        Backtest rows in the columns of :func:`forecast.backtest`, with
        ``model`` the name of the forecast used and ``attrs["unit"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> import forecast
    >>> y = pd.Series([1.0, 1.3, 1.5, 2.1, 2.4, 3.2, 3.9, 5.1, 6.0, 7.7], index=range(2011, 2021))
    >>> sorted(set(used_backtest(forecast.fit(y, model="drift"))["model"]))
    ['drift']
    """
    if not isinstance(getattr(fit, "candidates", None), pd.DataFrame):
        return backtest(fit.y, models=[fit.model])
    bt = getattr(fit, "backtest", None)
    if not isinstance(bt, pd.DataFrame) or bt.empty:
        raise ForecastError(f"no backtest: auto chose {getattr(fit, 'choice', fit.model)}")
    weights = {m: w for m, w in (getattr(fit, "weights", None) or {}).items() if w > 0}
    used = "combination" if len(weights) > 1 and "combination" in set(bt["model"]) else next(iter(weights))
    rows = pd.DataFrame(bt[bt["model"] == used]).reset_index(drop=True)
    rows.attrs.update(bt.attrs)
    return rows


def caveats(fit: Any = None, record: pd.DataFrame | None = None) -> list[str]:
    """Sentences on what a small sample cannot show, for the residuals of ``fit`` and a backtest ``record``.

    Parameters
    ----------
    fit : a fit result, optional
        Its residuals are counted (diagnostics rest on them).
    record : pd.DataFrame, optional
        An accuracy table (``forecast.accuracy`` or :func:`track_record`):
        its ``windows`` are the scored forecasts coverage rests on.

    Returns
    -------
    list of str
        Empty when the sample is large enough for both.

    Examples
    --------
    >>> import pandas as pd
    >>> caveats(record=pd.DataFrame({"model": ["drift"], "windows": [3]}))[0][:60]
    'coverage rests on 3 backtest forecasts: one miss moves a cov'
    """
    out: list[str] = []
    if fit is not None:
        resid = getattr(fit, "residuals", None)
        n = int(pd.Series(resid).notna().sum()) if resid is not None else 0
        if 0 < n < FEW_RESIDUALS:
            out.append(f"the residual diagnostics rest on {n} residuals: too few to judge a pattern over time, "
                       f"an autocorrelation or the shape of the tails (at least {FEW_RESIDUALS} are needed for a "
                       "rough reading)")
    if record is not None and len(record) and "windows" in record.columns:
        w = pd.to_numeric(record["windows"], errors="coerce").dropna()
        w = w[w > 0]
        if len(w) and int(w.min()) < FEW_FORECASTS:
            n = int(w.min())
            out.append(f"coverage rests on {n} backtest forecasts: one miss moves a coverage share by "
                       f"{100.0 / n:.0f} percentage points, and forecasts from neighbouring origins overlap, "
                       "so they are fewer independent checks than they look; read the shares as rough")
    return out


def rerun_backtest(fit: Any) -> pd.DataFrame | None:
    """Backtest of ``auto`` itself, its whole rule re-run at each of its origins (calibration included).

    ``auto``'s candidate table scores its candidates and their combination
    with the models' own intervals; the forecast's intervals are then
    calibrated on those same errors. This re-runs the rule (choice or
    combination, and calibration) on the data up to each origin, so its
    coverage is measured out of sample. It is the ``auto`` row that
    :func:`forecast.backtest` gives with ``models=["auto"]`` on the same
    series, origins and options: the candidates' fits at each origin come
    from the fit cache when one is open. The result is kept on the fit as
    ``fit.rerun`` (a second call returns it), so a report given the fit
    shows it without refitting anything.

    Parameters
    ----------
    fit : a fit result
        ``forecast.fit(y, model="auto")``.

    Returns
    -------
    pd.DataFrame or None
        A :func:`forecast.backtest` frame with model ``"auto"``; ``None``
        for a fit that is not ``auto`` or a fallback without origins.

    Examples
    --------
    >>> import forecast
    >>> from forecast.evaluate.record import rerun_backtest
    >>> fit = forecast.fit(forecast.series("ic3"), model="auto")
    >>> row = forecast.accuracy(rerun_backtest(fit))
    >>> row["model"].tolist(), int(row["windows"].iloc[0]) > 30
    (['auto'], True)
    """
    origins = list(getattr(fit, "origins", []) or [])
    if getattr(fit, "model", None) != "auto" or not origins:
        return None
    if getattr(fit, "rerun", None) is None:
        opts = {k: v for k, v in (getattr(fit, "options", None) or {}).items() if k != "horizon"}
        fit.rerun = backtest(fit.y, models=["auto"], origins=origins, horizon=fit.horizon,
                             model_options={"auto": {**opts, "horizon": fit.horizon}})
    return fit.rerun
