"""The library calls a report makes, each once, in build order.

Each function fills typed fields of the :class:`~forecast.report.context.Context`
(the terminal shows progress for each); the title page and the sections then
read them. A call that fails is kept as its exception and reported by every
section that needs it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import forecast
from forecast.report.context import Context

def compute_models(ctx: Context) -> None:
    """The main series' fit (``auto``, unless one was given), its forecast, and the backtest to draw.

    The backtest drawn is that of the forecast used, read from the backtest
    ``auto`` kept from its own choice (for a combination, the combination
    itself, as auto scored it): nothing is refitted or rebuilt here. For
    ``auto`` the rule is also re-run at each origin, calibration included
    (the candidates' fits come from the cache), so the table shows the
    out-of-sample coverage of the intervals the forecast actually has: the
    ``auto`` row of :func:`forecast.backtest` on the same series. A fit the
    caller gave shows that row when it carries it
    (:func:`forecast.evaluate.record.rerun_backtest` keeps it on the fit).
    """
    from forecast.evaluate.fitcache import fit_cache
    from forecast.evaluate.record import rerun_backtest, used_backtest

    given = ctx.fit.done
    with fit_cache():
        fit = ctx.fit.value if given else ctx.fit.run(lambda: forecast.fit(ctx.y, model=ctx.options.model))
        ctx.forecast_frame.run(lambda: fit.forecast(horizon=ctx.options.horizon, levels=ctx.options.levels))
        ctx.backtest.run(lambda: used_backtest(fit))
        # auto's whole rule (with its calibration) re-run at each origin: the row forecast.backtest gives "auto";
        # a fit the caller gave is shown with its re-run only when it carries one (nothing given is refitted)
        ctx.rerun.run(lambda: getattr(fit, "rerun", None) if given else rerun_backtest(fit))


def compute_publishers(ctx: Context) -> None:
    """The multi-publisher model of the global cost (fitted once) and its sensitivity table."""
    def build():
        from forecast.data.window import through

        if ctx.options.through is None:
            return forecast.fit_publishers()
        est = through(forecast.load("global_estimates"), ctx.options.through, what="the global estimates")
        return forecast.fit_publishers(estimates=est)
    pf = ctx.publishers.value if ctx.publishers.done else ctx.publishers.run(build)
    ctx.sensitivity.run(lambda: pf.sensitivity(claims=[(c.value, c.year) for c in ctx.claim_specs]))


def claim_target(ctx: Context) -> Any:
    """What claims are judged against: the multi-publisher model, or the main series' fit."""
    return ctx.publishers.value if ctx.options.uses_global else ctx.fit.value


#: Simulated paths per catalogued claim (the crossing-year interval); the headline claims use the library default.
CATALOG_PATHS = 1000


def compute_claims(ctx: Context) -> None:
    """Each claim checked once (the seed's by default), the catalogued forecasts still to come, the scorecard."""
    from forecast.published.catalog import claims as claim_catalog

    def check_all() -> list[tuple[Any, Any]]:
        target = claim_target(ctx)
        out = []
        for spec in ctx.claim_specs:
            try:
                rec = forecast.check_claim(spec.value, spec.year, against=target)
            except Exception as exc:  # noqa: BLE001 - one claim failing is shown in its row
                rec = exc
            out.append((spec, rec))
        return out
    ctx.claims.run(check_all)
    if not ctx.options.uses_global:
        return
    pf = ctx.publishers.value
    ctx.scorecard.run(lambda: forecast.scorecard(pf))

    def upcoming() -> list[tuple[pd.Series, Any]]:
        cat = claim_catalog()
        cat = cat[pd.to_numeric(cat["target_year"], errors="coerce") > pf.last_year]
        out = []
        for _, row in cat.sort_values(["target_year", "published_year"]).iterrows():
            try:
                own = str(row["publisher"]) if str(row["publisher"]) in pf.publishers else None
                rec = forecast.check_claim(float(row["value_usd"]), int(row["target_year"]), against=pf,
                                           label=str(row["id"]), publisher=own, n=CATALOG_PATHS)
            except Exception as exc:  # noqa: BLE001 - shown in its row
                rec = exc
            out.append((row, rec))
        return out
    ctx.upcoming.run(upcoming)



#: Years forecast for the panels by state and crime type (short, noisy series: three years, not the main horizon).
PANEL_HORIZON = 3


def compute_panels(ctx: Context) -> None:
    """IC3 by state (reconciled to the total of states) and by crime type: fits, forecasts, growth, contributions."""
    def build() -> dict:
        through = ctx.options.through
        states = forecast.fit_panel("ic3_by_state", through=through)
        crimes = forecast.fit_panel("ic3_by_crime_type", through=through)
        sfc = states.forecast(horizon=PANEL_HORIZON, levels=ctx.options.levels)
        cfc = crimes.forecast(horizon=PANEL_HORIZON, levels=ctx.options.levels)
        last = states.panel.last_year
        return {"states": states, "crimes": crimes, "states_forecast": sfc, "crimes_forecast": cfc,
                "states_growth": forecast.contributions("ic3_by_state", end=last),
                "crimes_growth": forecast.contributions("ic3_by_crime_type", end=last),
                "contributions": forecast.contributions("ic3_by_crime_type", end=last, result=crimes,
                                                        horizon=PANEL_HORIZON)}
    ctx.panels.run(build)
