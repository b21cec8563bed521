"""Turn the many ways a user may give claims into one small frame.

Used by the fan chart (markers for claims) and the claim chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.plots.style import money_multiplier

_YEAR_COLS = ("year", "target_year", "claim_year")
_VALUE_COLS = ("value", "claim", "claim_value", "value_usd", "point", "point_usd")
_LABEL_COLS = ("label", "claim_label", "publisher", "source")


def _pick(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    for n in names:
        if n in frame.columns:
            return n
    return None


def claims_frame(claims: Any, unit: str | None = None) -> pd.DataFrame:
    """Claims as a frame with columns ``year`` (int), ``value`` (float) and ``label``.

    ``claims`` may be a DataFrame (columns ``year``/``target_year``,
    ``value``/``point``..., optional ``label``; rows without a year or a
    value are skipped), a claim-check record (anything
    with ``to_frame()``), a mapping ``{label: (year, value)}``, or a sequence
    of ``(year, value)`` / ``(year, value, label)`` tuples or such records.

    Values are in the unit of the chart. When the claims carry a money unit
    of their own (``attrs["unit"]`` or a ``unit`` column) and the chart's
    ``unit`` is money too, they are converted (e.g. dollars to billions).
    """
    if claims is None:
        return pd.DataFrame({"year": pd.Series(dtype=int), "value": pd.Series(dtype=float),
                             "label": pd.Series(dtype=object)})
    if hasattr(claims, "to_frame") and not isinstance(claims, (pd.Series, pd.DataFrame)):
        claims = claims.to_frame()
    if isinstance(claims, Mapping):
        claims = [(v[0], v[1], k) for k, v in claims.items()]
    if isinstance(claims, pd.DataFrame):
        frame = claims.reset_index() if _pick(claims, _YEAR_COLS) is None else claims
        ycol, vcol, lcol = _pick(frame, _YEAR_COLS), _pick(frame, _VALUE_COLS), _pick(frame, _LABEL_COLS)
        if ycol is None or vcol is None:
            raise ForecastError(f"claims: need a year and a value column, got columns {list(claims.columns)}")
        # rows without a single year or a value (multi-year totals) cannot be marked on a year axis
        keep = (pd.to_numeric(frame[ycol], errors="coerce").notna()
                & pd.to_numeric(frame[vcol], errors="coerce").notna()).to_numpy(dtype=bool)
        frame = frame[keep]
        units = (frame["unit"] if "unit" in frame.columns
                 else pd.Series([claims.attrs.get("unit")] * len(frame), index=frame.index))
        out = pd.DataFrame({
            "year": pd.to_numeric(frame[ycol]).astype(int).to_numpy(),
            "value": pd.to_numeric(frame[vcol]).astype(float).to_numpy(),
            "label": (frame[lcol].astype(str).to_numpy() if lcol else [""] * len(frame)),
            "unit": units.to_numpy(),
        })
    else:
        rows = []
        for item in claims:
            if hasattr(item, "to_frame"):
                rows.append(claims_frame(item, None).assign(unit=None).iloc[0].to_dict())
                continue
            item = tuple(item)
            if len(item) not in (2, 3):
                raise ForecastError(f"claims: expected (year, value) or (year, value, label), got {item!r}")
            rows.append({"year": int(item[0]), "value": float(item[1]),
                         "label": str(item[2]) if len(item) == 3 else "", "unit": None})
        out = pd.DataFrame(rows, columns=["year", "value", "label", "unit"])
    target = money_multiplier(unit)
    factors = []
    for u in out["unit"]:
        src = money_multiplier(u) if isinstance(u, str) else None
        factors.append(src / target if (src is not None and target is not None) else 1.0)
    out["value"] = out["value"].to_numpy(dtype=float) * np.asarray(factors, dtype=float)
    bad = out[~np.isfinite(out["value"]) | (out["value"] <= 0)]
    if len(bad):
        raise ForecastError(f"claims: value {bad['value'].iloc[0]!r} for {bad['year'].iloc[0]} "
                            "is not a positive number")
    return out[["year", "value", "label"]].reset_index(drop=True)
