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
        y = read_series(p)
    assert [q.year for q in y.index] == sorted(data)
    assert y.tolist() == [data[k] for k in sorted(data)]
    assert y.attrs["gaps"] == [k for k in range(min(data), max(data) + 1) if k not in data]
