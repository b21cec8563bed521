"""read_series: a user's CSV file; one test per kind of bad input."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import forecast
from forecast.data.userfile import MIN_ROWS, read_series
from forecast.errors import DataError

GOOD = "year,loss\n2019,3.5\n2020,4.2\n2021,6.9\n2022,10.3\n"


def write(tmp_path, text, name="losses.csv", encoding="utf-8"):
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding=encoding)
    return p


def error(path, **kwargs) -> str:
    kwargs.setdefault("year", "year")
    kwargs.setdefault("value", "loss")
    with pytest.raises(DataError) as info:
        read_series(path, **kwargs)
    msg = str(info.value)
    assert "\n" not in msg, "one line"
    assert str(path) in msg, "names the file"
    return msg


# ---------------------------------------------------------------- good input


def test_reads_an_annual_series(tmp_path):
    y = read_series(write(tmp_path, GOOD), year="year", value="loss", unit="USD bn")
    assert isinstance(y.index, pd.PeriodIndex) and y.index.freqstr == "Y-DEC" and y.index.name == "year"
    assert y.dtype == np.float64 and y.name == "loss"
    assert y.tolist() == [3.5, 4.2, 6.9, 10.3]
    assert y.attrs == {"unit": "USD bn", "name": "loss", "source": str(tmp_path / "losses.csv"), "gaps": []}
    assert forecast.read_series is read_series or forecast.read_series.__name__ == "read_series"


def test_gaps_are_allowed_and_reported_and_rows_sorted(tmp_path):
    y = read_series(write(tmp_path, "year,loss\n2024,16.6\n2019,3.5\n2020,4.2\n2022,10.3\n"), year="year", value="loss")
    assert [p.year for p in y.index] == [2019, 2020, 2022, 2024]
    assert y.attrs["gaps"] == [2021, 2023]
    assert y.attrs["unit"] == ""


def test_bom_blank_lines_extra_columns_and_whitespace(tmp_path):
    text = "\ufeffYear , note, loss \n\n2019, a, 3.5\n2020,b,4.2\n,,\n2021,c,6.9\n"
    y = read_series(write(tmp_path, text), year="Year", value="loss")
    assert y.tolist() == [3.5, 4.2, 6.9]


def test_money_strings_and_thousands_separators(tmp_path):
    y = read_series(write(tmp_path, 'year,loss\n2019,"$3.5bn"\n2020,4.2 billion\n2021,"6,900,000,000"\n'),
                    year="year", value="loss")
    assert y.tolist() == [3.5e9, 4.2e9, 6.9e9]
    assert y.attrs["unit"] == "USD"
    plain = read_series(write(tmp_path, 'year,n\n2019,"1,200"\n2020,1300\n2021,1400.5\n', "n.csv"), year="year", value="n")
    assert plain.tolist() == [1200.0, 1300.0, 1400.5] and plain.attrs["unit"] == ""


def test_semicolon_separated_file(tmp_path):
    y = read_series(write(tmp_path, "year;loss\n2019;3.5\n2020;4.2\n2021;6.9\n"), year="year", value="loss")
    assert y.tolist() == [3.5, 4.2, 6.9]


def test_year_written_as_float(tmp_path):
    y = read_series(write(tmp_path, "year,loss\n2019.0,3.5\n2020.0,4.2\n2021.0,6.9\n"), year="year", value="loss")
    assert [p.year for p in y.index] == [2019, 2020, 2021]


def test_line_numbers_count_physical_lines(tmp_path):
    text = 'year,note,loss\n2019,"two\nlines",3.5\n2020,x,4.2\n\n2021,y,abc\n'
    msg = error(write(tmp_path, text))
    assert "line 6, column 'loss'" in msg


# ---------------------------------------------------------------- bad input, one test each


def test_missing_file(tmp_path):
    msg = error(tmp_path / "nope.csv")
    assert "file not found" in msg


def test_empty_file(tmp_path):
    msg = error(write(tmp_path, ""))
    assert "empty" in msg
    msg = error(write(tmp_path, "\n \n", "blank.csv"))
    assert "empty" in msg
    msg = error(write(tmp_path, ",,\n,,\n", "commas.csv"))
    assert "empty" in msg


def test_missing_column_lists_the_columns_found(tmp_path):
    msg = error(write(tmp_path, "Year,Loss\n2019,1\n2020,2\n2021,3\n"))
    assert "line 1" in msg and "column 'year' not found" in msg and "columns found: 'Year', 'Loss'" in msg
    msg = error(write(tmp_path, "year,Loss\n2019,1\n2020,2\n2021,3\n", "b.csv"))
    assert "column 'loss' not found" in msg


def test_non_numeric_value(tmp_path):
    msg = error(write(tmp_path, "year,loss\n2019,3.5\n2020,about 4\n2021,6.9\n"))
    assert "line 3, column 'loss'" in msg and "'about 4' is not a number" in msg


def test_zero_value(tmp_path):
    msg = error(write(tmp_path, "year,loss\n2019,3.5\n2020,4.2\n2021,0\n"))
    assert "line 4, column 'loss'" in msg and "zero" in msg


def test_negative_value(tmp_path):
    msg = error(write(tmp_path, "year,loss\n2019,-3.5\n2020,4.2\n2021,6.9\n"))
    assert "line 2, column 'loss'" in msg and "negative" in msg
    msg = error(write(tmp_path, "year,loss\n2019,3.5\n2020,-$4bn\n2021,6.9\n", "m.csv"))
    assert "line 3, column 'loss'" in msg and "negative" in msg


@pytest.mark.parametrize("cell", ["", "NaN", "nan", "NA", "n/a", "null"])
def test_nan_or_empty_value(tmp_path, cell):
    msg = error(write(tmp_path, f"year,loss\n2019,3.5\n2020,{cell}\n2021,6.9\n"))
    assert "line 3, column 'loss'" in msg and "empty or NaN" in msg


def test_value_cell_missing_in_short_row(tmp_path):
    msg = error(write(tmp_path, "year,loss\n2019,3.5\n2020\n2021,6.9\n"))
    assert "line 3, column 'loss'" in msg and "empty" in msg


@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "1e999"])
def test_infinite_value(tmp_path, cell):
    msg = error(write(tmp_path, f"year,loss\n2019,3.5\n2020,4.2\n2021,{cell}\n"))
    assert "line 4, column 'loss'" in msg and "infinite" in msg


@pytest.mark.parametrize(("cell", "what"), [("2019.5", "not a whole year"), ("FY20", "not a year"),
                                            ("", "year is empty"), ("19", "not a plausible year")])
def test_non_integer_year(tmp_path, cell, what):
    msg = error(write(tmp_path, f"year,loss\n2018,3.5\n{cell},4.2\n2021,6.9\n"))
    assert "line 3, column 'year'" in msg and what in msg


def test_duplicate_year_names_both_lines(tmp_path):
    msg = error(write(tmp_path, "year,loss\n2019,3.5\n2020,4.2\n2021,6.9\n2020,5.0\n"))
    assert "lines 3 and 5, column 'year'" in msg and "2020 appears twice" in msg


def test_fewer_rows_than_any_model_needs(tmp_path):
    assert MIN_ROWS == 3
    msg = error(write(tmp_path, "year,loss\n2019,3.5\n2020,4.2\n"))
    assert "line 3, column 'loss'" in msg and "2 data rows" in msg and "at least 3" in msg
    msg = error(write(tmp_path, "year,loss\n", "h.csv"))
    assert "line 1" in msg and "0 data rows" in msg


def test_unreadable_encoding(tmp_path):
    raw = "year,country,loss\n2019,Espa\u00f1a,3.5\n2020,France,4.2\n2021,Italia,6.9\n".encode("latin-1")
    msg = error(write(tmp_path, raw))
    assert "line 2, field 2" in msg and "not valid UTF-8" in msg and "UTF-8 with BOM" in msg and "0xf1" in msg


def test_utf16_file_is_rejected_with_the_encoding_named(tmp_path):
    msg = error(write(tmp_path, GOOD, encoding="utf-16"))
    assert "line 1" in msg and "not valid UTF-8" in msg


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.dictionaries(st.integers(1990, 2030), st.floats(1e-3, 1e13, allow_nan=False), min_size=3, max_size=15))
def test_any_valid_file_reads_back(data):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "s.csv"
        p.write_text("year,value\n" + "".join(f"{y},{v!r}\n" for y, v in data.items()), encoding="utf-8")
        y = read_series(p, allow_jumps=True)  # random values jump; the jump check has its own tests
    assert [q.year for q in y.index] == sorted(data)
    assert y.tolist() == [data[k] for k in sorted(data)]
    assert y.attrs["gaps"] == [k for k in range(min(data), max(data) + 1) if k not in data]


def _european(v: float, decimals: int) -> str:
    """``v`` written the German way: 1.234.567,89."""
    us = f"{v:,.{decimals}f}"
    return us.replace(",", "_").replace(".", ",").replace("_", ".")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.floats(1.0, 1e9, allow_nan=False), min_size=3, max_size=12), st.integers(0, 3))
def test_any_european_file_reads_back(values, decimals):
    """A ';'-separated file written the German way reads back to the same numbers, or is refused: never misread."""
    start = 2000
    cells = [_european(v, decimals) for v in values]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "s.csv"
        p.write_text("Jahr;Wert\n" + "".join(f"{start + i};{c}\n" for i, c in enumerate(cells)), encoding="utf-8")
        try:
            y = read_series(p, year="Jahr", value="Wert", allow_jumps=True)
        except DataError as exc:
            assert "could be" in str(exc) and "decimal=','" in str(exc)  # ambiguous, said so
            y = read_series(p, year="Jahr", value="Wert", allow_jumps=True, decimal=",")
    expected = [float(c.replace(".", "").replace(",", ".")) for c in cells]
    assert y.tolist() == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------- number formats, decided once per file

AMBIGUOUS = "year;value\n2019;850\n2020;1.000\n2021;1.150\n2022;1.300\n"


def test_semicolon_file_with_thousands_points_is_never_read_as_1_3(tmp_path):
    """'2022;1.300' is 1300 in a European file; read as 1.3 it gave a forecast 1000 times too small."""
    p = write(tmp_path, AMBIGUOUS)
    msg = error(p, value="value")
    assert "line 3" in msg and "'1.000' could be 1 or 1000" in msg and "decimal=','" in msg
    assert read_series(p, decimal=",").tolist() == [850.0, 1000.0, 1150.0, 1300.0]
    assert read_series(p, thousands=".").tolist() == [850.0, 1000.0, 1150.0, 1300.0]
    msg = error(p, value="value", decimal=".")  # taken at its word, 850 -> 1.0 is a jump
    assert "line 3" in msg and "suspicious" in msg and "allow_jumps=True" in msg


def test_a_decisive_value_decides_the_whole_file(tmp_path):
    eu = read_series(write(tmp_path, "year;value\n2019;1.234,5\n2020;1.300\n2021;2.000\n"))
    assert eu.tolist() == [1234.5, 1300.0, 2000.0]
    assert eu.attrs["notes"] == ["numbers read with decimal mark ',', thousands mark '.' (decided from the file's "
                                 "values)"]
    us = read_series(write(tmp_path, "year;value\n2019;1.25\n2020;1.300\n2021;2.000\n", "us.csv"))
    assert us.tolist() == [1.25, 1.3, 2.0]
    comma = read_series(write(tmp_path, "year;value\n2019;3,5\n2020;4,25\n2021;6,900\n", "c.csv"))
    assert comma.tolist() == [3.5, 4.25, 6.9]
    grouped = read_series(write(tmp_path, "year;value\n2019;1.234.567\n2020;2.000.000\n2021;3.100.000\n", "g.csv"))
    assert grouped.tolist() == [1234567.0, 2e6, 3.1e6]
    spaced = read_series(write(tmp_path, "year;value\n2019;1 234,5\n2020;2\u202f000\n2021;3'100\n", "s.csv"))
    assert spaced.tolist() == [1234.5, 2000.0, 3100.0]
    money = read_series(write(tmp_path, "year;value\n2019;$3,5bn\n2020;4,2 billion\n2021;6,9bn\n", "m.csv"))
    assert money.tolist() == [3.5e9, 4.2e9, 6.9e9]


def test_comma_separated_file_keeps_the_csv_convention(tmp_path):
    y = read_series(write(tmp_path, 'year,value\n2019,850\n2020,"1,000"\n2021,"1,300"\n'))
    assert y.tolist() == [850.0, 1000.0, 1300.0]


def test_a_file_mixing_formats_is_refused_naming_both_lines(tmp_path):
    msg = error(write(tmp_path, "year;value\n2019;3.5\n2020;4,2\n2021;6.9\n"), value="value")
    assert "mixes number formats" in msg and "line 2 has '3.5'" in msg and "line 3 has '4,2'" in msg


def test_a_value_not_in_the_given_format_is_refused(tmp_path):
    msg = error(write(tmp_path, "year;value\n2019;3.5\n2020;4.2\n2021;6.9\n"), value="value", decimal=",")
    assert "line 2, column 'value'" in msg and "'3.5' is not a number written the way" in msg
    msg = error(write(tmp_path, GOOD, "bad.csv"), decimal=";")
    assert "decimal mark ';'" in msg


# ---------------------------------------------------------------- suspicious jumps


def test_a_tenfold_change_in_one_year_is_refused_unless_accepted(tmp_path):
    p = write(tmp_path, "year,loss\n2019,3.5e9\n2020,4.2e9\n2021,4.6e6\n2022,5.1e9\n")
    msg = error(p)
    assert msg.startswith(f"{p}, line 4, column 'loss': 4.6m for 2021 is 1/913 of the 4.2bn for 2020")
    assert msg.endswith("accept them with allow_jumps=True")
    assert read_series(p, year="year", value="loss", allow_jumps=True).tolist() == [3.5e9, 4.2e9, 4.6e6, 5.1e9]
    # over a gap the bound is per year: 50 times in two years is fine, 150 is not
    assert len(read_series(write(tmp_path, "year,v\n2019,1\n2021,50\n2022,60\n", "g.csv"), value="v")) == 3
    msg = error(write(tmp_path, "year,loss\n2019,1\n2021,150\n2022,160\n", "h.csv"))
    assert "line 3" in msg and "150 times the 1 for 2019 (2 years before, line 2)" in msg


# ---------------------------------------------------------------- extra fields


def test_a_line_with_more_fields_than_the_header_is_refused(tmp_path):
    msg = error(write(tmp_path, "year,loss\n2018,3.1e9\n2019,3.5e9,extra,fields\n2020,4.2e9\n"))
    assert "line 3: 4 fields but the header (line 1) has 2: '2019,3.5e9,extra,fields'" in msg
    msg = error(write(tmp_path, "year,loss\n2018,850\n2019,1,300\n2020,1400\n", "t.csv"))
    assert "line 3: 3 fields" in msg and "must be quoted" in msg
    trailing = read_series(write(tmp_path, "year,loss\n2018,3.1\n2019,3.5,\n2020,4.2,,\n", "e.csv"),
                           value="loss")  # empty trailing fields (spreadsheet exports) are harmless
    assert trailing.tolist() == [3.1, 3.5, 4.2]


# ---------------------------------------------------------------- years as dates or fiscal years


@pytest.mark.parametrize("cells", [["2019-12-31", "2020-12-31", "2021-12-31"], ["31.12.2019", "31.12.2020", "31.12.2021"],
                                   ["FY2019", "FY2020", "FY 2021"], ["2019-01-01", "2020-01-01", "2021-01-01"]])
def test_years_written_as_dates_or_fiscal_years(tmp_path, cells):
    text = "year,loss\n" + "".join(f"{c},{v}\n" for c, v in zip(cells, (3.5, 4.2, 6.9)))
    y = read_series(write(tmp_path, text), value="loss")
    assert [p.year for p in y.index] == [2019, 2020, 2021] and y.tolist() == [3.5, 4.2, 6.9]
    assert "read as the year" in y.attrs["notes"][0]


@pytest.mark.parametrize(("cells", "what"), [
    (["2019-12-31", "2020-06-30", "2021-12-31"], "lines 2 and 3, column 'year': dates on different days"),
    (["2019", "2020-12-31", "2021"], "lines 2 and 3, column 'year': years are written in two ways"),
    (["2019/20", "2020/21", "2021/22"], "line 2, column 'year': '2019/20' names two years"),
    (["2019-02-30x", "2020", "2021"], "line 2, column 'year': '2019-02-30x' is not a year"),
])
def test_ambiguous_year_cells_are_refused(tmp_path, cells, what):
    text = "year,loss\n" + "".join(f"{c},{v}\n" for c, v in zip(cells, (3.5, 4.2, 6.9)))
    assert what in error(write(tmp_path, text))


# ---------------------------------------------------------------- unit from the header


def test_unit_from_the_header(tmp_path):
    y = read_series(write(tmp_path, "year,Losses (USD)\n2019,3.5e9\n2020,4.2e9\n2021,6.9e9\n"), value="Losses")
    assert y.attrs["unit"] == "USD" and y.tolist() == [3.5e9, 4.2e9, 6.9e9]
    bn = read_series(write(tmp_path, "year,loss [US$ bn]\n2019,3.5\n2020,4.2\n2021,6.9\n", "bn.csv"),
                     value="loss [US$ bn]")
    assert bn.attrs["unit"] == "USD" and bn.tolist() == pytest.approx([3.5e9, 4.2e9, 6.9e9])
    assert "values times 1e+09" in bn.attrs["notes"][0]
    given_unit = read_series(write(tmp_path, "year,loss (USD bn)\n2019,3.5\n2020,4.2\n2021,6.9\n", "u.csv"),
                             value="loss", unit="USD bn")
    assert given_unit.attrs["unit"] == "USD bn" and given_unit.tolist() == [3.5, 4.2, 6.9]
    eur = read_series(write(tmp_path, "year,loss (EUR)\n2019,3.5\n2020,4.2\n2021,6.9\n", "e.csv"), value="loss")
    assert eur.attrs["unit"] == "EUR"
    plain = read_series(write(tmp_path, "year,loss (estimate)\n2019,3.5\n2020,4.2\n2021,6.9\n", "p.csv"),
                        value="loss (estimate)")
    assert plain.attrs["unit"] == ""


# ---------------------------------------------------------------- Excel


def _workbook(path, rows, title="Losses", extra_sheet=False):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    if extra_sheet:
        other = wb.create_sheet("Other")
        for r in [("year", "loss"), (2001, 1.0), (2002, 2.0), (2003, 3.0)]:
            other.append(r)
    wb.save(path)
    return path


def test_excel_workbook_first_sheet_or_named(tmp_path):
    import datetime as dt

    p = _workbook(tmp_path / "losses.xlsx", [("Year", "Loss (USD)"), (dt.datetime(2019, 12, 31), 3.5e9), (),
                                             (dt.datetime(2020, 12, 31), 4.2e9), (dt.datetime(2021, 12, 31), "$6.9bn")],
                  extra_sheet=True)
    y = read_series(p, year="Year", value="Loss")
    assert [q.year for q in y.index] == [2019, 2020, 2021] and y.tolist() == [3.5e9, 4.2e9, 6.9e9]
    assert y.attrs["unit"] == "USD"
    assert read_series(p, year="year", value="loss", sheet="Other").tolist() == [1.0, 2.0, 3.0]
    assert read_series(p, year="year", value="loss", sheet=1).tolist() == [1.0, 2.0, 3.0]
    msg = error(p, sheet="Nope")
    assert "sheet 'Nope' not found; sheets: 'Losses', 'Other'" in msg


def test_excel_errors_name_the_sheet_and_row(tmp_path):
    p = _workbook(tmp_path / "bad.xlsx", [("year", "loss"), (2019, 3.5), (2020, "about 4"), (2021, 6.9)])
    msg = error(p)
    assert "sheet 'Losses', row 3, column 'loss'" in msg and "'about 4' is not a number" in msg


def test_old_excel_and_sheet_on_a_csv_are_refused_plainly(tmp_path):
    msg = error(write(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old.xls"))
    assert "old Excel workbook (.xls)" in msg and "save the sheet as CSV" in msg
    msg = error(write(tmp_path, GOOD), sheet="Sheet1")
    assert "sheet= applies to Excel workbooks only" in msg
