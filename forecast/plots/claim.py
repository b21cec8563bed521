"""Claim chart: the distribution a claim is judged against, with the claim and its percentile marked."""

from __future__ import annotations

from typing import Any

import numpy as np

from forecast.errors import ForecastError
from forecast.plots.style import BAND, CLAIM, MEDIAN, band_alphas, finish_axes, new_axes, set_value_axis

__all__ = ["claim_chart", "claim_distribution"]


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
