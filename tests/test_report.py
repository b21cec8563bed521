"""The PDF report: content read back from the PDF against the API, determinism, adaptation, failures, bad input.

The default report is built once per test session (it takes a few seconds);
the numbers in it are compared with independent calls of the public API.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from chart_checks import text_problems

import forecast
from forecast.cli import main
from forecast.report import build_report
from forecast.evaluate.record import rerun_backtest
from forecast.report.blocks import fmt_number
from forecast.report.context import Context
from forecast.report.sections import fmt_crossing, fmt_percentile

pypdf = pytest.importorskip("pypdf")


def pdf_text(path: Path) -> list[str]:
    """Text of each page."""
    return [(page.extract_text() or "").replace("\xa0", " ") for page in pypdf.PdfReader(str(path)).pages]


def lines_of(pages: list[str]) -> list[str]:
    return [ln.strip() for p in pages for ln in p.splitlines()]


#: what each chart of the default report showed wrong (texts cut or overlapping) and how often saving drew it
CHARTS: dict[str, dict] = {}


@pytest.fixture(scope="session")
def default_report(tmp_path_factory) -> tuple[Path, list[str], object]:
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    original = Context.add_figure

    def add_figure(self, stem, fig):  # the report's own figures, checked as they are saved
        draws = [0]
        draw = fig.draw

        def counted(renderer):
            draws[0] += 1
            return draw(renderer)

        fig.draw = counted
        name = original(self, stem, fig)
        del fig.draw
        CHARTS[stem] = {"draws": draws[0], "problems": text_problems(fig)}
        return name

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Context, "add_figure", add_figure)
        result = build_report(out, progress=False)
    return out, pdf_text(out), result


@pytest.fixture(scope="session")
def user_csv(tmp_path_factory) -> Path:
    rng = np.random.default_rng(7)
    years = np.arange(2008, 2023)
    values = 250.0 * np.exp(0.18 * (years - years[0]) + rng.normal(0, 0.08, len(years)))
    path = tmp_path_factory.mktemp("csv") / "losses.csv"
    pd.DataFrame({"yr": years, "loss_usd": values.round(1)}).to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def csv_report(tmp_path_factory, user_csv) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("csvreport") / "mine.pdf"
    build_report(out, csv=user_csv, year_column="yr", value_column="loss_usd", horizon=4, claims=["$10000@2026"],
                 progress=False)
    return out, pdf_text(out)


# ----------------------------------------------------------------- content

def test_sections_present_in_order(default_report):
    path, pages, result = default_report
    text = "\n".join(pages)
    titles = ["Data and sources", "Reported losses (IC3)", "The global cost of cybercrime",
              "Published claims tested", "Where the losses are", "Method and caveats", "Appendix: model diagnostics"]
    assert result.sections == titles
    assert result.problems == []
    body = "\n".join(pages[1:])  # the title page lists them in its contents
    positions = [body.index(f"{i} {t}\n") for i, t in enumerate(titles, start=1)]
    assert positions == sorted(positions)
    for part in ("Key findings", "Sources", "Scorecard of past forecasts", "How far the publishers' scales differ",
                 "What the intervals include", "Reported losses are a lower bound", "Nominal and real dollars"):
        assert part in text, part


def test_pages_figures_and_tables_are_numbered(default_report):
    path, pages, result = default_report
    n = len(pages)
    assert result.pages == n
    for k in range(2, n + 1):
        assert f"{k} / {n}" in pages[k - 1], f"page number missing on page {k}"
    text = "\n".join(pages)
    for k in (1, 2, 3, 4):
        assert re.search(rf"Figure {k}: \S", text), f"Figure {k} caption"
    for k in range(1, 8):
        assert re.search(rf"Table {k}: \S", text), f"Table {k} caption"


def test_forecast_table_matches_api(default_report):
    _, pages, _ = default_report
    fit = forecast.fit(forecast.series("ic3"), model="auto")
    fc = fit.forecast(horizon=6)
    fm = forecast.format_money
    lines = lines_of(pages)
    for year, r in fc.iterrows():
        expected = (f"{year.year} {fm(r['median'])} {fm(r['mean'])} {fm(r['lower_80'])} – {fm(r['upper_80'])} "
                    f"{fm(r['lower_95'])} – {fm(r['upper_95'])}")
        assert expected in lines, expected
    # the chosen model is named, and its candidates' backtest scores are shown
    text = " ".join(lines)
    for name in fit.weights:
        assert name in text
    cand = fit.candidates.set_index("model")
    for name in fit.weights:
        assert f"{cand.loc[name, 'mape']:.1f}%" in text
        assert f"{cand.loc[name, 'coverage_80']:.1f}%" in text
    last = fc.iloc[-1]
    assert (f"US reported losses (IC3, US only) {fm(fit.y.iloc[-1])} in 2024; {fm(last['median'])} in 2030 "
            "(median)") in lines


def test_claims_match_api(default_report):
    _, pages, _ = default_report
    pf = forecast.fit_publishers()
    lines = lines_of(pages)
    text = " ".join(lines)
    for value, year in ((2e12, 2019), (3e12, 2020)):
        rec = forecast.check_claim(value, year, against=pf)
        fm = forecast.format_money
        expected = (f"{fm(value)} in {year} {rec.scale} {rec.verdict} {fmt_percentile(rec.percentile)} "
                    f"×{rec.ratio_to_median:.2f} {fm(rec.median)} {fm(rec.lower_80)} – {fm(rec.upper_80)} "
                    f"{fm(rec.lower_95)} – {fm(rec.upper_95)} ×{rec.reject_multiple:.3g} {fmt_crossing(rec)}")
        squeezed = text.replace(" ", "")  # table cells wrap anywhere
        assert expected.replace(" ", "") in squeezed, expected
        for _, r in rec.scales.iterrows():  # the verdict on each publisher's scale
            row = (f"{fm(value)} in {year} {r['scale']} {int(r['n_figures'])} {r['verdict']} "
                   f"{fmt_percentile(r['percentile'])} {fm(r['median'])}")
            assert row.replace(" ", "") in squeezed, row


def _title_text(pages: list[str]) -> str:
    return " ".join(" ".join(pages[0].split()).split())


def test_first_page_answers_the_claims_and_says_what_to_quote(default_report):
    from forecast.published.catalog import derivations
    from forecast.report.title import exact_money

    _, pages, _ = default_report
    first = _title_text(pages)
    pf = forecast.fit_publishers()
    fm = forecast.format_money
    for value, year in ((2e12, 2019), (3e12, 2020)):
        rec = forecast.check_claim(value, year, against=pf)
        assert f"Does {fm(value)} for {year} hold?" in first
        head = f"{rec.verdict.capitalize()} on {rec.scale}'s scale ({fmt_percentile(rec.percentile)} percentile)"
        assert head in first, head
        i80 = first.index(f"80% interval {fm(rec.lower_80)} – {fm(rec.upper_80)}")
        i95 = first.index(f"95% interval {fm(rec.lower_95)} – {fm(rec.upper_95)}")
        assert i80 < i95
        for _, r in rec.scales.iterrows():
            if r["scale"] != rec.scale:
                assert f"On {r['scale']}'s scale: {r['verdict']} ({fmt_percentile(r['percentile'])} percentile)" \
                    in first
        measure = rec.origin_measure.replace("_", " ")
        assert measure in first
        # what to quote: the publishers' own figures, as published, with their measure
        figs = rec.figures[rec.figures["in_model"] & rec.figures["publisher"].isin(set(rec.scales["scale"]))]
        same = rec.figures[rec.figures["in_model"] & (rec.figures["relation"] == "same year")]
        shown = same if len(same) else figs
        assert len(shown)
        for _, f in shown.iterrows():
            ranged = np.isfinite(f["low_usd"]) and np.isfinite(f["high_usd"])
            amount = (f"{exact_money(f['low_usd'])}–{exact_money(f['high_usd'])}" if ranged
                      else exact_money(f["value_usd"]))
            assert f"{amount}" in first and f["publisher"] in first
    assert "Quote instead" in first or "quote the nearest published estimates" in first
    # how few figures and methods the model stands on, and US-only figures labelled
    assert " ".join(derivations(pf).attrs["summary"].split()) in first
    assert "US only" in first


def test_latent_forecast_and_offsets_match_api(default_report):
    _, pages, _ = default_report
    pf = forecast.fit_publishers()
    fc = pf.forecast(until=2030)
    fm = forecast.format_money
    lines = lines_of(pages)
    r = fc.iloc[-1]
    assert f"2030 {fm(r['median'])} {fm(r['lower_80'])} – {fm(r['upper_80'])} {fm(r['lower_95'])} – " \
           f"{fm(r['upper_95'])}" in lines
    gdp = forecast.series("world_gdp")
    exceeds = f"Its upper end exceeds world GDP ({fm(gdp.iloc[-1])} in {gdp.index[-1].year})" in " ".join(lines)
    assert exceeds == (r["upper_95"] > gdp.iloc[-1])
    off = pf.offsets.set_index("publisher")
    text = " ".join(lines)
    for pub, row in off.iterrows():
        if pub != pf.reference:
            assert f"×{row['ratio']:.2f} ×{row['lower_95']:.2f} – ×{row['upper_95']:.2f}" in text, pub


def test_data_section_lists_figures_with_sources(default_report):
    _, pages, _ = default_report
    text = "\n".join(pages)
    ic3 = forecast.load("ic3")
    assert forecast.format_money(ic3.loc[ic3.year == 2024, "losses_usd"].item()) in text
    # every source URL of the IC3 rows is in the numbered list
    for url in ic3["source_url"].dropna().unique()[:5]:
        assert url[:40] in text.replace("\n", "")
    # each IC3 row cites the FBI's (IFCC's) own annual report, with the copy it was read from
    assert re.search(r"\[1\] IFCC 2001 Internet Fraud Report", text)
    assert "FBI IC3 2024 Internet Crime Report: figures for 2024, read from the copy at" in " ".join(text.split())


def test_every_chart_shows_all_its_texts_and_is_drawn_once(default_report):
    """No label, legend entry or note of a chart is cut by its edge or sits on another; saving draws it once."""
    assert set(CHARTS) == {"fan", "models", "backtest", "publishers", "claims", "states", "crime-types",
                           "contributions"}
    assert {stem: c["problems"] for stem, c in CHARTS.items() if c["problems"]} == {}
    assert {stem: c["draws"] for stem, c in CHARTS.items()} == dict.fromkeys(CHARTS, 1)


# ------------------------------------------------------------- determinism

def test_same_inputs_give_identical_bytes(tmp_path, user_csv, csv_report):
    out = tmp_path / "again.pdf"
    build_report(out, csv=user_csv, year_column="yr", value_column="loss_usd", horizon=4, claims=["$10000@2026"],
                 progress=False)
    assert out.read_bytes() == csv_report[0].read_bytes()


@pytest.mark.slow
def test_default_report_is_byte_identical(tmp_path, default_report):
    out = tmp_path / "again.pdf"
    build_report(out, progress=False)
    assert out.read_bytes() == default_report[0].read_bytes()


# ------------------------------------------------------------ user's CSV

def test_user_csv_leaves_out_global_sections(csv_report):
    _, pages = csv_report
    text = " ".join(" ".join(pages).split())
    assert not re.search(r"\d The global cost of cybercrime", text)
    assert "Scorecard" not in text
    assert "Left out for a user's own series: The global cost of cybercrime" in text
    assert "the sections on the global cost, the published claims and the scorecard are left out" in text
    assert "Forecast: loss_usd (losses.csv)" in text


def test_user_csv_claim_is_checked_against_its_series(csv_report, user_csv):
    _, pages = csv_report
    lines = lines_of(pages)
    y = forecast.read_series(user_csv, year="yr", value="loss_usd")
    fit = forecast.fit(y, model="auto")
    rec = forecast.check_claim(10000, 2026, against=fit)
    expected = f"$10,000 in 2026 {rec.scale} {rec.verdict} {fmt_percentile(rec.percentile)} ×{rec.ratio_to_median:.2f}"
    assert expected.replace(" ", "") in "".join(lines).replace(" ", "")
    fc = fit.forecast(horizon=4)
    r = fc.iloc[-1]
    fm = fmt_number  # the file's unit is not known to be money: plain numbers
    assert (f"2026 {fm(r['median'])} {fm(r['mean'])} {fm(r['lower_80'])} – {fm(r['upper_80'])} "
            f"{fm(r['lower_95'])} – {fm(r['upper_95'])}") in lines


def test_cli_last_line_names_the_file(tmp_path, user_csv, monkeypatch, capsys):
    def quick(*args, **kwargs):  # the model is not what this test is about
        raise RuntimeError("skipped in this test")

    monkeypatch.setattr(forecast, "fit", quick)
    out = tmp_path / "named.pdf"
    assert main(["report", "--csv", str(user_csv), "--year-column", "yr", "--value-column", "loss_usd",
                 "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().splitlines()[-1].startswith(f"Wrote {out}")
    assert out.is_file()


# ------------------------------------------------------- failing sections

def test_failing_library_call_is_reported_not_fatal(tmp_path, user_csv, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("model fitting is broken in this test")

    monkeypatch.setattr(forecast, "fit", broken)
    out = tmp_path / "broken.pdf"
    code = main(["report", "--csv", str(user_csv), "--year-column", "yr", "--value-column", "loss_usd",
                 "--output", str(out)])
    assert code == 0
    text = " ".join(lines_of(pdf_text(out)))
    assert "This section could not be built: model fitting is broken in this test" in text
    assert "1 Data and sources" in text and "Method and caveats" in text
    err = capsys.readouterr().err
    assert "could not build" in err and "model fitting is broken in this test" in err


# ------------------------------------------------------------- bad input

@pytest.mark.parametrize("args, message", [
    (["--dataset", "no_such_data"], "unknown dataset"),
    (["--claim", "3 trillion"], "expected AMOUNT@YEAR"),
    (["--claim", "lots@2020"], "not an amount of money"),
    (["--claim", "3 trillion@20x0"], "is not a year"),
    (["--csv", "/no/such/file.csv", "--year-column", "y", "--value-column", "v"], "file not found"),
    (["--csv", "x.csv"], "x.csv: file not found"),  # the same default columns as predict --csv: year, value
    (["--levels", "0.8,0.95"], "did you mean 80?"),
    (["--levels", "80"], "two interval levels"),
    (["--model", "nope"], "unknown model 'nope'"),
    (["--model", "drift,auto"], "one model"),
    (["--unit", "USD"], "--unit goes with --csv"),
    (["--decimal", ","], "--decimal goes with --csv"),
    (["--horizon", "0"], "between 1 and 30"),
])
def test_bad_arguments_exit_2_and_write_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "r.pdf"
    with pytest.raises(SystemExit) if args[0] == "--horizon" else _no_raise() as exc:
        code = main(["report", *args, "--output", str(out)])
    code = exc.value.code if args[0] == "--horizon" else code
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_folder_exit_2(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code = main(["report", "--output", str(blocker / "r.pdf")])
    assert code == 2
    assert "is not a folder" in capsys.readouterr().err
    code = main(["report", "--output", str(tmp_path / "missing" / "r.pdf")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_output_folder_exit_2(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        assert main(["report", "--output", str(ro / "r.pdf")]) == 2
        assert "cannot write" in capsys.readouterr().err
    finally:
        ro.chmod(0o700)


def test_never_writes_into_the_data_folder(capsys):
    from forecast.data.registry import data_dir

    target = data_dir() / "report.pdf"
    assert main(["report", "--output", str(target)]) == 2
    assert "bundled data" in capsys.readouterr().err
    assert not target.exists()


def test_failed_typesetting_leaves_earlier_file_untouched(tmp_path, user_csv, monkeypatch):
    import forecast.report.typst_render as tr

    out = tmp_path / "keep.pdf"
    out.write_bytes(b"%PDF-earlier")

    def fail(*a, **k):
        raise RuntimeError("typesetting failed")

    monkeypatch.setattr(tr, "compile_pdf", fail)
    with pytest.raises(RuntimeError):
        build_report(out, csv=user_csv, year_column="yr", value_column="loss_usd", progress=False)
    assert out.read_bytes() == b"%PDF-earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.pdf"]


class _no_raise:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ------------------------------------------------------- results passed in

def test_report_given_fitted_results_refits_nothing(tmp_path, default_report, monkeypatch):
    """build_report(fit=, publishers=) lays out the results it is given: no model fit, the same PDF bytes."""
    import forecast.families as families
    import forecast.published.publishers as pub_mod

    y = forecast.series("ic3")
    y.attrs["dataset"] = "ic3"
    fit = forecast.fit(y, model="auto")
    rerun_backtest(fit)  # kept on the fit: the report shows it without refitting
    pf = forecast.fit_publishers()
    calls: list[str] = []
    real_fit, real_pub = families.fit, pub_mod.fit_publishers

    def counting_fit(yy, model="auto", **kw):
        calls.append(f"fit {model} {len(yy)}")
        return real_fit(yy, model=model, **kw)

    def counting_pub(estimates=None, *a, **kw):
        if estimates is None and not a and not kw:  # the model itself (variants of the sensitivity table pass data)
            calls.append("fit_publishers")
        return real_pub(estimates, *a, **kw)

    monkeypatch.setattr(families, "fit", counting_fit)
    monkeypatch.setattr(forecast, "fit", counting_fit)
    monkeypatch.setattr(pub_mod, "fit_publishers", counting_pub)
    monkeypatch.setattr(forecast, "fit_publishers", counting_pub)
    out = tmp_path / "given.pdf"
    result = build_report(out, fit=fit, publishers=pf, progress=False)
    assert calls == []
    assert result.problems == []
    assert out.read_bytes() == default_report[0].read_bytes()


def test_report_given_a_plain_fit_lays_it_out(tmp_path, user_csv):
    y = forecast.read_series(user_csv, year="yr", value="loss_usd")
    fit = forecast.fit(y, model="drift")
    out = tmp_path / "drift.pdf"
    result = build_report(out, fit=fit, horizon=3, progress=False)
    text = " ".join(lines_of(pdf_text(out)))
    r = fit.forecast(horizon=3).iloc[-1]
    assert f"{fmt_number(r['median'])} {fmt_number(r['mean'])}" in text
    assert "The global cost of cybercrime" in result.omitted


def test_auto_rerun_row_is_the_backtest_commands_auto_row(default_report, capsys):
    """The candidates table's last row re-runs auto's rule at each origin: the scores `backtest --models auto` prints."""
    assert main(["backtest", "--dataset", "ic3", "--models", "auto", "--format", "csv"]) == 0
    cli = pd.read_csv(io.StringIO(capsys.readouterr().out))
    row = cli[cli["model"] == "auto"].iloc[0]
    api = forecast.accuracy(rerun_backtest(forecast.fit(forecast.series("ic3"), model="auto"))).iloc[0]
    for col in ("windows", "mape", "mase", "coverage_80", "coverage_95", "wis"):
        assert float(row[col]) == pytest.approx(float(api[col]), rel=1e-6), col
    text = " ".join(lines_of(default_report[1]))
    printed = (f"auto, re-run {int(api['windows'])} {float(api['mape']):.1f}% {float(api['mase']):.3f} "
               f"{float(api['coverage_80']):.1f}% {float(api['coverage_95']):.1f}% {float(api['wis']):.3f}")
    assert printed in text
