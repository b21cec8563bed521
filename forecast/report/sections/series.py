"""Section 2, the main series: fan chart, forecast table, model choice and backtest."""

from __future__ import annotations

from typing import Any

import pandas as pd

import forecast
from forecast.report.blocks import Block, Section, bold, bullets, figure, heading, note, para, refs, table
from forecast.report.context import Context
from forecast.report.figures import new_figure
from forecast.report.sections.common import (
    choice_lead,
    choice_name,
    fixed_combination,
    frame_levels,
    interval,
    is_missing,
    money,
    txt,
    value_fmt,
    year_of,
)


def section_series(ctx: Context) -> Section:
    """Reported losses (IC3), or the user's series: fan chart, forecast table, model choice, backtest."""
    title = "Reported losses (IC3)" if ctx.is_ic3 else f"Forecast: {ctx.name}"
    s = Section("series", title)
    fit = ctx.fit.value
    fc = ctx.forecast_frame.value
    fmt = value_fmt(ctx)
    last = fc.index[-1]
    lo, hi = frame_levels(fc)
    s.add(para(
        f"The {ctx.name} series has {len(ctx.y)} values from {ctx.first_year} to {ctx.last_year}; the last is "
        f"{fmt(ctx.y.iloc[-1])} ({ctx.last_year}). {choice_lead(fit)}: {choice_name(fit)}. It puts "
        f"{year_of(last)} at a median of ", bold(fmt(fc['median'].iloc[-1])),
        f", with an {lo:g}% interval of {interval(fc[f'lower_{lo:g}'].iloc[-1], fc[f'upper_{lo:g}'].iloc[-1], fmt)}"
        f" and a {hi:g}% interval of {interval(fc[f'lower_{hi:g}'].iloc[-1], fc[f'upper_{hi:g}'].iloc[-1], fmt)}",
        refs("fig-fan", "tab-forecast"), "."))
    s.part("Fan chart", lambda: _fan_figure(ctx, fc))
    s.part("Forecast table", lambda: _forecast_table(ctx, fc))
    s.add(heading("Which model, and how well it forecast the past"))
    s.part("Model choice", lambda: _choice_blocks(ctx, fit))
    s.part("Model comparison chart", lambda: _comparison_figure(ctx, fit))
    s.part("Backtest chart", lambda: _backtest_figure(ctx))
    notes = main_notes(fit)
    if notes:
        s.add(heading("What to know about this fit"))
        s.add(bullets(notes + (["Diagnostics of each model (likelihood peaks, estimation, simulation seeds, filled "
                                "years) are in the appendix."] if model_notes(fit) else [])))
    return s


def main_notes(fit: Any) -> list[str]:
    """The notes on the choice and the intervals (the rest are per-model diagnostics, for the appendix)."""
    return [n for n in getattr(fit, "notes", None) or [] if n not in model_notes(fit)]


def model_notes(fit: Any) -> list[str]:
    """Per-model diagnostic notes of a combination or choice (``"<model>: ..."``)."""
    names = set((getattr(fit, "weights", None) or {}) or [getattr(fit, "model", "")])
    names |= set(getattr(fit, "options", {}).get("candidates", []) or [])
    return [n for n in getattr(fit, "notes", None) or [] if n.split(":", 1)[0].strip() in names]


def _fan_figure(ctx: Context, fc: pd.DataFrame) -> Block:
    fig, ax = new_figure(6.4, 3.5)
    forecast.plots.fan_chart(ctx.y, fc, ax=ax, log=True, title=f"{ctx.name}: history and forecast")
    name = ctx.add_figure("fan", fig)
    lo, hi = frame_levels(fc)
    return figure(name, label="fig-fan", caption=(
        f"{ctx.name}, {ctx.first_year}-{ctx.last_year} (points) and forecast to {ctx.horizon_year}: median "
        f"(line), {lo:g}% and {hi:g}% prediction intervals (bands), starting from the last observation (dotted "
        "line). Logarithmic scale: a straight line is constant growth."))


def _forecast_table(ctx: Context, fc: pd.DataFrame) -> Block:
    fmt = value_fmt(ctx)
    lo, hi = frame_levels(fc)
    rows = [[str(year_of(p)), fmt(r["median"]), fmt(r["mean"]), interval(r[f"lower_{lo:g}"], r[f"upper_{lo:g}"], fmt),
             interval(r[f"lower_{hi:g}"], r[f"upper_{hi:g}"], fmt)] for p, r in fc.iterrows()]
    return table(["Year", "Median", "Mean", f"{lo:g}% interval", f"{hi:g}% interval"], rows, label="tab-forecast",
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
    if getattr(fit, "candidates", None) is None:  # a model the user gave: nothing was chosen
        return [para("The model was given (", bold(str(getattr(fit, "model", ""))), "), not chosen: no candidate "
                     "models were compared. The backtest below shows how it forecast the past.")]
    cand = _candidates(fit)
    weights = getattr(fit, "weights", {}) or {}
    combined = len(weights) > 1
    rows, marked = [], []
    for i, r in cand.iterrows():
        model = str(r["model"])
        w = weights.get(model, 0.0)
        chosen = (model == "combination" and combined) or (not combined and w > 0)
        if chosen:
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
    rerun = ctx.rerun.value if ctx is not None and ctx.rerun.ok else None
    if rerun is not None:
        r = forecast.accuracy(rerun).iloc[0]
        rows.append(["auto, re-run", "", str(int(r["windows"])), pct(r.get("mape")), num(r.get("mase")),
                     pct(r.get("coverage_80")), pct(r.get("coverage_95")), num(r.get("wis"))])
    blocks: list[Block] = [
        para("Each candidate model was fitted to the data up to each past year and its forecasts for the next "
             "one to three years were compared with what was later reported (a rolling-origin backtest). The "
             "automatic choice used ", bold(choice_name(fit)), ": ", txt(getattr(fit, "choice", "")), "."),
        table(["Model", "Weight", "Forecasts", "MAPE", "MASE", "Cover. 80%", "Cover. 95%", "WIS"], rows,
              label="tab-candidates", highlight=marked, align="lrrrrrrr",
              widths=["1.6fr"] + ["1fr"] * 7,
              caption=("Backtest scores of the candidate models; the forecast is the shaded row"
                       + (" (the combination; its members' weights are in the Weight column)" if combined else "")
                       + ". Coverage is the share of reported values that fell inside the 80% and 95% intervals: a "
                       "well calibrated model covers close to 80% and 95%."
                       + (" The last row re-runs the whole automatic rule, calibration included, on the data up "
                          "to each past year: the coverage of the intervals the forecast actually has, the same "
                          "row as the auto row of the backtest command." if rerun is not None else "")),
              note="MAPE: mean absolute percentage error of the median. MASE: mean absolute error on the log scale "
                   "relative to a naive one-year-ahead forecast (below 1 beats it). WIS: weighted interval score on "
                   "the log scale" + ("" if fixed_combination(fit) else ", the criterion of the choice")
                   + " (lower is better). Forecasts: number scored."),
    ]
    disagree = _mape_mase_disagree(cand, fit)
    if disagree:
        blocks.append(para(disagree))
    calib = getattr(fit, "calibration", None)
    if calib is not None and hasattr(calib, "note"):
        blocks.append(para(
            "The scores above are those of the candidates' own intervals. The forecast's intervals were then "
            "calibrated on the backtest errors of the choice: ", calib.note(), ". ", _selection_caveat(fit, rerun is not None)))
    return blocks


def _mape_mase_disagree(cand: pd.DataFrame, fit: Any) -> str:
    """A sentence when the candidate with the best MAPE has the worst MASE (the two measures weigh misses differently)."""
    single = cand[(cand["model"] != "combination") & pd.to_numeric(cand.get("windows"), errors="coerce").gt(0)]
    single = single.dropna(subset=["mape", "mase"])
    if len(single) < 2:
        return ""
    best_mape = str(single.loc[single["mape"].astype(float).idxmin(), "model"])
    worst_mase = str(single.loc[single["mase"].astype(float).idxmax(), "model"])
    if best_mape != worst_mase:
        return ""
    return (f"{best_mape} has the best MAPE and the worst MASE. The two measures weigh misses differently: MAPE is "
            "a percentage of the reported value, so a forecast that is too low can miss by at most 100% while one "
            "that is too high has no bound, and MAPE favours a model that tends to forecast low; MASE measures "
            "the miss on the log scale, where a factor of two counts the same in either direction."
            + (" A damped trend flattens out, so it forecasts low while growth goes on." if "damped" in best_mape
               else "")
            + (" Neither measure decides what the forecast uses: the combination is fixed in advance."
               if fixed_combination(fit) else
               " The choice rests on neither: it uses the weighted interval score (WIS), which scores the whole "
               "interval on the log scale."))


def _selection_caveat(fit: Any, rerun: bool = False) -> str:
    """What the backtest scores of the model used can and cannot claim."""
    if fixed_combination(fit):
        return ("The combination is fixed in advance, not picked on these windows, but the calibration factor "
                "was fitted to the same errors, so the calibrated intervals' coverage is not measured by the "
                "combination's row" + ("; the last row measures it, each origin's factor fitted to the errors "
                                       "before that origin only." if rerun else "."))
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
    bt = ctx.backtest.value
    model = str(bt["model"].iloc[0])
    fit = ctx.fit.value
    fig, ax = new_figure(6.4, 3.6)
    label = choice_name(fit) if model == "combination" else model
    forecast.plots.backtest_chart(bt, model=model, ax=ax, history=ctx.y, level=80,
                                  title="Backtest of the forecast used" + (" (the combination)" if model == "combination"
                                                                           else f" ({model})"))
    name = ctx.add_figure("backtest", fig)
    return figure(name, label="fig-backtest", caption=(
        f"Backtest of the forecast used ({label}): the median forecasts made from each past year (lines, dark to "
        "light from early to late origins) with their 80% intervals before calibration (vertical bars), against "
        "the reported values (black)."))
