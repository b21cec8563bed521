"""The claims in the data: every figure that was a forecast when it was published."""

from __future__ import annotations

import pandas as pd

from forecast.published._data import describe_row, estimates

__all__ = ["claims"]

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
