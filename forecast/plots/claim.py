"""Claim chart: the distribution a claim is judged against, with the claim and its percentile marked."""

from __future__ import annotations

from typing import Any

import numpy as np

from forecast.errors import ForecastError
from forecast.plots._claims import claims_frame
from forecast.plots.style import (
    BAND,
    CLAIM,
    MEDIAN,
    OBSERVED,
    TEXT_GREY,
    band_alphas,
    finish_axes,
    format_compact,
    money_multiplier,
    new_axes,
    set_value_axis,
)

__all__ = ["claim_chart", "claim_distribution", "claims_band_chart"]


def claim_distribution(against: Any, year: int, publisher: str | None = None):
    """The one-year distribution a claim for ``year`` is judged against: ``against.predictive_at([year])``.

    Any result of the package's protocol (a family's fit, ``auto``, the
    multi-publisher fit with ``publisher=`` for its scale) answers it.

    Returns
    -------
    (Predictive, str)
        The distribution and how it was obtained (a forecast after the data,
        or an in-sample prediction for a year inside the data).
    """
    kw = {} if publisher is None else {"publisher": publisher}
    pred = against.predictive_at([int(year)], **kw)
    how = "predictive" if int(year) > int(against.last_year) else "in-sample prediction"
    return pred, how


def _density(pred: Any, grid: np.ndarray) -> np.ndarray:
    """Density of ``log10(value)`` at the points of ``grid`` (values)."""
    lg = np.log10(grid)
    if pred.samples is not None:
        vals = pred.samples[:, 0]
        vals = np.exp(vals) if pred.space == "log" else vals
        vals = vals[vals > 0]
        edges = np.linspace(lg[0], lg[-1], 61)
        hist, _ = np.histogram(np.log10(vals), bins=edges, density=False)
        dens = hist / (len(vals) * np.diff(edges))
        centres = (edges[:-1] + edges[1:]) / 2
        return np.interp(lg, centres, dens)
    cdf = np.array([pred.cdf(v)[0] for v in grid])
    return np.gradient(cdf, lg)


def claim_chart(check: Any, ax: Any = None, against: Any = None, publisher: str | None = None,
                title: str | None = None, **check_options: Any):
    """Draw the predictive distribution for the claim's year, the claim, and its percentile.

    Parameters
    ----------
    check : ClaimCheck or tuple
        The result of :func:`forecast.check_claim` (then give ``against=``,
        the fit it was checked against), or ``(fit, value, year)`` /
        ``(fit, value, year, publisher)``, in which case the claim is checked
        here with ``forecast.check_claim``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    against : FitResult or PublisherFit, optional
        The fit a given ``ClaimCheck`` was made against.
    publisher : str, optional
        The publisher scale of a multi-publisher check (default: the one the
        check names).
    title : str, optional
        Chart title (default: the claim's label and the model).
    **check_options
        Passed to :func:`forecast.check_claim` when ``check`` is a tuple
        (e.g. ``n=`` simulated paths for the crossing year).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The curve is the density of the claimed year's figure on a logarithmic
    value axis (probability per unit of ``log10`` value), with the central
    80% and 95% intervals shaded, drawn over the 95% interval and a quarter
    of its width either side (wider if needed to show the claim); a solid line marks the median, a dashed
    line and a diamond the claim, labelled with the percentile that
    ``check_claim`` computed. A claim beyond the drawn tail sits where the
    curve is flat at zero: that is the finding, not a drawing error.

    Examples
    --------
    >>> import forecast
    >>> fit = forecast.fit_publishers()                                      # doctest: +SKIP
    >>> fig = forecast.plots.claim_chart((fit, "3 trillion", 2020))           # doctest: +SKIP
    """
    from forecast.published._format import money, percentile  # moves with the wording module

    if isinstance(check, tuple):
        if len(check) not in (3, 4):
            raise ForecastError("claim_chart: give a ClaimCheck, or (fit, value, year[, publisher])")
        against, value, year = check[:3]
        publisher = check[3] if len(check) == 4 else publisher
        import forecast

        check = forecast.check_claim(value, year, against=against, publisher=publisher, **check_options)
    if not all(hasattr(check, a) for a in ("value", "year", "percentile", "scale")):
        raise ForecastError("claim_chart: expected the result of forecast.check_claim or (fit, value, year)")
    pred = getattr(check, "distribution", None)
    how = str(getattr(check, "judged_on", ""))
    if against is not None:
        if publisher is None and getattr(against, "publishers", None):
            publisher = check.scale
        pred, how = claim_distribution(against, check.year, publisher)
    if pred is None:
        raise ForecastError("claim_chart: this claim check carries no distribution; pass against=<the fit the "
                            "claim was checked against>, or give (fit, value, year)")
    pct_here = 100 * float(pred.cdf(check.value)[0])
    if not np.isclose(pct_here, check.percentile, atol=1e-6):
        raise ForecastError(f"claim_chart: the check's percentile {check.percentile:.4g} does not match this fit "
                            f"({pct_here:.4g}); pass the fit the claim was checked against")

    fig, ax = new_axes(ax, figsize=(8.0, 4.2))
    value = float(check.value)
    q = {p: float(pred.quantile(p)[0]) for p in (0.025, 0.1, 0.5, 0.9, 0.975)}
    # the central 95% interval and a quarter of its (log) width either side, and the claim
    width = np.log10(q[0.975] / q[0.025])
    lo = min(q[0.025] / 10 ** (width / 4), value / 1.6)
    hi = max(q[0.975] * 10 ** (width / 4), value * 1.6)
    grid = np.logspace(np.log10(lo), np.log10(hi), 600)
    dens = _density(pred, grid)
    ax.plot(grid, dens, color=MEDIAN, linewidth=1.4, label="Predictive distribution")
    for (a, b), lv, alpha in zip(((0.025, 0.975), (0.1, 0.9)), (95, 80), band_alphas(2)[::-1], strict=True):
        inside = (grid >= q[a]) & (grid <= q[b])
        ax.fill_between(grid, 0, dens, where=inside, color=BAND, alpha=alpha, linewidth=0,
                        label=f"{lv}% interval ({money(q[a])}-{money(q[b])})")
    ax.axvline(q[0.5], color=MEDIAN, linewidth=1.8, label=f"Median {money(q[0.5])}")
    d_at = float(np.interp(np.log10(value), np.log10(grid), dens))
    ax.axvline(value, color=CLAIM, linestyle="--", linewidth=1.5)
    ax.plot([value], [d_at], linestyle="none", marker="D", markersize=8, markerfacecolor=CLAIM,
            markeredgecolor="black", markeredgewidth=0.8, label=f"Claim {money(value)}", gid="claim")
    text = f"{money(value)} for {check.year}\n{percentile(check.percentile)}"
    ymax = float(np.nanmax(dens)) if np.isfinite(dens).any() else 1.0
    # the text goes on the side of the claim line with more room
    room_right = (np.log10(hi) - np.log10(value)) / (np.log10(hi) - np.log10(lo)) > 0.35
    ax.annotate(text, (value, ymax * 1.02), xytext=(6 if room_right else -6, 0), textcoords="offset points",
                ha="left" if room_right else "right", va="top", fontsize=9, color="black", gid="percentile",
                parse_math=False, bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none",
                                        "alpha": 0.85})
    ax.set_ylim(0, ymax * 1.1)
    ax.set_yticks([])
    ax.set_ylabel("probability density")
    set_value_axis(ax, getattr(check, "unit", "USD") or "USD", True, [lo, hi], axis="x")
    if title is None:
        multi = str(check.model).startswith("publishers:")
        on = f"{check.scale} scale" if multi else str(check.scale)
        model = str(check.model).replace("publishers:", "multi-publisher ")
        title = f"{check.label}\njudged against the {model} model ({on}): {how.split(' (')[0]}"
    finish_axes(ax, title=title, legend_loc="best")
    ax.spines["left"].set_visible(False)
    return fig


def _spread_labels(ax: Any, xs: np.ndarray, ys: np.ndarray, heights_px: np.ndarray, pad_px: float = 4.0) -> np.ndarray:
    """Vertical label centres (data units) near ``ys``, stacked so that no two labels overlap.

    Labels are taken in the order of their values; each sits at its own value
    or, when that would overlap the label below, just above it (in display
    space, so it works on a log axis). ``heights_px`` are the labels' heights.
    """
    trans = ax.transData
    pts = trans.transform(np.column_stack([xs, ys]))
    order = np.argsort(pts[:, 1], kind="stable")
    placed = pts[:, 1].copy()
    top = -np.inf
    for i in order:
        half = heights_px[i] / 2
        placed[i] = max(pts[i, 1], top + half + pad_px)
        top = placed[i] + half
    back = trans.inverted().transform(np.column_stack([pts[:, 0], placed]))
    return back[:, 1]


def claims_band_chart(fit: Any, claims: Any, years: Any = None, publisher: str | None = None, ax: Any = None,
                      levels: tuple[float, float] = (80, 95), title: str | None = None,
                      share_of_gdp: bool = True):
    """The model's band on one scale over the claims' years, that scale's own figures, and every claim labelled.

    Parameters
    ----------
    fit : result
        Anything with ``predictive_at(years[, publisher=])`` and
        ``observations([publisher])`` (a family's fit, ``auto``, the
        multi-publisher fit).
    claims : ClaimCheck, sequence or frame
        Claims as :func:`forecast.plots.fan_chart` takes them: check results,
        ``(year, value, label)`` tuples, or a frame with year, value and label.
    years : iterable of int, optional
        Years the band covers (default: from the first observation or claim to
        the last, plus one).
    publisher : str, optional
        The scale (a multi-publisher fit's publisher; default its reference).
    levels : (float, float)
        The two interval levels drawn, narrowest first.
    share_of_gdp : bool
        Add each claim's share of world GDP of its year to its label.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Claims are drawn just right of their year (the publisher's own figure
    sits on the year itself), claims of the same year a quarter of a year
    apart, so that no marker hides another; their labels are stacked in a
    column to the right so that none overlaps another. The band is ``fit.predictive_at(years)``: inside the data window
    it is the distribution of a figure for that year given the fit, after it
    the forecast.

    Examples
    --------
    >>> import forecast
    >>> fit = forecast.fit_publishers()                                         # doctest: +SKIP
    >>> fig = forecast.plots.claims_band_chart(fit, [(2019, 2e12, "$2T (2019)")])  # doctest: +SKIP
    """
    from forecast.data.money import format_money as money

    kw = {} if publisher is None else {"publisher": publisher}
    obs = fit.observations(**kw)
    unit = str(getattr(fit, "unit", "") or obs.attrs.get("unit", "") or "")
    cl = claims_frame(claims, unit)
    obs_years = np.array([p.year for p in obs.index])
    if years is None:
        lo_y = int(min(obs_years.min(), cl["year"].min() if len(cl) else obs_years.min()))
        hi_y = int(max(obs_years.max(), cl["year"].max() if len(cl) else obs_years.max())) + 1
        years = range(lo_y, hi_y + 1)
    years = np.array([int(y) for y in years])
    pred = fit.predictive_at(list(years), **kw)
    fig, ax = new_axes(ax, figsize=(8.6, 5.0))
    values: list[float] = []
    narrow, wide = sorted(levels)
    for lv, alpha in ((wide, band_alphas(2)[1]), (narrow, band_alphas(2)[0])):
        a = (1 - lv / 100) / 2
        lo, hi = pred.quantile(a), pred.quantile(1 - a)
        ax.fill_between(years, lo, hi, color=BAND, alpha=alpha, linewidth=0, label=f"{lv:g}% interval")
        values += list(lo) + list(hi)
    med = pred.median()
    scale = str(obs.name or "series")
    ax.plot(years, med, color=MEDIAN, linewidth=2.0, label=f"Median, {scale} scale")
    ax.plot(obs_years, obs.to_numpy(dtype=float), linestyle="none", marker="o", markersize=5, color=OBSERVED,
            label=f"{scale}'s own figures", zorder=6)
    values += list(med) + list(obs.to_numpy(dtype=float))
    if len(cl):
        # claims of one year side by side, a quarter of a year apart, just right of the year itself
        # (where the publisher's own figure, if any, is drawn): no marker hides another
        xs = cl["year"].to_numpy(dtype=float).copy()
        for y in np.unique(cl["year"]):
            idx = np.flatnonzero(cl["year"].to_numpy() == y)
            xs[idx] = y + 0.22 + 0.25 * np.arange(len(idx))
        ys = cl["value"].to_numpy(dtype=float)
        ax.plot(xs, ys, linestyle="none", marker="D", markersize=8, markerfacecolor=CLAIM, markeredgecolor="black",
                markeredgewidth=0.8, label="Claim", zorder=5, gid="claims")
        values += list(ys)
        set_value_axis(ax, unit, True, values)
        ax.set_xlim(years.min() - 0.5, years.max() + 3.5)
        label_x = years.max() + 1.0
        mult = money_multiplier(unit)
        texts = []
        for _, row in cl.iterrows():
            text = row["label"] or format_compact(row["value"] * (mult or 1.0), money=mult is not None)
            if share_of_gdp and mult is not None:
                from forecast.data.scale import share_of_gdp as share

                s = float(share(row["value"] * mult, year=int(row["year"]), extrapolate=True))
                text += f"\n{money(row['value'] * mult)} = {100 * s:.2g}% of world GDP {int(row['year'])}"
            texts.append(text)
        fontsize = 8.0
        heights = np.array([(t.count("\n") + 1) * fontsize * 1.3 * fig.dpi / 72 for t in texts])
        label_y = _spread_labels(ax, np.full(len(ys), label_x), ys, heights)
        for x, y, ly, text in zip(xs, ys, label_y, texts, strict=True):
            ax.annotate(text, (x, y), xytext=(label_x, ly), textcoords="data", fontsize=fontsize, va="center",
                        ha="left", parse_math=False, gid="claim-label",
                        arrowprops={"arrowstyle": "-", "color": TEXT_GREY, "linewidth": 0.6})
    else:
        set_value_axis(ax, unit, True, values)
    if title is None:
        title = f"Claims against the model, {scale} scale"
    finish_axes(ax, title=title, xlabel="Year", legend_loc="upper left")
    return fig
