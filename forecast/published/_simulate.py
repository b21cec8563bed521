"""Simulated global-estimates tables with known parameters (for tests and examples)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

COLUMNS = ["id", "publisher", "attribution", "publication", "published_year", "target_year", "first_year",
           "last_year", "kind", "measure", "low_usd_bn", "point_usd_bn", "high_usd_bn", "scope", "source_url",
           "confidence", "likely_origin", "note"]


def row(id: str, publisher: str, year: int | None, point_bn: float | None = None, *, kind: str = "estimate",
        measure: str = "total_cost", low_bn: float | None = None, high_bn: float | None = None,
        published_year: int | None = None, likely_origin: str = "", first_year: int | None = None,
        last_year: int | None = None) -> dict:
    """One row in the columns of ``forecast.load("global_estimates")``."""
    return {"id": id, "publisher": publisher, "attribution": publisher, "publication": "simulated",
            "published_year": published_year if published_year is not None else (year or first_year) + 1,
            "target_year": year, "first_year": first_year if first_year is not None else year,
            "last_year": last_year if last_year is not None else year, "kind": kind, "measure": measure,
            "low_usd_bn": low_bn, "point_usd_bn": point_bn, "high_usd_bn": high_bn, "scope": "", "source_url": "",
            "confidence": "high", "likely_origin": likely_origin, "note": ""}


def frame(rows: Sequence[dict]) -> pd.DataFrame:
    """A global-estimates frame from :func:`row` dicts, typed like the bundled dataset."""
    df = pd.DataFrame(list(rows), columns=COLUMNS)
    for c in ("published_year", "target_year", "first_year", "last_year"):
        df[c] = pd.array(df[c].tolist(), dtype="Int64")
    for c in ("low_usd_bn", "point_usd_bn", "high_usd_bn"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    return df


def simulate_estimates(years: Mapping[str, Sequence[int]], offsets: Mapping[str, float],
                       noise_sd: Mapping[str, float], *, level_bn: float = 500.0, growth: float = 0.12,
                       base_year: int = 2015, curvature: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Figures from the measurement model with known parameters.

    ``log E[p, t] = log(level_bn) + growth * (t - base_year) + curvature * (t - base_year)**2
    + offsets[p] + N(0, noise_sd[p]**2)`` in US$ bn (log growth per year,
    natural-log offsets; the reference publisher has offset 0).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for p, yrs in years.items():
        for y in yrs:
            d = y - base_year
            log_e = np.log(level_bn) + growth * d + curvature * d * d + offsets[p] + noise_sd[p] * rng.standard_normal()
            rows.append(row(f"{p.lower()}-{y}", p, int(y), float(np.exp(log_e))))
    return frame(rows)
