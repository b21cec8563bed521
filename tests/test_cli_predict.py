"""``predict`` and ``backtest`` commands: outputs and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_predict_csv_columns_and_years(capsys):
    code, out, err = run(capsys, "predict", "--dataset", "ic3", "--model", "drift", "--horizon", "6",
                         "--format", "csv")
    assert code == 0 and err == ""
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == ["year", "model", "mean", "median", "lower_80", "upper_80", "lower_95", "upper_95",
                                   "growth_pct"]
    assert out.splitlines()[1].startswith("2025,drift,")
    assert frame["year"].tolist() == list(range(2025, 2031))
    expected = forecast.fit(forecast.series("ic3"), model="drift").forecast(horizon=6)
    assert frame["median"].to_numpy() == pytest.approx(expected["median"].to_numpy(), rel=1e-12)


def test_predict_through_and_levels(capsys, tmp_path):
    path = tmp_path / "losses.csv"
    path.write_text("yr,loss\n2015,1.0\n2016,1.4\n2017,1.9\n2018,2.4\n2019,3.5\n2020,4.1\n2021,5.9\n")
    code, out, _ = run(capsys, "predict", "--csv", str(path), "--year-column", "yr", "--value-column", "loss",
                       "--through", "2019", "--horizon", "2", "--model", "exponential", "--levels", "50,90",
                       "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert frame["year"].tolist() == [2020, 2021]
    assert list(frame.columns)[4:] == ["lower_50", "upper_50", "lower_90", "upper_90", "growth_pct"]
    y = pd.Series([1.0, 1.4, 1.9, 2.4, 3.5], index=range(2015, 2020))
    expected = forecast.fit(y, model="exponential").forecast(horizon=2, levels=(50, 90))
    assert frame["upper_90"].to_numpy() == pytest.approx(expected["upper_90"].to_numpy(), rel=1e-12)


def test_predict_json_and_table(capsys):
    code, out, _ = run(capsys, "predict", "--dataset", "ic3", "--model", "drift", "--horizon", "2", "--format",
                       "json")
    assert code == 0
    records = json.loads(out)
    assert [r["year"] for r in records] == [2025, 2026] and records[0]["model"] == "drift"
    code, out, _ = run(capsys, "predict", "--dataset", "ic3", "--model", "drift", "--horizon", "2")
    assert code == 0
    assert "$22.3bn" in out  # the 2025 median, as money (R: 22.35bn)
    assert "Note: missing year 2010" in out


@pytest.mark.parametrize("argv, message", [
    (["predict", "--dataset", "ic3", "--model", "nope"], "unknown model 'nope'"),
    (["predict", "--dataset", "ic3", "--levels", "80,120"], "between 0 and 100"),
    (["predict", "--dataset", "ic3", "--levels", "80,"], "--levels"),
    (["predict", "--dataset", "ic3", "--through", "1999"], "--through 1999 is outside the data (2001-2024)"),
    (["predict", "--dataset", "ic3", "--through", "2030"], "outside the data"),
    (["predict", "--dataset", "ic3", "--horizon", "0"], "--horizon"),
    (["predict", "--dataset", "nope"], "nope"),
    (["predict", "--csv", "/nonexistent/file.csv"], "file.csv"),
    (["predict", "--dataset", "ic3", "--csv", "x.csv"], "not allowed with"),
    (["predict", "--dataset", "ic3", "--through", "2003", "--model", "ets"], "at least"),
    (["backtest", "--dataset", "ic3", "--models", "drift,nope"], "unknown model 'nope'"),
    (["backtest", "--dataset", "ic3", "--models", "drift", "--origins", "1990-2000"], "outside the data"),
    (["backtest", "--dataset", "ic3", "--origins", "soon"], "--origins"),
    (["predict", "--dataset", "ic3", "--state", "Ohio"], "--state applies to --dataset ic3_by_state only"),
    (["predict", "--csv", "x.csv", "--crime-type", "BEC"], "--crime-type applies to --dataset only"),
    (["predict", "--dataset", "ic3", "--unit", "USD"], "--unit applies to --csv only"),
])
def test_user_errors_one_line_status_2(capsys, argv, message):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
    assert "Traceback" not in err


def test_predict_a_selected_series(capsys):
    code, out, _ = run(capsys, "predict", "--dataset", "ic3_by_state", "--state", "California", "--model", "drift",
                       "--horizon", "1", "--format", "csv")
    assert code == 0
    expected = forecast.fit(forecast.series("ic3_by_state", state="California"), model="drift").forecast(horizon=1)
    assert pd.read_csv(io.StringIO(out))["median"].iloc[0] == pytest.approx(expected["median"].iloc[0], rel=1e-12)


def test_missing_column(capsys, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("year,value\n2015,1\n2016,2\n2017,3\n")
    code, out, err = run(capsys, "predict", "--csv", str(path), "--value-column", "loss")
    assert code == 2 and out == "" and "'loss'" in err and len(err.strip().splitlines()) == 1


def test_backtest_accuracy_table(capsys):
    code, out, _ = run(capsys, "backtest", "--dataset", "ic3", "--models", "drift,exponential",
                       "--origins", "2012-2023", "--format", "csv")
    assert code == 0
    acc = pd.read_csv(io.StringIO(out)).set_index("model")
    assert acc.loc["drift", "windows"] == 33
    assert acc.loc["drift", "mape"] == pytest.approx(17.2381, abs=1e-3)  # R's tsCV of rwf(drift=TRUE)
    assert {"coverage_80", "nominal_80", "coverage_95", "nominal_95", "winkler_80", "mase"} <= set(acc.columns)
    code, out, _ = run(capsys, "backtest", "--dataset", "ic3", "--models", "drift", "--origins", "2012-2023")
    assert code == 0 and "Rolling-origin backtest: origins 2012-2023, horizons 1-3" in out


def test_predict_auto_default_through_the_module():
    proc = subprocess.run([sys.executable, "-m", "forecast", "predict", "--dataset", "ic3", "--horizon", "6",
                           "--format", "csv"], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(io.StringIO(proc.stdout))
    assert frame["year"].tolist() == list(range(2025, 2031))
    assert (frame["model"] == "auto").all()
    assert (frame["lower_95"] <= frame["lower_80"]).all() and (frame["lower_80"] <= frame["median"]).all()
    assert (frame["median"] <= frame["upper_80"]).all() and (frame["upper_80"] <= frame["upper_95"]).all()


def test_predict_capacity_options_reach_the_curves(capsys):
    from forecast.cli import main

    assert main(["predict", "--dataset", "ic3", "--model", "logistic", "--capacity", "1 trillion",
                 "--horizon", "2", "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("year,model,mean,median")
    assert len(out) == 3
    assert main(["predict", "--dataset", "ic3", "--model", "drift", "--capacity", "1T"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "applies to --model logistic or gompertz" in err
    assert main(["predict", "--dataset", "ic3", "--model", "gompertz", "--capacity-share-of-gdp", "2"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "extra", "message"), [
    ("year,value\n2017,2.9e9\n2018,3.1e9\n2019,3.5e9,extra,fields\n2020,4.2e9\n", [],
     "line 4: 4 fields but the header (line 1) has 2: '2019,3.5e9,extra,fields'"),
    ("year;value\n2019;850\n2020;1.000\n2021;1.150\n2022;1.300\n", [], "'1.000' could be 1 or 1000"),
    ("year;value\n2019;850\n2020;1.000\n2021;1.150\n2022;1.300\n", ["--decimal", "."], "--allow-jumps"),
])
def test_predict_refuses_a_file_it_would_misread(capsys, tmp_path, text, extra, message):
    """Each of these files was read without a word before: extra fields dropped, 1.300 read as 1.3."""
    p = tmp_path / "f.csv"
    p.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "predict", "--csv", str(p), "--model", "drift", *extra)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert message in err


def test_predict_reads_a_european_file_as_told(capsys, tmp_path):
    p = tmp_path / "eu.csv"
    p.write_text("year;value\n2019;850\n2020;1.000\n2021;1.150\n2022;1.300\n", encoding="utf-8")
    code, out, _ = run(capsys, "predict", "--csv", str(p), "--model", "drift", "--decimal", ",", "--horizon", "1",
                       "--format", "csv")
    assert code == 0
    y = pd.Series([850.0, 1000.0, 1150.0, 1300.0], index=range(2019, 2023))
    expected = forecast.fit(y, model="drift").forecast(horizon=1)
    assert pd.read_csv(io.StringIO(out))["median"].to_numpy() == pytest.approx(expected["median"].to_numpy())
    code, _, err = run(capsys, "predict", "--dataset", "ic3", "--decimal", ",")
    assert code == 2 and "--decimal applies to --csv only" in err


def test_predict_several_models_with_growth_in_percent(capsys):
    code, out, err = run(capsys, "predict", "--dataset", "ic3", "--model", "exponential,drift", "--horizon", "3",
                         "--format", "csv")
    assert code == 0 and err == ""
    frame = pd.read_csv(io.StringIO(out))
    assert frame["model"].tolist() == ["exponential"] * 3 + ["drift"] * 3
    y = forecast.series("ic3")
    for m in ("exponential", "drift"):
        rows = frame[frame["model"] == m]
        expected = forecast.fit(y, model=m).forecast(horizon=3)
        assert rows["median"].to_numpy() == pytest.approx(expected["median"].to_numpy(), rel=1e-12)
        # annual growth of the median from the 2024 figure, in percent: (median / y_2024) ** (1 / h) - 1
        h = rows["year"].to_numpy() - 2024
        growth = 100 * ((expected["median"].to_numpy() / float(y.iloc[-1])) ** (1 / h) - 1)
        assert rows["growth_pct"].to_numpy() == pytest.approx(growth, rel=1e-12)
    drift = forecast.fit(y, model="drift")  # a random walk with drift grows by exp(drift) a year, median to median
    assert frame["growth_pct"].iloc[3] == pytest.approx(100 * (np.exp(drift.params.loc["drift", "estimate"]) - 1),
                                                        rel=1e-9)
    code, out, _ = run(capsys, "predict", "--dataset", "ic3", "--model", "drift,exponential", "--horizon", "2")
    assert code == 0 and "growth/yr" in out and "+34.6%" in out and "models: drift, exponential" in out


def test_predict_skips_a_model_that_cannot_be_fitted_when_several_are_asked(capsys):
    code, out, _ = run(capsys, "predict", "--dataset", "ic3", "--model", "drift,logistic", "--horizon", "2")
    assert code == 0
    assert "Note: logistic: not fitted: capacity K is not identified" in out
    assert "--capacity <ceiling in USD>" in out and "capacity=" not in out and "model='exponential'" not in out
    code, _, err = run(capsys, "predict", "--dataset", "ic3", "--model", "logistic")
    assert code == 2 and "--capacity" in err and "capacity=" not in err


def test_predict_warns_when_the_horizon_outruns_the_data(capsys, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("year,value\n2018,1.0\n2019,1.3\n2020,1.6\n2021,2.1\n2022,2.5\n")
    code, out, err = run(capsys, "predict", "--csv", str(path), "--model", "drift", "--horizon", "6",
                         "--format", "csv")
    assert code == 0 and len(pd.read_csv(io.StringIO(out))) == 6
    assert "Warning: the horizon (6 years) runs past the length of the data itself (5 observations)" in err
    code, out, err = run(capsys, "predict", "--csv", str(path), "--model", "drift", "--horizon", "5")
    assert code == 0 and err == "" and "Warning" not in out


def test_predict_passes_autos_options_and_documents_them(capsys):
    y = pd.Series(np.exp(0.3 * np.arange(14) + 0.1 * np.sin(np.arange(14) * 1.7)), index=range(2008, 2022))
    res = forecast.fit(y, model="auto", candidates=["drift", "exponential"], combine=False, calibrate="none")
    expected = res.forecast(horizon=2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(forecast, "series", lambda name, **kw: y)
        code, out, _ = run(capsys, "predict", "--dataset", "mine", "--model", "auto", "--candidates",
                           "drift,exponential", "--combine", "false", "--calibrate", "none", "--horizon", "2",
                           "--format", "csv")
    assert code == 0
    assert pd.read_csv(io.StringIO(out))["upper_95"].to_numpy() == pytest.approx(expected["upper_95"].to_numpy())
    code, _, err = run(capsys, "predict", "--dataset", "ic3", "--model", "drift", "--combine", "false")
    assert code == 2 and "--combine applies to --model auto" in err
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    text = capsys.readouterr().out
    for word in ("--candidates", "--combine", "--calibrate", "auto (the default model)", "global trend curves",
                 "growth_pct"):
        assert word in text
    help_fit = forecast.fit.__doc__
    for word in ("candidates", "combine", "calibrate"):
        assert word in help_fit


def test_auto_says_when_exponential_left_out_backtests_better():
    """On a series that grows at a steady rate, the log-linear trend beats the local models in the backtest."""
    from forecast.cli.predict_cmd import left_out_better

    rng = np.random.default_rng(3)
    y = pd.Series(np.exp(20 + 0.25 * np.arange(18) + rng.normal(0, 0.08, 18)), index=range(2004, 2022))
    res = forecast.fit(y, model="auto")
    note = left_out_better(res, y)
    assert note is not None and note.startswith("exponential, left out of auto's candidates by default, backtests")
    wis = forecast.accuracy(forecast.backtest(y, ["exponential"], origins=res.origins, horizon=3))["wis"].iloc[0]
    combo = res.candidates.loc[res.candidates["model"] == "combination", "wis"].iloc[0]
    assert wis < combo and f"{wis:.3f} against {combo:.3f}" in note
    assert left_out_better(forecast.fit(y, model="auto", candidates=["drift", "exponential"]), y) is None


def test_predict_reads_an_excel_workbook_and_says_what_it_read(capsys, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["Year", "Losses (USD bn)"])
    for row in [("FY2019", 3.5), ("FY2020", 4.2), ("FY2021", 6.9), ("FY2022", 10.3)]:
        wb.active.append(row)
    path = tmp_path / "book.xlsx"
    wb.save(path)
    code, out, _ = run(capsys, "predict", "--csv", str(path), "--year-column", "Year", "--value-column", "Losses",
                       "--model", "drift", "--horizon", "1")
    assert code == 0
    assert "Note: unit USD read from the header 'Losses (USD bn)' (values times 1e+09)" in out
    assert "Note: years written as fiscal years ('FY2019') are read as the year named" in out
    y = pd.Series([3.5e9, 4.2e9, 6.9e9, 10.3e9], index=range(2019, 2023))
    median = forecast.fit(y, model="drift").forecast(horizon=1)["median"].iloc[0]
    assert " 2023 drift " in out and forecast.format_money(median) in out


def test_backtest_says_a_failure_once_for_all_its_origins(capsys):
    code, out, _ = run(capsys, "backtest", "--dataset", "ic3", "--models", "drift,logistic", "--origins", "2020-2023")
    assert code == 0
    failures = [ln for ln in out.splitlines() if ln.startswith("Not fitted:")]
    assert len(failures) == 1 and failures[0].startswith("Not fitted: logistic at origins 2020, 2021, 2022, 2023: ")
    assert "capacity=" not in failures[0]
