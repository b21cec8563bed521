"""Simulated global-estimates tables with known parameters (for tests and examples)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
                       seed: int | Sequence[int] = 0, range_sd: Mapping[str, float] | None = None) -> pd.DataFrame:
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
# sd of the 90% ranges CSIS/McAfee published with its figures for 2012, 2013, 2017 and 2020 in the bundled data
# ($300-1000bn, $375-575bn, $445-608bn, none): (log high - log low) / 3.29
BUNDLED_RANGE_SD = tuple(float(np.log(h / lo) / (2 * 1.6448536269514722)) if h else 0.0
                         for lo, h in ((300.0, 1000.0), (375.0, 575.0), (445.0, 608.0), (None, None)))
STUDY_TARGET_YEARS = (2019, 2029)
STUDY_DESIGNS: dict[str, dict] = {
    "common_unequal": {"growth": {p: float(np.log(1.15)) for p in STUDY_YEARS},
                       "noise": {"R": 0.15, "S": 0.6, "O1": 0.4, "O2": 0.4, "O3": 0.4}, "stream": 1},
    "common_equal": {"growth": {p: float(np.log(1.15)) for p in STUDY_YEARS},
                     "noise": {p: 0.3 for p in STUDY_YEARS}, "stream": 2},
    "specific": {"growth": {"R": float(np.log(1.09)), "S": float(np.log(1.45)), "O1": float(np.log(1.2)),
                            "O2": float(np.log(1.2)), "O3": float(np.log(1.2))},
                 "noise": {"R": 0.2, "S": 0.25, "O1": 0.3, "O2": 0.3, "O3": 0.3}, "stream": 3},
    # added after the first run: the reference's ranges as uneven as CSIS/McAfee's in the bundled data
    "specific_bundled_ranges": {"growth": {"R": float(np.log(1.09)), "S": float(np.log(1.45)),
                                           "O1": float(np.log(1.2)), "O2": float(np.log(1.2)),
                                           "O3": float(np.log(1.2))},
                                "noise": {"R": 0.2, "S": 0.25, "O1": 0.3, "O2": 0.3, "O3": 0.3},
                                "range_sd": BUNDLED_RANGE_SD, "stream": 4},
    # added after the fourth run: growth rates that differ a little (the growth sd often estimated at zero)
    "specific_mild": {"growth": {"R": float(np.log(1.09)), "S": float(np.log(1.15)), "O1": float(np.log(1.12)),
                                 "O2": float(np.log(1.12)), "O3": float(np.log(1.12))},
                      "noise": {"R": 0.2, "S": 0.25, "O1": 0.3, "O2": 0.3, "O3": 0.3}, "stream": 9},
    "specific_mid": {"growth": {"R": float(np.log(1.09)), "S": float(np.log(1.25)), "O1": float(np.log(1.15)),
                                "O2": float(np.log(1.15)), "O3": float(np.log(1.15))},
                     "noise": {"R": 0.2, "S": 0.25, "O1": 0.3, "O2": 0.3, "O3": 0.3}, "stream": 10},
    # added after the sixth run: three publishers with four figures each and three growth rates (the growth sd of
    # three random slopes often estimated at zero)
    "three_growths": {"years": {"R": [2012, 2014, 2016, 2018], "S": [2013, 2015, 2017, 2019],
                                "T": [2014, 2016, 2018, 2020]},
                      "offsets": {"R": 0.0, "S": 0.5, "T": -0.3}, "ranges": {"R": 0.15},
                      "growth": {"R": 0.10, "S": 0.20, "T": 0.15}, "noise": {"R": 0.2, "S": 0.4, "T": 0.3},
                      "stream": 11},
}
STUDY_METHODS = ("old", "old_capped", "common", "new", "prev", "new_unpooled", "new_pooled", "new_residual",
                 "new_normal", "new_kr", "oracle")


def study_data(design: str, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """One simulated dataset of the calibration study and the new reference figures (log US$ bn) it is scored on.

    See ``benchmarks/publisher_study.py`` for the design. Each design draws
    from its own random stream (``[seed, stream]``), so that the designs'
    results are independent, not the same draws under other parameters. The
    new figures scatter like the reference's past figures: noise plus the
    root mean variance of its published ranges.

    Examples
    --------
    >>> df, new = study_data("specific", 0)
    >>> len(df), new.shape
    (12, (2,))
    """
    spec = STUDY_DESIGNS[design]
    stream = int(spec["stream"])
    rs = spec.get("range_sd")
    if rs is None:
        ranges = spec.get("ranges", STUDY_RANGE_SD)
        df = simulate_estimates(spec.get("years", STUDY_YEARS), spec.get("offsets", STUDY_OFFSETS), spec["noise"],
                                growth=spec["growth"], seed=[seed, stream], range_sd=ranges)
        range_var = ranges["R"] ** 2
    else:
        df = _uneven_ranges(spec, rs, [seed, stream])
        range_var = float(np.mean(np.square(rs)))
    rng = np.random.default_rng([seed, 17, stream])
    sd_new = np.sqrt(spec["noise"]["R"] ** 2 + range_var)
    t = np.array(STUDY_TARGET_YEARS) - 2015
    new = np.log(500.0) + spec["growth"]["R"] * t + sd_new * rng.standard_normal(len(t))
    return df, new


def _uneven_ranges(spec: dict, range_sd: Sequence[float], seed) -> pd.DataFrame:
    """Study data whose reference rows carry ranges of the given sds, one per row (0: no range)."""
    rng = np.random.default_rng(seed)
    rows = []
    z90 = 1.6448536269514722
    for p, yrs in STUDY_YEARS.items():
        for i, y in enumerate(yrs):
            rs = float(range_sd[i]) if p == "R" else 0.0
            d = y - 2015
            log_e = (np.log(500.0) + spec["growth"][p] * d + STUDY_OFFSETS[p]
                     + np.hypot(spec["noise"][p], rs) * rng.standard_normal())
            extra = {"low_bn": float(np.exp(log_e - z90 * rs)), "high_bn": float(np.exp(log_e + z90 * rs))} if rs else {}
            rows.append(row(f"{p.lower()}-{y}", p, int(y), float(np.exp(log_e)), **extra))
    return frame(rows)


def _old_df(core, L: np.ndarray, pub: int, cap_pinned: bool) -> np.ndarray:
    """Degrees of freedom of the model before the df fix: Satterthwaite from the noise variance alone (published
    ranges left out), floored at 1; with ``cap_pinned`` the later rule (the residual df where that variance
    depends on a noise sd held at its bound) is applied as well."""
    import copy

    c = copy.copy(core)
    c.range_var = None
    c.C_extra = None
    if cap_pinned:
        df = c.satterthwaite_df(L, pub, cap_growth_sd=True)
    else:
        free = np.flatnonzero(~c.phi_at_bound)
        cov_t = c.cov_theta[np.ix_(free, free)]
        theta = c.theta
        V = c._variance(theta, L, pub)
        if len(free) == 0 or not np.all(np.isfinite(cov_t)):
            return np.full(len(V), max(c.df_resid, 1.0))
        grad = np.empty((len(V), len(free)))
        for j, g in enumerate(free):
            up, dn = theta.copy(), theta.copy()
            up[g] += 1e-5
            dn[g] -= 1e-5
            grad[:, j] = (c._variance(up, L, pub) - c._variance(dn, L, pub)) / 2e-5
        var_v = np.einsum("ij,jk,ik->i", grad, cov_t, grad)
        with np.errstate(divide="ignore"):
            df = np.where(var_v > 0, 2 * V**2 / var_v, np.inf)
    return np.clip(df, 1.0, 1e6)


def _old_predictive(fit, cap_pinned: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The predictive of the model before the df fix (common growth, Henderson's covariance without the variance
    the estimated weights add, noise plus range variance, df of :func:`_old_df`)."""
    core = fit._core
    X = fit._x(np.array(STUDY_TARGET_YEARS), 0)
    df = _old_df(core, X, 0, cap_pinned)
    C = core.henderson(core.theta)
    var = np.einsum("ij,jk,ik->i", X, C, X) + fit.figure_sd() ** 2
    return X @ core.beta, np.sqrt(var), df


def _with_df(fit, how: str):
    import copy

    out = copy.copy(fit)
    out.options = {**fit.options, "df": how}
    return out


def _kr_predictive(fit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The default predictive with the Kenward-Roger / Prasad-Rao second-order term: the variance the estimated
    weights add counted twice (once for the estimates' extra variance, once for the downward bias of the plug-in
    covariance); same df."""
    core = fit._core
    X = fit._x(np.array(STUDY_TARGET_YEARS), 0)
    pred = fit.predictive_at(list(STUDY_TARGET_YEARS))
    extra = np.zeros(len(X)) if core.C_extra is None else np.einsum("ij,jk,ik->i", X, core.C_extra, X)
    return pred.loc, np.sqrt(pred.scale**2 + extra), np.asarray(pred.df, dtype=float)


def _oracle_predictive(df: pd.DataFrame, design: str) -> tuple[np.ndarray, np.ndarray, float, float]:
    """The predictive of a new reference figure for a method that knows every variance parameter (noise sds) and
    which publishers share a growth rate, but not the level, offsets or growth rates: generalised least squares
    with the true weights, one growth rate per group of publishers that share it, Normal predictive with the exact
    variance (the curve's and offsets' variance plus the noise and range variance of a new figure). Returns loc and
    scale (log US$) and the reference growth rate's error and standard error. No method that estimates the
    variance parameters from these twelve figures can expect a much lower interval score.
    """
    spec = STUDY_DESIGNS[design]
    pubs = list(spec.get("years", STUDY_YEARS))
    pub = df["publisher"].map({p: i for i, p in enumerate(pubs)}).to_numpy()
    t = df["target_year"].astype(int).to_numpy() - 2017.0
    y = np.log(df["point_usd_bn"].to_numpy(dtype=float) * 1e9)
    z90 = 1.6448536269514722
    v = np.nan_to_num(((np.log(df["high_usd_bn"]) - np.log(df["low_usd_bn"])) / (2 * z90)).to_numpy(dtype=float) ** 2)
    # a group of publishers that share a growth rate tells about it only through a publisher with two or more
    # figures (each has its own offset): the rows of the other groups say nothing about the reference and are left out
    years_of = df.groupby("publisher")["target_year"].nunique()
    groups = [g for g in dict.fromkeys([spec["growth"]["R"], *spec["growth"].values()])
              if any(spec["growth"][p] == g and years_of.get(p, 0) >= 2 for p in pubs)]
    keep = np.array([spec["growth"][pubs[i]] in groups for i in pub])
    pub, t, y, v = pub[keep], t[keep], y[keep], v[keep]
    kept_pubs = [q for q in range(1, len(pubs)) if np.any(pub == q)]
    gid = np.array([groups.index(spec["growth"][pubs[i]]) for i in pub])

    def rows(tt, pp, gg):
        cols = [np.ones(len(tt))] + [(pp == q).astype(float) for q in kept_pubs]
        cols += [tt * (gg == k) for k in range(len(groups))]
        return np.column_stack(cols)

    X = rows(t, pub, gid)
    w = 1.0 / (np.array([spec["noise"][pubs[i]] ** 2 for i in pub]) + v)
    C = np.linalg.inv(X.T @ (X * w[:, None]))
    beta = C @ (X.T @ (w * y))
    tn = np.array(STUDY_TARGET_YEARS) - 2017.0
    Xn = rows(tn, np.zeros(len(tn), dtype=int), np.zeros(len(tn), dtype=int))
    range_var = (float(np.mean(np.square(spec["range_sd"]))) if spec.get("range_sd")
                 else spec.get("ranges", STUDY_RANGE_SD)["R"] ** 2)
    var = np.einsum("ij,jk,ik->i", Xn, C, Xn) + spec["noise"]["R"] ** 2 + range_var
    k = 1 + len(kept_pubs)  # R's growth column
    return Xn @ beta, np.sqrt(var), float(beta[k] - spec["growth"]["R"]), float(np.sqrt(C[k, k]))


def _method_predictive(m: str, fit) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame | None]:
    """Location, scale and df of method ``m``'s predictive of the new reference figures from ``fit``, and the
    variance parts (for the methods that use the fit's own predictive; else ``None``)."""
    years = list(STUDY_TARGET_YEARS)
    if m in ("old", "old_capped"):
        return (*_old_predictive(fit, cap_pinned=(m == "old_capped")), None)
    if m == "new_kr":
        return (*_kr_predictive(fit), None)
    if m == "prev":  # the default before 2026-12-03: a growth sd at its bound caps the df, no floor
        pred = fit.predictive_at(years)
        return pred.loc, pred.scale, fit._core.satterthwaite_df(fit._x(np.array(years), 0), 0, cap_growth_sd=True), None
    how = {"new_residual": "residual", "new_normal": "normal"}.get(m, "satterthwaite")
    pred = _with_df(fit, how).predictive_at(years)
    return pred.loc, pred.scale, np.asarray(pred.df, dtype=float), fit.variance_parts(years)


def study_replication(design: str, seed: int, methods: tuple[str, ...] = STUDY_METHODS) -> pd.DataFrame:
    """Fit every method to one simulated dataset; coverage and interval score for the new reference figures.

    One unpooled common-growth fit (``noise_pooling="none"``, the old
    model's) serves ``old`` and ``old_capped``; a default common-growth fit
    ``common``; the default fit serves ``new``, ``new_residual``,
    ``new_normal`` and ``new_kr`` (they differ only in the predictive built
    from it); one unpooled publisher-specific fit serves ``prev`` (with the
    df capped where the growth sd sits at its bound) and ``new_unpooled``;
    ``new_pooled`` is an unpooled fit with ``pool_at_bound=True``. Returns one row per method and target
    year: ``design``, ``seed``, ``method``, ``year``, ``inside_80``,
    ``inside_95``, ``score_95`` (log-scale Winkler score), ``pit`` (the
    predictive cdf at the new figure), ``z`` (standardised error), ``df``,
    the parts of the predictive variance (``var_noise``, ``var_range``,
    ``var_level``, ``var_growth``, ``var_cross``, ``var_weights``, see
    :meth:`~forecast.published.publishers.PublisherFit.variance_parts`),
    ``growth_error`` and ``growth_se`` (log growth rate of the reference:
    estimate minus truth, and its stated standard error), ``noise_at_bound``
    (the reference's own noise sd fell to its lower bound: pooled, or held
    there), ``error`` ("" when the fit
    worked).
    """
    from scipy import stats

    from forecast.published.publishers import fit_publishers

    df, new = study_data(design, seed)
    y = new + np.log(1e9)
    g_true = STUDY_DESIGNS[design]["growth"]["R"]
    rows = []
    opts = {"reference": "R", "bounds": False, "starts": "quick"}
    fits: dict[str, Any] = {}

    def get(kind: str, pool: bool, hier: bool):
        if (kind, pool, hier) not in fits:
            try:
                fits[kind, pool, hier] = fit_publishers(df, growth=kind, pool_at_bound=pool,
                                                        noise_pooling="hierarchical" if hier else "none", **opts)
            except Exception as exc:  # a fit that fails is counted, not fatal
                fits[kind, pool, hier] = exc
        return fits[kind, pool, hier]

    for m in methods:
        parts = None
        if m == "oracle":
            loc, scale, g_err, g_se = _oracle_predictive(df, design)
            dfs, err, pinned = np.full(len(y), np.inf), "", False
        else:
            fit = get("common" if m in ("old", "old_capped", "common") else "publisher", m == "new_pooled",
                      m not in ("old", "old_capped", "prev", "new_unpooled", "new_pooled"))
            if isinstance(fit, Exception):
                loc = scale = dfs = np.full(len(y), np.nan)
                err = f"{type(fit).__name__}: {fit}"
            else:
                err = ""
                loc, scale, dfs, parts = _method_predictive(m, fit)
                grad = fit._growth_L(None, 0)
                g_err = float(grad @ fit._core.beta) - g_true
                g_se = float(np.sqrt(grad @ fit._core.cov_beta @ grad))
                pinned = "R" in fit.pooled_noise or (fit.noise_sd("R") < 1e-3)
        for j, year in enumerate(STUDY_TARGET_YEARS):
            row_out: dict[str, Any] = {"design": design, "seed": seed, "method": m, "year": year, "df": dfs[j],
                                       "error": err}
            if not err:
                dist = stats.t(dfs[j]) if np.isfinite(dfs[j]) else stats.norm()
                q80, q95 = dist.ppf(0.9), dist.ppf(0.975)
                lo95, hi95 = loc[j] - q95 * scale[j], loc[j] + q95 * scale[j]
                z = (y[j] - loc[j]) / scale[j]
                row_out.update({
                    "inside_80": bool(abs(z) <= q80), "inside_95": bool(lo95 <= y[j] <= hi95),
                    "score_95": float((hi95 - lo95) + 40 * max(lo95 - y[j], 0) + 40 * max(y[j] - hi95, 0)),
                    "pit": float(dist.cdf(z)), "z": float(z), "growth_error": g_err, "growth_se": g_se,
                    "noise_at_bound": pinned})
                if parts is not None:
                    row_out.update({f"var_{c}": float(parts[c].iloc[j]) for c in VARIANCE_PARTS})
            rows.append(row_out)
    return pd.DataFrame(rows)


VARIANCE_PARTS = ("noise", "range", "level", "growth", "cross", "weights")
