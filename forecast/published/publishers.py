"""Several publishers, one unknown quantity: the multi-publisher measurement model.

Global "cost of cybercrime" figures from different publishers differ by an
order of magnitude for the same year. :func:`fit_publishers` fits them
together::

    log E[p, t] = log L(t) + b[p] + u[p] (t - t_c) + e,    e ~ N(0, s[p]**2 + v[p, t])

- ``L(t)`` is the latent level, a growth curve: ``"exponential"`` (log-linear,
  constant growth rate) or ``"quadratic"`` (quadratic in log: accelerating or
  slowing growth);
- ``b[p]`` is publisher ``p``'s systematic offset relative to the reference
  publisher (``b[reference] = 0``) at the centre year ``t_c``;
- ``u[p]`` is publisher ``p``'s own deviation from the common growth rate
  (``growth="publisher"``, the default): publishers with at least
  ``min_rows`` (3) figures over three or more years grow at their own rate,
  shrunk toward the common rate by partial pooling (random slopes
  ``u[p] ~ N(0, tau**2)``, ``tau`` estimated by REML with the noise sds);
  the others grow at the common rate. The result is on the reference
  publisher's scale *and growth*: :meth:`PublisherFit.predictive_at` with no
  publisher is the reference's own curve (its offset is 0, its growth the
  common rate plus its shrunken deviation). Publishers that disagree on
  growth are thereby not forced onto one rate (on the bundled data
  CSIS/McAfee grows about 10%/yr, Statista about 57%); ``growth="common"``
  is the earlier model (one rate for all);
- ``s[p]`` is publisher ``p``'s own noise sd (log scale). A publisher with
  fewer than ``min_rows`` (default 3) included rows cannot estimate it (its
  offset absorbs one row entirely); it takes the row-weighted mean noise
  variance of the publishers that can (``noise="common"`` gives everyone one
  sd). The own noise sds are partially pooled by default
  (``noise_pooling="hierarchical"``: ``log s[p] ~ N(mu, 2.5**2)``, penalised
  REML): four figures leave about two degrees of freedom for a noise sd,
  and unpooled REML put the reference's at zero in 30-49% of the
  calibration study's replications (intervals far too narrow there, too
  wide elsewhere);
- ``v[p, t]`` is the variance implied by a published low-high range, read as a
  90% interval: ``sd = (log high - log low) / 3.29``. A row with only a low and
  a high figure uses their geometric midpoint as its point.

Estimation: the variance parameters (noise sds, growth sd) by restricted
maximum likelihood (REML: the curve and offsets integrated out; ``method="ml"``
for plain maximum likelihood), then the curve and offsets by generalised least
squares and the growth deviations by their best linear unbiased predictors,
with Henderson's covariance of both (:mod:`forecast.published._mle`). The
restricted likelihood can have several maxima: the search starts from a grid
that moves each noise sd (and the growth sd) separately, and every maximum
within 2 log-likelihood units of the best is kept and reported
(:attr:`PublisherFit.modes`, a note, a row per mode in
:meth:`PublisherFit.sensitivity`). On the bundled data the common-growth
model has two (slow growth with CSIS/McAfee precise and Statista noisy, fast
growth the other way round); the publisher-specific model has one.

Predictive distributions on a publisher's scale are Student t on the log
scale, truncated to the bounds of the global cost (at least the IC3 reported
US losses, at most world GDP, of that year; :mod:`forecast.published._bounds`).
Their variance is that of the fitted curve plus offset (parameter
uncertainty; exact for this linear model given the variance parameters) plus
the variance of a new figure from that publisher: its noise variance plus the
mean variance its published ranges implied (a new figure is as uncertain as
its past ones). Their degrees of freedom, and those of the intervals of
offsets and growth, come by default from Satterthwaite's approximation with
the REML covariance of the variance parameters (``df="satterthwaite"``, the
method of R's lmerTest), computed for the same variance the predictive uses;
where that variance depends on a noise sd held at its lower bound (which has
no REML variance), the residual df is used instead; a growth sd at its lower
bound counts through its one-sided 95% profile limit (how much the variance
would grow up to there). A df below 2 (no finite variance) is raised to 2 and
the fit's and the predictive's notes say so (``min_df``; the calibration
study found the heavier tails add no coverage). A Student t on the log scale has no mean: forecast frames show NaN in
``mean`` with ``attrs["mean_note"]`` unless the truncation makes the mean
exist and the bound does not set it. ``df="residual"`` uses ``rows - fixed
coefficients - variance parameters`` as for an OLS fit, ``df="normal"``
Normal tails. Calibration of the intervals is measured by simulation in
``benchmarks/publisher_study.py`` (tables in ``benchmarks/README.md``).
:meth:`PublisherFit.sensitivity` shows the alternatives beside the headline
numbers. Money is in US$ (``unit == "USD"``): the dataset's US$ bn figures
are multiplied by 1e9.

Which rows enter is decided from the dataset's ``kind`` and ``measure`` and
shown in :attr:`PublisherFit.inclusion` (rules in
:mod:`forecast.published._inclusion`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from forecast.published import _data
from forecast.published._format import money, possessive, rate
from forecast.published._inclusion import FIT_MEASURES, inclusion_table
from forecast.published._bounds import BoundedPredictive
from forecast.published._bounds import bounds as bounds_for
from forecast.published._mle import CoreFit, design, fit_core, noise_map
from forecast.errors import ClaimError, ModelError
from forecast.intervals import DEFAULT_LEVELS, Predictive, check_levels, std_ppf, year_index
from forecast.families.base import future_years

__all__ = ["CURVES", "PublisherFit", "fit_publishers"]

CURVES: dict[str, int] = {"exponential": 1, "quadratic": 2}
MODE_GAP = 2.0  # restricted log-likelihood units within which a second maximum is reported
MIN_DF = 2.0  # a Satterthwaite df below this is raised to it, with a note (option min_df)
NOISE_POOL_SD = 2.5  # tau of noise_pooling="hierarchical": sd of the publishers' log noise sds around their common value


PATHS_KEPT = 8  # sets of simulated paths a fit keeps (the latest calls), so that repeated calls share them


def _t_scale(u: np.ndarray, df: np.ndarray) -> np.ndarray:
    """``sqrt(df / chi2.ppf(u, df))`` for every path (``u``) and year (``df``): array (paths, years).

    The Student t scaling of a path's curve uncertainty: one uniform per
    path, the chi-square quantile at each year's degrees of freedom (1 where
    ``df`` is infinite: Normal). The quantile ``2 * gammaincinv(df / 2, u)``
    (``scipy.stats.chi2.ppf``) is computed once per distinct ``df``; with
    many distinct values (Satterthwaite's df changes from year to year) by
    :func:`_chi2_log_ratio`.
    """
    df = np.asarray(df, dtype=float)
    out = np.ones((len(u), len(df)))
    finite = np.isfinite(df)
    if finite.any():
        vals, inv = np.unique(df[finite], return_inverse=True)
        out[:, finite] = np.exp(-0.5 * _chi2_log_ratio(np.asarray(u, dtype=float), vals))[:, inv]
    return out


CHEB_NODES = 12     # Chebyshev nodes of the interpolation in _chi2_log_ratio
CHEB_CHECKS = 3     # distinct dfs at which the interpolation is checked against the exact quantile
CHEB_TOL = 1e-11    # largest error allowed at the checks (log scale, i.e. relative); else exact everywhere


def _chi2_log_ratio(u: np.ndarray, dfs: np.ndarray) -> np.ndarray:
    """``log(chi2.ppf(u, d) / d)`` for every ``u`` (rows) and distinct ``d`` in ``dfs`` (columns).

    Exact (``gammaincinv``) for a few ``dfs``. For many, it is interpolated in
    ``x = d**-0.5`` (in which the chi-square quantile is smooth, Cornish-Fisher)
    through ``CHEB_NODES`` Chebyshev nodes spanning the ``dfs`` (barycentric
    formula), and checked against the exact value at ``CHEB_CHECKS`` of them:
    if any differs by more than ``CHEB_TOL`` the exact value is used for all.
    A ``u`` of 0 (a zero quantile) is computed exactly.
    """
    def exact(uu, d):
        with np.errstate(divide="ignore"):
            return np.log(2.0 * special.gammaincinv(d[None, :] / 2.0, uu[:, None]) / d[None, :])

    if len(dfs) <= CHEB_NODES + CHEB_CHECKS:
        return exact(u, dfs)
    x = dfs ** -0.5
    lo, hi = float(x.min()), float(x.max())
    k = np.arange(CHEB_NODES)
    nodes = (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * k / (CHEB_NODES - 1))
    w = np.where(k % 2 == 0, 1.0, -1.0)
    w[[0, -1]] *= 0.5
    diff = x[:, None] - nodes[None, :]
    hit = np.isclose(diff, 0.0, rtol=0.0, atol=1e-15)
    with np.errstate(divide="ignore", invalid="ignore"):
        L = w[None, :] / diff
    L = np.where(hit.any(axis=1)[:, None], hit.astype(float), L)
    L = L / L.sum(axis=1, keepdims=True)
    ok = u > 0
    out = np.empty((len(u), len(dfs)))
    out[ok] = exact(u[ok], nodes ** -2.0) @ L.T
    if (~ok).any():
        out[~ok] = exact(u[~ok], dfs)
    check = np.unique(np.linspace(0, len(dfs) - 1, CHEB_CHECKS + 2).round().astype(int)[1:-1])
    if not np.all(np.abs(out[ok][:, check] - exact(u[ok], dfs[check])) <= CHEB_TOL):
        return exact(u, dfs)
    return out


def _warm_start(fit: "PublisherFit") -> list[dict[str, Any]]:
    """Each maximum of ``fit`` as ``{"noise": {publisher: log noise sd}, "tau": log growth sd or None}``."""
    out = []
    for i in range(len(fit._cores)):
        f = fit.mode_fit(i)
        out.append({"noise": {p: float(np.log(f.noise_sd(p))) for p in f.publishers},
                    "tau": f._core.log_tau})
    return out


def _warm_points(warm: Sequence[dict[str, Any]], owners: list[str], slopes: bool) -> list[np.ndarray]:
    """The maxima ``warm`` (see :func:`_warm_start`) as starting points of a fit whose free noise sds belong to
    ``owners`` (none: one sd for all publishers) and which has a growth sd when ``slopes``.

    A publisher the other fit did not have starts at a noise sd of 0.25; one
    sd for all starts at the root mean of the other fit's noise variances; a
    growth sd the other fit did not have starts at 0.2.
    """
    points = []
    for m in warm:
        noise = m["noise"]
        if owners:
            phi = [noise.get(p, float(np.log(0.25))) for p in owners]
        else:
            phi = [0.5 * float(np.log(np.mean(np.exp(2.0 * np.array(list(noise.values()))))))]
        tau = [m["tau"] if m["tau"] is not None else float(np.log(0.2))] if slopes else []
        points.append(np.array(phi + tau, dtype=float))
    return points


def _range_var(low: np.ndarray, high: np.ndarray, level: float) -> np.ndarray:
    z = special.ndtri(0.5 + level / 200)
    ok = np.isfinite(low) & np.isfinite(high) & (low > 0) & (high > low)
    sd = np.where(ok, (np.log(np.where(ok, high, 1.0)) - np.log(np.where(ok, low, 1.0))) / (2 * z), 0.0)
    return sd**2


class PublisherFit:
    """Result of :func:`fit_publishers`.

    Attributes
    ----------
    model : str
        ``"publishers:<curve>"``.
    unit : str
        ``"USD"``.
    reference : str
        The publisher whose scale the latent level ``L(t)`` is on.
    publishers : list of str
        Publishers with included rows, the reference first.
    inclusion : pd.DataFrame
        Every row of the input with ``included`` and the ``reason``.
    data : pd.DataFrame
        The included rows with ``log_value``, ``range_sd``, ``fitted_usd`` (median
        on the row's publisher scale) and ``residual`` (log scale).
    params : pd.DataFrame
        ``estimate``, ``std_err``, ``identified`` of every parameter (log scale).
    notes : list of str
        What a user must know about this fit.

    Also: :attr:`offsets`, :attr:`growth` (reference scale),
    :attr:`publisher_growth` (each publisher's rate and the common one),
    :attr:`scales` (publishers with three or more figures),
    :attr:`pooled_noise` (publishers whose own noise sd fell to its lower
    bound and was pooled with the others'), :attr:`modes`
    (maxima of the restricted likelihood within 2 units, with what each
    implies; :meth:`mode_fit` gives each as a fit), :meth:`bounds` (the IC3
    and world-GDP bounds the predictive is truncated to), :meth:`sensitivity`.
    """

    unit = "USD"

    def __init__(self, *, core: CoreFit, curve: str, reference: str, publishers: list[str], data: pd.DataFrame,
                 inclusion: pd.DataFrame, t_center: float, options: dict[str, Any], notes: list[str],
                 cores: list[CoreFit] | None = None, pooled_noise: tuple[str, ...] = ()):
        self._core = core
        self.pooled_noise = tuple(pooled_noise)
        self._cores = list(cores) if cores else [core]
        self.curve = curve
        self.degree = CURVES[curve]
        self.model = f"publishers:{curve}"
        self.reference = reference
        self.publishers = publishers
        self.inclusion = inclusion
        self.t_center = t_center
        self.options = options
        self.notes = list(notes) + list(core.notes)
        self.loglik = core.loglik
        years = data["year"].astype(int)
        self.first_year = int(years.min())
        self.last_year = int(years.max())
        pub_idx = data["publisher"].map({p: i for i, p in enumerate(publishers)}).to_numpy()
        X = design(years.to_numpy(), pub_idx, len(publishers), self.degree, t_center, core.slope_pubs)
        fitted_log = X @ core.beta
        data = data.copy()
        data["fitted_usd"] = np.exp(fitted_log)
        data["residual"] = data["log_value"] - fitted_log
        self.data = data
        self.params = self._params()

    # ----------------------------------------------------------- internals
    def _param_names(self) -> list[str]:
        names = ["level"] + (["growth"] if self.degree >= 1 else []) + (["curvature"] if self.degree >= 2 else [])
        names += [f"offset[{p}]" for p in self.publishers[1:]]
        names += [f"growth_deviation[{self.publishers[q]}]" for q in self._core.slope_pubs]
        counts = self.data["publisher"].value_counts().reindex(self.publishers).to_numpy()
        pooled = tuple(self.publishers.index(p) for p in self.pooled_noise)
        own = noise_map(counts, self.options["min_rows"], self.options["noise"] == "common", pooled)[1]
        if not own:
            names += ["log_noise_sd[common]"]
        else:
            names += [f"log_noise_sd[{self.publishers[p]}]" for p in own]
        if self._core.log_tau is not None:
            names += ["log_growth_sd"]
        return names

    def _params(self) -> pd.DataFrame:
        core = self._core
        est = np.concatenate([core.beta, core.theta])
        se = np.sqrt(np.diag(core.cov))
        ident = np.isfinite(se)
        return pd.DataFrame({"estimate": est, "std_err": se, "identified": ident}, index=self._param_names())

    def _pub_index(self, publisher: str | None) -> int:
        if publisher is None:
            return 0
        for i, p in enumerate(self.publishers):
            if p.casefold() == str(publisher).casefold():
                return i
        raise ClaimError(f"unknown publisher {publisher!r}: the model has a scale for "
                         f"{', '.join(self.publishers)}")

    def publisher_name(self, publisher: str | None) -> str:
        """The canonical name of ``publisher`` (the reference when ``None``)."""
        return self.publishers[self._pub_index(publisher)]

    def _x(self, years: np.ndarray, p: int) -> np.ndarray:
        return design(np.asarray(years, dtype=float), np.full(len(years), p), len(self.publishers),
                      self.degree, self.t_center, self._core.slope_pubs)

    def _df(self, L: np.ndarray, pub: int | None = None, *, floor: bool = True) -> np.ndarray:
        """Degrees of freedom for ``L @ beta`` (plus publisher ``pub``'s noise), per the ``df`` option; a
        Satterthwaite df below the ``min_df`` option is raised to it unless ``floor=False`` (see :meth:`_df_notes`)."""
        L = np.atleast_2d(L)
        how = self.options.get("df", "satterthwaite")
        if how == "normal":
            return np.full(len(L), np.inf)
        if how == "satterthwaite":
            df = self._core.satterthwaite_df(L, pub)
            return self._floor_df(df) if floor else df
        return np.full(len(L), max(self._core.df_resid, 1.0))

    def _floor_df(self, df: np.ndarray) -> np.ndarray:
        """``df`` raised to the ``min_df`` option where the ``df`` option is Satterthwaite's."""
        if self.options.get("df", "satterthwaite") != "satterthwaite":
            return df
        return np.maximum(df, float(self.options.get("min_df", MIN_DF)))

    def noise_sd(self, publisher: str | None = None) -> float:
        """Noise sd ``s[p]`` (log scale) of a publisher's figures around its scaled curve."""
        return float(np.sqrt(self._core.noise_var()[self._pub_index(publisher)]))

    def range_sd(self, publisher: str | None = None) -> float:
        """Root mean range variance ``sqrt(mean v[p, t])`` of a publisher's included rows (0 without ranges)."""
        name = self.publisher_name(publisher)
        kept = self.__dict__.setdefault("_range_sds", {})
        if name not in kept:
            v = self.data.loc[self.data["publisher"] == name, "range_sd"].to_numpy() ** 2
            kept[name] = float(np.sqrt(v.mean())) if len(v) else 0.0
        return kept[name]

    def figure_sd(self, publisher: str | None = None) -> float:
        """Sd (log scale) of a new figure around the publisher's scaled curve: ``sqrt(s[p]**2 + mean v[p])``.

        A new figure is taken to be as uncertain as the publisher's past ones:
        its own noise plus the average variance its published ranges implied.
        """
        return float(np.hypot(self.noise_sd(publisher), self.range_sd(publisher)))

    # ------------------------------------------------------------- results
    @property
    def offsets(self) -> pd.DataFrame:
        """Each publisher's figures as a multiple of the reference's, with a 95% interval.

        Columns: ``publisher``, ``ratio`` (exp of the offset), ``lower_95``,
        ``upper_95``, ``n_rows``, ``first_year``, ``last_year``, ``noise_sd``
        (log scale), ``range_sd`` (root mean variance of its published ranges),
        ``noise`` (``"own"`` or how it was pooled), ``statement``.
        """
        core = self._core
        k0 = self.degree + 1
        rows = []
        counts = self.data["publisher"].value_counts()
        own_map = core.noise_map
        for i, p in enumerate(self.publishers):
            sub = self.data[self.data["publisher"] == p]
            if i == 0:
                ratio, lo, hi = 1.0, np.nan, np.nan
                statement = f"{p} is the reference scale"
            else:
                b = core.beta[k0 + i - 1]
                se = np.sqrt(core.cov[k0 + i - 1, k0 + i - 1])
                L = np.zeros(len(core.beta))
                L[k0 + i - 1] = 1.0
                q = float(std_ppf(0.975, self._df(L)[0]))
                ratio, lo, hi = np.exp(b), np.exp(b - q * se), np.exp(b + q * se)
                statement = (f"{possessive(p)} figures run {ratio:.3g} times {possessive(self.reference)}, "
                             f"95% interval {lo:.3g}-{hi:.3g}")
            if p in self.pooled_noise:
                noise = "pooled (own sd at its lower bound)"
            elif own_map.shape[1] == 1 and not self.pooled_noise:
                noise = "one sd shared by all publishers"
            elif counts[p] >= self.options["min_rows"] and own_map[i].sum() == 1.0 and own_map[i].max() == 1.0:
                noise = "own"
            else:
                noise = f"pooled (fewer than {self.options['min_rows']} rows)"
            rows.append({"publisher": p, "ratio": ratio, "lower_95": lo, "upper_95": hi, "n_rows": int(counts[p]),
                         "first_year": int(sub["year"].min()), "last_year": int(sub["year"].max()),
                         "noise_sd": self.noise_sd(p), "range_sd": self.range_sd(p), "noise": noise,
                         "statement": statement})
        return pd.DataFrame(rows)

    def _growth_L(self, year: int | None = None, p: int | None = 0) -> np.ndarray:
        """Gradient of the log growth rate of publisher ``p``'s curve (``None``: the common growth)."""
        year = self.last_year if year is None else int(year)
        grad = np.zeros(len(self._core.beta))
        grad[1] = 1.0
        if self.degree >= 2:
            grad[2] = 2 * (year - self.t_center)
        if p is not None and p in self._core.slope_pubs:
            grad[self._core.k_fixed + self._core.slope_pubs.index(p)] = 1.0
        return grad

    def growth_rate(self, year: int | None = None, publisher: str | None = None, *,
                    common: bool = False) -> tuple[float, float, float]:
        """Annual growth rate on ``publisher``'s scale (default: the reference) with its 95% interval.

        With publisher-specific growth, a publisher with its own growth grows
        at the common rate plus its (shrunken) deviation; the others at the
        common rate. ``common=True`` gives the common rate itself. At ``year``
        for the quadratic curve.
        """
        grad = self._growth_L(year, None if common else self._pub_index(publisher))
        g = float(grad @ self._core.beta)
        se = float(np.sqrt(grad @ self._core.cov_beta @ grad))
        q = float(std_ppf(0.975, self._df(grad)[0]))
        return float(np.expm1(g)), float(np.expm1(g - q * se)), float(np.expm1(g + q * se))

    @property
    def growth(self) -> pd.DataFrame:
        """Annual growth rate on the reference scale with a 95% interval (one row; at the last year if quadratic).

        This is the growth of the curve that :meth:`predictive_at` uses for
        the reference publisher: with publisher-specific growth, the common
        rate plus the reference's own (shrunken) deviation. Every publisher's
        rate is in :attr:`publisher_growth`.
        """
        r, lo, hi = self.growth_rate()
        return pd.DataFrame([{"curve": self.curve, "year": self.last_year, "growth": r, "lower_95": lo,
                              "upper_95": hi, "publisher": self.reference, "growth_model": self.options["growth"]}])

    @property
    def publisher_growth(self) -> pd.DataFrame:
        """Annual growth rate on each publisher's scale, and the common rate, with 95% intervals.

        Columns: ``publisher`` (``"(common)"`` for the common rate),
        ``growth``, ``lower_95``, ``upper_95``, ``own`` (True when the
        publisher has its own growth, shrunk toward the common rate by the
        estimated spread ``growth_sd``), ``n_rows``, ``growth_sd`` (sd of the
        publishers' log growth deviations; 0 with common growth).
        """
        counts = self.data["publisher"].value_counts()
        rows = []
        r, lo, hi = self.growth_rate(common=True)
        rows.append({"publisher": "(common)", "growth": r, "lower_95": lo, "upper_95": hi, "own": False,
                     "n_rows": len(self.data), "growth_sd": self._core.tau})
        for i, p in enumerate(self.publishers):
            r, lo, hi = self.growth_rate(publisher=p)
            rows.append({"publisher": p, "growth": r, "lower_95": lo, "upper_95": hi,
                         "own": i in self._core.slope_pubs, "n_rows": int(counts[p]), "growth_sd": self._core.tau})
        return pd.DataFrame(rows)

    def mode_fit(self, i: int) -> "PublisherFit":
        """The fit at the ``i``-th maximum of the restricted likelihood (0: this fit; see :attr:`modes`)."""
        if i == 0:
            return self
        core = self._cores[i]
        fit = PublisherFit(core=core, curve=self.curve, reference=self.reference, publishers=self.publishers,
                           data=self.data.drop(columns=["fitted_usd", "residual"]), inclusion=self.inclusion,
                           t_center=self.t_center, options=self.options,
                           notes=[f"mode {i} of the restricted likelihood (not its highest maximum)"], cores=[core],
                           pooled_noise=self.pooled_noise)
        fit._source = self._source
        return fit

    @property
    def modes(self) -> pd.DataFrame:
        """Maxima of the restricted likelihood within 2 log-likelihood units of the best, best first.

        Columns: ``mode`` (0 = the reported fit), ``reml_loglik``, ``delta``
        (below the best), ``growth`` (reference scale, at the last year),
        ``common_growth``, ``growth_sd``, ``median_last`` (reference scale,
        US$, at the last data year), ``noise_sd[P]`` per publisher with its own
        noise. One row when the maximum is unique. What each mode implies for
        a claim: ``sensitivity(claims=...)`` has a row per mode, and
        :meth:`mode_fit` gives the fit itself.
        """
        kept = self.__dict__.get("_modes_frame")
        if kept is not None:  # a fit does not change once made: the table is computed once
            return kept.copy()
        rows = []
        best = self._cores[0].reml_loglik
        for i in range(len(self._cores)):
            f = self.mode_fit(i)
            row = {"mode": i, "reml_loglik": f._core.reml_loglik, "delta": best - f._core.reml_loglik,
                   "growth": f.growth_rate()[0], "common_growth": f.growth_rate(common=True)[0],
                   "growth_sd": f._core.tau,
                   "median_last": float(f.predictive_at([self.last_year]).median()[0])}
            for p in self.scales:
                row[f"noise_sd[{p}]"] = f.noise_sd(p)
            rows.append(row)
        self.__dict__["_modes_frame"] = pd.DataFrame(rows)
        return self.__dict__["_modes_frame"].copy()

    @property
    def scales(self) -> list[str]:
        """Publishers with at least three included figures: the scales on which a claim is worth judging."""
        counts = self.data["publisher"].value_counts()
        return [p for p in self.publishers if counts[p] >= 3]

    def predictive_at(self, years: Iterable[int], publisher: str | None = None) -> Predictive:
        """Predictive distribution of ``publisher``'s figure for any ``years`` (inside the data window too).

        Student t on the log scale: curve plus offset (and the publisher's
        growth deviation) with their parameter uncertainty, plus the variance
        of a new figure (:meth:`figure_sd`); degrees of freedom by
        Satterthwaite's approximation for that same variance. Truncated to
        :meth:`bounds` (IC3 reported US losses below, world GDP above) unless
        the fit was made with ``bounds=False``: a
        :class:`~forecast.published._bounds.BoundedPredictive` whose
        quantiles, cdf and mean are those of the truncated distribution
        (``take(idx)`` selects years with the bounds kept). Notes (a df below
        2) are in ``meta["notes"]``.
        """
        p = self._pub_index(publisher)
        years = np.asarray([int(y) for y in years])
        X = self._x(years, p)
        loc = X @ self._core.beta
        var = np.einsum("ij,jk,ik->i", X, self._core.cov_beta, X) + self.figure_sd(self.publishers[p]) ** 2
        raw = self._df(X, p, floor=False)
        df = self._floor_df(raw)
        if self.options.get("bounds", True):
            lo, hi = self.bounds(years)
            pred: Predictive = BoundedPredictive(year_index(years), loc=loc, scale=np.sqrt(var), df=df, space="log",
                                                 lower=lo, upper=hi)
        else:
            pred = Predictive(year_index(years), loc=loc, scale=np.sqrt(var), df=df, space="log")
        pred.meta.update({"publisher": self.publishers[p], "model": self.model, "notes": self._df_notes(raw, p)})
        return pred

    def variance_parts(self, years: Iterable[int], publisher: str | None = None) -> pd.DataFrame:
        """The log-scale variance of :meth:`predictive_at` split into its parts, one row per year.

        Columns: ``noise`` (the publisher's noise variance ``s[p]**2``),
        ``range`` (the mean variance its published ranges implied), ``level``
        (the curve's level and the publisher's offset at the centre year),
        ``growth`` (the growth rates: common rate, curvature and the
        publisher's own deviation, times the distance to the centre year),
        ``cross`` (twice the covariance of those two), ``weights`` (the
        variance the estimated variance parameters add to the curve and
        offsets, ``L J cov_theta J' L'``), ``total`` (their sum: the
        predictive's ``scale**2``) and ``df``. ``level``, ``growth`` and
        ``cross`` use Henderson's covariance at the estimated variance
        parameters.

        Examples
        --------
        >>> fit = fit_publishers()                                  # doctest: +SKIP
        >>> fit.variance_parts([2019, 2030])                        # doctest: +SKIP
        """
        p = self._pub_index(publisher)
        years = np.asarray([int(y) for y in years])
        X = self._x(years, p)
        core = self._core
        C = core.henderson(core.theta)
        is_growth = np.zeros(X.shape[1], dtype=bool)
        is_growth[1: self.degree + 1] = True
        is_growth[core.k_fixed:] = True  # the publishers' own growth deviations
        Lg = np.where(is_growth, X, 0.0)
        Ll = X - Lg
        extra = np.zeros(len(X)) if core.C_extra is None else np.einsum("ij,jk,ik->i", X, core.C_extra, X)
        out = pd.DataFrame({
            "noise": np.full(len(years), self.noise_sd(self.publishers[p]) ** 2),
            "range": np.full(len(years), self.range_sd(self.publishers[p]) ** 2),
            "level": np.einsum("ij,jk,ik->i", Ll, C, Ll), "growth": np.einsum("ij,jk,ik->i", Lg, C, Lg),
            "cross": 2 * np.einsum("ij,jk,ik->i", Ll, C, Lg), "weights": extra}, index=pd.Index(years, name="year"))
        out["total"] = out.sum(axis=1)
        out["df"] = self._df(X, p)
        return out

    def bounds(self, years: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        """``(lower, upper)`` in US$: IC3 reported US losses and world GDP of each year (extrapolated beyond
        the data; see :mod:`forecast.published._bounds`). The predictive is truncated to them on every scale.

        Examples
        --------
        >>> lo, hi = fit_publishers().bounds([2019, 2030])          # doctest: +SKIP
        """
        return bounds_for(years)

    def _df_notes(self, raw: np.ndarray, p: int) -> list[str]:
        """What the notes say of the degrees of freedom ``raw`` (before the ``min_df`` floor) of a new figure of
        publisher ``p``: a Satterthwaite df below ``min_df`` raised to it, and a df left below 2."""
        raw = np.asarray(raw, dtype=float)
        df = self._floor_df(raw)
        out = []
        if np.any(df > raw):
            out.append(f"Satterthwaite degrees of freedom {float(np.min(raw)):.2g} for a new figure of "
                       f"{self.publishers[p]}, raised to {float(self.options.get('min_df', MIN_DF)):g}: the noise "
                       "variances rest on a handful of rows, and below 2 the approximation gives tails so heavy "
                       "that the intervals are unbounded in practice; the calibration study "
                       "(benchmarks/README.md) found they add no coverage (fit_publishers(min_df=0) keeps them)")
        if np.any(df < 2):
            out.append(f"degrees of freedom below 2 ({float(np.min(df)):.2g}) for a new figure of "
                       f"{self.publishers[p]}: the Student t has no finite variance and its intervals are very wide "
                       "(the noise variances rest on a handful of rows); not floored (min_df "
                       f"{float(self.options.get('min_df', MIN_DF)):g})")
        return out

    def predictive(self, horizon: int | None = None, until: int | None = None,
                   publisher: str | None = None) -> Predictive:
        """Predictive distribution for the years after the last data year, on ``publisher``'s scale."""
        years = future_years(self.last_year, horizon, until)
        return self.predictive_at([p.year for p in years], publisher)

    def forecast(self, horizon: int | None = None, until: int | None = None,
                 levels: Sequence[float] = DEFAULT_LEVELS, publisher: str | None = None, *,
                 real: int | None = None, share_of_gdp: bool = False) -> pd.DataFrame:
        """Forecast frame (the package's interval schema) on ``publisher``'s scale (default: the reference).

        With ``real=BASE_YEAR`` the amounts are in real US$ of that year
        (:func:`forecast.to_real`); with ``share_of_gdp=True`` they are
        fractions of world GDP (:func:`forecast.share_of_gdp`). Years beyond
        the CPI and GDP data use those functions' extrapolation, noted in
        ``attrs["notes"]``.

        Examples
        --------
        >>> fit = fit_publishers()                            # doctest: +SKIP
        >>> fit.forecast(until=2030, publisher="Statista")    # doctest: +SKIP
        """
        levels = check_levels(levels)
        name = self.publisher_name(publisher)
        frame = self.predictive(horizon, until, publisher).to_frame(levels, model=f"{self.model} ({name} scale)",
                                                                     unit=self.unit)
        frame.attrs["notes"] = list(self.notes)
        frame.attrs["publisher"] = name
        if real is not None and share_of_gdp:
            raise ClaimError("give real= or share_of_gdp=, not both")
        if real is not None:
            from forecast.data.scale import to_real

            frame = to_real(frame, base_year=int(real), extrapolate=True)
        elif share_of_gdp:
            from forecast.data.scale import share_of_gdp as _share

            frame = _share(frame, extrapolate=True)
        return frame

    def figures(self, *, real: int | None = None, share_of_gdp: bool = False) -> pd.DataFrame:
        """The fitted figures (one row per included estimate) with the model's median on each row's scale.

        Columns ``id``, ``publisher``, ``published_year``, ``year``,
        ``value_usd``, ``low_usd``, ``high_usd``, ``fitted_usd``, ``residual``
        (log scale); with ``real``/``share_of_gdp``, real-terms and
        share-of-world-GDP columns for the money columns.
        """
        cols = ["id", "publisher", "published_year", "year", "value_usd", "low_usd", "high_usd", "fitted_usd",
                "residual"]
        out = self.data[cols].copy()
        out.attrs["unit"] = self.unit
        if real is not None or share_of_gdp:
            from forecast.published._scale import add_scale_columns

            out = add_scale_columns(out, ["value_usd", "fitted_usd"], "year", real=real, share=share_of_gdp)
        return out

    def simulate(self, horizon: int | None = None, n: int = 1000, seed: int | None = 0,
                 publisher: str | None = None, until: int | None = None, noise: bool = True,
                 years: Iterable[int] | None = None) -> pd.DataFrame:
        """Sample paths of ``publisher``'s figure (or, with ``noise=False``, of its scaled curve).

        Each path draws the curve and offset parameters (and the publisher's
        growth deviation) once, from their estimated distribution: Normal
        with covariance ``C`` rescaled by one ``sqrt(df / chi2(df))`` draw per
        path (``df`` the Satterthwaite degrees of freedom of the curve), so
        that the curve's uncertainty is the same along the path and each
        year's curve value is the Student t of the curve. With ``noise=True``
        the noise of a new figure (:meth:`figure_sd`) is added independently
        for every year, each with its own Student t scaling (degrees of
        freedom of the noise variance): the noise of one year does not
        inflate another's, and one chi-square draw never rescales both the
        parameters and the noise. Each year's marginal is then close to, not
        exactly, the Student t of :meth:`predictive_at` (a sum of two t
        variables). Draws outside the bounds of :meth:`bounds` (IC3 reported
        losses, world GDP) are set to the bound.

        Parameters
        ----------
        years : iterable of int, optional
            Years to simulate (inside the data window too, for example to see
            whether a level was already crossed); default: the years after the
            last data year up to ``horizon``/``until``.

        Returns
        -------
        pd.DataFrame
            Index: years; columns: path number; values in US$.

        Examples
        --------
        >>> fit = fit_publishers()                                   # doctest: +SKIP
        >>> paths = fit.simulate(until=2030, n=2000, noise=False)     # doctest: +SKIP
        """
        if years is None:
            index = future_years(self.last_year, horizon, until)
            yrs = np.array([p.year for p in index])
        else:
            yrs = np.array(sorted({int(y) for y in years}))
            if len(yrs) == 0:
                raise ModelError("years is empty")
            index = year_index(yrs)
        if int(n) < 1:
            raise ModelError(f"n must be at least 1, got {n}")
        n = int(n)
        p = self._pub_index(publisher)
        # the same call (scale, years, paths, seed) gives the same paths: kept, so that the claims of a report
        # share one set instead of drawing it again
        key = (p, tuple(int(y) for y in yrs), n, seed, bool(noise)) if isinstance(seed, (int, np.integer)) else None
        cache = self.__dict__.setdefault("_paths", {})
        if key is not None and key in cache:
            return cache[key].copy()
        rng = np.random.default_rng(seed)
        X = self._x(yrs, p)
        cov = self._core.cov_beta
        w, V = np.linalg.eigh((cov + cov.T) / 2)
        # eigenvectors have no sign of their own: fix it (largest entry positive) so that a covariance
        # that moves by rounding gives nearly the same paths, not a mirrored set
        V = V * np.where(V[np.abs(V).argmax(axis=0), np.arange(V.shape[1])] < 0, -1.0, 1.0)
        A = V * np.sqrt(np.clip(w, 0, None))
        dev = (rng.standard_normal((n, len(w))) @ A.T) @ X.T
        df_c = self._df(X, None)
        u = rng.uniform(size=n)
        dev = dev * _t_scale(u, df_c)
        if noise:
            sd = self.figure_sd(self.publishers[p])
            df_n = self._df(np.zeros_like(X), p)
            z = rng.standard_normal((n, len(yrs)))
            chi = rng.chisquare(np.where(np.isfinite(df_n), df_n, 1.0)[None, :], size=(n, len(yrs)))
            scale_n = np.where(np.isfinite(df_n)[None, :], np.sqrt(df_n[None, :] / chi), 1.0)
            dev = dev + sd * z * scale_n
        logv = X @ self._core.beta + dev
        if self.options.get("bounds", True):
            lo, hi = self.bounds(yrs)
            logv = np.clip(logv, np.log(np.maximum(lo, 1e-300))[None, :], np.log(hi)[None, :])
        frame = pd.DataFrame(np.exp(np.clip(logv, -700.0, 700.0)).T, index=index)
        frame.attrs.update({"unit": self.unit, "model": self.model, "publisher": self.publishers[p],
                            "noise": bool(noise)})
        if key is not None:
            while len(cache) >= PATHS_KEPT:
                cache.pop(next(iter(cache)))
            cache[key] = frame
            return frame.copy()
        return frame

    def observations(self, publisher: str | None = None) -> pd.Series:
        """The included figures of ``publisher`` (US$, by year; the latest vintage per year)."""
        name = self.publisher_name(publisher)
        kept = self.__dict__.setdefault("_observations", {})
        if name not in kept:
            sub = self.data[self.data["publisher"] == name].sort_values("year")
            s = pd.Series(sub["value_usd"].to_numpy(), index=year_index(sub["year"].astype(int)), name=name)
            s.attrs["unit"] = self.unit
            kept[name] = s
        return kept[name].copy()

    def sensitivity(self, claims: Iterable[tuple[Any, int]] | None = None, per_publisher_slopes: bool = True,
                    publishers: Iterable[str] | None = None) -> pd.DataFrame:
        """How the headline numbers move with the specification.

        Rows: the fit itself; the fit without each publisher in turn (leave
        one publisher out; when the reference is left out, the publisher with
        most rows becomes the reference, named in ``reference``); one common
        noise sd for all publishers; the other choice of degrees of freedom
        (residual instead of Satterthwaite, or the reverse); the other curve;
        the other growth model (one common growth rate, or publisher-specific
        growth); each further maximum of the restricted likelihood within 2
        units (``mode 1``, ...; see :attr:`modes`); the data choices that set
        growth rates: the CSIS/McAfee 2018 figure read as 2016 (the report's
        text) instead of 2017 (press coverage), the CSIS/McAfee 2014 base as
        restated in 2018 ($345-445bn for 2014), and the other edition of a
        publisher's series (Statista's December 2022 edition); and, with
        ``per_publisher_slopes``, each publisher with at least 3 years fitted
        alone (its own growth rate). A variant whose data are not in the fit
        is skipped.

        Columns: ``variant``, ``reference``, ``n_rows``, ``growth`` with
        ``lower_95``/``upper_95``, ``median_<last year>`` (reference scale, US$),
        ``ratio[P]`` per publisher (default: all non-reference publishers), and
        ``percentile[LABEL]`` for each claim ``(value, year)``, judged on the
        variant's reference scale.

        Examples
        --------
        >>> fit = fit_publishers()                                    # doctest: +SKIP
        >>> fit.sensitivity(claims=[("2 trillion", 2019)])            # doctest: +SKIP
        """
        from forecast.published._format import parse_value

        claim_list = [(parse_value(v), int(y)) for v, y in (claims or [])]
        show = list(publishers) if publishers is not None else self.publishers[1:]

        def row(variant: str, fit: PublisherFit | None, err: str = "") -> dict:
            out: dict[str, Any] = {"variant": variant}
            if fit is None:
                out.update({"reference": "", "n_rows": np.nan, "growth": np.nan, "lower_95": np.nan,
                            "upper_95": np.nan, "note": err})
                return out
            g, lo, hi = fit.growth_rate(self.last_year)
            # one predictive for the level and every claim's year (the same numbers as one call a year)
            dist = fit.predictive_at([self.last_year] + [y for _v, y in claim_list])
            out.update({"reference": fit.reference, "n_rows": len(fit.data), "growth": g, "lower_95": lo,
                        "upper_95": hi, f"median_{self.last_year}": float(dist.median()[0])})
            k0 = fit.degree + 1
            off = {p: (1.0 if i == 0 else float(np.exp(fit._core.beta[k0 + i - 1])))
                   for i, p in enumerate(fit.publishers)}  # the ratio column of fit.offsets
            for p in show:
                out[f"ratio[{p}]"] = off.get(p, np.nan)
            if claim_list:
                pct = 100 * dist.cdf(np.array([1.0] + [v for v, _y in claim_list]))[1:]
                for (v, y), q in zip(claim_list, pct):
                    out[f"percentile[{money(v)} {y}]"] = float(q)
            out["note"] = err
            return out

        # each variant's search starts from this fit's maxima (mapped onto the variant's parameters) and the
        # quick set of starts, not the full grid (tested to find the same maxima on the bundled data)
        warm = _warm_start(self)
        rows = [row("all included rows", self)]
        for variant, what in self._variants(per_publisher_slopes):
            if isinstance(what, int):
                rows.append(row(variant, self.mode_fit(what)))
                continue
            frame, opts = what
            try:
                fit = _fit_publishers(frame, **opts, warm=warm)
            except (ClaimError, ModelError) as exc:
                rows.append(row(variant, None, str(exc)))
                continue
            rows.append(row(variant, fit))
            best = fit._cores[0].reml_loglik
            for i in range(1, len(fit._cores)):
                rows.append(row(f"{variant}, its mode {i} (restricted log-likelihood {fit._cores[i].reml_loglik:.2f}, "
                                f"{best - fit._cores[i].reml_loglik:.2f} below its best)", fit.mode_fit(i)))
        return pd.DataFrame(rows)

    def _variants(self, per_publisher_slopes: bool = True) -> list[tuple[str, Any]]:
        """The rows of :meth:`sensitivity` after the first, in order: ``(variant, i)`` for this fit's mode ``i``,
        ``(variant, (estimates, options))`` for a refit."""
        base = dict(self.options)
        est = self._source
        out: list[tuple[str, Any]] = []

        def refit(variant: str, frame: pd.DataFrame | None = est, **changes) -> None:
            out.append((variant, (frame, {**base, **changes})))

        for p in self.publishers:
            excl = set(base.get("exclude_publishers") or ()) | {p}
            ref = self.reference
            if p == self.reference:
                rest = self.data[self.data["publisher"] != p]["publisher"].value_counts()
                if rest.empty:
                    continue
                ref = str(rest.index[0])
            refit(f"without {p}", exclude_publishers=sorted(excl), reference=ref)
        refit("one common noise sd", noise="common")
        if base.get("noise_pooling") == "hierarchical":
            refit("noise sds not pooled (REML alone)", noise_pooling="none")
        else:
            refit("noise sds partially pooled", noise_pooling="hierarchical", pool_at_bound=False)
        if base.get("df") == "satterthwaite":
            refit("residual degrees of freedom (lighter tails)", df="residual")
        else:
            refit("Satterthwaite degrees of freedom (heavy tails)", df="satterthwaite")
        other = "quadratic" if self.curve == "exponential" else "exponential"
        refit(f"{other} curve", curve=other)
        if base.get("growth") == "publisher":
            refit("one common growth rate", growth="common")
        else:
            refit("publisher-specific growth", growth="publisher")
        for i in range(1, len(self._cores)):
            out.append((f"mode {i} (restricted log-likelihood {self._cores[i].reml_loglik:.2f}, "
                        f"{self._cores[0].reml_loglik - self._cores[i].reml_loglik:.2f} below the best)", i))
        raw = est if est is not None else _data.load_raw()
        ids = set(self.data["id"])
        if "csis-mcafee-2018" in ids:
            alt = raw.copy()
            m = alt["id"] == "csis-mcafee-2018"
            for c in ("target_year", "first_year", "last_year"):
                alt.loc[m, c] = 2016
            refit("CSIS/McAfee 2018 figure for 2016 (report text) not 2017", alt)
        if "csis-mcafee-2014" in ids:
            alt = raw.copy()
            m = alt["id"] == "csis-mcafee-2014"
            for c in ("target_year", "first_year", "last_year"):
                alt.loc[m, c] = 2014
            alt.loc[m, ["low_usd_bn", "point_usd_bn", "high_usd_bn"]] = [345.0, np.nan, 445.0]
            refit("CSIS/McAfee 2014 base as restated in 2018 ($345-445bn for 2014)", alt)
        for pub in self.publishers:
            eds = raw.loc[(raw["publisher"] == pub) & (raw["kind"] == "estimate"), "published_year"]
            sizes = eds.value_counts()
            series_eds = sorted(int(y) for y in sizes[sizes >= 2].index)
            used = sorted(int(y) for y in self.data.loc[self.data["publisher"] == pub, "published_year"].unique())
            for ed in series_eds:
                if len(series_eds) >= 2 and ed not in used:
                    refit(f"{pub} edition of {ed} instead", editions={**(base.get("editions") or {}), pub: ed})
        if per_publisher_slopes:
            for p in self.publishers:
                sub = self.data[self.data["publisher"] == p]
                if sub["year"].nunique() >= 3:
                    refit(f"{p} alone (own growth rate)", include_publishers=[p], reference=p,
                          exclude_publishers=None)
        return out

    def plot(self, ax=None, **kwargs):
        """Figures by publisher with the latent level (see :func:`forecast.plots.publisher_chart`)."""
        from forecast.plots import publisher_chart

        return publisher_chart(self, ax=ax, **kwargs)

    def summary(self) -> str:
        """A readable summary: data, growth, offsets with intervals, noise, and the inclusion counts."""
        inc = self.inclusion
        g, lo, hi = self.growth_rate()
        lines = [f"Multi-publisher model, {self.curve} latent level on the {self.reference} scale (unit US$)",
                 f"Rows: {int(inc['included'].sum())} included of {len(inc)} "
                 f"({len(self.publishers)} publishers, {self.first_year}-{self.last_year}); "
                 f"log-likelihood {self.loglik:.2f}",
                 f"Growth of the latent level on the {self.reference} scale: {rate(g)} (95% interval {rate(lo)} to {rate(hi)})"
                 + (f" in {self.last_year}" if self.degree >= 2 else "")
                 + ("; publisher-specific growth (partial pooling): "
                    + ", ".join(f"{r['publisher']} {rate(r['growth'])}" for _, r in self.publisher_growth.iterrows()
                                if r["own"] or r["publisher"] == "(common)")
                    if self._core.slope_pubs else "; one common growth rate"),
                 f"Truncated below at IC3 reported US losses and above at world GDP: "
                 f"{'yes' if self.options.get('bounds', True) else 'no'}",
                 f"Level in {self.last_year} on the {self.reference} scale: "
                 f"{money(float(self.predictive_at([self.last_year]).median()[0]))} (median)",
                 f"Noise sds by {self.options['method'].upper()}"
                 + (f" (partially pooled, log sd ~ N(mu, {self.options['noise_pool_sd']:.3g}^2))"
                    if self.options.get("noise_pooling") == "hierarchical" and len(self._core.phi) > 1 else "")
                 + "; intervals "
                 + ("Normal" if self.options["df"] == "normal" else
                    f"Student t with {self._core.df_resid:.3g} residual degrees of freedom"
                    if self.options["df"] == "residual" else
                    f"Student t with Satterthwaite degrees of freedom (growth: {self._df(self._growth_L())[0]:.2g})"),
                 "", f"{'publisher':<28}{'ratio':>8}{'95% interval':>20}{'rows':>6}{'noise sd':>10}  noise"]
        for _, r in self.offsets.iterrows():
            ci = "reference" if r["publisher"] == self.reference else f"{r['lower_95']:.3g}-{r['upper_95']:.3g}"
            lines.append(f"{r['publisher']:<28}{r['ratio']:>8.3g}{ci:>20}{r['n_rows']:>6}"
                         f"{r['noise_sd']:>10.3f}  {r['noise']}")
        lines.append("")
        lines.append("Excluded rows by reason:")
        for reason, n in inc.loc[~inc["included"], "reason"].str.replace(r", row .*$", "", regex=True) \
                .value_counts().items():
            lines.append(f"  {n:>3}  {reason}")
        if self.notes:
            lines.append("")
            lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<PublisherFit {self.curve}: {len(self.data)} rows, {len(self.publishers)} publishers, "
                f"reference {self.reference!r}, {self.first_year}-{self.last_year}>")

    def _repr_html_(self) -> str:
        """In a notebook: the summary (what was fitted to which rows, growth, level, offsets, exclusions)."""
        import html

        return f"<pre>{html.escape(self.summary())}</pre>"


def fit_publishers(estimates: pd.DataFrame | None = None, curve: str = "exponential",
                   reference: str = "CSIS/McAfee", *, include_publishers: Iterable[str] | str | None = None,
                   exclude_publishers: Iterable[str] | str | None = None,
                   measures: Iterable[str] = FIT_MEASURES, min_rows: int = 3, noise: str = "publisher",
                   range_level: float = 90.0, method: str = "reml", df: str = "satterthwaite",
                   editions: dict[str, int] | None = None, growth: str = "publisher", bounds: bool = True,
                   starts: str = "full", pool_at_bound: bool = False, noise_pooling: str = "hierarchical",
                   noise_pool_sd: float = NOISE_POOL_SD, min_df: float = MIN_DF) -> PublisherFit:
    """Fit the latent global cost and each publisher's offset and noise (see module docstring).

    Parameters
    ----------
    estimates : pd.DataFrame, optional
        Rows in the columns of ``forecast.load("global_estimates")`` (default:
        that dataset).
    curve : {"exponential", "quadratic"}
        Growth curve of the latent level on the log scale.
    reference : str
        Publisher whose offset is zero: the latent level is on its scale.
    include_publishers, exclude_publishers : str or list of str, optional
        Restrict the publishers whose rows are fitted.
    measures : iterable of str
        Values of ``measure`` that count as the annual total cost.
    min_rows : int
        Rows a publisher needs to get its own noise sd (others are pooled).
    noise : {"publisher", "common"}
        One noise sd per publisher (pooled for small ones) or one for all.
    range_level : float
        Level (percent) at which a published low-high range is read.
    method : {"reml", "ml"}
        How the noise sds are estimated: restricted maximum likelihood
        (default; unbiased by the free offsets) or plain maximum likelihood.
    df : {"residual", "satterthwaite", "normal"}
        Degrees of freedom of the Student t intervals and predictive
        distributions (see the module docstring).
    editions : dict, optional
        ``{publisher: published_year}``: which edition of a publisher's series
        to fit (default: the latest). Two editions of one series are never
        fitted together (see :mod:`forecast.published._inclusion`, rule 5).
    growth : {"publisher", "common"}
        ``"publisher"`` (default): each publisher with at least ``min_rows``
        figures over three or more years grows at its own rate, shrunk toward
        the common rate (random slopes with their sd estimated by REML); the
        others grow at the common rate. Needs two such publishers, else
        common growth with a note. ``"common"``: one growth rate for all.
    bounds : bool
        Truncate predictive distributions and paths to the IC3 reported US
        losses (below) and world GDP (above) of each year (default True).
    starts : {"full", "quick"}
        Starting points of the likelihood search: a grid that moves each
        noise sd and the growth sd separately (``"full"``), or a handful
        (``"quick"``, for simulation studies).
    pool_at_bound : bool
        When a publisher's own noise sd falls to its lower bound (its figures
        scatter no more than their published ranges explain), pool its noise
        with the other publishers' and refit (named in
        :attr:`PublisherFit.pooled_noise` and a note). Only with
        ``noise_pooling="none"``. Measured in the calibration study
        (``benchmarks/README.md``, method ``new_pooled``): it mends the
        too-narrow intervals of those fits but widens them too much where
        the publishers' noise differs.
    noise_pooling : {"hierarchical", "none"}
        ``"hierarchical"`` (default): the log noise sds of the publishers with
        ``min_rows`` rows are partially pooled, ``log s[p] ~ N(mu,
        noise_pool_sd**2)`` with ``mu`` estimated, by penalised REML: a noise
        sd the rows leave at zero and one over-estimated from a couple of
        residual degrees of freedom both move toward the common noise; the
        Satterthwaite df use the penalised information. ``"none"``: each such
        publisher's noise sd by REML alone (the default until 2026-12-03;
        method ``new_unpooled`` of the study). With fewer than two such
        publishers the two are the same.
    noise_pool_sd : float
        ``tau`` of the hierarchical pooling: the sd of the publishers' log
        noise sds around their common value, fixed by a stated rule, not
        estimated (two or three noise sds cannot estimate it). The default,
        ``NOISE_POOL_SD = 2.5``, is weakly informative: two publishers' noise
        sds may differ by a factor of about 1,000 at 2 sd of the difference
        of two log sds (``2 * sqrt(2) * 2.5``), so it moves a noise sd the
        rows leave near zero (a flat likelihood) and barely one they
        estimate. It was chosen among 1.5, 2, 2.5 and 3 on the study's tuning
        seeds (1.5 over-covers where the publishers' noise differs fourfold,
        3 leaves more fits near zero). Infinite: the unpooled fit; near 0:
        one noise sd.
    min_df : float
        With ``df="satterthwaite"``, a df below ``min_df`` (default 2, the
        smallest with a finite variance) is raised to it and a note says so.
        Below 2 Satterthwaite's approximation, resting on a couple of
        residual degrees of freedom, gives tails heavy enough to make the
        95% interval span orders of magnitude; in the calibration study
        raising it to 2 changed no coverage by more than half a point and
        removed interval scores in the thousands. ``0`` keeps the df as
        computed (a df below 2 is then said in the notes).

    Returns
    -------
    PublisherFit

    Raises
    ------
    ClaimError
        Unknown curve or reference, or too few rows to fit.

    Examples
    --------
    >>> import forecast
    >>> fit = forecast.fit_publishers()                       # doctest: +SKIP
    >>> fit.offsets[["publisher", "ratio", "lower_95", "upper_95"]]   # doctest: +SKIP
    >>> fit.forecast(until=2030, publisher="Cybersecurity Ventures")  # doctest: +SKIP
    """
    return _fit_publishers(**locals())  # every argument, by name (a test ties the two signatures)


def _fit_publishers(estimates: pd.DataFrame | None = None, curve: str = "exponential",
                    reference: str = "CSIS/McAfee", *, include_publishers: Iterable[str] | str | None = None,
                    exclude_publishers: Iterable[str] | str | None = None,
                    measures: Iterable[str] = FIT_MEASURES, min_rows: int = 3, noise: str = "publisher",
                    range_level: float = 90.0, method: str = "reml", df: str = "satterthwaite",
                    editions: dict[str, int] | None = None, growth: str = "publisher", bounds: bool = True,
                    starts: str = "full", pool_at_bound: bool = False, noise_pooling: str = "hierarchical",
                    noise_pool_sd: float = NOISE_POOL_SD, min_df: float = MIN_DF,
                    warm: Sequence[dict[str, Any]] | None = None) -> PublisherFit:
    """:func:`fit_publishers`; with ``warm`` (see :func:`_warm_points`), the search starts from those maxima of
    another fit mapped onto this one's parameters, plus the quick set of starts, instead of the full grid."""
    if curve not in CURVES:
        raise ClaimError(f"unknown curve {curve!r}; choose one of: {', '.join(CURVES)}")
    if noise not in ("publisher", "common"):
        raise ClaimError(f"noise={noise!r} must be 'publisher' or 'common'")
    if df not in ("residual", "satterthwaite", "normal"):
        raise ClaimError(f"df={df!r} must be 'residual', 'satterthwaite' or 'normal'")
    if growth not in ("publisher", "common"):
        raise ClaimError(f"growth={growth!r} must be 'publisher' or 'common'")
    if starts not in ("full", "quick"):
        raise ClaimError(f"starts={starts!r} must be 'full' or 'quick'")
    if noise_pooling not in ("none", "hierarchical"):
        raise ClaimError(f"noise_pooling={noise_pooling!r} must be 'none' or 'hierarchical'")
    if noise_pooling == "hierarchical" and not float(noise_pool_sd) > 0:
        raise ClaimError(f"noise_pool_sd={noise_pool_sd!r} must be positive (inf: no pooling)")
    if noise_pooling == "hierarchical" and pool_at_bound:
        raise ClaimError("noise_pooling='hierarchical' (the default) and pool_at_bound=True are two ways to pool "
                         "the noise: with pool_at_bound=True give noise_pooling='none'")
    if not float(min_df) >= 0:
        raise ClaimError(f"min_df={min_df!r} must be 0 or more (0: the Satterthwaite df as computed)")
    if method not in ("reml", "ml"):
        raise ClaimError(f"method={method!r} must be 'reml' or 'ml'")
    if not 0 < float(range_level) < 100:
        raise ClaimError(f"range_level={range_level!r} must be between 0 and 100 (percent)")
    source = estimates
    est = _data.estimates(estimates)
    table = inclusion_table(est, measures=measures, include_publishers=include_publishers,
                            exclude_publishers=exclude_publishers, editions=editions)
    data = est.loc[table["included"].to_numpy()].copy()
    pubs_present = list(dict.fromkeys(data["publisher"]))
    ref = next((p for p in pubs_present if p.casefold() == str(reference).casefold()), None)
    if ref is None:
        raise ClaimError(f"reference publisher {reference!r} has no included estimates; choose one of: "
                         f"{', '.join(sorted(pubs_present)) or '(none)'}")
    counts = data["publisher"].value_counts()
    others = sorted((p for p in pubs_present if p != ref), key=lambda p: (-counts[p], p))
    publishers = [ref, *others]
    degree = CURVES[curve]
    n_years = data["year"].nunique()
    multi = data.groupby("publisher")["year"].nunique()
    if multi.max() < 2:
        raise ClaimError("no publisher has figures for two different years: the growth rate is not identified")
    if n_years < degree + 1 or len(data) < len(publishers) + degree + 1:
        raise ClaimError(f"too few included rows to fit the {curve} curve: {len(data)} rows, {n_years} distinct "
                         f"years, {len(publishers)} publishers")
    data["log_value"] = np.log(data["value_usd"].to_numpy(dtype=float))
    v = _range_var(data["low_usd"].to_numpy(dtype=float), data["high_usd"].to_numpy(dtype=float), range_level)
    data["range_sd"] = np.sqrt(v)
    years = data["year"].astype(int).to_numpy()
    t_center = float(np.round(np.mean(years)))
    pub_idx = data["publisher"].map({p: i for i, p in enumerate(publishers)}).to_numpy()
    yrs_by_pub = data.groupby("publisher")["year"].nunique()
    slope_pubs: tuple[int, ...] = ()
    notes = []
    if growth == "publisher":
        cand = tuple(i for i, p in enumerate(publishers) if counts[p] >= int(min_rows) and yrs_by_pub[p] >= 3)
        if len(cand) >= 2:
            slope_pubs = cand
        else:
            notes.append("publisher-specific growth needs two publishers with three or more figures; "
                         f"{len(cand)} here: one common growth rate")
    owner_idx = noise_map(counts.reindex(publishers).to_numpy(), int(min_rows), noise == "common")[1]
    points = None
    if warm:
        points = _warm_points(warm, [publishers[i] for i in owner_idx], bool(slope_pubs))

    def core_fits(pooled: tuple[int, ...]) -> list[CoreFit]:
        return fit_core(data["log_value"].to_numpy(), years, pub_idx, v, len(publishers), degree, t_center,
                        min_rows=int(min_rows), common=(noise == "common"), method=method, slope_pubs=slope_pubs,
                        quick=(starts == "quick" or (bool(points) and not pooled)), pooled=pooled,
                        extra_starts=points if not pooled else None,
                        noise_tau=float(noise_pool_sd) if noise_pooling == "hierarchical" else None)

    cores = core_fits(())
    core = cores[0]
    # a publisher's own noise sd at its lower bound: its figures scatter no more than their published ranges (or
    # its curve) explain, and REML puts the sd at zero. Zero is the edge of what the data allow, not an estimate
    # (the figures' weights become unbounded and the predictive as narrow as the ranges alone; measured in
    # benchmarks/publisher_study.py: squared errors 1.2-5 times the stated variance in those replications). With
    # pool_at_bound the publisher's noise is pooled with the others', as for a publisher with too few rows, and
    # the model refit.
    owners_idx = noise_map(counts.reindex(publishers).to_numpy(), int(min_rows), noise == "common")[1]
    at_zero = tuple(p for g, p in enumerate(owners_idx) if core.phi_at_bound[g] and core.phi[g] < 0)
    if pool_at_bound and at_zero and len(at_zero) < len(owners_idx):
        cores = core_fits(at_zero)
        core = cores[0]
        notes.append(f"the noise sd of {', '.join(publishers[p] for p in at_zero)} fell to its lower bound (its "
                     "figures scatter no more than their published ranges explain): not estimable from its rows, "
                     "so pooled with the other publishers' noise, as for a publisher with fewer than "
                     f"{int(min_rows)} rows")
    else:
        at_zero = ()
    if noise_pooling == "hierarchical" and len(owners_idx) > 1:
        notes.append(f"noise sds of {', '.join(publishers[p] for p in owners_idx)} partially pooled (log sd ~ "
                     f"N(mu, {float(noise_pool_sd):.3g}^2), penalised REML); the restricted log-likelihood reported "
                     "includes the penalty")
    close = [c for c in cores if core.reml_loglik - c.reml_loglik <= MODE_GAP]
    if not core.converged:
        notes.append("the optimiser did not report convergence; treat the estimates with care")
    owners = [publishers[i] for i in noise_map(counts.reindex(publishers).to_numpy(), int(min_rows),
                                                noise == "common", at_zero)[1]] or ["all publishers"]
    for who, at in zip(owners, core.phi_at_bound):
        if at:
            notes.append(f"the noise sd of {who} is at its bound (1e-4 or 20 on the log scale) and held fixed "
                         "there (not identified); for a publisher at 1e-4 the spread of its figures is "
                         "explained by their published ranges")
    single = [p for p in publishers if counts[p] == 1]
    if single:
        notes.append(f"{len(single)} publisher(s) with one included row ({', '.join(single)}): the offset fits "
                     "that row exactly and its interval rests on the pooled noise sd")
    options = {"curve": curve, "reference": ref, "include_publishers": include_publishers,
               "exclude_publishers": exclude_publishers, "measures": tuple(measures), "min_rows": int(min_rows),
               "noise": noise, "range_level": float(range_level), "method": method, "df": df, "editions": editions,
               "growth": growth, "bounds": bool(bounds), "starts": starts, "pool_at_bound": bool(pool_at_bound),
               "noise_pooling": noise_pooling, "noise_pool_sd": float(noise_pool_sd), "min_df": float(min_df)}
    if slope_pubs:
        notes.append(f"publisher-specific growth for {', '.join(publishers[i] for i in slope_pubs)} (shrunk toward "
                     f"the common rate; growth sd {core.tau:.2g} on the log scale); the other publishers grow at "
                     f"the common rate; the level is on the {ref} scale and grows at {ref}'s rate")
    fit = PublisherFit(core=core, curve=curve, reference=ref, publishers=publishers,
                       data=data.reset_index(drop=True), inclusion=table, t_center=t_center, options=options,
                       notes=notes, cores=close, pooled_noise=tuple(publishers[p] for p in at_zero))
    fit._source = source
    if len(close) > 1:
        m = fit.modes
        alt = m.iloc[1]
        fit.notes.append(
            f"the restricted likelihood has {len(close)} maxima within {MODE_GAP:g} log-likelihood units; the best "
            f"({m.iloc[0]['reml_loglik']:.2f}) gives growth {rate(m.iloc[0]['growth'])} on the {ref} scale, the "
            f"next ({alt['reml_loglik']:.2f}) {rate(alt['growth'])} (median {money(m.iloc[0]['median_last'])} vs "
            f"{money(alt['median_last'])} in {fit.last_year}); see PublisherFit.modes and sensitivity()")
    fit._source = source
    for i, p in enumerate(publishers):
        if counts[p] >= int(min_rows) or i == 0:
            fit.notes += fit._df_notes(fit._df(fit._x(np.array([fit.last_year]), i), i, floor=False), i)
    return fit
