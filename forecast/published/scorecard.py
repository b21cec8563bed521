"""Scoring published forecasts whose target year has passed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.published._format import money
from forecast.published.catalog import claims

__all__ = ["scorecard"]


def scorecard(fit=None, *, real: int | None = None, share_of_gdp: bool = False) -> pd.DataFrame:
    """Score every published forecast whose target year has passed.

    A forecast's target year has passed when it is at or before the latest
    year of the estimates the multi-publisher model is fitted to. Multi-year
    cumulative totals (no single target year) are not scored.

    Each forecast is compared with

    - the later estimates of its target year (published in or after the
      forecast's publication year, among the rows the model fits): the same
      publisher's when it made one, otherwise the geometric mean of the other
      publishers' (column ``compared_with`` says which, ``later_estimates``
      lists them). ``ratio`` is forecast / estimate and ``log_error`` its
      natural log (positive: the forecast was too high);
    - the multi-publisher model's distribution for the target year on the
      forecast's publisher scale (the reference scale for a publisher without
      estimates of its own, named in ``scale``): ``model_percentile`` and
      ``in_model_95`` (inside the 95% interval). The model is fitted without
      the forecast itself: forecasts are never fitted.

    Parameters
    ----------
    fit : PublisherFit, optional
        Default: :func:`forecast.fit_publishers` with its defaults.
    real : int, optional
        Add real-terms columns (US$ of that base year, CPI-U) for the money columns.
    share_of_gdp : bool
        Add share-of-world-GDP columns for the money columns.

    Returns
    -------
    pd.DataFrame
        One row per forecast, money in US$.

    Examples
    --------
    >>> import forecast
    >>> sc = forecast.scorecard()                                   # doctest: +SKIP
    >>> sc[["id", "forecast_usd", "ratio", "in_model_95"]]          # doctest: +SKIP
    """
    if fit is None:
        from forecast.published.publishers import fit_publishers

        fit = fit_publishers()
    latest = fit.last_year
    fc = claims(fit._source)
    fc = fc[fc["target_year"].notna()]
    fc = fc[fc["target_year"].astype(int) <= latest]
    obs = fit.data
    rows = []
    for _, r in fc.iterrows():
        year = int(r["target_year"])
        pub = str(r["publisher"])
        later = obs[(obs["year"] == year) & (obs["published_year"] >= int(r["published_year"]))]
        same = later[later["publisher"] == pub]
        if len(same):
            use, compared = same, "same publisher"
        elif len(later):
            use, compared = later, "other publishers"
        else:
            use, compared = later, "none"
        if len(use):
            est_val = float(np.exp(np.mean(np.log(use["value_usd"].to_numpy(dtype=float)))))
            listed = "; ".join(f"{u['publisher']} {int(u['published_year'])}: {money(u['value_usd'])}"
                               for _, u in use.iterrows())
        else:
            est_val, listed = np.nan, ""
        scale = pub if pub in fit.publishers else fit.reference
        dist = fit.predictive_at([year], scale)
        value = float(r["value_usd"])
        lo, hi = float(dist.quantile(0.025)[0]), float(dist.quantile(0.975)[0])
        notes = []
        if scale != pub:
            notes.append(f"{pub} has no estimates in the model: judged on the {scale} scale")
        if r["measure"] != "total_cost":
            notes.append(f"measures {r['measure'].replace('_', ' ')}, not the annual total cost: "
                         "the comparison is not like for like")
        if r["likely_origin"]:
            notes.append(f"likely origin {r['likely_origin']}")
        rows.append({"id": r["id"], "publisher": pub, "published_year": int(r["published_year"]),
                     "target_year": year, "measure": r["measure"], "forecast_usd": value,
                     "compared_with": compared, "later_estimates": listed, "later_estimate_usd": est_val,
                     "ratio": value / est_val, "log_error": float(np.log(value / est_val)), "scale": scale,
                     "model_median_usd": float(dist.median()[0]), "model_lower_95_usd": lo,
                     "model_upper_95_usd": hi, "model_percentile": 100 * float(dist.cdf(value)[0]),
                     "in_model_95": bool(lo <= value <= hi), "note": "; ".join(notes)})
    out = pd.DataFrame(rows)
    out.attrs["unit"] = "USD"
    out.attrs["latest_year"] = latest
    if real is not None or share_of_gdp:
        from forecast.published._scale import add_scale_columns

        out = add_scale_columns(out, ["forecast_usd", "later_estimate_usd", "model_median_usd"], "target_year",
                                real=real, share=share_of_gdp)
    return out
