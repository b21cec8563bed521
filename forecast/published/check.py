"""Checking a published figure ("X in year t") against a fitted model.

:func:`check_claim` works against any result of the package's one protocol:
``predictive_at(years)`` (the distribution of a figure for any year, inside
the data window or after it), ``simulate(horizon=, n=, seed=)`` (joint sample
paths after the data), ``observations()`` and ``first_year``/``last_year``.
A :class:`forecast.families.base.FitResult` (one series, e.g. IC3 reported
losses) and a :class:`forecast.published.publishers.PublisherFit` both qualify;
with the latter the same calls take ``publisher=`` (the scale), and the claim
is also judged on the scale of every publisher with three or more figures.

The distribution a claim is judged against
-----------------------------------------
``against.predictive_at([year])``: after the last observation the model's
predictive distribution; inside (or shortly before) the data window the
distribution of a figure for that year given the fit. It is kept in
:attr:`ClaimCheck.distribution`.

Verdict (one word, on the scale judged)
---------------------------------------
With ``p`` the claim's percentile in that distribution:

- ``"consistent"``: inside the central 80% interval (10 <= p <= 90);
- ``"high"`` / ``"low"``: outside the 80% interval but inside the 95% one
  (90 < p <= 97.5, or 2.5 <= p < 10);
- ``"implausible"``: outside the central 95% interval (p > 97.5 or p < 2.5).

The verdict is statistical only: when the claim's likely origin measured
something else (a data-breach cost, a scenario's impact), the field
``origin_measure`` and the statement say so beside it.

Several maxima of the likelihood
--------------------------------
When the model's restricted likelihood has more than one maximum within 2
log-likelihood units (``against.modes`` has more than one row, as for the
common-growth model on the bundled data), the claim is also judged under
each (``against.mode_fit(i)``): :attr:`ClaimCheck.modes` has one row per
maximum with its growth, percentile, verdict, median and 95% interval on
the scale judged, and the statement says what each implies. With one
maximum the table is empty.

Crossing year
-------------
The first year in which a simulated path of the scale's figure reaches the
claimed value, summarised over ``n`` paths: ``crossing_year`` is the median of
the paths' first-crossing years, with 80% and 95% intervals from their
quantiles. A path that never reaches it by ``until`` counts as "after
``until``"; when more than half never do, the answer is "not reached by
``until``", never an invented year. When an observed figure on the scale is
already at or above the value, the answer is "already crossed by YEAR" (the
first such year), without simulation.

Paths are the model's own (``against.simulate``). On a publisher scale whose
last figure is older than the model's last data year, the years in between
are unobserved on that scale and a path can cross there too, so the crossing
interval may start inside the data window: a model whose ``simulate`` takes
``years=`` draws those years with the rest of the path; for one that cannot,
they are drawn from their marginal distributions (``predictive_at``) at the
same rank as the path's first simulated year.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ClaimError, ModelError
from forecast.intervals import Predictive
from forecast.published._data import describe_row, estimates
from forecast.published._format import money, parse_value, percentile, rate, ratio as ratio_text

__all__ = ["ClaimCheck", "check_claim", "crossing_interval", "mode_verdicts_text", "parse_claim_text", "parse_value",
           "verdict_of"]

SIM_UNTIL = 2100
MAX_YEARS_BEFORE = 10  # a curve may be judged this many years before its first data year
MATCH_TOLERANCE = 0.025  # relative difference for a claim to match a catalogued figure
MIN_FIGURES_FOR_SCALE = 3  # publishers with at least this many figures get a scale of their own
TINY_FACTOR = 1000.0  # a claim this many times below every figure in the data gets a note

ACCEPTED_FORMS = '"2 trillion", "$2T", "445bn", "US$ 600 billion", "1.2 million", "$2,500,000"'


def parse_claim_text(text: str) -> float:
    """A claimed amount typed by a user: it must carry a unit word or symbol.

    A bare number such as ``"10.5"`` is refused: on the command line nobody
    means $10.50 when checking a claim about the global cost, and guessing
    "trillion" would be worse. Accepted: a scale word or letter (``T``,
    ``trillion``, ``bn``, ``billion``, ``m``, ``million``, ``k``) and/or a
    dollar sign or word (``$``, ``US$``, ``USD``, ``dollars``).

    Raises
    ------
    ClaimError
        A bare number; the message lists the forms accepted.

    Examples
    --------
    >>> parse_claim_text("2 trillion")
    2000000000000.0
    >>> parse_claim_text("10.5")
    Traceback (most recent call last):
    ...
    forecast.errors.ClaimError: claimed value '10.5' has no unit: write it with a unit word or symbol, e.g. "2 trillion", "$2T", "445bn", "US$ 600 billion", "1.2 million", "$2,500,000"
    """
    s = str(text).strip()
    if re.fullmatch(r"[+-]?[\d.,\s]+(?:[eE][+-]?\d+)?", s):
        raise ClaimError(f"claimed value {s!r} has no unit: write it with a unit word or symbol, e.g. "
                         + ACCEPTED_FORMS)
    return parse_value(s)


def verdict_of(pct: float) -> str:
    """The one-word verdict for a percentile (0-100); the rule is in the module docstring.

    Examples
    --------
    >>> [verdict_of(p) for p in (50, 92, 5, 99, 1)]
    ['consistent', 'high', 'low', 'implausible', 'implausible']
    """
    if not math.isfinite(pct):
        return "undetermined"
    if pct > 97.5 or pct < 2.5:
        return "implausible"
    if pct > 90:
        return "high"
    if pct < 10:
        return "low"
    return "consistent"


@dataclass
class ClaimCheck:
    """The assessment of one claim. ``to_frame()`` gives it as one row, ``to_dict()`` with its tables.

    Amounts are in ``unit`` (US$ for the global estimates); growth rates are
    annual fractions (0.15 = 15% a year); percentiles are 0-100.

    Attributes
    ----------
    percentile, median, lower_80, upper_80, lower_95, upper_95 : float
        Where the claim sits in the distribution of the scale judged
        (``scale``), and that distribution's median and central intervals.
    verdict : str
        One word from the rule in the module docstring (consistent, high, low,
        implausible), on the scale judged.
    reject_multiple : float
        ``upper_95 / median``: a claim would need to exceed this many times the
        median to fall outside the 95% interval.
    scales : pd.DataFrame
        One row per publisher scale with at least three figures (the one
        series for a single-series fit): ``scale``, ``n_figures``,
        ``percentile``, ``verdict``, ``median``, the 80% and 95% bounds,
        ``figure`` (the publisher's own figure for the claim's year, when it
        published one) and ``ratio_to_figure``.
    figures : pd.DataFrame
        What was published about the claim's year (see
        :func:`forecast.published.catalog.figures_for_year`): what to quote
        instead of the claim.
    origin_measure : str
        The measure of the claim's likely origin (e.g. ``data_breach_cost``),
        or of the matched figure when no origin is recorded.
    modes : pd.DataFrame
        One row per maximum of the likelihood within 2 log-likelihood units
        when the model has more than one (empty otherwise): ``mode`` (0 = the
        fit judged on), ``reml_loglik``, ``delta`` (below the best),
        ``growth`` (annual, on the scale judged), ``percentile``, ``verdict``,
        ``median``, ``lower_95``, ``upper_95``: what each maximum implies for
        the claim.
    mode_verdicts : str
        The same in words ("" with one maximum).
    distribution : Predictive
        The distribution the claim was judged against.
    statement : str
        Everything above in one paragraph.
    """

    label: str
    value: float
    year: int
    model: str
    scale: str
    percentile: float
    verdict: str
    median: float
    lower_80: float
    upper_80: float
    lower_95: float
    upper_95: float
    ratio_to_median: float
    reject_multiple: float
    judged_on: str
    growth_from_year: int | None
    growth_from_value: float
    implied_growth: float
    fitted_growth: float
    crossing_year: int | None
    crossing_lower_80: int | None
    crossing_upper_80: int | None
    crossing_lower: int | None
    crossing_upper: int | None
    crossing: str
    paths_crossed: float
    until: int
    matched_id: str | None
    likely_origin: str
    origin_measure: str
    origin_note: str
    scale_verdicts: str
    mode_verdicts: str = ""
    origin_ids: tuple[str, ...] = ()
    unit: str = "USD"
    notes: list[str] = field(default_factory=list)
    statement: str = ""
    extra: dict[str, float] = field(default_factory=dict)
    scales: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    figures: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    modes: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    distribution: Predictive | None = field(default=None, repr=False)

    _TABLES = ("scales", "figures", "modes", "distribution")

    def _flat(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in self._TABLES}
        d["origin_ids"] = ";".join(self.origin_ids)
        d["notes"] = "; ".join(self.notes)
        d.update(d.pop("extra"))
        return d

    def to_frame(self) -> pd.DataFrame:
        """One row with every scalar field; each scale's ``percentile[S]``, ``verdict[S]``, ``ratio_to_figure[S]``;
        each maximum's ``percentile[mode I]`` and ``verdict[mode I]`` when the likelihood has several.

        ``origin_ids`` and ``notes`` are joined by ``;``, ``extra`` is spread
        into columns, and ``statement`` is the last column.
        """
        d = self._flat()
        statement = d.pop("statement")
        for _, r in self.scales.iterrows():
            s = r["scale"]
            d[f"percentile[{s}]"] = r["percentile"]
            d[f"verdict[{s}]"] = r["verdict"]
            d[f"ratio_to_figure[{s}]"] = r["ratio_to_figure"]
        for _, r in self.modes.iterrows():
            d[f"percentile[mode {int(r['mode'])}]"] = r["percentile"]
            d[f"verdict[mode {int(r['mode'])}]"] = r["verdict"]
        d["statement"] = statement
        frame = pd.DataFrame([d])
        for c in ("growth_from_year", "crossing_year", "crossing_lower_80", "crossing_upper_80", "crossing_lower",
                  "crossing_upper", "matched_id"):
            if c != "matched_id":
                frame[c] = pd.array([d[c]], dtype="Int64")
        frame.attrs["unit"] = self.unit
        return frame

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-ready: scalars, ``notes`` as a list, ``scales``, ``figures`` and ``modes`` as lists of
        records."""
        def clean(v):
            if isinstance(v, (np.floating, float)):
                return float(v) if math.isfinite(v) else None
            if isinstance(v, np.integer):
                return int(v)
            if isinstance(v, np.bool_):
                return bool(v)
            if v is pd.NA:
                return None
            return v

        d = {k: clean(v) for k, v in self._flat().items()}
        d["notes"] = list(self.notes)
        d["origin_ids"] = list(self.origin_ids)
        for name in ("scales", "figures", "modes"):
            table = getattr(self, name)
            d[name] = [{k: clean(v) for k, v in row.items()} for row in table.to_dict(orient="records")]
        return d

    def __str__(self) -> str:
        return self.statement

    def __repr__(self) -> str:
        return (f"<ClaimCheck {money(self.value)} in {self.year}: {self.verdict} on the {self.scale} scale, "
                f"{percentile(self.percentile)}; median {money(self.median)}, 80% interval "
                f"{money(self.lower_80)}-{money(self.upper_80)}, 95% interval {money(self.lower_95)}-"
                f"{money(self.upper_95)}>")

    def _repr_html_(self) -> str:
        """A short table for notebooks: the verdict, the key numbers, the scales and the origin."""
        from html import escape

        rows = [("verdict", f"<b>{escape(self.verdict)}</b> on the {escape(self.scale)} scale "
                            f"({escape(percentile(self.percentile))})"),
                ("model", escape(self.model)),
                ("median", money(self.median)),
                ("80% interval", f"{money(self.lower_80)} to {money(self.upper_80)}"),
                ("95% interval", f"{money(self.lower_95)} to {money(self.upper_95)}"),
                ("to fall outside 95%", f"more than {ratio_text(self.reject_multiple)} times the median"),
                ("by scale", escape(self.scale_verdicts)),
                *([("by maximum", escape(self.mode_verdicts))] if self.mode_verdicts else []),
                ("crossing year", escape(self.crossing)),
                ("likely origin", escape(self.likely_origin)),
                ("origin measure", escape(self.origin_measure.replace("_", " ") or "n/a"))]
        rows += [("note", escape(n)) for n in self.notes]
        body = "".join(f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>{v}</td></tr>"
                       for k, v in rows)
        return f"<table><caption>{escape(money(self.value))} for {self.year}</caption>{body}</table>"

    def plot(self, ax=None, **kwargs):
        """The claim in the distribution it was judged against (see :func:`forecast.plots.claim_chart`)."""
        from forecast.plots import claim_chart

        return claim_chart(self, ax=ax, **kwargs)


# ------------------------------------------------------------------ helpers
def _scale_kw(publisher: str | None) -> dict[str, str]:
    return {} if publisher is None else {"publisher": publisher}


def _predictive(against, years, publisher: str | None) -> Predictive:
    try:
        return against.predictive_at(list(years), **_scale_kw(publisher))
    except ModelError as exc:
        raise ClaimError(str(exc)) from None


def _scale_names(against) -> list[str | None]:
    """The scales with at least three figures (``[None]``: the one series of a single-series fit)."""
    pubs = getattr(against, "publishers", None)
    if not pubs:
        return [None]
    out = [p for p in pubs if len(against.observations(p)) >= MIN_FIGURES_FOR_SCALE]
    return out or [pubs[0]]


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


def crossing_paths(against, publisher: str | None, start: int, until: int, n: int,
                   seed: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Paths of the scale's figure from ``start`` to ``until``: (years, array years x paths).

    The model's own paths (``against.simulate``); when ``start`` is inside
    the data window, a result whose ``simulate`` takes ``years=`` draws those
    years jointly with the rest; otherwise the unobserved years up to the last
    data year are drawn from their marginals at the rank of the path's first
    simulated year (see the module docstring).
    """
    import inspect

    last = int(against.last_year)
    kw = _scale_kw(publisher)
    if start <= last and "years" in inspect.signature(against.simulate).parameters:
        sim = against.simulate(years=list(range(start, until + 1)), n=int(n), seed=seed, **kw)
        return np.array([p.year for p in sim.index]), sim.to_numpy(dtype=float)
    sim = against.simulate(horizon=until - last, n=int(n), seed=seed, **kw)
    years = np.array([p.year for p in sim.index])
    paths = sim.to_numpy(dtype=float)
    if start <= last:
        gap = np.arange(start, last + 1)
        pred = _predictive(against, gap, publisher)
        ranks = (np.argsort(np.argsort(paths[0])) + 0.5) / paths.shape[1]
        with np.errstate(over="ignore"):
            fill = pred.quantiles(ranks).T
        years = np.concatenate([gap, years])
        paths = np.vstack([fill, paths])
    return years, paths


def _crossing(against, publisher, obs: pd.Series, value: float, until: int, n: int, seed):
    """(year, lo80, hi80, lo95, hi95, text, share of paths crossed)."""
    hits = [(int(p.year), float(v)) for p, v in obs.items() if v >= value]
    if hits:
        y, v = hits[0]
        return y, None, None, None, None, f"already crossed by {y} (the {obs.name} figure for {y} is {money(v)})", 1.0
    start = int(obs.index[-1].year) + 1 if len(obs) else int(against.first_year)
    years, paths = crossing_paths(against, publisher, start, until, n, seed)
    first = _first_crossing(paths, years, value)
    share = float(np.isfinite(first).mean())
    med = float(np.quantile(first, 0.5, method="inverted_cdf"))
    lo80, hi80 = crossing_interval(first, 80)
    lo95, hi95 = crossing_interval(first, 95)
    as_int = (lambda x: int(x) if np.isfinite(x) else None)
    if not np.isfinite(med):
        return (None, as_int(lo80), None, as_int(lo95), None,
                f"not reached by {until} in most paths ({100 * share:.0f}% of simulated paths reach it by {until})",
                share)

    def span(a, b):
        return f"{int(a)}-{int(b)}" if np.isfinite(b) else f"{int(a)} to after {until}"

    text = f"{int(med)} (80% interval {span(lo80, hi80)}; 95% interval {span(lo95, hi95)})"
    return int(med), as_int(lo80), as_int(hi80), as_int(lo95), as_int(hi95), text, share


def _origin(value: float, year: int, label: str | None, est: pd.DataFrame):
    """Match a claim to a catalogued figure: (matched id, origin ids, text, origin measure)."""
    cand = est[(est["year"] == year) & np.isfinite(est["value_usd"])].copy()
    cand = cand[np.abs(cand["value_usd"] / value - 1) <= MATCH_TOLERANCE]
    if label:
        byid = est[est["id"] == label]
        if len(byid):
            cand = byid
    if cand.empty:
        return None, (), "no catalogued figure matches this value and year", ""
    cand["has_origin"] = cand["origin_ids"].map(bool)
    cand["is_forecast"] = cand["kind"] == "forecast"
    row = cand.sort_values(["has_origin", "is_forecast", "published_year"], ascending=[False, False, True],
                           kind="stable").iloc[0]
    ids = tuple(row["origin_ids"])
    by_id = est.set_index("id")
    known = [i for i in ids if i in by_id.index]
    if known:
        parts = [describe_row(by_id.loc[i].to_dict() | {"id": i}) for i in known]
        text = (f"the figure matches {describe_row(row)}, whose likely origin is {'; '.join(parts)} "
                "(an inference from the matching figure and year; the statement names no source)")
        measure = str(by_id.loc[known[0], "measure"])
    else:
        text = f"the figure matches {describe_row(row)}, its published source"
        measure = str(row["measure"])
    return str(row["id"]), ids, text, measure


def _origin_note(measure: str) -> str:
    if not measure or measure == "total_cost":
        return ""
    from forecast.published._inclusion import MEASURE_REASONS

    what = MEASURE_REASONS.get(measure, f"{measure.replace('_', ' ')}, not the annual total cost")
    return f"its likely origin measured {what}: the claim and the model's total cost are not the same quantity"


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


def _scales_table(against, value: float, year: int, judged: str, judged_dist: Predictive,
                  judged_obs: pd.Series, publisher: str | None) -> pd.DataFrame:
    rows = []
    names = _scale_names(against)
    if publisher is not None and all(n is None or n.casefold() != judged.casefold() for n in names):
        names = [publisher, *names]
    for name in names:
        if name is not None and name.casefold() == judged.casefold():
            dist, obs = judged_dist, judged_obs
        else:
            dist = _predictive(against, [year], name)
            obs = against.observations(**_scale_kw(name))
        same = obs[[p.year == year for p in obs.index]]
        fig = float(same.iloc[-1]) if len(same) else math.nan
        pct = 100 * float(dist.cdf(value)[0])
        rows.append({"scale": str(obs.name if name is None else name), "n_figures": int(len(obs)),
                     "percentile": pct, "verdict": verdict_of(pct), "median": float(dist.median()[0]),
                     "lower_80": float(dist.quantile(0.10)[0]), "upper_80": float(dist.quantile(0.90)[0]),
                     "lower_95": float(dist.quantile(0.025)[0]), "upper_95": float(dist.quantile(0.975)[0]),
                     "figure": fig, "ratio_to_figure": value / fig if math.isfinite(fig) else math.nan})
    return pd.DataFrame(rows)


def _modes_table(against, value: float, year: int, publisher: str | None) -> pd.DataFrame:
    """The claim under each maximum of the likelihood within 2 units (empty with one; see the module docstring)."""
    if not callable(getattr(against, "mode_fit", None)):
        return pd.DataFrame()
    modes = against.modes
    if len(modes) < 2:
        return pd.DataFrame()
    rows = []
    for _, m in modes.iterrows():
        f = against.mode_fit(int(m["mode"]))
        dist = _predictive(f, [year], publisher)
        pct = 100 * float(dist.cdf(value)[0])
        growth = f.growth_rate(publisher=publisher)[0] if publisher is not None else f.growth_rate()[0]
        rows.append({"mode": int(m["mode"]), "reml_loglik": float(m["reml_loglik"]), "delta": float(m["delta"]),
                     "growth": float(growth), "percentile": pct, "verdict": verdict_of(pct),
                     "median": float(dist.median()[0]), "lower_95": float(dist.quantile(0.025)[0]),
                     "upper_95": float(dist.quantile(0.975)[0])})
    return pd.DataFrame(rows)


def mode_verdicts_text(modes: pd.DataFrame) -> str:
    """What each maximum implies for the claim, in words (``""`` for an empty table).

    Examples
    --------
    >>> t = pd.DataFrame([{"mode": 0, "delta": 0.0, "growth": 0.113, "verdict": "high", "percentile": 97.0},
    ...                   {"mode": 1, "delta": 0.41, "growth": 0.529, "verdict": "consistent", "percentile": 46.3}])
    >>> mode_verdicts_text(t)
    'high under the best maximum (growth +11.3%/yr; at the 97th percentile); consistent under maximum 1, 0.41 log-likelihood units below (growth +52.9%/yr; at the 46th percentile)'
    """
    parts = []
    for _, m in modes.iterrows():
        where = ("under the best maximum" if int(m["mode"]) == 0 else
                 f"under maximum {int(m['mode'])}, {m['delta']:.2f} log-likelihood units below")
        parts.append(f"{m['verdict']} {where} (growth {rate(m['growth'])}; {percentile(m['percentile'])})")
    return "; ".join(parts)


def _all_figures(against) -> np.ndarray:
    pubs = getattr(against, "publishers", None) or [None]
    vals = [against.observations(**_scale_kw(p)).to_numpy(dtype=float) for p in pubs]
    return np.concatenate(vals) if vals else np.array([])


# --------------------------------------------------------------------- API
def check_claim(value: Any, year: int, against: Any = None, label: str | None = None, publisher: str | None = None,
                n: int = 4000, seed: int | None = 0, until: int = SIM_UNTIL, real: int | None = None,
                share_of_gdp: bool = False) -> ClaimCheck:
    """Assess a claim "``value`` in ``year``" against a fitted model.

    Parameters
    ----------
    value : float or str
        The claimed amount in US$ (or the fit's unit), or a money string such
        as ``"3 trillion"`` or ``"$2.1T"``. A plain number is read as US$; a
        claim more than a thousand times below every figure in the data gets
        a note (a unit left out?).
    year : int
        The year the claim is about.
    against : FitResult or PublisherFit, optional
        The model to judge by (default: :func:`forecast.fit_publishers` with
        its defaults).
    label : str, optional
        A name for the claim; a catalogued row id (see :func:`forecast.claims`)
        also selects that row as the claim's source.
    publisher : str, optional
        With a multi-publisher fit: the publisher scale the headline numbers
        and the verdict are on (default the reference publisher). The claim is
        judged on every publisher scale with three or more figures anyway
        (``scales``).
    n, seed : int
        Number of simulated paths for the crossing year, and their seed.
    until : int
        Last year of the crossing-year search (default 2100).
    real : int, optional
        Also give the claim and the median in real US$ of this base year (CPI-U).
    share_of_gdp : bool
        Also give the claim and the median as a share of world GDP of ``year``.

    Returns
    -------
    ClaimCheck
        Percentile, one-word verdict (rule in the module docstring), median
        with 80% and 95% intervals, the multiple of the median needed to fall
        outside the 95% interval, the verdict on every publisher scale, the
        publishers' own figures for the year, the likely origin and its
        measure, the implied growth and the crossing year.

    Raises
    ------
    ClaimError
        An unparseable amount, a year the model cannot judge, an unknown publisher.

    Examples
    --------
    >>> import forecast
    >>> c = forecast.check_claim("2 trillion", 2019)                  # doctest: +SKIP
    >>> c.verdict, c.percentile, c.reject_multiple                    # doctest: +SKIP
    >>> c.scales[["scale", "percentile", "verdict"]]                  # doctest: +SKIP
    >>> print(c.statement)                                            # doctest: +SKIP
    """
    v = parse_value(value)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ClaimError(f"claim year {year!r} is not a year") from None
    if against is None:
        from forecast.published.publishers import fit_publishers

        against = fit_publishers()
    if publisher is not None and not getattr(against, "publishers", None):
        raise ClaimError("publisher= applies to the multi-publisher model only")
    if int(n) < 100:
        raise ClaimError(f"n={n}: at least 100 simulated paths are needed for a crossing-year interval")
    first = int(against.first_year)
    last = int(against.last_year)
    until = int(until)
    if year > until or until <= last:
        raise ClaimError(f"claim year {year} is after {until}, the end of the simulation horizon")
    earliest = first - MAX_YEARS_BEFORE
    if year < earliest:
        raise ClaimError(f"claim year {year} is too far before the model's data ({first}-{last}); "
                         f"the earliest year it can judge is {earliest}")
    obs = against.observations(**_scale_kw(publisher))
    scale = str(obs.name or "series")
    dist = _predictive(against, [year], publisher)
    how = "predictive" if year > last else "in-sample prediction (the fit's distribution of a figure for that year)"
    pct = 100 * float(dist.cdf(v)[0])
    med = float(dist.median()[0])
    q = {a: float(dist.quantile(a)[0]) for a in (0.025, 0.10, 0.90, 0.975)}
    word = verdict_of(pct)

    # growth implied from the scale's last observation before the claim year
    before = obs[[p.year < year for p in obs.index]]
    if len(before):
        y0 = int(before.index[-1].year)
        v0 = float(before.iloc[-1])
        implied = (v / v0) ** (1 / (year - y0)) - 1
        m0 = float(_predictive(against, [y0], publisher).median()[0])
        fitted_rate = (med / m0) ** (1 / (year - y0)) - 1
    else:
        y0, v0, implied, fitted_rate = None, math.nan, math.nan, math.nan

    cross, c80lo, c80hi, c95lo, c95hi, crossing, share_crossed = _crossing(against, publisher, obs, v, until, n, seed)

    est = estimates()
    matched, ids, origin, origin_measure = _origin(v, year, label, est)
    origin_note = _origin_note(origin_measure)
    scales = _scales_table(against, v, year, scale, dist, obs, publisher)
    figures = pd.DataFrame()
    if getattr(against, "publishers", None):
        from forecast.published.catalog import figures_for_year

        figures = figures_for_year(year, inclusion=against.inclusion)
        figures["claim_ratio"] = v / figures["value_usd"].to_numpy(dtype=float)
    scale_verdicts = "; ".join(f"{r['verdict']} on the {r['scale']} scale ({percentile(r['percentile'])})"
                               for _, r in scales.iterrows())
    modes = _modes_table(against, v, year, publisher)
    mode_verdicts = mode_verdicts_text(modes)
    notes: list[str] = []
    figs = _all_figures(against)
    if len(figs) and v * TINY_FACTOR < float(np.min(figs)):
        notes.append(f"the claim ({money(v)}) is more than {TINY_FACTOR:,.0f} times below every figure in the "
                     f"data (smallest {money(float(np.min(figs)))}): a plain number is read as US$; was a unit "
                     "such as 'bn' or 'trillion' left out?")
    if pct > 99.9 or pct < 0.1:
        notes.append("the percentile is in the far tail, where it rests on the tail shape assumed by the model")

    head = f"{label}: " if label else ""
    label = label or f"{money(v)} in {year}"
    model_desc = against.model.replace("publishers:", "multi-publisher ")
    model_desc = (f"the {model_desc} model on the {scale} scale" if getattr(against, "publishers", None)
                  else f"the {model_desc} model of {scale}")
    ratio = v / med
    mult = q[0.975] / med
    growth = (f"It implies {rate(implied)} from the {y0} figure against a fitted {rate(fitted_rate)}. "
              if y0 is not None else "")
    on_scales = (f"By scale: {scale_verdicts}. " if len(scales) > 1 else "")
    if mode_verdicts:
        on_scales += (f"The likelihood has {len(modes)} maxima within 2 log-likelihood units; on the {scale} scale "
                      f"the claim is {mode_verdicts}. ")
    cross_text = (f"The scale's figure {crossing}. " if crossing.startswith("already")
                  else f"Simulated paths first reach it in {crossing}. " if cross is not None
                  else f"It is {crossing}. ")
    statement = (f"{head}{money(v)} for {year}, verdict {word} on {model_desc}: it sits {percentile(pct)} "
                 f"({_times_median(ratio, med)}; 80% interval {money(q[0.10])}-"
                 f"{money(q[0.90])}, 95% interval {money(q[0.025])}-{money(q[0.975])}; a claim would need to "
                 f"exceed {ratio_text(mult)} times the median to fall outside the 95% interval). {on_scales}"
                 f"{growth}{cross_text}Origin: {origin}" + (f"; {origin_note}" if origin_note else "") + ".")
    extra = _scale_extra(v, med, year, real, share_of_gdp) if (real is not None or share_of_gdp) else {}
    return ClaimCheck(label=label, value=v, year=year, model=against.model, scale=scale, percentile=pct,
                      verdict=word, median=med, lower_80=q[0.10], upper_80=q[0.90], lower_95=q[0.025],
                      upper_95=q[0.975], ratio_to_median=ratio, reject_multiple=mult, judged_on=how,
                      growth_from_year=y0, growth_from_value=v0, implied_growth=implied, fitted_growth=fitted_rate,
                      crossing_year=cross, crossing_lower_80=c80lo, crossing_upper_80=c80hi, crossing_lower=c95lo,
                      crossing_upper=c95hi, crossing=crossing, paths_crossed=share_crossed, until=until,
                      matched_id=matched, likely_origin=origin, origin_measure=origin_measure,
                      origin_note=origin_note, scale_verdicts=scale_verdicts, mode_verdicts=mode_verdicts,
                      origin_ids=ids,
                      unit=str(getattr(against, "unit", "") or ""), notes=notes, statement=statement, extra=extra,
                      scales=scales, figures=figures, modes=modes, distribution=dist)


def _times_median(ratio: float, median: float) -> str:
    """``"3.4 times the median $888bn"``; ``"about the median $30.1bn"`` when the ratio rounds to 1.

    Examples
    --------
    >>> _times_median(3.38, 888e9), _times_median(0.997, 30.1e9)
    ('3.4 times the median $888bn', 'about the median $30.1bn')
    """
    text = ratio_text(ratio)
    if text in ("1", "1.0"):
        return f"about the median {money(median)}"
    return f"{text} times the median {money(median)}"
