"""Panel input: bundled panels, long frames, CSV files and one-line errors."""

from __future__ import annotations

import pandas as pd
import pytest

import forecast
from forecast.errors import DataError
from forecast.panel import read_panel


def test_bundled_state_panel_has_57_series_and_is_summable():
    p = read_panel("ic3_by_state")
    assert len(p.keys) == 57 and p.key == "state" and p.summable and p.unit == "USD"
    raw = forecast.load("ic3_by_state")
    assert p.total().loc[2024] == pytest.approx(raw.loc[raw.year == 2024, "losses_usd"].sum(), rel=1e-15)
    # the total of states is not IC3's national total: the caveat says so
    national = forecast.series("ic3")
    share = p.total().loc[2024] / national.loc["2024"]
    assert 0.8 < share < 0.93
    assert "not IC3's national total" in p.notes[0]


def test_crime_types_are_summed_by_canonical_type_and_not_summable():
    p = read_panel("ic3_by_crime_type")
    assert not p.summable and p.key == "canonical_type"
    bec = forecast.series("ic3_by_crime_type", crime_type="Harassment/threats")
    got = p.frame[p.frame.key == "Harassment/threats"].set_index("year")["value"]
    assert got.to_numpy() == pytest.approx(bec.to_numpy(), rel=1e-15)
    assert "overlap" in p.notes[0]


def test_long_frame_and_through():
    df = pd.DataFrame({"bank": ["b", "a", "a", "b"], "yr": [2021, 2020, 2021, 2020], "loss": [4, 1, 2, 3.0]})
    p = read_panel(df, key="bank", year="yr", value="loss", unit="EUR")
    assert p.frame["key"].tolist() == ["a", "a", "b", "b"] and p.unit == "EUR"
    assert p.through(2020).frame["year"].tolist() == [2020, 2020]
    with pytest.raises(DataError, match="no rows up to year 2010"):
        p.through(2010)


@pytest.mark.parametrize("text, message", [
    ("bank,year,loss\na,2020,1\na,2020,2\n", r"panel.csv, line 3: bank='a', year=2020 appears more than once"),
    ("bank,year,loss\na,2020,1\na,2021,-2\n", r"panel.csv, line 3, column 'loss': '-2' is negative"),
    ("bank,year,loss\na,2020,1\na,2021,abc\n", r"panel.csv, line 3, column 'loss': 'abc' is not a number"),
    ("bank,year,loss\na,2020,1\na,2021,\n", r"panel.csv, line 3, column 'loss': '' is missing"),
    ("bank,year,loss\na,20x0,1\n", r"panel.csv, line 2, column 'year': '20x0' is not a year"),
    ("bank,year,loss\n,2020,1\n", r"panel.csv, line 2, column 'bank': the key is empty"),
    ("branch,year,loss\na,2020,1\n", r"panel.csv: key column 'bank' is missing; columns are: branch, year, loss"),
])
def test_bad_csv_one_line_errors(tmp_path, text, message):
    path = tmp_path / "panel.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=message) as info:
        read_panel(path, key="bank", value="loss")
    assert "\n" not in str(info.value)


def test_missing_file_and_missing_names(tmp_path):
    with pytest.raises(DataError, match="no such dataset or file"):
        read_panel(tmp_path / "nope.csv", key="k", value="v")
    df = pd.DataFrame({"k": ["a"], "year": [2020], "v": [1.0]})
    with pytest.raises(DataError, match="name the key column"):
        read_panel(df)
