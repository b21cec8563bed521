"""Section 1, data and sources: the figures used, with publisher, year and measure; numbered sources."""

from __future__ import annotations

import pandas as pd

import forecast
from forecast.report.blocks import Block, Section, bold, fmt_number, note, para, ref, table
from forecast.report.context import Context
from forecast.report.sections.common import (
    attr,
    gap_sentence,
    is_missing,
    measure_label,
    money,
    txt,
    value_fmt,
    year_of,
)


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
        primary = txt(r.get("primary_source")) or f"FBI IC3 {yr} Internet Crime Report"
        cite = ctx.cite(txt(r.get("source_url")), f"{primary}: figures for {yr}, read from the copy at")
        rev = r.get("revised_losses_usd")
        rows.append([str(yr),
                     money(used[yr]) if yr in used else "not published",
                     "" if is_missing(rev) else money(rev),
                     fmt_number(r["complaints"]) if not is_missing(r["complaints"]) else "",
                     cite])
    through = f" Years after {ctx.options.through} are left out of the fit (--through)." if ctx.options.through else ""
    gap_txt = gap_sentence(ctx, "No loss total was found for")
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
    unit = ctx.unit or "as given"
    return [
        para(bold(f"{ctx.name}. "), f"Source: {ctx.source}. Unit: {unit}. "
             f"{len(ctx.y)} values, {ctx.first_year}-{ctx.last_year}."
             + gap_sentence(ctx, "No value is given for")),
        table(["Year", "Value"], rows, caption=f"The series used: {ctx.name}.", align="rr",
              label="tab-series-data"),
    ]


def _global_rows(ctx: Context) -> pd.DataFrame:
    """The global estimates with the multi-publisher model's inclusion decision where available."""
    est = forecast.load("global_estimates")
    if ctx.publishers.ok:
        inc = attr(ctx.publishers.value, "inclusion", default=None)
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
