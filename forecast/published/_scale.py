"""Real terms and share of world GDP for single figures and frame columns.

Thin wrappers over :func:`forecast.to_real` and :func:`forecast.share_of_gdp`.
Years beyond the CPI-U and world-GDP data (2000-2024) use their
extrapolation at the average growth of the last 10 years of data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def real_value(value: float, year: int, base_year: int) -> float:
    """``value`` (nominal US$ of ``year``) in real US$ of ``base_year`` (CPI-U)."""
    from forecast.data.scale import to_real

    if not np.isfinite(value):
        return float("nan")
    return float(to_real(float(value), year=int(year), base_year=int(base_year), extrapolate=True))


def share_value(value: float, year: int) -> float:
    """``value`` (nominal US$) as a fraction of world GDP of ``year``."""
    from forecast.data.scale import share_of_gdp

    if not np.isfinite(value):
        return float("nan")
    return float(share_of_gdp(float(value), year=int(year), extrapolate=True))


def add_scale_columns(frame: pd.DataFrame, columns: Sequence[str], year_column: str, *,
                      real: int | None = None, share: bool = False) -> pd.DataFrame:
    """Add ``<col>_real_<base>`` and/or ``<col>_share_of_gdp`` for each money column of ``frame``.

    Rows without a year get NaN.
    """
    out = frame.copy()
    years = out[year_column]
    for col in columns:
        vals = out[col].to_numpy(dtype=float)
        if real is not None:
            out[f"{col}_real_{real}"] = [real_value(v, y, real) if not pd.isna(y) else np.nan
                                         for v, y in zip(vals, years)]
        if share:
            out[f"{col}_share_of_gdp"] = [share_value(v, y) if not pd.isna(y) else np.nan
                                          for v, y in zip(vals, years)]
    if real is not None:
        out.attrs["price_basis"] = f"real {real} US$ (CPI-U) in *_real_{real} columns"
    return out
