"""python -m forecast data list|show|check."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from forecast.cli import main
from forecast.data.registry import DATASETS, load

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list(capsys):
    code, out, err = run(capsys, "data", "list")
    assert code == 0 and err == ""
    for name in DATASETS:
        assert name in out
    assert "2001-2024" in out


def test_list_json(capsys):
    code, out, _ = run(capsys, "data", "list", "--format", "json")
    rows = json.loads(out)
    assert {r["name"] for r in rows} == set(DATASETS)


@pytest.mark.parametrize("name", list(DATASETS))
def test_show_csv_round_trips(capsys, name):
    code, out, _ = run(capsys, "data", "show", name, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    frame = load(name)
    assert len(rows) == len(frame)
    assert list(rows[0]) == list(frame.columns)


def test_show_values_are_printed_in_full(capsys):
    _, out, _ = run(capsys, "data", "show", "ic3", "--format", "csv")
    rows = {r["year"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["2012"]["losses_usd"] == "525441110"
    assert rows["2016"]["revised_losses_usd"] == "1450700000"
    assert rows["2010"]["losses_usd"] == ""
    _, table, _ = run(capsys, "data", "show", "ic3")
    assert "16600000000" in table and "e+" not in table


def test_show_json_has_nulls_for_missing(capsys):
    _, out, _ = run(capsys, "data", "show", "global_estimates", "--format", "json")
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["juniper-2017"]["target_year"] is None
    assert rows["juniper-2017"]["first_year"] == 2017
    assert rows["csis-mcafee-2014"]["point_usd_bn"] == 445.0


def test_show_unknown_dataset(capsys):
    code, out, err = run(capsys, "data", "show", "nope")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown dataset 'nope'" in err and "global_estimates" in err


def test_check_good_file(capsys, tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text('year,loss\n2019,3.5e9\n2020,4.2e9\n2022,10.3e9\n2023,12.5e9\n', encoding="utf-8")
    code, out, err = run(capsys, "data", "check", str(p), "--year-column", "year", "--value-column", "loss",
                         "--unit", "USD")
    assert code == 0 and err == ""
    assert "2019-2023, 4 values" in out
    assert "gaps:    2021" in out
    assert "min:     $3.5bn (2019)" in out
    assert "max:     $12.5bn (2023)" in out


def test_check_counts_without_money_unit(capsys, tmp_path):
    p = tmp_path / "counts.csv"
    p.write_text("yr,n\n2019,467361\n2020,791790\n2021,847376\n", encoding="utf-8")
    code, out, _ = run(capsys, "data", "check", str(p), "--year-column", "yr", "--value-column", "n")
    assert code == 0
    assert "gaps:    none" in out and "min:     467,361 (2019)" in out and "$" not in out


def test_check_bad_file_one_line_exit_2(capsys, tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("year,loss\n2019,3.5\n2020,-1\n2021,4\n", encoding="utf-8")
    code, out, err = run(capsys, "data", "check", str(p), "--year-column", "year", "--value-column", "loss")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert f"{p}, line 3, column 'loss'" in err and "negative" in err


def test_check_missing_file_subprocess_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "forecast", "data", "check", str(tmp_path / "missing.csv"),
         "--year-column", "year", "--value-column", "v"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "file not found" in proc.stderr


@pytest.mark.parametrize("sub", ["list", "show", "check"])
def test_help(capsys, sub):
    with pytest.raises(SystemExit) as info:
        main(["data", sub, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "usage:" in out and f"data {sub}" in out


def test_data_without_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["data"])
    assert info.value.code == 2


def test_check_refuses_an_undecided_european_file_and_reads_it_with_decimal(capsys, tmp_path):
    p = tmp_path / "eu.csv"
    p.write_text("year;value\n2019;850\n2020;1.000\n2021;1.150\n2022;1.300\n", encoding="utf-8")
    code, out, err = run(capsys, "data", "check", str(p))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "line 3: '1.000' could be 1 or 1000" in err and "--decimal , (1.000 = 1000)" in err
    code, out, _ = run(capsys, "data", "check", str(p), "--decimal", ",")
    assert code == 0 and "max:     1,300 (2022)" in out and "min:     850 (2019)" in out


def test_check_flags_a_tenfold_jump_and_accepts_it_on_request(capsys, tmp_path):
    p = tmp_path / "jump.csv"
    p.write_text("year,value\n2019,3.5e9\n2020,4.2e9\n2021,4.6e6\n", encoding="utf-8")
    code, out, err = run(capsys, "data", "check", str(p))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "line 4, column 'value'" in err and "suspicious" in err and err.rstrip().endswith("--allow-jumps")
    assert "allow_jumps" not in err
    code, out, _ = run(capsys, "data", "check", str(p), "--allow-jumps")
    assert code == 0 and "min:     4.6m (2021)" in out


def test_check_refuses_a_line_with_extra_fields(capsys, tmp_path):
    p = tmp_path / "extra.csv"
    p.write_text("year,value\n2018,3.1e9\n2019,3.5e9,extra,fields\n2020,4.2e9\n", encoding="utf-8")
    code, out, err = run(capsys, "data", "check", str(p))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"{p}, line 3: 4 fields but the header (line 1) has 2" in err


def test_check_prints_large_values_readably_and_the_unit_from_the_header(capsys, tmp_path):
    p = tmp_path / "big.csv"
    p.write_text("FY,Losses (USD)\nFY2019,9501284423\nFY2020,12000000000\nFY2021,14500000000\n", encoding="utf-8")
    code, out, _ = run(capsys, "data", "check", str(p), "--year-column", "FY", "--value-column", "Losses")
    assert code == 0
    assert "min:     $9.5bn (2019)" in out and "9,501,284,423" not in out and "e+09" not in out
    assert "note:    unit USD read from the header 'Losses (USD)'" in out
    assert "note:    years written as fiscal years ('FY2019') are read as the year named" in out
    q = tmp_path / "counts.csv"
    q.write_text("year,n\n2019,9501284423\n2020,12000000000\n2021,14500000000\n", encoding="utf-8")
    code, out, _ = run(capsys, "data", "check", str(q), "--value-column", "n")
    assert code == 0 and "min:     9.5bn (2019)" in out


def test_check_an_excel_sheet(capsys, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    ws = wb.create_sheet("Data")
    for row in [("year", "value"), (2019, 3.5e9), (2020, 4.2e9), (2021, 6.9e9)]:
        ws.append(row)
    p = tmp_path / "book.xlsx"
    wb.save(p)
    code, out, err = run(capsys, "data", "check", str(p), "--sheet", "Data")
    assert code == 0 and "2019-2021, 3 values" in out
    code, out, err = run(capsys, "data", "check", str(p))
    assert code == 2 and "sheet 'Notes': the sheet is empty" in err


def test_claim_reads_the_csv_with_the_file_options(capsys, tmp_path):
    p = tmp_path / "eu.csv"
    p.write_text("year;value\n2016;850\n2017;1.000\n2018;1.150\n2019;1.300\n2020;1.500\n", encoding="utf-8")
    code, out, err = run(capsys, "claim", "--value", "$2000", "--year", "2022", "--csv", str(p), "--model", "drift")
    assert code == 2 and "'1.000' could be 1 or 1000" in err and "--decimal ," in err
    code, out, err = run(capsys, "claim", "--value", "$2000", "--year", "2022", "--csv", str(p), "--model", "drift",
                         "--decimal", ",", "--format", "json")
    assert code == 0
    y = pd.Series([850.0, 1000.0, 1150.0, 1300.0, 1500.0], index=range(2016, 2021))
    import forecast

    expected = forecast.check_claim(2000, 2022, against=forecast.fit(y, model="drift"))
    assert json.loads(out)[0]["median"] == pytest.approx(expected.median, rel=1e-9)
