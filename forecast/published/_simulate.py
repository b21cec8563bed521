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
                       noise_sd: Mapping[str, float], *, level_bn: float = 500.0,
                       growth: float | Mapping[str, float] = 0.12, base_year: int = 2015, curvature: float = 0.0,
                       seed: int = 0, range_sd: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Figures from the measurement model with known parameters.

    ``log E[p, t] = log(level_bn) + growth[p] * (t - base_year) + curvature * (t - base_year)**2
    + offsets[p] + N(0, noise_sd[p]**2 + range_sd[p]**2)`` in US$ bn (log growth per year,
    natural-log offsets; the reference publisher has offset 0). ``growth``
    is one rate for all or one per publisher. With ``range_sd``, the
    publisher's rows carry a published low-high range read as a 90% interval
    of that sd around the figure (and the figure scatters by it as well).

    Examples
    --------
    >>> df = simulate_estimates({"A": [2015, 2016, 2017]}, {"A": 0.0}, {"A": 0.1}, seed=1)
    >>> len(df), list(df["publisher"].unique())
    (3, ['A'])
    """
    rng = np.random.default_rng(seed)
    rows = []
    z90 = 1.6448536269514722
    for p, yrs in years.items():
        g = growth[p] if isinstance(growth, Mapping) else growth
        rs = float((range_sd or {}).get(p, 0.0))
        for y in yrs:
            d = y - base_year
            log_e = (np.log(level_bn) + g * d + curvature * d * d + offsets[p]
                     + np.hypot(noise_sd[p], rs) * rng.standard_normal())
            if rs > 0:
                rows.append(row(f"{p.lower()}-{y}", p, int(y), float(np.exp(log_e)),
                                low_bn=float(np.exp(log_e - z90 * rs)), high_bn=float(np.exp(log_e + z90 * rs))))
            else:
                rows.append(row(f"{p.lower()}-{y}", p, int(y), float(np.exp(log_e))))
    return frame(rows)


# ------------------------------------------------------------------ calibration study
STUDY_YEARS = {"R": [2012, 2013, 2017, 2020], "S": [2018, 2020, 2021, 2022, 2023], "O1": [2014], "O2": [2016],
               "O3": [2016]}
STUDY_OFFSETS = {"R": 0.0, "S": 0.4, "O1": float(np.log(0.8)), "O2": 0.0, "O3": float(np.log(1.3))}
STUDY_RANGE_SD = {"R": 0.2}
STUDY_TARGET_YEARS = (2019, 2029)
STUDY_DESIGNS: dict[str, dict] = {
    "common_unequal": {"growth": {p: float(np.log(1.15)) for p in STUDY_YEARS},
                       "noise": {"R": 0.15, "S": 0.6, "O1": 0.4, "O2": 0.4, "O3": 0.4}},
    "common_equal": {"growth": {p: float(np.log(1.15)) for p in STUDY_YEARS},
                     "noise": {p: 0.3 for p in STUDY_YEARS}},
    "specific": {"growth": {"R": float(np.log(1.09)), "S": float(np.log(1.45)), "O1": float(np.log(1.2)),
                            "O2": float(np.log(1.2)), "O3": float(np.log(1.2))},
                 "noise": {"R": 0.2, "S": 0.25, "O1": 0.3, "O2": 0.3, "O3": 0.3}},
}
STUDY_METHODS = ("old", "common", "new", "new_residual", "new_normal")


def study_data(design: str, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """One simulated dataset of the calibration study and the new reference figures (log US$ bn) it is scored on.

    See ``benchmarks/publisher_study.py`` for the design.

    Examples
    --------
    >>> df, new = study_data("specific", 0)
    >>> len(df), new.shape
    (12, (2,))
    """
    spec = STUDY_DESIGNS[design]
    rng = np.random.default_rng([seed, 17])
    df = simulate_estimates(STUDY_YEARS, STUDY_OFFSETS, spec["noise"], growth=spec["growth"], seed=seed,
                            range_sd=STUDY_RANGE_SD)
    sd_new = np.hypot(spec["noise"]["R"], STUDY_RANGE_SD["R"])
    t = np.array(STUDY_TARGET_YEARS) - 2015
    new = np.log(500.0) + spec["growth"]["R"] * t + sd_new * rng.standard_normal(len(t))
    return df, new


def _old_predictive(fit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The predictive of the model before the df fix: df from the noise variance alone, floored at 1."""
    import copy

    core = copy.copy(fit._core)
    core.range_var = None
    core.C_extra = None
    X = fit._x(np.array(STUDY_TARGET_YEARS), 0)
    df = np.clip(core.satterthwaite_df(X, 0), 1.0, 1e6)
    C = core.henderson(core.theta)
    var = np.einsum("ij,jk,ik->i", X, C, X) + fit.figure_sd() ** 2
    return X @ core.beta, np.sqrt(var), df


def study_replication(design: str, seed: int, methods: tuple[str, ...] = STUDY_METHODS) -> pd.DataFrame:
    """Fit every method to one simulated dataset; coverage and interval score for the new reference figures.

    Returns one row per method and target year: ``design``, ``seed``,
    ``method``, ``year``, ``inside_80``, ``inside_95``, ``score_95``
    (log-scale Winkler score), ``df``, ``error`` ("" when the fit worked).
    """
    from scipy import stats

    from forecast.published.publishers import fit_publishers

    df, new = study_data(design, seed)
    y = new + np.log(1e9)
    rows = []
    for m in methods:
        try:
            opts = {"reference": "R", "bounds": False, "starts": "quick"}
            if m in ("old", "common"):
                fit = fit_publishers(df, growth="common", **opts)
            else:
                how = {"new_residual": "residual", "new_normal": "normal"}.get(m, "satterthwaite")
                fit = fit_publishers(df, growth="publisher", df=how, **opts)
            if m == "old":
                loc, scale, dfs = _old_predictive(fit)
            else:
                pred = fit.predictive_at(list(STUDY_TARGET_YEARS))
                loc, scale, dfs = pred.loc, pred.scale, np.asarray(pred.df, dtype=float)
            err = ""
        except Exception as exc:  # a fit that fails is counted, not fatal
            loc = scale = dfs = np.full(len(y), np.nan)
            err = f"{type(exc).__name__}: {exc}"
        for j, year in enumerate(STUDY_TARGET_YEARS):
            row_out = {"design": design, "seed": seed, "method": m, "year": year, "df": dfs[j], "error": err}
            if not err:
                q80, q95 = (stats.t.ppf(0.5 + lv / 2, dfs[j]) if np.isfinite(dfs[j]) else stats.norm.ppf(0.5 + lv / 2)
                            for lv in (0.8, 0.95))
                lo95, hi95 = loc[j] - q95 * scale[j], loc[j] + q95 * scale[j]
                row_out.update({
                    "inside_80": bool(abs(y[j] - loc[j]) <= q80 * scale[j]),
                    "inside_95": bool(lo95 <= y[j] <= hi95),
                    "score_95": float((hi95 - lo95) + 40 * max(lo95 - y[j], 0) + 40 * max(y[j] - hi95, 0))})
            rows.append(row_out)
    return pd.DataFrame(rows)
