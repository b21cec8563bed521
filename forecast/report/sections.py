"""The report's sections, each assembled by its own function from library calls.

A section function takes the :class:`~forecast.report.context.Context` and
returns a :class:`~forecast.report.blocks.Section`. It holds no statistics:
every number comes from a public library call (``forecast.fit``,
``forecast.backtest``, ``forecast.fit_publishers``, ``forecast.check_claim``,
...) and is written with ``forecast.format_money``. A section whose call
fails is replaced by a box giving the one-line reason; a part of a section
that fails (one chart, one table) is replaced the same way and the rest
stays.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import forecast
from forecast.report.blocks import (
    Block,
    Section,
    bold,
    bullets,
    failure,
    figure,
    fmt_number,
    fmt_pct,
    heading,
    note,
    one_line,
    ordinal,
    para,
    ref,
    refs,
    sources,
    table,
)
from forecast.report.context import LEVELS, Context
from forecast.report.figures import new_figure

# ----------------------------------------------------------------- helpers


def money(x: Any) -> str:
    """An amount in US$ the library's way (``$16.6bn``)."""
    return forecast.format_money(x)


def value_fmt(ctx: Context) -> Callable[[Any], str]:
    """Formatter for values of the main series: money for US$, plain numbers otherwise."""
    if ctx.unit.upper() in ("USD", "US$", "$"):
        return money
    return fmt_number


def interval(lo: Any, hi: Any, fmt: Callable[[Any], str] = money) -> str:
    """``"$20.1bn – $35.2bn"``."""
    return f"{fmt(lo)} – {fmt(hi)}"


def year_of(idx: Any) -> int:
    """An int year from a Period, a Timestamp or an int."""
    return int(getattr(idx, "year", idx))


def measure_label(measure: Any) -> str:
    """``"total_cost"`` -> ``"total cost"``."""
    if measure is None or (isinstance(measure, float) and math.isnan(measure)):
        return ""
    return str(measure).replace("_", " ")


def is_missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return bool(isinstance(v, float | np.floating) and math.isnan(v))
    except TypeError:
        return False


def txt(v: Any, default: str = "") -> str:
    """A cell's text: missing values become ``default``."""
    return default if is_missing(v) or str(v) in ("nan", "None", "<NA>") else str(v)


def attr(obj: Any, *names: str, default: Any = None) -> Any:
    """The first of ``names`` that ``obj`` has (attribute, mapping key or frame column)."""
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if isinstance(obj, pd.Series) and n in obj.index:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return default


# ------------------------------------------------------------ computations
#
# Shared results, computed once in build order (the terminal shows progress
# for each) and reused by the title page and the sections.

def compute_models(ctx: Context) -> None:
    """The automatic model choice on the main series, its forecast, and one backtest to draw.

    The backtest drawn is that of the best single candidate (the first in the
    choice), run inside the same fit cache as the choice, so it reuses the
    fits the choice made instead of repeating them.
    """
    from forecast.evaluate.backtest import default_origins, fit_cache
    from forecast.families import get_spec

    with fit_cache():
        fit = ctx.compute("fit", lambda: forecast.fit(ctx.y, model="auto"))
        ctx.compute("forecast", lambda: fit.forecast(horizon=ctx.options.horizon, levels=LEVELS))

        def drawn_backtest() -> pd.DataFrame:
            model = best_single(fit)
            cands = [c for c in fit.options.get("candidates", [model]) if get_spec(c).min_obs <= len(ctx.y) - 2]
            origins = default_origins(ctx.y, cands or [model])
            return forecast.backtest(ctx.y, models=[model], origins=origins, horizon=fit.options.get("horizon", 3))
        ctx.compute("backtest", drawn_backtest)


def best_single(fit: Any) -> str:
    """The single model drawn in the backtest chart: the chosen one, or the best member of a combination."""
    weights = getattr(fit, "weights", None) or {}
    if weights:
        return max(weights, key=lambda k: weights[k]) if len(set(weights.values())) > 1 else next(iter(weights))
    return str(getattr(fit, "model", "drift"))


def compute_publishers(ctx: Context) -> None:
    """The multi-publisher model of the global cost (fitted once) and its sensitivity table."""
    def build():
        through = ctx.options.through
        if through is None:
            return forecast.fit_publishers()
        est = forecast.load("global_estimates")
        return forecast.fit_publishers(estimates=est[est["published_year"] <= through])
    pf = ctx.compute("publishers", build)
    ctx.compute("sensitivity", lambda: pf.sensitivity(claims=[(c.value, c.year) for c in ctx.claim_specs]))


def claim_target(ctx: Context) -> Any:
    """What claims are judged against: the multi-publisher model, or the main series' fit."""
    return ctx.get("publishers") if ctx.options.uses_global else ctx.get("fit")


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
    ctx.compute("claims", check_all)
    if not ctx.options.uses_global:
        return
    pf = ctx.get("publishers")
    ctx.compute("scorecard", lambda: forecast.scorecard(pf))

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
    ctx.compute("upcoming", upcoming)


# ----------------------------------------------------------- data section

def section_data(ctx: Context) -> Section:
    """Data and sources: the figures used, with publisher, year and measure; numbered sources."""
    s = Section("data", "Data and sources")
    s.add(para(
        "Every figure in this report comes from the package's curated datasets, each row with its source. "
        "This section lists the figures used and what each measures; the numbers in square brackets refer "
        "to the numbered source list at the end of the section."))
    if ctx.is_ic3:
        s.part("IC3 figures", lambda: _ic3_table(ctx))
    else:
        s.part("Series", lambda: _series_table(ctx))
    if ctx.options.uses_global:
        s.part("Global estimates", lambda: _global_table(ctx))
        s.part("World GDP and prices", lambda: _macro_blocks(ctx))
    else:
        s.add(note("The global estimates of the cost of cybercrime are not used for a user's own series: "
                   "the sections on the global cost, the published claims and the scorecard are left out."))
    s.add({"type": "_sources_placeholder"})  # filled in at the end, once every section has cited
    return s


def _ic3_table(ctx: Context) -> list[Block]:
    raw = forecast.load("ic3")
    used = {year_of(p): v for p, v in ctx.y.items()}
    rows = []
    for _, r in raw.sort_values("year").iterrows():
        yr = int(r["year"])
        cite = ctx.cite(txt(r.get("source_url")), f"FBI IC3 / IFCC figures for {yr}")
        rev = r.get("revised_losses_usd")
        rows.append([str(yr),
                     money(used[yr]) if yr in used else "not published",
                     "" if is_missing(rev) else money(rev),
                     fmt_number(r["complaints"]) if not is_missing(r["complaints"]) else "",
                     cite])
    through = f" Years after {ctx.options.through} are left out of the fit (--through)." if ctx.options.through else ""
    gaps = ctx.y.attrs.get("gaps") or []
    gap_txt = (f" No loss total was found for {', '.join(str(g) for g in gaps)}; the models treat it as a gap."
               if gaps else "")
    return [
        para(bold("FBI Internet Crime Complaint Center (IC3). "),
             f"{ctx.y.attrs.get('name', 'IC3 reported losses')}: losses that complainants reported to the IC3 "
             f"each year, in nominal US$, {ctx.first_year}-{ctx.last_year}.{gap_txt}{through}"),
        table(["Year", "Reported losses", "Later revision", "Complaints", "Source"], rows,
              caption="IC3 complaints and reported losses by year (as first reported; later revisions beside them).",
              align="rrrrr", label="tab-ic3-data"),
    ]


def _series_table(ctx: Context) -> list[Block]:
    fmt = value_fmt(ctx)
    rows = [[str(year_of(p)), fmt(v)] for p, v in ctx.y.items()]
    gaps = ctx.y.attrs.get("gaps") or []
    unit = ctx.unit or "as given"
    return [
        para(bold(f"{ctx.name}. "), f"Source: {ctx.source}. Unit: {unit}. "
             f"{len(ctx.y)} values, {ctx.first_year}-{ctx.last_year}"
             + (f"; missing years: {', '.join(str(g) for g in gaps)}." if gaps else ".")),
        table(["Year", "Value"], rows, caption=f"The series used: {ctx.name}.", align="rr",
              label="tab-series-data"),
    ]


def _global_rows(ctx: Context) -> pd.DataFrame:
    """The global estimates with the multi-publisher model's inclusion decision where available."""
    est = forecast.load("global_estimates")
    if ctx.ok("publishers"):
        inc = attr(ctx.get("publishers"), "inclusion", default=None)
        if isinstance(inc, pd.DataFrame) and "id" in inc.columns:
            keep = [c for c in ("id", "included", "reason") if c in inc.columns]
            est = est.merge(inc[keep], on="id", how="left")
    return est


def _estimate_figure(r: pd.Series) -> str:
    lo, pt, hi = (r.get(c) for c in ("low_usd_bn", "point_usd_bn", "high_usd_bn"))
    if not is_missing(pt):
        text = money(float(pt) * 1e9)
        if not is_missing(lo) and not is_missing(hi):
            text += f" ({money(float(lo) * 1e9)}–{money(float(hi) * 1e9)})"
        return text
    if not is_missing(lo) and not is_missing(hi):
        return f"{money(float(lo) * 1e9)}–{money(float(hi) * 1e9)}"
    if not is_missing(lo):
        return f"≥ {money(float(lo) * 1e9)}"
    return "no single figure"


def _global_table(ctx: Context) -> list[Block]:
    est = _global_rows(ctx)
    rows = []
    reasons: dict[str, str] = {}
    has_use = "included" in est.columns
    for _, r in est.iterrows():
        pub = txt(r.get("publisher")) or txt(r.get("attribution"))
        cite = ctx.cite(txt(r.get("source_url")), f"{txt(r.get('attribution')) or pub}: {txt(r.get('publication'))}")
        first, last = r.get("first_year"), r.get("last_year")
        if not is_missing(r.get("target_year")):
            yr = str(int(r["target_year"]))
        elif not is_missing(first) and not is_missing(last) and int(first) != int(last):
            yr = f"{int(first)}–{int(last)}"
        else:
            yr = txt(first)
        use = ""
        if has_use and not is_missing(r.get("included")):
            if bool(r["included"]):
                use = "fitted"
            else:
                reason = _reason_key(txt(r.get("reason"), "left out"))
                code = reasons.setdefault(reason, chr(ord("a") + len(reasons)))
                use = f"left out ({code})"
        rows.append([pub, txt(r.get("published_year")), yr, _estimate_figure(r), measure_label(r.get("measure")),
                     txt(r.get("kind")), use, cite])
    n_used = sum(1 for r in rows if r[6] == "fitted")
    intro = para(
        bold("Published estimates of the global cost. "),
        f"{len(rows)} figures by {est['publisher'].nunique()} publishers, in nominal US$ (",
        ref("tab-global-data"), "). They measure different things (column 'Measures'), and a figure that was a "
        "forecast when it was published is a claim to test, not an observation. "
        + (f"The multi-publisher model of Section 3 fits {n_used} of them; the note below the table gives the "
           "reason for each one left out." if has_use else ""))
    note_text = "; ".join(f"({code}) {reason}" for reason, code in reasons.items()) + "." if reasons else None
    tbl = table(["Publisher", "Published", "Year", "Figure", "Measures", "Kind", "Use", "Src."],
                rows, caption="Published figures on the global cost of cybercrime (low–high range in brackets).",
                align="llcrlllr", label="tab-global-data",
                widths=["1.5fr", "auto", "auto", "2.1fr", "1.3fr", "auto", "auto", "auto"], note=("Left out: " + note_text) if note_text else None)
    return [intro, tbl]


def _reason_key(reason: str) -> str:
    """A reason without its row-specific tail ("..., row csis-2014, its likely origin" -> the general reason)."""
    import re

    return re.sub(r",? row [\w-]+.*$", "", reason).strip()


def _macro_blocks(ctx: Context) -> list[Block]:
    macro = forecast.load("macro")
    gdp_url = txt(macro["gdp_source_url"].dropna().iloc[0]) if "gdp_source_url" in macro else ""
    cpi_url = txt(macro["cpi_source_url"].dropna().iloc[0]) if "cpi_source_url" in macro else ""
    g = ctx.cite(gdp_url, "World Bank, GDP (current US$), world aggregate, NY.GDP.MKTP.CD (datasets/gdp mirror)")
    c = ctx.cite(cpi_url, "US Bureau of Labor Statistics, CPI-U annual averages (datasets/cpi-us mirror)")
    yrs = macro["year"].dropna().astype(int)
    return [para(bold("World GDP and US consumer prices. "),
                 f"World GDP in current US$ {g} and the US CPI-U {c}, {yrs.min()}-{yrs.max()}, convert nominal "
                 "figures to real US$ and to shares of world GDP (Section 'Method and caveats').")]


# ------------------------------------------------------- series section

def section_series(ctx: Context) -> Section:
    """Reported losses (IC3), or the user's series: fan chart, forecast table, model choice, backtest."""
    title = "Reported losses (IC3)" if ctx.is_ic3 else f"Forecast: {ctx.name}"
    s = Section("series", title)
    fit = ctx.get("fit")
    fc = ctx.get("forecast")
    fmt = value_fmt(ctx)
    last = fc.index[-1]
    s.add(para(
        f"The {ctx.name} series has {len(ctx.y)} values from {ctx.first_year} to {ctx.last_year}; the last is "
        f"{fmt(ctx.y.iloc[-1])} ({ctx.last_year}). The model chosen by backtest ({_choice_name(fit)}) puts "
        f"{year_of(last)} at a median of ", bold(fmt(fc['median'].iloc[-1])),
        f", with an 80% interval of {interval(fc['lower_80'].iloc[-1], fc['upper_80'].iloc[-1], fmt)} and a "
        f"95% interval of {interval(fc['lower_95'].iloc[-1], fc['upper_95'].iloc[-1], fmt)}",
        refs("fig-fan", "tab-forecast"), "."))
    s.part("Fan chart", lambda: _fan_figure(ctx, fc))
    s.part("Forecast table", lambda: _forecast_table(ctx, fc))
    s.add(heading("Which model, and how well it forecast the past"))
    s.part("Model choice", lambda: _choice_blocks(ctx, fit))
    s.part("Model comparison chart", lambda: _comparison_figure(ctx, fit))
    s.part("Backtest chart", lambda: _backtest_figure(ctx))
    notes = list(getattr(fit, "notes", []) or [])
    if notes:
        s.add(heading("What to know about this fit"))
        s.add(bullets(notes))
    return s


def _choice_name(fit: Any) -> str:
    """Short name of what ``auto`` used: one model, or "combination of a, b and c"."""
    weights = getattr(fit, "weights", None) or {}
    names = list(weights)
    if len(names) == 1:
        return names[0]
    if names:
        return "combination of " + (", ".join(names[:-1]) + " and " + names[-1])
    return str(getattr(fit, "model", "auto"))


def _fan_figure(ctx: Context, fc: pd.DataFrame) -> Block:
    fig, ax = new_figure(6.4, 3.5)
    forecast.plots.fan_chart(ctx.y, fc, ax=ax, log=True, title=f"{ctx.name}: history and forecast")
    name = ctx.add_figure("fan", fig)
    return figure(name, label="fig-fan", caption=(
        f"{ctx.name}, {ctx.first_year}-{ctx.last_year} (points) and forecast to {ctx.horizon_year}: median "
        "(line), 80% and 95% prediction intervals (bands). Logarithmic scale: a straight line is constant growth."))


def _forecast_table(ctx: Context, fc: pd.DataFrame) -> Block:
    fmt = value_fmt(ctx)
    rows = [[str(year_of(p)), fmt(r["median"]), fmt(r["mean"]), interval(r["lower_80"], r["upper_80"], fmt),
             interval(r["lower_95"], r["upper_95"], fmt)] for p, r in fc.iterrows()]
    return table(["Year", "Median", "Mean", "80% interval", "95% interval"], rows, label="tab-forecast",
                 widths=["auto", "1fr", "1fr", "1.6fr", "1.6fr"],
                 caption=f"Forecast of {ctx.name} to {ctx.horizon_year} ({fc.attrs.get('model') or 'auto'}).",
                 align="rrrrr", note="The median is the central forecast (half the outcomes below, half above); "
                 "the mean is higher because the distribution is skewed. Nominal US$." if fmt is money else None)


def _candidates(fit: Any) -> pd.DataFrame:
    """The candidate table of ``auto``: one row per model that was scored or left out."""
    cand = getattr(fit, "candidates", None)
    if not isinstance(cand, pd.DataFrame) or cand.empty:
        raise AttributeError("the fitted model has no candidate table (.candidates)")
    cand = cand.copy()
    if "status" in cand.columns:  # a model both scored (no windows) and left out: keep the 'left out' row
        left = set(cand.loc[cand["status"] == "left out", "model"])
        cand = cand[~(cand["model"].isin(left) & (cand["status"] != "left out"))]
    return cand.reset_index(drop=True)


def _choice_blocks(ctx: Context, fit: Any) -> list[Block]:
    cand = _candidates(fit)
    weights = getattr(fit, "weights", {}) or {}
    combined = len(weights) > 1
    rows, marked = [], []
    for i, r in cand.iterrows():
        model = str(r["model"])
        w = weights.get(model, 0.0)
        chosen = (model == "combination" and combined) or (not combined and w > 0)
        if chosen or (combined and w > 0):
            marked.append(int(i))
        status = txt(r.get("status"))
        if model == "combination":
            use = "used" if combined else "not used"
        elif status == "left out":
            use = "left out"
        else:
            use = f"{w:.2f}" if w > 0 else ""
        pct = (lambda v: "n/a" if is_missing(v) else f"{float(v):.1f}%")
        num = (lambda v: "n/a" if is_missing(v) else f"{float(v):.3f}")
        rows.append([model, use, "0" if is_missing(r.get("windows")) else str(int(r["windows"])),
                     pct(r.get("mape")), num(r.get("mase")), pct(r.get("coverage_80")), pct(r.get("coverage_95")),
                     num(r.get("wis"))])
    blocks: list[Block] = [
        para("Each candidate model was fitted to the data up to each past year and its forecasts for the next "
             "one to three years were compared with what was later reported (a rolling-origin backtest). The "
             "automatic choice used ", bold(_choice_name(fit)), ": ", txt(getattr(fit, "choice", "")), "."),
        table(["Model", "Weight", "Forecasts", "MAPE", "MASE", "Cover. 80%", "Cover. 95%", "WIS"], rows,
              label="tab-candidates", highlight=marked, align="lrrrrrrr",
              widths=["1.6fr"] + ["1fr"] * 7,
              caption="Backtest scores of the candidate models; the model(s) used are shaded. Coverage is the "
                      "share of reported values that fell inside the 80% and 95% intervals: a well calibrated "
                      "model covers close to 80% and 95%.",
              note="MAPE: mean absolute percentage error of the median. MASE: mean absolute error on the log scale "
                   "relative to a naive one-year-ahead forecast (below 1 beats it). WIS: weighted interval score on "
                   "the log scale, the criterion of the choice (lower is better). Forecasts: number scored."),
    ]
    calib = getattr(fit, "calibration", None)
    if calib is not None and hasattr(calib, "note"):
        blocks.append(para(
            "The scores above are those of the candidates' own intervals. The forecast's intervals were then "
            "calibrated on the backtest errors of the choice: ", calib.note(), ". ", _selection_caveat(fit)))
    return blocks


def _selection_caveat(fit: Any) -> str:
    """What the backtest scores of the model used can and cannot claim."""
    options = getattr(fit, "options", {}) or {}
    fixed = options.get("combine") is True and options.get("top") in (None, len(options.get("candidates", ())))
    if fixed:
        return ("The combination is fixed in advance, not picked on these windows, but the calibration factor "
                "was fitted to the same errors, so the calibrated intervals' coverage is not measured here.")
    return ("The choice was made on these same backtest windows, so the score of the model used is optimistic: "
            "its accuracy on years it has not seen is likely lower.")


def _comparison_figure(ctx: Context, fit: Any) -> Block:
    cand = _candidates(fit)
    cand = cand[pd.to_numeric(cand.get("windows"), errors="coerce").fillna(0) > 0]
    fig = new_figure(8.0, 2.0 + 0.36 * len(cand), ncols=2)
    forecast.plots.comparison_chart(cand, ax=fig.axes, metric="wis")
    name = ctx.add_figure("models", fig)
    return figure(name, label="fig-models", caption=(
        "Candidate models by backtest weighted interval score (left, lower is better) and the share of reported "
        "values inside their 80% and 95% intervals against the nominal levels (right; n: forecasts scored)."))


def _backtest_figure(ctx: Context) -> Block:
    bt = ctx.get("backtest")
    model = str(bt["model"].iloc[0])
    fig, ax = new_figure(6.4, 3.4)
    forecast.plots.backtest_chart(bt, model=model, ax=ax, history=ctx.y, title=f"Backtest: {model}")
    name = ctx.add_figure("backtest", fig)
    fit = ctx.get("fit")
    which = ("the model used" if len(getattr(fit, "weights", {}) or {}) <= 1
             else "the best single member of the combination")
    return figure(name, label="fig-backtest", caption=(
        f"Backtest of {model}, {which}: the forecasts made from each past year (lines, dark to light from early to "
        "late origins) against the reported values (black)."))


# ------------------------------------------------------- global section

def section_global(ctx: Context) -> Section:
    """Global cost: publisher chart, publisher offsets, the latent level's forecast, sensitivity."""
    s = Section("global", "The global cost of cybercrime")
    pf = ctx.get("publishers")
    inc = pf.inclusion
    n_in = int(inc["included"].sum())
    s.add(para(
        "Publishers' estimates of the global cost differ by an order of magnitude for the same year. They are not "
        "one time series. The multi-publisher model fits them together: one latent level growing along "
        f"{'an' if str(pf.curve)[:1] in 'aeiou' else 'a'} {pf.curve} curve, a systematic offset for each publisher, and each publisher's own noise, with the "
        f"published low–high ranges as measurement uncertainty. It uses {n_in} of the {len(inc)} published "
        f"figures, from {len(pf.publishers)} publishers ({pf.first_year}–{pf.last_year}); the others are forecasts "
        "made at publication (claims to test, Section 4) or measure something else (", ref("tab-global-data", "Section 1"),
        "). The latent level is expressed on the scale of ", bold(pf.reference), ", the reference publisher."))
    s.part("Publisher chart", lambda: _publisher_figure(ctx, pf))
    s.part("Publisher offsets", lambda: _offsets_table(ctx, pf))
    s.part("Latent forecast", lambda: _latent_table(ctx, pf))
    s.part("Sensitivity", lambda: _sensitivity_table(ctx, pf))
    notes = list(getattr(pf, "notes", []) or [])
    if notes:
        s.add(heading("What to know about this model"))
        s.add(bullets(notes))
    return s


def _publisher_figure(ctx: Context, pf: Any) -> Block:
    fig, ax = new_figure(6.4, 3.9)
    forecast.plots.publisher_chart(pf, ax=ax)
    name = ctx.add_figure("publishers", fig)
    return figure(name, label="fig-publishers", caption=(
        "Published estimates of the global cost by publisher, with their low–high ranges; hollow markers are "
        f"figures that were forecasts when published. The line and band are the model's latent level on "
        f"{pf.reference}'s scale."))


def _offsets_table(ctx: Context, pf: Any) -> list[Block]:
    off = pf.offsets
    rows = []
    for _, r in off.iterrows():
        is_ref = str(r["publisher"]) == pf.reference
        rows.append([txt(r["publisher"]), "reference" if is_ref else f"×{float(r['ratio']):.2f}",
                     "" if is_ref or is_missing(r.get("lower_95")) else
                     f"×{float(r['lower_95']):.2f} – ×{float(r['upper_95']):.2f}",
                     txt(r.get("n_rows")), f"{int(r['first_year'])}–{int(r['last_year'])}"
                     if int(r["first_year"]) != int(r["last_year"]) else str(int(r["first_year"])),
                     txt(r.get("noise"))])
    top = off[off["publisher"] != pf.reference].sort_values("ratio", ascending=False)
    lead = []
    if len(top):
        lead = [para("Reading the offsets: ", txt(top.iloc[0]["statement"]), ". A publisher with one figure has a "
                     "wide interval and borrows its noise from the others (column 'Noise').")]
    return [heading("How far the publishers' scales differ"), *lead,
            table(["Publisher", f"Multiple of {pf.reference}", "95% interval", "Figures", "Years", "Noise"], rows,
                  label="tab-offsets", align="lrrrcl", widths=["1.9fr", "1.2fr", "1.5fr", "0.8fr", "1fr", "2.3fr"],
                  caption=f"Publisher offsets: each publisher's figures as a multiple of {pf.reference}'s.")]


def _latent_table(ctx: Context, pf: Any) -> list[Block]:
    until = max(ctx.horizon_year, pf.last_year + 1)
    fc = pf.forecast(until=until, levels=LEVELS)
    g, glo, ghi = pf.growth_rate()
    rows = [[str(year_of(p)), money(r["median"]), interval(r["lower_80"], r["upper_80"]),
             interval(r["lower_95"], r["upper_95"])] for p, r in fc.iterrows()]
    return [heading("The latent level and its forecast"),
            para(f"On {pf.reference}'s scale the latent level grows by {fmt_pct(g, 1)} a year (95% interval "
                 f"{fmt_pct(glo, 1)} to {fmt_pct(ghi, 1)}). ", ref("tab-latent"), " gives its forecast; on another "
                 "publisher's scale multiply by that publisher's offset (", ref("tab-offsets", "Section 3.1"), "). The intervals "
                 "are for a new figure on that scale: they include the curve's parameter uncertainty and the "
                 "publisher's noise."),
            table(["Year", "Median", "80% interval", "95% interval"], rows, label="tab-latent", align="rrrr",
                  caption=f"Forecast of the global cost on {pf.reference}'s scale (nominal US$).")]


def _sensitivity_table(ctx: Context, pf: Any) -> list[Block]:
    sens = ctx.get("sensitivity")
    med_col = next((c for c in sens.columns if str(c).startswith("median_")), None)
    pct_cols = [c for c in sens.columns if str(c).startswith("percentile[")]
    headers = ["Variant", "Reference", "Figures", "Growth a year", "95% interval"]
    if med_col:
        headers.append(f"Level {med_col.split('_', 1)[1]}")
    headers += [f"Percentile of {c[len('percentile['):-1]}" for c in pct_cols]
    widths = ["2.3fr", "1.5fr", "1fr", "1.1fr", "1.7fr"] + ["1.2fr"] * (len(headers) - 5)
    rows = []
    for _, r in sens.iterrows():
        if is_missing(r.get("growth")):
            row = [txt(r["variant"]), "could not be fitted: " + txt(r.get("note")), "", "", ""]
            row += [""] * (len(headers) - len(row))
            rows.append(row)
            continue
        row = [txt(r["variant"]), txt(r.get("reference")), txt(int(r["n_rows"])), fmt_pct(r["growth"], 1),
               f"{fmt_pct(r['lower_95'], 1)} to {fmt_pct(r['upper_95'], 1)}"]
        if med_col:
            row.append(money(r[med_col]))
        row += [fmt_percentile(r[c]) for c in pct_cols]
        rows.append(row)
    return [heading("How sensitive the answer is"),
            para("The answer depends on which publishers are in and how the model is specified. ",
                 ref("tab-sensitivity"), " refits the model without each publisher in turn, with one noise level "
                 "for all, with the other curve, and for each publisher with enough figures alone (its own growth "
                 "rate). Levels and percentiles are on each variant's reference scale."),
            table(headers, rows, label="tab-sensitivity", align="ll" + "r" * (len(headers) - 2), widths=widths,
                  caption="Sensitivity of the multi-publisher model to its specification.")]


def fmt_share(x: Any) -> str:
    """A share (0-1) as a percentage with two significant digits: ``5.3e-7`` -> ``"0.000053%"``.

    Examples
    --------
    >>> fmt_share(5.3e-7), fmt_share(0.000149), fmt_share(0.0116), fmt_share(0.25)
    ('0.000053%', '0.015%', '1.2%', '25%')
    """
    if is_missing(x) or not float(x) > 0:
        return "n/a"
    pct = 100 * float(x)
    dec = max(0, 1 - int(math.floor(math.log10(pct))))
    return f"{pct:.{dec}f}%"


def fmt_crossing(rec: Any) -> str:
    """The crossing year with its 95% interval: ``"2028 (2024–2043)"``, or when it is not reached."""
    until = getattr(rec, "until", None)
    cy = getattr(rec, "crossing_year", None)
    if is_missing(cy):
        return f"not by {until}" if until else "not reached"
    lo, hi = getattr(rec, "crossing_lower", None), getattr(rec, "crossing_upper", None)
    lo_t = "?" if is_missing(lo) else str(int(lo))
    hi_t = f"after {until}" if is_missing(hi) else str(int(hi))
    return f"{int(cy)} ({lo_t}–{hi_t})" if lo_t != hi_t else f"{int(cy)}"


def fmt_percentile(p: Any) -> str:
    """A percentile (0-100) the way a reader can trust: no "100th" for 99.96.

    Examples
    --------
    >>> fmt_percentile(99.999), fmt_percentile(99.4), fmt_percentile(73.5), fmt_percentile(0.01)
    ('above 99.9th', '99.4th', '74th', 'below 0.1th')
    """
    if is_missing(p):
        return "n/a"
    p = float(p)
    if p >= 99.95:
        return "above 99.9th"
    if p <= 0.05:
        return "below 0.1th"
    if p > 99 or p < 1:
        return f"{p:.1f}th"
    return ordinal(int(round(p)))


# ------------------------------------------------------- claims section

def section_claims(ctx: Context) -> Section:
    """Claims: percentile, ratio to median, crossing year, likely origin; other figures; the scorecard."""
    s = Section("claims", "Published claims tested")
    records = ctx.get("claims")
    if ctx.options.uses_global:
        pf = ctx.get("publishers")
        against = (f"the multi-publisher model (Section 3), on the scale of {pf.reference} unless the claim "
                   "belongs to a publisher in the model")
    else:
        against = f"the forecast of {ctx.name} (Section 2)"
    s.add(para(
        f"Each claim is placed in the predictive distribution of {against} for its year: its percentile (the "
        "share of the distribution below it), its ratio to the median, and the year in which the median first "
        "reaches it, with a 95% interval from simulated paths. A percentile above 97.5 means the claim lies "
        "above the model's 95% interval."))
    s.part("Claim table", lambda: _claims_table(ctx, records))
    s.part("Claim chart", lambda: _claims_figure(ctx, records))
    if ctx.options.uses_global:
        s.part("Other headline figures", lambda: _upcoming_table(ctx))
        s.part("Scorecard", lambda: _scorecard_table(ctx))
    return s


def _claims_table(ctx: Context, records: list[tuple[Any, Any]]) -> list[Block]:
    rows, verdicts = [], []
    for spec, rec in records:
        if isinstance(rec, Exception):
            rows.append([spec.label, "", "", "", "", "", ""])
            verdicts.append([bold(spec.label + ": "), {"t": "could not be checked: " + one_line(rec)}])
            continue
        fmt = money if ctx.options.uses_global else value_fmt(ctx)
        rows.append([spec.label, txt(rec.scale), fmt_percentile(rec.percentile),
                     f"×{float(rec.ratio_to_median):.2f}", fmt(rec.median), interval(rec.lower_95, rec.upper_95, fmt),
                     fmt_crossing(rec)])
        verdicts.append(txt(rec.verdict))
    origin_rows = []
    for spec, rec in records:
        if isinstance(rec, Exception):
            continue
        matched = origin_names((rec.matched_id,)) if getattr(rec, "matched_id", None) else []
        origins = origin_names(tuple(getattr(rec, "origin_ids", ()) or ()))
        if matched or origins:
            origin_rows.append([spec.label, "; ".join(matched) or "no catalogued statement",
                                "; ".join(origins) or "not traced"])
    origin_table = [table(["Claim", "Published as", "Likely origin"], origin_rows, label="tab-origins",
                          align="lll", widths=["1fr", "2.4fr", "2.4fr"],
                          caption="Where the headline claims were published and where they most likely came from "
                                  "(an inference from matching figures and years).")] if origin_rows else []
    return [table(["Claim", "Scale", "Percentile", "Ratio to median", "Model median", "Model 95% interval",
                   "Median reaches it (95% interval)"], rows, label="tab-claims", align="llrrrrr",
                  widths=["1.1fr", "1.1fr", "1fr", "0.9fr", "0.9fr", "1.5fr", "2fr"],
                  caption="The headline claims against the model, each in the distribution for its own year."),
            *origin_table,
            para(bold("In words. "), "The library's verdict on each claim:"),
            bullets(verdicts)]


def _claims_figure(ctx: Context, records: list[tuple[Any, Any]]) -> Block | None:
    ok = [(spec, rec) for spec, rec in records if not isinstance(rec, Exception)][:2]
    if not ok:
        return None
    target = claim_target(ctx)
    if len(ok) == 1:
        fig, ax = new_figure(6.4, 2.8)
        axes = [ax]
    else:
        fig = new_figure(6.4, 6.2, nrows=2)
        axes = fig.axes
    for (spec, rec), ax in zip(ok, axes):
        forecast.plots.claim_chart(rec, ax=ax, against=target, title=f"{spec.label}: {fmt_percentile(rec.percentile)}"
                                   " percentile")
    name = ctx.add_figure("claims", fig)
    return figure(name, label="fig-claims", width="88%", caption=(
        "Each claim (dashed line, diamond) in the model's predictive distribution for its year: the curve is the "
        "density on a logarithmic value axis, with the central 80% and 95% intervals shaded and the median marked."))


def _upcoming_table(ctx: Context) -> list[Block] | None:
    recs = ctx.get("upcoming")
    if not recs:
        return None
    rows = []
    for row, rec in recs:
        who = f"{txt(row['publisher'])} ({txt(row['published_year'])})"
        fig = f"{money(row['value_usd'])} in {int(row['target_year'])}"
        if isinstance(rec, Exception):
            rows.append([who, fig, measure_label(row.get("measure")), "could not be checked: " + one_line(rec, 80),
                         "", "", ""])
            continue
        rows.append([who, fig, measure_label(row.get("measure")), txt(rec.scale), fmt_percentile(rec.percentile),
                     f"×{float(rec.ratio_to_median):.2f}", fmt_crossing(rec)])
    return [heading("Other headline figures still to come"),
            para("Published forecasts for years after the last estimate in the model, checked the same way (on the "
                 "publisher's own scale when it has estimates in the model, else on the reference scale)."),
            table(["Published by", "Figure", "Measures", "Scale", "Percentile", "Ratio to median",
                   "Median reaches it (95% interval)"],
                  rows, label="tab-upcoming", align="llllrrr",
                  widths=["1.9fr", "1.3fr", "1fr", "1.5fr", "1.2fr", "1fr", "1.7fr"],
                  caption="Forecasts of the global cost whose year has not yet come, against the model.")]


def _scorecard_table(ctx: Context) -> list[Block]:
    sc = ctx.get("scorecard")
    rows = []
    for _, r in sc.iterrows():
        rows.append([f"{txt(r['publisher'])} ({txt(r['published_year'])})",
                     f"{money(r['forecast_usd'])} in {int(r['target_year'])}",
                     measure_label(r.get("measure")),
                     "none" if is_missing(r.get("later_estimate_usd")) else money(r["later_estimate_usd"]),
                     "n/a" if is_missing(r.get("ratio")) else f"×{float(r['ratio']):.2f}",
                     fmt_percentile(r.get("model_percentile")),
                     "yes" if bool(r.get("in_model_95")) else "no"])
    n_in = int(sc["in_model_95"].fillna(False).astype(bool).sum()) if "in_model_95" in sc else 0
    return [heading("Scorecard of past forecasts"),
            para(f"{len(sc)} published forecasts have reached their year. Each is compared with the later estimates "
                 "of that year (the same publisher's where it made one, else the other publishers') and with the "
                 f"model's distribution for the year; {n_in} of {len(sc)} fall inside the model's 95% interval (",
                 ref("tab-scorecard"), ")."),
            table(["Forecast by", "Figure", "Measures", "Later estimate", "Ratio", "Model percentile", "In 95%"], rows,
                  label="tab-scorecard", align="lllrrrc",
                  widths=["2fr", "1.3fr", "1.3fr", "1.1fr", "0.8fr", "1.2fr", "0.7fr"],
                  caption="Scorecard: published forecasts whose year has passed, against later estimates and the "
                          "model.",
                  note="Ratio: forecast divided by the later estimate (above 1: the forecast was too high).")]


# ------------------------------------------------------- method section

def section_method(ctx: Context) -> Section:
    """Method and caveats: what each figure measures, under-reporting, nominal vs real, the intervals."""
    s = Section("method", "Method and caveats")
    if ctx.options.uses_global:
        s.add(heading("What each figure measures"))
        s.add(para("Each published figure carries one of these measures (", ref("tab-global-data", "Section 1"),
                   "); only annual estimates of the total cost enter the multi-publisher model."))
        s.part("Measures", lambda: _measures_list(ctx))
    else:
        s.add(heading("What the series measures"))
        s.add(para(f"The series is {ctx.source}, used as given: this report cannot say what it measures or how it "
                   "was collected. Its forecast assumes that the way the figures are produced stays the same."))
    if ctx.is_ic3:
        s.add(heading("Reported losses are a lower bound"))
        s.add(para(
            "IC3 figures are losses that victims chose to report to the FBI's Internet Crime Complaint Center: "
            "self-reported, unverified, mostly from the United States, and without lost business, wages or "
            "remediation. Most victims do not report, and the share who do changes over time, so part of the "
            "growth reflects more reporting. The series changed definition too: early years count losses from "
            "referred fraud cases, later years all reported losses."))
    if ctx.options.uses_global:
        s.add(heading("Published estimates of the global cost"))
        s.add(para(
            "The global estimates are the publishers' own figures. Most are not peer reviewed and few publish "
            "their derivation; survey-based figures are dominated by a few large answers, and later figures by one "
            "publisher often restate its earlier growth assumption. The model can say how far apart the "
            "publishers are and how a claim compares with them; it cannot say which publisher measures the "
            "true cost."))
    s.add(heading("Nominal and real dollars"))
    s.part("Real terms", lambda: _real_terms(ctx))
    s.add(heading("What the intervals include"))
    s.add(para(
        "The 80% and 95% prediction intervals include the uncertainty of the model's parameters and the "
        "year-to-year noise seen in the data, on the log scale, so they are positive and skewed. They do not "
        "include a change of the model itself (a break in the trend, a change in reporting), nor the "
        "uncertainty of the model choice beyond what the backtest measured: the backtest coverage beside the "
        "nominal level (", ref("tab-candidates", "Section 2"), ") shows how well they held in the past."))
    return s


def _measures_list(ctx: Context) -> Block:
    from forecast.data.registry import MEASURES

    used = set(forecast.load("global_estimates")["measure"].dropna()) if ctx.options.uses_global else set()
    items = [[bold(measure_label(k) + ": "), {"t": v}] for k, v in MEASURES.items() if not used or k in used]
    return bullets(items)


def _real_terms(ctx: Context) -> list[Block]:
    if not ctx.is_ic3:
        return [para("Values are shown as given, in the unit of the file; no price adjustment is made.")]
    base = ctx.last_year
    real = forecast.to_real(ctx.y, base_year=base)
    first = ctx.y.index[0]
    share = forecast.share_of_gdp(ctx.y)
    blocks = [para(
        f"All money in this report is nominal US$ unless stated. Prices rose between {year_of(first)} and {base}: "
        f"the {year_of(first)} IC3 figure of {money(ctx.y.iloc[0])} is {money(real.iloc[0])} in {base} dollars "
        "(deflated by the US CPI-U). Forecasts are in nominal dollars of their year. As a share of world GDP, "
        f"IC3's reported losses went from {fmt_share(share.iloc[0])} in {year_of(first)} to "
        f"{fmt_share(share.iloc[-1])} in {year_of(share.index[-1])}.")]
    if ctx.options.uses_global and ctx.ok("publishers"):
        pf = ctx.get("publishers")
        year = pf.last_year
        med = float(pf.predictive_at([year]).median()[0])
        blocks.append(para(
            f"The global cost's latent level for {year} on {pf.reference}'s scale, {money(med)}, is "
            f"{fmt_share(forecast.share_of_gdp(med, year))} of world GDP that year."))
    return blocks


# ------------------------------------------------------------ the list

SectionBuilder = Callable[[Context], Section]

SECTIONS: tuple[tuple[str, str, bool, SectionBuilder], ...] = (
    # key, title if it fails, needs the global estimates, builder
    ("data", "Data and sources", False, section_data),
    ("series", "Reported losses", False, section_series),
    ("global", "The global cost of cybercrime", True, section_global),
    ("claims", "Published claims tested", True, section_claims),
    ("method", "Method and caveats", False, section_method),
)


def build_sections(ctx: Context) -> list[Section]:
    """Build every section; a section that fails becomes a failure box with the reason."""
    out = []
    for key, title, needs_global, builder in SECTIONS:
        if needs_global and not ctx.options.uses_global:
            if key == "claims" and ctx.options.claims:
                pass  # a user's claims are checked against the user's series
            else:
                sec = Section(key, title, status="omitted")
                out.append(sec)
                continue
        try:
            sec = builder(ctx)
        except Exception as exc:  # noqa: BLE001 - a section that fails is reported, not fatal
            sec = Section(key, title, status="failed")
            sec.problems.append(one_line(exc))
            sec.add(failure(one_line(exc)))
        out.append(sec)
    # the source list, now that every section has cited its sources
    cited = ctx.citations()
    for sec in out:
        blocks = []
        for b in sec.blocks:
            if b.get("type") == "_sources_placeholder":
                if cited:
                    blocks += [heading("Sources"), sources(cited)]
                continue
            blocks.append(b)
        sec.blocks = blocks
    return out


def origin_names(ids: tuple[str, ...]) -> list[str]:
    """Catalogued figures by id, as "Publisher (year): $X for YEAR, measure".

    Examples
    --------
    >>> origin_names(("juniper-2015",))
    ['Juniper Research (2015): $2.1T for 2019, data breach cost']
    """
    est = forecast.load("global_estimates").set_index("id")
    out = []
    for i in ids:
        if not i:
            continue
        if i not in est.index:
            out.append(str(i))
            continue
        r = est.loc[i]
        what = ""
        if not is_missing(r["point_usd_bn"]) and not is_missing(r["target_year"]):
            what = f": {money(float(r['point_usd_bn']) * 1e9)} for {int(r['target_year'])}"
        out.append(f"{r['publisher']} ({int(r['published_year'])}){what}, {measure_label(r['measure'])}")
    return out
