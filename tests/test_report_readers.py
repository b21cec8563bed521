"""What a reader meets in the report: one true statement each, charts that show what they say, sources that fit."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import forecast
from forecast.report import build_report

pypdf = pytest.importorskip("pypdf")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, list[str], str]:
    out = tmp_path_factory.mktemp("readers") / "report.pdf"
    build_report(out, progress=False)
    pages = [(p.extract_text() or "").replace("\xa0", " ") for p in pypdf.PdfReader(str(out)).pages]
    return out, pages, " ".join(" ".join(pages).split())


def test_the_model_is_described_as_what_auto_did(report):
    _, pages, text = report
    title = " ".join(pages[0].split())
    # auto's default rule combines every candidate with equal weights, fixed in advance: never "chosen by backtest"
    assert "chosen by backtest" not in text
    assert "the rule fixed in advance: combine every candidate with equal weights" in title
    assert "The combination is fixed in advance, not picked on these windows" in text


def test_the_missing_year_is_described_once_and_truly(report):
    _, _, text = report
    assert "treat it as a gap" not in text and "treated as a gap" not in text
    assert ("No loss total was found for 2010: the table shows it as missing; the forecast's models (ets, "
            "ets_damped, drift, arima) need consecutive years and fill it by linear interpolation") in text
    # the per-model notes are grouped in the appendix: the filling is said once there, not once per model
    assert text.count("missing year 2010 filled by linear interpolation") == 1


def test_model_diagnostics_are_in_the_appendix_not_the_main_text(report):
    _, _, text = report
    appendix = text.index("7 Appendix: model diagnostics How each model")
    for detail in ("highest of several starts", "10000 simulated paths, seed 0", "posterior standard deviations"):
        assert text.index(detail) > appendix, detail


def test_candidates_table_shades_the_forecast_and_explains_mape_against_mase(report):
    _, _, text = report
    assert "the model(s) used are shaded" not in text
    assert "the forecast is the shaded row (the combination; its members' weights are in the Weight column)" in text
    assert "ets_damped has the best MAPE and the worst MASE" in text  # as auto's candidate table has it today


def test_mape_mase_sentence_follows_the_table():
    from forecast.report.sections.series import _choice_blocks, _mape_mase_disagree

    fixed = SimpleNamespace(options={"combine": True, "top": None, "candidates": ["a", "b", "c"]},
                            weights={"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    cand = pd.DataFrame({"model": ["a", "b", "c", "combination"], "windows": [9, 9, 9, 9],
                         "mape": [10.0, 20.0, 30.0, 15.0], "mase": [0.9, 0.5, 0.6, 0.5]})
    said = _mape_mase_disagree(cand, fixed)
    assert said.startswith("a has the best MAPE and the worst MASE") and "fixed in advance" in said
    assert _mape_mase_disagree(cand.assign(mase=[0.4, 0.5, 0.6, 0.5]), fixed) == ""
    # one shaded row: the combination, the forecast actually used
    fit = SimpleNamespace(candidates=cand.assign(status="candidate", coverage_80=80.0, coverage_95=95.0, wis=0.1),
                          choice="the combination", notes=[], **vars(fixed))
    table = next(b for b in _choice_blocks(None, fit) if b.get("type") == "table")
    assert table["highlight"] == [3]


def test_backtest_chart_is_the_forecast_used_with_intervals(report):
    _, _, text = report
    assert ("Backtest of the forecast used (combination of ets, ets_damped, drift and arima): the median forecasts "
            "made from each past year") in text
    assert "with their 80% intervals before calibration" in text


def test_citations_name_each_publication_and_well_formed_urls(report):
    _, _, text = report
    assert "ojp.gov./" not in text
    # the CSIS/McAfee 2013 row cites its own publication, not the 2009 McAfee release read from the same page
    row = re.search(r"CSIS/McAfee 2013 2012 \$300bn–\$1\.0T total cost estimate fitted \[(\d+)\]", text)
    assert row, "CSIS/McAfee 2013 row not found in Table 2"
    n = row.group(1)
    listing = text[text.index("1.1 Sources"):]
    entry = re.search(rf"\[{n}\] (.{{0,90}})", listing).group(1)
    assert entry.startswith("CSIS / McAfee: The Economic Impact of Cybercrime and Cyber Espionage (July 2013)")
    mcafee = re.search(r"McAfee 2009 2008 \$1\.0T ip theft loss estimate left out \(a\) \[(\d+)\]", text).group(1)
    assert mcafee != n


def test_no_half_empty_pages(report):
    path, _, _ = report
    reader = pypdf.PdfReader(str(path))
    lowest = []
    for page in reader.pages[1:-1]:  # the title page and the last page may end early
        ys = []

        def visit(text, cm, tm, font, size, ys=ys):
            if text.strip() and not re.fullmatch(r"\d+ / \d+", text.strip()):
                ys.append(cm[5] + tm[5] * cm[3] if cm[3] else tm[5])

        page.extract_text(visitor_text=visit)
        lowest.append(min(ys) / float(page.mediabox.height))
    # the body text of every page reaches its lower third
    assert max(lowest) < 1 / 3, [round(v, 2) for v in lowest]


def test_candidates_chart_axis_does_not_claim_a_log_scale():
    from forecast.plots.compare import comparison_chart

    acc = pd.DataFrame({"model": ["a", "b"], "windows": [9, 9], "mape": [10.0, 20.0], "mase": [0.5, 0.6],
                        "wis": [0.1, 0.2], "coverage_80": [80.0, 70.0], "nominal_80": [80, 80]})
    for metric in ("wis", "mase"):
        fig = comparison_chart(acc, metric=metric)
        ax = fig.axes[0]
        assert ax.get_xscale() == "linear" and "log scale" not in ax.get_xlabel()
