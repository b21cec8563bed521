"""Which rows of the global estimates enter the multi-publisher model, and why.

Rules, applied in this order (the first that applies gives the reason):

1. ``kind == "forecast"``: a figure that was a forecast when published is a
   claim to test (:func:`forecast.check_claim`, :func:`forecast.scorecard`),
   not an observation of the year it names.
2. ``measure`` other than the annual total cost (default ``total_cost``):
   cumulative multi-year totals, criminal revenues, scenario impacts,
   data-breach costs, per-breach costs, direct GDP costs from a macro model,
   survey-sample totals and rows without a headline figure measure something
   else.
3. No single target year or no figure.
4. Echoes. A statement whose ``likely_origin`` is another publisher's row
   repeats that figure (counting it twice would double its weight), and
   statements by Russian officials (``Russian MFA``, ``Russian Government``)
   relay figures attributed to others ("analysts", "the WEF") without a
   method: they are treated as echoes, not measurements. Their forecasts stay
   in :func:`forecast.claims` as claims to test. A row whose ``likely_origin``
   is the token ``unnamed-sources`` relays figures from sources it does not
   name (WEF/Marsh 2018: "a number of sources"): an echo too.
5. One edition per publisher. A publication that gives a series (figures for
   two or more years) is an *edition* of the publisher's series; a later
   edition revises the earlier one, so the two are not independent
   measurements. Only one edition per publisher is fitted: the latest, or the
   one chosen with ``editions={publisher: published_year}``. Rows of the other
   editions are excluded with the reason.
6. Superseded vintages: when one publisher gives several figures for the same
   year, only the latest publication is kept (the earlier figure is the same
   publisher's superseded estimate, not an independent measurement).
7. Publishers left out by the user (``include_publishers`` /
   ``exclude_publishers``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

FIT_MEASURES: tuple[str, ...] = ("total_cost",)

ECHO_PUBLISHERS: tuple[str, ...] = ("Russian MFA", "Russian Government")

MEASURE_REASONS: dict[str, str] = {
    "cumulative_total": "a cumulative multi-year total, not an annual figure",
    "criminal_revenue": "criminal revenues, not the cost to victims and the economy",
    "scenario_impact": "a scenario's aggregate economic impact, not an annual cost of cybercrime",
    "data_breach_cost": "the cost of data breaches only, not the total cost of cybercrime",
    "per_breach_cost": "an average cost per breach, not a global total",
    "direct_gdp_cost": "a direct GDP cost from a macroeconomic model, not the total cost",
    "survey_sample_total": "a total over a survey's sample of firms, not a global figure",
    "no_headline_figure": "no headline global figure",
}

REASON_FORECAST = "a forecast when published: a claim to test, not an observation"
UNNAMED_SOURCES = "unnamed-sources"
REASON_ECHO_UNNAMED = "an echo: relays figures from sources it does not name, not a measurement"
REASON_ECHO_OFFICIAL = ("a Russian official statement relaying figures attributed to others without a method: "
                        "an echo, not a measurement")


def _norm(names: Iterable[str] | str | None) -> set[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    return {str(n) for n in names}


def inclusion_table(est: pd.DataFrame, *, measures: Iterable[str] = FIT_MEASURES,
                    include_publishers: Iterable[str] | str | None = None,
                    exclude_publishers: Iterable[str] | str | None = None,
                    echo_publishers: Iterable[str] = ECHO_PUBLISHERS,
                    editions: dict[str, int] | None = None) -> pd.DataFrame:
    """Every row of ``est`` (from :func:`forecast.published._data.estimates`) with ``included`` and ``reason``.

    ``editions`` maps a publisher to the ``published_year`` of the edition of
    its series to fit (default: the latest edition; see rule 5).

    Examples
    --------
    >>> from forecast.published._data import estimates
    >>> t = inclusion_table(estimates())          # doctest: +SKIP
    >>> t.loc[~t["included"], "reason"].iloc[0]  # doctest: +SKIP
    """
    measures = set(measures)
    echo_publishers = set(echo_publishers)
    inc = _norm(include_publishers)
    exc = _norm(exclude_publishers) or set()
    pub_of = dict(zip(est["id"], est["publisher"]))
    edition_of = dict(zip(est["id"], est["published_year"]))
    reasons: list[str | None] = []
    for r in est[["publisher", "kind", "measure", "year", "value_usd", "origin_ids"]].to_dict("records"):
        reason = None
        if r["kind"] == "forecast":
            reason = REASON_FORECAST
        elif r["measure"] not in measures:
            reason = MEASURE_REASONS.get(r["measure"], f"measures {r['measure']!r}, not the annual total cost")
        elif pd.isna(r["year"]):
            reason = "no single target year"
        elif not np.isfinite(r["value_usd"]) or r["value_usd"] <= 0:
            reason = "no figure"
        else:
            others = [o for o in r["origin_ids"] if o in pub_of and pub_of[o] != r["publisher"]]
            if others:
                reason = (f"an echo: repeats {pub_of[others[0]]} ({int(edition_of[others[0]])}), "
                          f"row {others[0]}, its likely origin")
            elif UNNAMED_SOURCES in r["origin_ids"]:
                reason = REASON_ECHO_UNNAMED
            elif r["publisher"] in echo_publishers:
                reason = REASON_ECHO_OFFICIAL
        reasons.append(reason)
    table = est[["id", "publisher", "published_year", "year", "kind", "measure", "value_usd",
                 "low_usd", "high_usd"]].copy()
    # one edition per publisher among the rows still in (plain Python over the rows: this runs for every refit)
    chosen = {str(k).casefold(): int(v) for k, v in (editions or {}).items()}
    pubs = table["publisher"].tolist()
    eds_of = table["published_year"].tolist()
    years = table["year"].tolist()
    ids = table["id"].tolist()
    alive = [i for i, r in enumerate(reasons) if r is None and not pd.isna(eds_of[i])]  # as groupby: NA dropped
    size: dict[tuple, int] = {}
    for i in alive:
        size[(pubs[i], eds_of[i])] = size.get((pubs[i], eds_of[i]), 0) + 1
    series_rows: dict[str, list[int]] = {}
    for i in alive:
        if size[(pubs[i], eds_of[i])] >= 2:
            series_rows.setdefault(pubs[i], []).append(i)
    for pub, rows in series_rows.items():
        eds = sorted({int(eds_of[i]) for i in rows})
        if len(eds) < 2 and str(pub).casefold() not in chosen:
            continue
        keep = chosen.get(str(pub).casefold(), eds[-1])
        for i in rows:
            if int(eds_of[i]) != keep:
                reasons[i] = (f"another edition of {pub}'s series (published {int(eds_of[i])}; "
                              f"the {keep} edition is fitted): one edition per fit")
    # superseded vintages among the rows still in
    groups: dict[tuple, list[int]] = {}
    for i in (i for i, r in enumerate(reasons) if r is None and not pd.isna(years[i])):
        groups.setdefault((pubs[i], years[i]), []).append(i)
    for rows in groups.values():
        if len(rows) > 1:
            order = sorted(rows, key=lambda i: (pd.isna(eds_of[i]), 0 if pd.isna(eds_of[i]) else eds_of[i]))
            keep = order[-1]
            for i in order[:-1]:
                reasons[i] = f"superseded by the publisher's later vintage, row {ids[keep]}"
    table["reason"] = reasons
    left_out = table["publisher"].isin(exc)
    if inc is not None:
        left_out |= ~table["publisher"].isin(inc)
    table.loc[table["reason"].isna() & left_out, "reason"] = "publisher left out by the user"
    table["included"] = table["reason"].isna()
    table["reason"] = table["reason"].fillna("an annual estimate of the total cost: fitted")
    return table[["id", "publisher", "published_year", "year", "kind", "measure", "value_usd", "low_usd",
                  "high_usd", "included", "reason"]]
