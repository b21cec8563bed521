"""Checking a published figure ("X in year t") against a fitted model.

:func:`check_claim` works against any fit: a :class:`forecast.families.base.FitResult`
(one series, e.g. IC3 reported losses) or a
:class:`forecast.published.publishers.PublisherFit` on a chosen publisher's scale.

The distribution a claim is judged against
-----------------------------------------
- A year after the last observation: the model's predictive distribution for
  that year (``against.predictive``), parameter uncertainty and noise included.
- A year inside (or before) the observation window: the fitted model's
  distribution of a figure for that year, i.e. an in-sample prediction
  including noise. For the multi-publisher model and the curve families
  (linear, exponential, quadratic, logistic, Gompertz) this is the model's own
  predictive for that calendar year (curve uncertainty plus noise). For the
  time-series families (drift, ETS, ARIMA, auto), which have no distribution
  for a past year, it is the in-sample fitted value with the spread of the
  in-sample residuals (a Student t with ``n - 1`` degrees of freedom on the
  working scale); a year before their data cannot be judged.

Crossing year
-------------
The first year in which the model's median reaches the claimed value (searched
from the first data year to ``until``, default 2100), with a 95% interval from
``n`` simulated paths: the 2.5% and 97.5% quantiles of each path's first year
at or above the value. A path that never reaches it counts as "after
``until``"; when the median itself does not reach it the answer is "not reached
by ``until``", never an invented year. Paths start in the year after the last
observation, so the interval's lower end is at least that year; when the median
reached the value within the data, the year is given without an interval.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.published._data import describe_row, estimates
from forecast.published._format import money, percentile, rate, ratio as ratio_text
from forecast.errors import ClaimError
from forecast.intervals import Predictive, year_index

__all__ = ["ClaimCheck", "check_claim", "crossing_interval", "parse_value"]

SIM_UNTIL = 2100
MAX_YEARS_BEFORE = 10  # a curve may be judged this many years before its first data year
CURVE_MODELS = ("linear", "exponential", "quadratic", "logistic", "gompertz")
MATCH_TOLERANCE = 0.025  # relative difference for a claim to match a catalogued figure


def parse_value(value: Any) -> float:
    """A claimed amount in US$: a positive number or a money string (:func:`forecast.parse_money`).

    Examples
    --------
    >>> parse_value("3 trillion")
    3000000000000.0
    >>> parse_value(2e12)
    2000000000000.0
    """
    if isinstance(value, str):
        from forecast.data.money import parse_money

        v = float(parse_money(value))
    else:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ClaimError(f"claimed value {value!r} is not an amount") from None
    if not math.isfinite(v) or v <= 0:
        raise ClaimError(f"claimed value {value!r} must be a positive amount")
    return v


@dataclass
class ClaimCheck:
    """The assessment of one claim. ``to_frame()`` gives it as a one-row frame.

    Amounts are in ``unit`` (US$ for the global estimates); growth rates are
    annual fractions (0.15 = 15% a year); ``percentile`` is 0-100.
    """

    label: str
    value: float
    year: int
    model: str
    scale: str
    percentile: float
    median: float
    lower_95: float
    upper_95: float
    ratio_to_median: float
    judged_on: str
    growth_from_year: int | None
    growth_from_value: float
    implied_growth: float
    fitted_growth: float
    crossing_year: int | None
    crossing_lower: int | None
    crossing_upper: int | None
    crossing: str
    paths_crossed: float
    until: int
    matched_id: str | None
    likely_origin: str
    origin_ids: tuple[str, ...] = ()
    unit: str = "USD"
    verdict: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row with every field (``origin_ids`` joined by ``;``, ``extra`` spread into columns)."""
        d = asdict(self)
        extra = d.pop("extra")
        d["origin_ids"] = ";".join(self.origin_ids)
        d.update(extra)
        verdict = d.pop("verdict")
        d["verdict"] = verdict
        frame = pd.DataFrame([d])
        for c in ("growth_from_year", "crossing_year", "crossing_lower", "crossing_upper"):
            frame[c] = pd.array([d[c]], dtype="Int64")
        frame.attrs["unit"] = self.unit
        return frame

    def __str__(self) -> str:
        return self.verdict

    def plot(self, ax=None, **kwargs):
        """The claim in the predictive distribution of its year (see :func:`forecast.plots.claim_chart`)."""
        from forecast.plots import claim_chart

        against = kwargs.pop("against", getattr(self, "against", None))
        if against is None:
            raise ClaimError("this claim check does not know the fit it was made against; pass against=")
        return claim_chart(self, ax=ax, against=against, **kwargs)


# ------------------------------------------------------------------ helpers
def _is_publisher_fit(fit) -> bool:
    from forecast.published.publishers import PublisherFit

    return isinstance(fit, PublisherFit)


def _slice(pred: Predictive, j: int) -> Predictive:
    if pred.closed_form:
        return Predictive(pred.years[[j]], loc=pred.loc[[j]], scale=pred.scale[[j]],
                          df=np.asarray(pred.df)[[j]], space=pred.space)
    return Predictive(pred.years[[j]], samples=pred.samples[:, [j]], space=pred.space)


def _residual_predictive(fit, year: int) -> Predictive:
    """In-sample fitted value with the spread of the in-sample residuals (time-series families)."""
    fitted = fit.fitted
    idx = [p.year for p in fitted.index]
    if year not in idx:
        raise ClaimError(f"year {year} is before the data of the {fit.model!r} model "
                         f"({idx[0]}-{fit.last_year}); a time-series model cannot judge it")
    res = np.asarray(fit.residuals, dtype=float)
    res = res[np.isfinite(res)]
    if len(res) < 2:
        raise ClaimError(f"the {fit.model!r} model has too few residuals to judge a year inside its data")
    scale = float(np.sqrt(np.sum(res**2) / (len(res) - 1)))
    value = float(fitted.iloc[idx.index(year)])
    loc = np.log(value) if fit.space == "log" else value
    return Predictive(year_index([year]), loc=np.array([loc]), scale=np.array([max(scale, 1e-12)]),
                      df=float(len(res) - 1), space=fit.space)


def _first_year(fit) -> int:
    if _is_publisher_fit(fit):
        return fit.first_year
    return int(fit.y.index[0].year)


def _distribution(fit, year: int, publisher: str | None) -> tuple[Predictive, str]:
    """The distribution ``year``'s figure is judged against, and how it was obtained."""
    if _is_publisher_fit(fit):
        how = "predictive" if year > fit.last_year else "in-sample prediction (curve + offset + noise)"
        return fit.predictive_at([year], publisher), how
    if year > fit.last_year:
        return _slice(fit.predictive(until=year), -1), "predictive"
    if fit.model in CURVE_MODELS:
        return fit._predictive(year_index([year])), "in-sample prediction (curve + noise)"
    return _residual_predictive(fit, year), "in-sample fitted value with residual spread"


def _median_at(fit, years: np.ndarray, publisher: str | None) -> np.ndarray:
    if _is_publisher_fit(fit):
        return fit.predictive_at(years, publisher).median()
    out = np.full(len(years), np.nan)
    past = years <= fit.last_year
    fitted_years = {p.year for p in fit.fitted.index}
    for j in np.flatnonzero(past):
        if fit.model in CURVE_MODELS or int(years[j]) in fitted_years:
            out[j] = _distribution(fit, int(years[j]), None)[0].median()[0]
    if (~past).any():
        out[~past] = fit.predictive(until=int(years.max())).median()[-int((~past).sum()):]
    return out


def _observations(fit, scale: str) -> pd.Series:
    if _is_publisher_fit(fit):
        return fit.observations(scale)
    return fit.y


def _first_crossing(paths: np.ndarray, years: np.ndarray, value: float) -> np.ndarray:
    """First year of each path (rows: years, columns: paths) at or above ``value``; inf if never."""
    hit = paths >= value
    any_hit = hit.any(axis=0)
    first = years[np.argmax(hit, axis=0)].astype(float)
    first[~any_hit] = np.inf
    return first


def crossing_interval(first: np.ndarray, level: float = 95.0) -> tuple[float, float]:
    """Quantiles (lower, upper) of first-crossing years (``inf`` = never), as whole years.

    Examples
    --------
    >>> crossing_interval(np.array([2025.0, 2026.0, 2027.0, np.inf]), 50)
    (2025.0, 2027.0)
    """
    a = (1 - level / 100) / 2
    lo, hi = np.quantile(first, [a, 1 - a], method="inverted_cdf")
    return float(lo), float(hi)


def _origin(value: float, year: int, label: str | None) -> tuple[str | None, tuple[str, ...], str]:
    """Match a claim to a catalogued figure; return (matched id, origin ids, text)."""
    est = estimates()
    cand = est[(est["year"] == year) & np.isfinite(est["value_usd"])].copy()
    cand = cand[np.abs(cand["value_usd"] / value - 1) <= MATCH_TOLERANCE]
    if label:
        byid = est[est["id"] == label]
        if len(byid):
            cand = byid
    if cand.empty:
        return None, (), "no catalogued figure matches this value and year"
    cand["has_origin"] = cand["origin_ids"].map(bool)
    cand["is_forecast"] = cand["kind"] == "forecast"
    row = cand.sort_values(["has_origin", "is_forecast", "published_year"], ascending=[False, False, True],
                           kind="stable").iloc[0]
    ids = tuple(row["origin_ids"])
    if ids:
        by_id = est.set_index("id")
        parts = [describe_row(by_id.loc[i].to_dict() | {"id": i}) for i in ids if i in by_id.index]
        text = (f"the figure matches {describe_row(row)}, whose likely origin is {'; '.join(parts)} "
                "(an inference from the matching figure and year; the statement names no source)")
    else:
        text = f"the figure matches {describe_row(row)}, its published source"
    return str(row["id"]), ids, text


def _scale_extra(value: float, median: float, year: int, real: int | None, share: bool) -> dict[str, float]:
    from forecast.published._scale import real_value, share_value

    extra: dict[str, float] = {}
    if real is not None:
        extra[f"value_real_{real}"] = real_value(value, year, real)
        extra[f"median_real_{real}"] = real_value(median, year, real)
    if share:
        extra["value_share_of_gdp"] = share_value(value, year)
        extra["median_share_of_gdp"] = share_value(median, year)
    return extra


# --------------------------------------------------------------------- API
def check_claim(value: Any, year: int, against: Any = None, label: str | None = None, publisher: str | None = None,
                n: int = 4000, seed: int | None = 0, until: int = SIM_UNTIL, real: int | None = None,
                share_of_gdp: bool = False) -> ClaimCheck:
    """Assess a claim "``value`` in ``year``" against a fitted model.

    Parameters
    ----------
    value : float or str
        The claimed amount in US$ (or the fit's unit), or a money string such
        as ``"3 trillion"`` or ``"$2.1T"``.
    year : int
        The year the claim is about.
    against : FitResult or PublisherFit, optional
        The model to judge by (default: :func:`forecast.fit_publishers` with
        its defaults).
    label : str, optional
        A name for the claim; a catalogued row id (see :func:`forecast.claims`)
        also selects that row as the claim's source.
    publisher : str, optional
        With a multi-publisher fit: the publisher scale to judge on (default the
        reference publisher).
    n, seed : int
        Number of simulated paths for the crossing-year interval, and their seed.
    until : int
        Last year of the crossing-year search (default 2100).
    real : int, optional
        Also give the claim and the median in real US$ of this base year (CPI-U).
    share_of_gdp : bool
        Also give the claim and the median as a share of world GDP of ``year``.

    Returns
    -------
    ClaimCheck

    Raises
    ------
    ClaimError
        An unparseable amount, a year the model cannot judge, an unknown publisher.

    Examples
    --------
    >>> import forecast
    >>> c = forecast.check_claim("2 trillion", 2019)                  # doctest: +SKIP
    >>> c.percentile, c.crossing, c.likely_origin                     # doctest: +SKIP
    >>> print(c.verdict)                                              # doctest: +SKIP
    """
    v = parse_value(value)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ClaimError(f"claim year {year!r} is not a year") from None
    if against is None:
        from forecast.published.publishers import fit_publishers

        against = fit_publishers()
    is_pub = _is_publisher_fit(against)
    if not is_pub and publisher is not None:
        raise ClaimError("publisher= applies to the multi-publisher model only")
    if int(n) < 100:
        raise ClaimError(f"n={n}: at least 100 simulated paths are needed for a crossing-year interval")
    first = _first_year(against)
    last = int(against.last_year)
    until = int(until)
    if year > until or until <= last:
        raise ClaimError(f"claim year {year} is after {until}, the end of the simulation horizon")
    earliest = first - MAX_YEARS_BEFORE if (is_pub or against.model in CURVE_MODELS) else first
    if year < earliest:
        raise ClaimError(f"claim year {year} is too far before the model's data ({first}-{last}); "
                         f"the earliest year it can judge is {earliest}")
    scale = against.publisher_name(publisher) if is_pub else str(against.y.name or "series")
    dist, how = _distribution(against, year, publisher)
    pct = 100 * float(dist.cdf(v)[0])
    med = float(dist.median()[0])
    lo95, hi95 = float(dist.quantile(0.025)[0]), float(dist.quantile(0.975)[0])

    # growth implied from the last observation before the claim year
    obs = _observations(against, scale)
    before = obs[[p.year < year for p in obs.index]]
    if len(before):
        y0 = int(before.index[-1].year)
        v0 = float(before.iloc[-1])
        implied = (v / v0) ** (1 / (year - y0)) - 1
        m0 = float(_median_at(against, np.array([y0]), publisher)[0])
        fitted_rate = (med / m0) ** (1 / (year - y0)) - 1
    else:
        y0, v0, implied, fitted_rate = None, math.nan, math.nan, math.nan

    # crossing year of the median, and of simulated paths
    years = np.arange(first, until + 1)
    medians = _median_at(against, years, publisher)
    reached = np.flatnonzero(medians >= v)
    cross = int(years[reached[0]]) if len(reached) else None
    sim = against.simulate(horizon=until - last, n=int(n), seed=seed, **({"publisher": publisher} if is_pub else {}))
    sim_years = np.array([p.year for p in sim.index])
    first_cross = _first_crossing(sim.to_numpy(), sim_years, v)
    share_crossed = float(np.isfinite(first_cross).mean())
    c_lo, c_hi = crossing_interval(first_cross)
    if cross is None:
        c_lo_i = c_hi_i = None
        crossing = (f"not reached by {until} (median); {100 * share_crossed:.0f}% of simulated paths reach it "
                    f"by {until}")
    elif cross <= last:
        c_lo_i = c_hi_i = None
        crossing = f"{cross}, within the data (no simulated interval)"
    else:
        c_lo_i = int(c_lo) if np.isfinite(c_lo) else None
        c_hi_i = int(c_hi) if np.isfinite(c_hi) else None
        span = f"{c_lo_i}-{c_hi_i}" if c_hi_i is not None else f"{c_lo_i} to after {until}"
        crossing = f"{cross} (95% interval {span})"
    matched, ids, origin = _origin(v, year, label)
    head = f"{label}: " if label else ""
    label = label or f"{money(v)} in {year}"
    model_desc = (f"the multi-publisher {against.curve} model on the {scale} scale" if is_pub
                  else f"the {against.model} model of {scale}")
    ratio = v / med
    growth = (f"it implies {rate(implied)} from the {y0} figure against a fitted {rate(fitted_rate)}; "
              if y0 is not None else "")
    verdict = (f"{head}{money(v)} for {year} sits {percentile(pct)} of {model_desc} "
               f"({ratio_text(ratio)} times its median {money(med)}); {growth}"
               + (f"the median first reaches it in {crossing}" if cross is not None else f"it is {crossing}")
               + f"; {origin}.")
    extra = _scale_extra(v, med, year, real, share_of_gdp) if (real is not None or share_of_gdp) else {}
    record = ClaimCheck(label=label, value=v, year=year, model=against.model, scale=scale, percentile=pct, median=med,
                      lower_95=lo95, upper_95=hi95, ratio_to_median=ratio, judged_on=how, growth_from_year=y0,
                      growth_from_value=v0, implied_growth=implied, fitted_growth=fitted_rate, crossing_year=cross,
                      crossing_lower=c_lo_i, crossing_upper=c_hi_i, crossing=crossing, paths_crossed=share_crossed,
                      until=until, matched_id=matched, likely_origin=origin, origin_ids=ids,
                      unit=str(getattr(against, "unit", "") or ""), verdict=verdict, extra=extra)
    record.against = against  # not a field: kept for plot(), left out of to_frame()
    return record

