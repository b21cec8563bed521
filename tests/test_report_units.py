"""Fast checks of the report's parts: claim parsing, formatting, SVG and PDF determinism, atomic writes."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from types import SimpleNamespace

import pytest

from forecast.errors import ReportError
from forecast.report import check_output, parse_claim, report_timestamp
from forecast.report.blocks import Section, fmt_number, fmt_pct, one_line, table
from forecast.text import ordinal
from forecast.report.figures import new_figure, svg_bytes
from forecast.report.sections import fmt_crossing, fmt_percentile, fmt_share
from forecast.report.title import verdict
from forecast.report.typst_render import atomic_write, compile_pdf, minimal_document

TS = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("text, value, year", [
    ("3 trillion@2020", 3e12, 2020),
    ("$2.1T @ 2019", 2.1e12, 2019),
    ("445bn@2016", 445e9, 2016),
])
def test_parse_claim(text, value, year):
    c = parse_claim(text)
    assert c.value == pytest.approx(value) and c.year == year


@pytest.mark.parametrize("text, message", [
    ("3 trillion", "expected AMOUNT@YEAR"),
    ("@2020", "amount before '@' is empty"),
    ("3 trillion@twenty", "is not a year"),
    ("3 zillion@2020", "3 zillion"),
])
def test_parse_claim_errors(text, message):
    with pytest.raises(ReportError, match=message):
        parse_claim(text)


def test_percentiles_never_round_to_100():
    assert fmt_percentile(99.999) == "above 99.9th"
    assert fmt_percentile(99.94) == "above 99.9th"  # the one wording (forecast.text), as in the claim results
    assert fmt_percentile(0.01) == "below 0.1st"
    assert fmt_percentile(50.4) == "50th"
    assert fmt_percentile(float("nan")) == "n/a"
    assert [ordinal(k) for k in (1, 2, 3, 11, 12, 13, 22)] == ["1st", "2nd", "3rd", "11th", "12th", "13th", "22nd"]


def test_shares_keep_two_significant_digits():
    assert fmt_share(5.3e-7) == "0.000053%"
    assert fmt_share(0.000149) == "0.015%"
    assert fmt_share(0.0116) == "1.2%"
    assert fmt_share(0.0) == "n/a"


def test_crossing_text():
    rec = SimpleNamespace(until=2100, crossing_year=2028, crossing_lower_80=2024, crossing_upper_80=2043,
                          crossing="2028 (80% interval 2024-2043; ...)")
    assert fmt_crossing(rec) == "2028 (80%: 2024–2043)"
    rec.crossing_upper_80 = None
    assert fmt_crossing(rec) == "2028 (80%: 2024–after 2100)"
    rec.crossing_year = None
    assert fmt_crossing(rec) == "not by 2100"
    done = SimpleNamespace(until=2100, crossing_year=2020, crossing_lower_80=None, crossing_upper_80=None,
                           crossing="already crossed by 2020 (the Statista figure for 2020 is $3.0T)")
    assert fmt_crossing(done) == "already by 2020"


def test_verdict_thresholds_follow_the_intervals():
    assert verdict(97.6) == "above the 95% interval"
    assert verdict(97.4) == "above the 80% interval"
    assert verdict(90.0) == "inside the 80% interval"
    assert verdict(5.0) == "below the 80% interval"
    assert verdict(2.0) == "below the 95% interval"


def test_number_formats():
    assert fmt_number(1234567) == "1,234,567"
    assert fmt_number(0.01234) == "0.0123"
    assert fmt_pct(0.1134, 1) == "11.3%" and fmt_pct(-0.0649, 1) == "-6.5%" and fmt_pct(0.873) == "87%"
    assert one_line(RuntimeError("a\n  b")) == "a b"
    assert one_line(ModuleNotFoundError("x", name="forecast.published.check")).endswith("(forecast.published.check)")


def test_table_rows_must_match_header():
    with pytest.raises(ValueError):
        table(["a", "b"], [["1"]], caption="x")


def test_failing_part_becomes_a_box_and_the_rest_stays():
    s = Section("k", "Title")
    assert s.part("good", lambda: {"type": "para", "text": "ok"})
    assert not s.part("bad", lambda: 1 / 0)
    assert [b["type"] for b in s.blocks] == ["para", "failure"]
    assert s.problems == ["bad: division by zero"]


def test_svg_is_deterministic_and_has_no_date():
    def draw():
        fig, ax = new_figure(3, 2)
        ax.plot([1, 2, 3], [3, 1, 2], label="x")
        ax.legend()
        return svg_bytes(fig)

    a, b = draw(), draw()
    assert a == b
    assert b"<dc:date>" not in a
    assert b"<text" not in a  # text drawn as paths: no font needed to show it


def test_pdf_is_byte_identical_for_identical_input():
    doc = minimal_document("Determinism")
    doc["sections"] = [{"key": "s", "title": "One", "status": "ok",
                        "blocks": [{"type": "para", "text": "Text *not markup* #and $not math$."}]}]
    a = compile_pdf(doc, {}, timestamp=TS)
    b = compile_pdf(doc, {}, timestamp=TS)
    assert a.startswith(b"%PDF-") and a == b
    assert compile_pdf(doc, {}, timestamp=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)) != a


def test_timestamp_from_the_data_or_source_date_epoch(monkeypatch):
    import pandas as pd

    y = pd.Series([1.0, 2.0], index=pd.PeriodIndex(["2023", "2024"], freq="Y"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert report_timestamp(y) == dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert report_timestamp(y) == dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def test_atomic_write_replaces_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "r.pdf"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_check_output(tmp_path):
    assert check_output(tmp_path / "ok.pdf") == tmp_path / "ok.pdf"
    with pytest.raises(ReportError, match="must end in .pdf"):
        check_output(tmp_path / "ok.txt")
    with pytest.raises(ReportError, match="does not exist"):
        check_output(tmp_path / "nope" / "x.pdf")
    assert list(tmp_path.iterdir()) == []


def test_template_is_shipped_with_the_package():
    assert resources.files("forecast.report").joinpath("template.typ").is_file()


def test_default_output_folder_is_made_when_run_elsewhere(tmp_path, monkeypatch):
    import forecast.report as report_mod
    from forecast.cli import main

    seen = {}

    class Done:
        path, pages, seconds, omitted, problems = "reports/cybercrime-damage-forecast.pdf", 1, 0.0, [], []

    def fake_build(output, **kwargs):
        seen["output"] = output
        return Done()

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(report_mod, "build_report", fake_build)
    assert main(["report"]) == 0
    assert seen["output"] == "reports/cybercrime-damage-forecast.pdf"
    assert (tmp_path / "reports").is_dir()


def test_selection_caveat_matches_how_auto_chose():
    from types import SimpleNamespace

    from forecast.report.sections.series import _selection_caveat

    fixed = SimpleNamespace(options={"combine": True, "top": None, "candidates": ["drift", "ets"]})
    chosen = SimpleNamespace(options={"combine": "auto", "top": 3, "candidates": ["drift", "ets", "arima"]})
    assert "fixed in advance" in _selection_caveat(fixed)
    assert "optimistic" in _selection_caveat(chosen)
