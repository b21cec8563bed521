"""The claims in the data: every figure that was a forecast when it was published."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.published._data import describe_row, estimates

__all__ = ["claims", "derivations", "figures_for_year"]

COLUMNS = ["id", "publisher", "attribution", "published_year", "target_year", "first_year", "last_year", "measure",
           "value_usd", "low_usd", "high_usd", "likely_origin", "origin", "confidence", "source_url", "note"]


def origin_text(ids: tuple[str, ...], est: pd.DataFrame) -> str:
    """Describe the rows a figure most likely came from (empty when none is recorded)."""
    if not ids:
        return ""
    by_id = est.set_index("id")
    parts = [describe_row(by_id.loc[i].to_dict()) for i in ids if i in by_id.index]
    missing = [i for i in ids if i not in by_id.index]
    parts += [f"row {i} (not in the dataset)" for i in missing]
    return "; ".join(parts) + " (an inference from the matching figure and year)"


def claims(estimates_frame: pd.DataFrame | None = None, *, real: int | None = None,
           share_of_gdp: bool = False) -> pd.DataFrame:
    """Every figure that was a forecast when published (``kind == "forecast"``).

    Includes the 2018 Russian Foreign Ministry statement ($2T in 2019, $3T in
    2020) with its traced likely origins: Juniper Research's 2015 forecast of
    $2.1T of data-breach costs by 2019, and McKinsey/WEF's 2014 estimate of up
    to $3T of "aggregate impact" by 2020. These traces are inferences from
    matching figures and years (the statement names no source); the
    ``origin`` column says so.

    Parameters
    ----------
    estimates_frame : pd.DataFrame, optional
        Rows in the columns of ``forecast.load("global_estimates")`` (default: that dataset).
    real : int, optional
        Add ``value_usd_real_<real>`` (real US$ of that base year, CPI-U).
    share_of_gdp : bool
        Add ``value_usd_share_of_gdp`` (fraction of world GDP of the target year).

    Returns
    -------
    pd.DataFrame
        One row per forecast: ``id``, ``publisher``, ``attribution``,
        ``published_year``, ``target_year`` (empty for multi-year totals, with
        ``first_year``/``last_year``), ``measure``, ``value_usd`` (point, or the
        geometric midpoint of a range), ``low_usd``, ``high_usd``,
        ``likely_origin`` (row ids), ``origin`` (in words), ``confidence``,
        ``source_url``, ``note``. Money in US$.

    Examples
    --------
    >>> import forecast
    >>> c = forecast.claims()
    >>> c.loc[c["id"] == "russian-mfa-2018-2019", ["target_year", "value_usd", "likely_origin"]].to_numpy().tolist()
    [[2019, 2000000000000.0, 'juniper-2015']]
    """
    est = estimates(estimates_frame)
    rows = est[est["kind"] == "forecast"].copy()
    rows["target_year"] = rows["year"]
    rows["likely_origin"] = [";".join(ids) for ids in rows["origin_ids"]]
    rows["origin"] = [origin_text(ids, est) for ids in rows["origin_ids"]]
    for c in ("attribution", "confidence", "source_url", "note"):
        if c not in rows:
            rows[c] = ""
    out = rows[COLUMNS].sort_values(["published_year", "id"], kind="stable").reset_index(drop=True)
    out.attrs["unit"] = "USD"
    if real is not None or share_of_gdp:
        from forecast.published._scale import add_scale_columns

        out = add_scale_columns(out, ["value_usd"], "target_year", real=real, share=share_of_gdp)
    return out


FIGURE_COLUMNS = ["publisher", "year", "relation", "id", "published_year", "measure", "value_usd", "low_usd",
                  "high_usd", "in_model", "reason", "scope", "source_url"]


def figures_for_year(year: int, estimates_frame: pd.DataFrame | None = None, *, inclusion: pd.DataFrame | None = None,
                     window: int = 3) -> pd.DataFrame:
    """What was published about ``year``: the figures to quote instead of a claim, with their measure.

    Every estimate (``kind == "estimate"``, any measure) whose target year is
    ``year``; and, for each publisher the model fits that has no estimate
    for ``year``, its nearest fitted estimates before and after (within
    ``window`` years), so that a year nobody measured still shows what was
    measured around it.

    Parameters
    ----------
    year : int
        The year asked about.
    estimates_frame : pd.DataFrame, optional
        Rows in the columns of ``forecast.load("global_estimates")`` (default: that dataset).
    inclusion : pd.DataFrame, optional
        A fit's :attr:`~forecast.published.publishers.PublisherFit.inclusion`
        table, which says which rows that model fitted (default: the default
        inclusion rules).
    window : int
        How far (years) to look for a fitted publisher's nearest figures.

    Returns
    -------
    pd.DataFrame
        ``publisher``, ``year`` (of the figure), ``relation`` (``"same year"``,
        ``"nearest earlier"``, ``"nearest later"``), ``id``,
        ``published_year``, ``measure``, ``value_usd``, ``low_usd``,
        ``high_usd``, ``in_model`` (fitted by the model), ``reason`` (why or
        why not), ``scope``, ``source_url``. Money in US$.

    Examples
    --------
    >>> f = figures_for_year(2020)
    >>> f.loc[f["publisher"] == "CSIS/McAfee", ["year", "relation", "value_usd"]].to_numpy().tolist()
    [[2020, 'same year', 945000000000.0]]
    """
    from forecast.published._inclusion import inclusion_table

    est = estimates(estimates_frame)
    table = inclusion if inclusion is not None else inclusion_table(est)
    flags = table.set_index("id")[["included", "reason"]]
    est = est.join(flags, on="id")
    est["in_model"] = est["included"].fillna(False).astype(bool)
    est["reason"] = est["reason"].fillna("not in the model's data")
    for c in ("scope", "source_url"):
        if c not in est:
            est[c] = ""
    year = int(year)
    # the rows are picked by position (one take of the wide frame at the end, not one per publisher)
    yr = est["year"].to_numpy(dtype=float, na_value=np.nan)
    pub = est["publisher"].to_numpy()
    fitted = est["in_model"].to_numpy(dtype=bool)
    same = np.flatnonzero((est["kind"] == "estimate").to_numpy() & (yr == year)
                          & np.isfinite(est["value_usd"].to_numpy(dtype=float)))
    picks = [(int(i), "same year") for i in same]
    for p in dict.fromkeys(pub[fitted]):  # the fitted publishers in order of appearance
        if p in set(pub[same]):
            continue
        rows = np.flatnonzero(fitted & (pub == p))
        before = rows[(yr[rows] < year) & (yr[rows] >= year - window)]
        after = rows[(yr[rows] > year) & (yr[rows] <= year + window)]
        if len(before):
            picks.append((int(before[np.argmax(yr[before])]), "nearest earlier"))
        if len(after):
            picks.append((int(after[np.argmin(yr[after])]), "nearest later"))
    out = est.iloc[[i for i, _r in picks]].reset_index(drop=True)
    out["relation"] = "same year"  # the column's type as a scalar sets it (also when empty)
    out.loc[:, "relation"] = [r for _i, r in picks]
    out = out.sort_values(["in_model", "publisher", "year"], ascending=[False, True, True], kind="stable")
    out = out[FIGURE_COLUMNS].reset_index(drop=True)
    out["year"] = out["year"].astype(int)
    out["scope"] = out["scope"].fillna("").astype(str)
    out["source_url"] = out["source_url"].fillna("").astype(str)
    out.attrs["unit"] = "USD"
    return out


#: How each publisher arrived at its figures, as recorded in data/README.md ("Caveats", "Likely origins").
#: Publishers not listed made statements without a published method.
DERIVATIONS: dict[str, tuple[bool, str]] = {
    "CSIS/McAfee": (True, "a model from national data and case studies (Lewis and Baker)"),
    "RAND": (True, "a parametric model of direct GDP costs"),
    "Anderson et al.": (True, "costs by crime type, no global total"),
    "Statista": (False, "Statista Market Insights, on Cybersecurity Ventures' cost definition"),
    "Cybersecurity Ventures": (False, "forecasts compounded at a stated 15% a year from a borrowed $3T base"),
    "WEF/Marsh": (False, "'a number of sources': an echo"),
    "Allianz": (False, "re-uses the CSIS/McAfee 2014 figure"),
    "Lloyd's": (False, "a CEO's statement, source not given"),
    "Hiscox": (False, "a CEO's statement, source not given"),
    "TASS": (False, "attributed to unnamed experts"),
}


def derivations(fit) -> pd.DataFrame:
    """On how many independent derivations a multi-publisher fit stands.

    Parameters
    ----------
    fit : PublisherFit
        A fit of :func:`forecast.fit_publishers` (its ``inclusion`` table says
        which rows it used).

    Returns
    -------
    pd.DataFrame
        One row per publisher with a global figure in the data: ``publisher``,
        ``in_model`` (figures the fit used), ``published_method`` (the figure
        comes from a method the publisher documented), ``basis``. Sorted with
        the publishers in the fit first. ``attrs["summary"]`` says it in one
        sentence, ``attrs["outside"]`` names the publishers with a method whose
        figures measure something else.

    Examples
    --------
    >>> import forecast
    >>> d = derivations(forecast.fit_publishers())                          # doctest: +SKIP
    >>> d.attrs["summary"]                                                   # doctest: +SKIP
    """
    inc = fit.inclusion
    used = inc[inc["included"]].groupby("publisher").size()
    pubs = list(dict.fromkeys(list(used.index) + [p for p in DERIVATIONS if p in set(inc["publisher"])]))
    rows = [{"publisher": p, "in_model": int(used.get(p, 0)),
             "published_method": DERIVATIONS.get(p, (False, ""))[0],
             "basis": DERIVATIONS.get(p, (False, "a statement without a published method"))[1]} for p in pubs]
    out = pd.DataFrame(rows).sort_values(["in_model", "publisher"], ascending=[False, True], kind="stable")
    out = out.reset_index(drop=True)
    fitted = out[out["in_model"] > 0]
    method = fitted[fitted["published_method"]]
    outside = out[(out["in_model"] == 0) & out["published_method"]]
    names = ", ".join(f"{r['publisher']} ({r['in_model']} figure{'s' if r['in_model'] != 1 else ''})"
                      for _, r in method.iterrows()) or "none"
    only = "only " if len(method) < len(fitted) else ""
    out.attrs["summary"] = (
        f"The model stands on {int(fitted['in_model'].sum())} figures from {len(fitted)} publishers; {only}{names} "
        f"derive{'s' if len(method) == 1 else ''} the global cost by a published method, the rest are statements "
        "without one, or echoes.")
    out.attrs["outside"] = (f"{' and '.join(outside['publisher'])} published methods but measure other things and "
                            "are not in the fit." if len(outside) else "")
    return out
