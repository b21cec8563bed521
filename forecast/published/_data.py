"""Access to the curated global estimates, in the columns the claims code uses.

Everything in :mod:`forecast.published` reads the global estimates through
:func:`estimates`, which returns ``forecast.load("global_estimates")`` with a
few derived columns:

- ``year``: the year a figure refers to (``target_year``; empty for multi-year
  totals);
- ``value_usd``, ``low_usd``, ``high_usd``: the point, low and high figures in
  US$ (the dataset stores US$ bn). A row with only a low and a high figure gets
  the geometric midpoint ``sqrt(low * high)`` as its point;
- ``origin_ids``: the ids listed in ``likely_origin``, as a tuple.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from forecast.errors import DataError

BN = 1e9  # US$ per US$ bn

REQUIRED = ("id", "publisher", "published_year", "target_year", "kind", "measure",
            "low_usd_bn", "point_usd_bn", "high_usd_bn", "likely_origin")


def _split_ids(value) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ()
    return tuple(s for s in re.split(r"[;,\s|]+", str(value).strip()) if s)


def _num(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


def prepare(raw: pd.DataFrame) -> pd.DataFrame:
    """Add the derived columns (see module docstring) to a global-estimates frame.

    Raises
    ------
    DataError
        When a required column is missing.
    """
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise DataError(f"global estimates: missing column(s) {', '.join(missing)}")
    df = raw.copy().reset_index(drop=True)
    df["id"] = df["id"].astype(str)
    df["publisher"] = df["publisher"].astype(str)
    df["kind"] = df["kind"].astype(str).str.strip().str.lower()
    df["measure"] = df["measure"].astype(str).str.strip()
    ty = _num(df["target_year"])
    df["year"] = pd.array([int(v) if np.isfinite(v) else pd.NA for v in ty], dtype="Int64")
    low, point, high = (_num(df[c]) * BN for c in ("low_usd_bn", "point_usd_bn", "high_usd_bn"))
    with np.errstate(invalid="ignore"):
        mid = np.sqrt(low * high)
    df["low_usd"] = low
    df["high_usd"] = high
    df["value_usd"] = np.where(np.isfinite(point), point, mid)
    df["origin_ids"] = [_split_ids(v) for v in df["likely_origin"]]
    for c in ("first_year", "last_year"):
        if c not in df:
            df[c] = pd.NA
    return df


def load_raw() -> pd.DataFrame:
    """The bundled global estimates as loaded (``forecast.load("global_estimates")``)."""
    from forecast.data.registry import load

    return load("global_estimates")


def estimates(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The global estimates with derived columns (``frame`` or the bundled dataset).

    Examples
    --------
    >>> df = estimates()                       # doctest: +SKIP
    >>> df.loc[0, ["id", "value_usd"]]         # doctest: +SKIP
    """
    if frame is None:
        return _bundled().copy()
    return prepare(frame)


@lru_cache(maxsize=1)
def _bundled() -> pd.DataFrame:
    """The bundled dataset prepared once (callers get a copy)."""
    from forecast.data.registry import load

    return prepare(load("global_estimates"))


def describe_row(row) -> str:
    """A short human label of a dataset row: 'Juniper Research (2015): $2.1T for 2019, data-breach cost'."""
    from forecast.published._format import money

    year = row["year"]
    when = f"for {int(year)}" if not pd.isna(year) else _span(row)
    value = row["value_usd"]
    amount = money(value) if np.isfinite(value) else "no figure"
    measure = str(row["measure"]).replace("_", " ")
    return f"{row['publisher']} ({int(row['published_year'])}): {amount} {when}, {measure}"


def _span(row) -> str:
    fy, ly = row.get("first_year"), row.get("last_year")
    if not pd.isna(fy) and not pd.isna(ly):
        return f"over {int(fy)}-{int(ly)}"
    return "(years not stated)"
