"""Small data helpers: billions columns in full dollars, and where a missing file was looked for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import forecast
from forecast.data.money import bn_columns_to_usd
from forecast.plots.style import display_number


def test_bn_columns_become_full_dollars_and_read_right():
    est = forecast.load("global_estimates")
    out = bn_columns_to_usd(est)
    assert [c for c in out.columns if "usd" in c] == ["low_usd", "point_usd", "high_usd"]
    row = out.set_index("id").loc["cv-2020-2025"]
    assert row["point_usd"] == 10.5e12 and display_number(row["point_usd"]) == "10.5T"
    assert display_number(est.set_index("id").loc["cv-2020-2025", "point_usd_bn"]) == "10.5k"  # the old misreading
    assert list(est.columns) == list(forecast.load("global_estimates").columns)  # the input is not changed


def test_missing_relative_file_names_the_folder_it_looked_in(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(forecast.DataError) as err:
        forecast.read_series("no-such.csv", year="year", value="v")
    msg = str(err.value)
    assert "\n" not in msg and str(Path(os.getcwd()) / "no-such.csv") in msg and "working folder" in msg
    with pytest.raises(forecast.DataError, match="looked for /no/such/file.csv\\)"):
        forecast.read_series("/no/such/file.csv", year="year", value="v")
