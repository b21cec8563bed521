"""Scoring published forecasts whose target year has passed.

Rules
-----
- **Each forecast once.** A forecast that repeats another of the same year
  and measure (value within 2.5% or inside its published range; the same
  publisher's restatement, or another speaker whose ``likely_origin`` is that
  forecast, or the reverse) is folded into the original: ``repeated_in``
  lists the repeats.
- **Only the same measure, only the same scale.** A forecast is scored
  against the same publisher's later estimate of that year and measure; never
  against another publisher's figure, and never against a mean across
  publishers (the publishers' figures differ by a factor of several, which the
  model itself estimates). A forecast of another quantity (a data-breach cost,
  a scenario's impact) is not scored against the total-cost model.
- **Proper scores, on the log scale.** A point forecast's continuous ranked
  probability score (CRPS) is its absolute log error; a forecast published as
  a range (read as a 90% interval, as the model reads ranges) is scored as the
  log-normal that range implies, and with the 90% interval score. The
  multi-publisher model is scored on the same outcome as a forecaster that
  knew only the figures published before the forecast (refitted on them): log
  score (negative log density of the log outcome), CRPS, and the 80% and 95%
  interval scores. Lower is better for all of them.
- **Against the model on the same scale.** With no outcome of its own, a
  forecast is compared with today's model on its publisher's scale: its
  percentile there, and its expected CRPS when the publisher's figure for that
  year is distributed as the model says (``E|log forecast - log Y|``, smallest
  at the model's median). A publisher with no figures of its own has no scale:
  its forecast is shown on the reference scale, as a claim check would, and
  the note says so.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from forecast.errors import ClaimError, ModelError
from forecast.evaluate.accuracy import interval_score
from forecast.published._data import estimates as prepare_estimates
from forecast.published._format import money
from forecast.published.catalog import claims

__all__ = ["crps_quantiles", "crps_t", "log_score", "scorecard"]

SAME_TOLERANCE = 0.025
RANGE_LEVEL = 90.0


def _t_pdf(z: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Standard Student t density (``scipy.stats.t.pdf``, without importing ``scipy.stats``)."""
    return np.exp(special.gammaln((v + 1) / 2) - special.gammaln(v / 2) - 0.5 * np.log(v * np.pi)
                  - (v + 1) / 2 * np.log1p(z * z / v))


def crps_t(y: float | np.ndarray, loc: float | np.ndarray, scale: float | np.ndarray,
           df: float | np.ndarray = np.inf) -> np.ndarray:
    """CRPS of a Student t (``df`` inf: Normal) location-scale distribution at ``y``; inf when ``df <= 1``.

    Closed form (Gneiting & Raftery 2007 for the Normal; Jordan, Krueger &
    Lerch 2019, scoringRules, for the t).

    Examples
    --------
    >>> round(float(crps_t(0.0, 0.0, 1.0)[0]), 6)   # Normal: (sqrt(2) - 1) / sqrt(pi)
    0.233695
    """
    y, loc, scale, df = np.broadcast_arrays(*(np.atleast_1d(np.asarray(a, dtype=float)) for a in (y, loc, scale, df)))
    z = (y - loc) / scale
    out = np.full(z.shape, np.inf)
    normal = ~np.isfinite(df)
    if normal.any():
        zn = z[normal]
        pdf = np.exp(-zn * zn / 2) / np.sqrt(2 * np.pi)
        out[normal] = scale[normal] * (zn * (2 * special.ndtr(zn) - 1) + 2 * pdf - 1 / np.sqrt(np.pi))
    ok = np.isfinite(df) & (df > 1)
    if ok.any():
        v, zt = df[ok], z[ok]
        beta = np.exp(special.betaln(0.5, v - 0.5) - 2 * special.betaln(0.5, v / 2))
        out[ok] = scale[ok] * (zt * (2 * special.stdtr(v, zt) - 1) + 2 * _t_pdf(zt, v) * (v + zt**2) / (v - 1)
                               - 2 * np.sqrt(v) * beta / (v - 1))
    return out


def _range_sd(low: float, high: float) -> float:
    z = special.ndtri(0.5 + RANGE_LEVEL / 200)
    return (math.log(high) - math.log(low)) / (2 * z)


_PROBS = (np.arange(4000) + 0.5) / 4000


def crps_quantiles(dist, y: float) -> float:
    """CRPS on the log scale of a one-year :class:`Predictive` at outcome ``y``, from its quantile function.

    ``CRPS = 2 * integral over p of (1{log y < q(p)} - p) (q(p) - log y)``
    (the quantile score integrated over all levels; Gneiting & Raftery 2007),
    on 4,000 evenly spaced levels: the same for every kind of distribution
    (closed form, draws, truncated).

    Examples
    --------
    >>> from forecast.intervals import Predictive, year_index
    >>> p = Predictive(year_index([2025]), loc=np.array([0.0]), scale=np.array([1.0]))
    >>> round(crps_quantiles(p, 1.0), 3), round(float(crps_t(0.0, 0.0, 1.0)[0]), 3)
    (0.234, 0.234)
    """
    with np.errstate(over="ignore", divide="ignore"):
        q = np.log(np.maximum(dist.quantiles(_PROBS)[:, 0], 1e-300))
    ly = math.log(y)
    return float(2 * np.mean(((ly < q) - _PROBS) * (q - ly)))


def log_score(dist, y: float, h: float = 1e-4) -> float:
    """Negative log density of ``log y`` under a one-year :class:`Predictive` (from its cdf, on the log scale)."""
    ly = math.log(y)
    f = (float(dist.cdf(math.exp(ly + h))[0]) - float(dist.cdf(math.exp(ly - h))[0])) / (2 * h)
    return -math.log(f) if f > 0 else math.inf


def _dist_scores(dist, y: float) -> dict[str, float]:
    """Log score, CRPS and 80%/95% interval scores of a one-year Predictive at outcome ``y`` (log scale)."""
    out = {"log_score": log_score(dist, y), "crps": crps_quantiles(dist, y)}
    for lv in (80, 95):
        a = (1 - lv / 100) / 2
        lo, hi = dist.quantiles([a, 1 - a])[:, 0]
        out[f"interval_score_{lv}"] = float(interval_score(np.array([y]), np.array([lo]), np.array([hi]), lv)[0])
    return out


def _expected_crps(dist, f: float) -> float:
    """E|log f - log Y| with Y from ``dist`` (by quadrature on its quantiles)."""
    with np.errstate(over="ignore", divide="ignore"):
        lq = np.log(np.maximum(dist.quantiles(_PROBS)[:, 0], 1e-300))
    return float(np.mean(np.abs(lq - math.log(f))))


def _within(a, b) -> bool:
    """Is ``a``'s figure inside ``b``'s published range?"""
    lo, hi = float(b["low_usd"]), float(b["high_usd"])
    return bool(np.isfinite(lo) and np.isfinite(hi) and lo <= float(a["value_usd"]) <= hi)


def _fold_repeats(fc: pd.DataFrame) -> pd.DataFrame:
    """Each forecast once: repeats of another forecast (same year and measure, value within 2.5%) folded in.

    Two forecasts are the same when their year and measure agree, their
    values agree (within 2.5%, or one inside the other's published range),
    and they come from the same publisher or one names the other as its
    likely origin. The one kept is the origin (the row another names), else the
    earliest publication.
    """
    ids = set(fc["id"])
    links = {r["id"]: {o for o in str(r["likely_origin"]).split(";") if o in ids} for _, r in fc.iterrows()}
    named = {o for v in links.values() for o in v}
    fc = fc.assign(_echo=[0 if i in named else int(bool(links[i])) for i in fc["id"]])
    fc = fc.sort_values(["_echo", "published_year", "id"], kind="stable").reset_index(drop=True)
    kept: list[int] = []
    repeats: dict[str, list[str]] = {}
    for i, r in fc.iterrows():
        origin = None
        for k in kept:
            o = fc.loc[k]
            same = (o["target_year"] == r["target_year"] and o["measure"] == r["measure"]
                    and (abs(float(r["value_usd"]) / float(o["value_usd"]) - 1) <= SAME_TOLERANCE
                         or _within(r, o) or _within(o, r)))
            linked = o["id"] in links[r["id"]] or r["id"] in links[o["id"]]
            if same and (o["publisher"] == r["publisher"] or linked):
                origin = o["id"]
                break
        if origin is None:
            kept.append(i)
            repeats[r["id"]] = []
        else:
            repeats[origin].append(f"{r['publisher']} ({int(r['published_year'])}), row {r['id']}")
    out = fc.loc[kept].drop(columns="_echo").sort_values(["published_year", "id"], kind="stable")
    out["repeated_in"] = [", ".join(repeats[i]) for i in out["id"]]
    return out


def scorecard(fit=None, *, estimates: pd.DataFrame | None = None, real: int | None = None,
              share_of_gdp: bool = False) -> pd.DataFrame:
    """Score every published forecast whose target year has passed (rules in the module docstring).

    A target year has passed when it is at or before the latest year of the
    estimates the multi-publisher model is fitted to. Multi-year cumulative
    totals (no single target year) are not scored.

    Parameters
    ----------
    fit : PublisherFit, optional
        Default: :func:`forecast.fit_publishers` on ``estimates``.
    estimates : pd.DataFrame, optional
        Rows in the columns of ``forecast.load("global_estimates")`` (default:
        that dataset); the forecasts, the later estimates and the refits come
        from it.
    real : int, optional
        Add real-terms columns (US$ of that base year, CPI-U) for the money columns.
    share_of_gdp : bool
        Add share-of-world-GDP columns for the money columns.

    Returns
    -------
    pd.DataFrame
        One row per forecast, money in US$, scores on the natural-log scale
        (lower is better): ``id``, ``publisher``, ``published_year``,
        ``target_year``, ``measure``, ``forecast_usd``, ``forecast_low_usd``,
        ``forecast_high_usd``, ``repeated_in``; the outcome ``outcome_id``,
        ``outcome_usd`` (the same publisher's later estimate of that year and
        measure), ``ratio``, ``log_error``, ``forecast_crps``,
        ``forecast_interval_score_90``; the model refitted on the figures
        published before the forecast, scored on the same outcome:
        ``model_rows``, ``model_log_score``, ``model_crps``,
        ``model_interval_score_80``, ``model_interval_score_95``; today's model
        on the publisher's scale: ``scale``, ``model_median_usd``,
        ``model_lower_80_usd``, ``model_upper_80_usd``, ``model_lower_95_usd``,
        ``model_upper_95_usd``, ``model_percentile``, ``in_model_80``,
        ``in_model_95``, ``expected_crps_under_model``; ``scored`` (what the
        row was scored against) and ``note``.

    Examples
    --------
    >>> import forecast
    >>> sc = forecast.scorecard()                                          # doctest: +SKIP
    >>> sc[["id", "forecast_usd", "outcome_usd", "model_percentile", "note"]]  # doctest: +SKIP
    """
    from forecast.published.publishers import fit_publishers

    if estimates is None:
        from forecast.data.registry import load

        estimates = load("global_estimates")
    raw = estimates.reset_index(drop=True)
    est = prepare_estimates(raw)
    if fit is None:
        fit = fit_publishers(raw)
    latest = int(fit.last_year)
    options = dict(getattr(fit, "options", {}) or {})
    fit_measures = tuple(options.get("measures", ("total_cost",)))
    fc = claims(estimates)
    fc = fc[fc["target_year"].notna()]
    fc = fc[fc["target_year"].astype(int) <= latest]
    fc = _fold_repeats(fc)
    later_all = est[(est["kind"] == "estimate") & est["year"].notna() & np.isfinite(est["value_usd"])]
    refits: dict[int, object] = {}

    def refit(before: int):
        if before not in refits:
            rows = raw[(est["published_year"].astype(int) < before).to_numpy()]
            try:
                refits[before] = fit_publishers(rows, **options)
            except (ClaimError, ModelError) as exc:
                refits[before] = str(exc)
        return refits[before]

    out = []
    for _, r in fc.iterrows():
        year, pub, measure = int(r["target_year"]), str(r["publisher"]), str(r["measure"])
        value = float(r["value_usd"])
        low, high = float(r["low_usd"]), float(r["high_usd"])
        notes: list[str] = []
        row: dict[str, object] = {
            "id": r["id"], "publisher": pub, "published_year": int(r["published_year"]), "target_year": year,
            "measure": measure, "forecast_usd": value, "forecast_low_usd": low, "forecast_high_usd": high,
            "repeated_in": r["repeated_in"]}
        if r["repeated_in"]:
            notes.append(f"repeated in {r['repeated_in']}: counted once")
        if r["likely_origin"]:
            notes.append(f"likely origin {r['likely_origin']}")
        # the outcome: the same publisher's later estimate of that year and measure
        own = later_all[(later_all["publisher"] == pub) & (later_all["year"] == year)
                        & (later_all["measure"] == measure)
                        & (later_all["published_year"].astype(int) >= int(r["published_year"]))]
        own = own.sort_values("published_year", kind="stable")
        nan_scores = {"outcome_id": "", "outcome_usd": math.nan, "ratio": math.nan, "log_error": math.nan,
                      "forecast_crps": math.nan, "forecast_interval_score_90": math.nan, "model_rows": math.nan,
                      "model_log_score": math.nan, "model_crps": math.nan, "model_interval_score_80": math.nan,
                      "model_interval_score_95": math.nan}
        row.update(nan_scores)
        scored = []
        if len(own):
            o = own.iloc[-1]
            y = float(o["value_usd"])
            row.update({"outcome_id": o["id"], "outcome_usd": y, "ratio": value / y,
                        "log_error": math.log(value / y)})
            if math.isfinite(low) and math.isfinite(high) and high > low > 0:
                sd = _range_sd(low, high)
                row["forecast_crps"] = float(crps_t(math.log(y), math.log(value), sd)[0])
                row["forecast_interval_score_90"] = float(
                    interval_score(np.array([y]), np.array([low]), np.array([high]), RANGE_LEVEL)[0])
            else:
                row["forecast_crps"] = abs(math.log(value / y))
            scored.append("own later estimate")
            if measure in fit_measures and pub in fit.publishers:
                retro = refit(int(r["published_year"]))
                if isinstance(retro, str):
                    notes.append(f"the model could not be fitted to the figures published before "
                                 f"{int(r['published_year'])}: {retro}")
                elif pub not in retro.publishers:
                    notes.append(f"the model fitted to the figures published before {int(r['published_year'])} "
                                 f"has no {pub} scale: not scored")
                else:
                    s = _dist_scores(retro.predictive_at([year], pub), y)
                    row.update({"model_rows": len(retro.data), "model_log_score": s["log_score"],
                                "model_crps": s["crps"], "model_interval_score_80": s["interval_score_80"],
                                "model_interval_score_95": s["interval_score_95"]})
                    scored.append("model refitted on earlier figures")
        else:
            notes.append(f"no later estimate by {pub} of {year} ({measure.replace('_', ' ')}): no outcome to score")
        # today's model on the same scale
        model_cols = ["model_median_usd", "model_lower_80_usd", "model_upper_80_usd", "model_lower_95_usd",
                      "model_upper_95_usd", "model_percentile", "expected_crps_under_model"]
        row.update({c: math.nan for c in model_cols})
        row.update({"scale": "", "in_model_80": pd.NA, "in_model_95": pd.NA})
        if measure not in fit_measures:
            notes.append(f"measures {measure.replace('_', ' ')}, not the annual total cost the model describes: "
                         "not compared with the model")
        else:
            scale = pub if pub in fit.publishers else fit.reference
            if scale != pub:
                notes.append(f"{pub} has no estimates in the model: shown on the {scale} scale")
            dist = fit.predictive_at([year], scale)
            q = {a: float(dist.quantile(a)[0]) for a in (0.025, 0.1, 0.5, 0.9, 0.975)}
            row.update({"scale": scale, "model_median_usd": q[0.5], "model_lower_80_usd": q[0.1],
                        "model_upper_80_usd": q[0.9], "model_lower_95_usd": q[0.025],
                        "model_upper_95_usd": q[0.975], "model_percentile": 100 * float(dist.cdf(value)[0]),
                        "in_model_80": bool(q[0.1] <= value <= q[0.9]),
                        "in_model_95": bool(q[0.025] <= value <= q[0.975]),
                        "expected_crps_under_model": _expected_crps(dist, value)})
            scored.append(f"model on the {scale} scale")
        row["scored"] = "; ".join(scored) or "not scored"
        row["note"] = "; ".join(notes)
        out.append(row)
    frame = pd.DataFrame(out)
    for c in ("in_model_80", "in_model_95"):
        frame[c] = frame[c].astype("boolean")
    frame.attrs["unit"] = "USD"
    frame.attrs["latest_year"] = latest
    if real is not None or share_of_gdp:
        from forecast.published._scale import add_scale_columns

        frame = add_scale_columns(frame, ["forecast_usd", "outcome_usd", "model_median_usd"], "target_year",
                                  real=real, share=share_of_gdp)
    return frame


def describe(sc: pd.DataFrame) -> str:
    """One paragraph on what the scorecard could and could not score (for the CLI and the report)."""
    n = len(sc)
    own = int(sc["outcome_usd"].notna().sum())
    on_model = int(sc["scale"].astype(str).ne("").sum())
    inside = int(sc["in_model_95"].fillna(False).sum())
    other = int((sc["scale"].astype(str) == "").sum())
    return (f"{n} forecasts whose year has passed (each counted once). {own} can be scored against the same "
            f"publisher's later estimate of that year and measure; {on_model} are compared with the model on a "
            f"publisher scale ({inside} inside its 95% interval); {other} measure something other than the annual "
            "total cost and are not compared with it.")
