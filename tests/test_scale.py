"""to_real and share_of_gdp against hand computations."""

from __future__ import annotations

import pandas as pd
import pytest

import forecast
from forecast.data._years import annual_index
from forecast.data.scale import share_of_gdp, to_real
from forecast.errors import DataError

# bundled values (data/macro.csv)
CPI = {2014: 236.736, 2016: 240.007, 2020: 258.811, 2023: 304.702, 2024: 313.689, 2000: 172.2}
GDP_BN = {2017: 81_551.0, 2020: 85_577.7, 2024: 111_330.0}


def test_to_real_scalar_by_hand():
    assert to_real(100.0, year=2014) == pytest.approx(100 * 313.689 / 236.736)
    assert to_real(1e9, year=2016, base_year=2020) == pytest.approx(1e9 * 258.811 / 240.007)
    assert to_real(5.0, year=2024) == pytest.approx(5.0)
    assert forecast.to_real(1.0, year=2000, base_year=2023) == pytest.approx(304.702 / 172.2)


def test_to_real_series_keeps_attrs_and_index():
    y = forecast.series("ic3")
    r = to_real(y, base_year=2024)
    assert r.index.equals(y.index)
    assert r.attrs["unit"] == "USD" and r.attrs["price_basis"] == "real 2024 US$ (CPI-U)"
    assert r.attrs["gaps"] == [2010]
    assert r["2001"] == pytest.approx(17.8e6 * 313.689 / 177.1)
    assert r["2024"] == pytest.approx(16.6e9)
    assert "notes" not in r.attrs


def test_to_real_integer_year_index():
    s = pd.Series([100.0, 200.0], index=[2014, 2020])
    r = to_real(s, base_year=2024)
    assert r.tolist() == pytest.approx([100 * 313.689 / 236.736, 200 * 313.689 / 258.811])


def _frame(years):
    f = pd.DataFrame(
        {"mean": [10.0, 20.0], "median": [9.0, 18.0], "lower_80": [5.0, 8.0], "upper_80": [15.0, 30.0],
         "model": ["drift", "drift"]},
        index=annual_index(years),
    )
    f.attrs["unit"] = "USD"
    return f


def test_to_real_forecast_frame_converts_every_numeric_column():
    f = _frame([2020, 2023])
    r = to_real(f, base_year=2024)
    factor = pd.Series([313.689 / 258.811, 313.689 / 304.702], index=f.index)
    for col in ["mean", "median", "lower_80", "upper_80"]:
        assert r[col].tolist() == pytest.approx((f[col] * factor).tolist())
    assert r["model"].tolist() == ["drift", "drift"]
    assert f["mean"].tolist() == [10.0, 20.0], "input not modified"


def test_years_outside_the_data_raise_naming_the_year():
    with pytest.raises(DataError, match="US CPI-U for 2027 is not in the data \\(2000-2024\\).*extrapolate=True"):
        to_real(_frame([2025, 2027]).iloc[[1]])
    with pytest.raises(DataError, match="US CPI-U for 1999"):
        to_real(1.0, year=1999)
    with pytest.raises(DataError, match="US CPI-U for 2030"):
        to_real(1.0, year=2020, base_year=2030)
    with pytest.raises(DataError, match="World GDP for 2026"):
        share_of_gdp(1e12, year=2026)


def test_extrapolation_is_explicit_and_recorded():
    g = (313.689 / 236.736) ** (1 / 10)  # 2014-2024 average CPI growth
    f = _frame([2024, 2026])
    r = to_real(f, base_year=2024, extrapolate=True)
    assert r.loc[pd.Period("2026", "Y"), "mean"] == pytest.approx(20.0 / g**2)
    notes = r.attrs["notes"]
    assert len(notes) == 1 and "extrapolated" in notes[0] and "2026" in notes[0] and "2014-2024" in notes[0]
    assert f"{100 * (g - 1):.2f}%/yr" in notes[0]


def test_share_of_gdp_by_hand():
    assert share_of_gdp(600e9, year=2017) == pytest.approx(600 / 81_551.0)
    y = forecast.series("ic3")
    s = share_of_gdp(y)
    assert s["2024"] == pytest.approx(16.6e9 / 111_330.0e9)
    assert s.attrs["unit"] == "share of world GDP"
    f = share_of_gdp(_frame([2020, 2024]))
    assert f["upper_80"].tolist() == pytest.approx([15.0 / 85_577.7e9, 30.0 / 111_330.0e9])


def test_share_of_gdp_extrapolated():
    g = (111_330.0 / 79_894.4) ** (1 / 10)
    s = pd.Series([1e12], index=annual_index([2025]))
    out = share_of_gdp(s, extrapolate=True)
    assert out.iloc[0] == pytest.approx(1e12 / (111_330.0e9 * g))
    assert "World GDP extrapolated" in out.attrs["notes"][0]


def test_bad_inputs():
    with pytest.raises(DataError, match="needs year="):
        to_real(100.0)
    with pytest.raises(DataError, match="unit is 'complaints'"):
        to_real(forecast.series("ic3", column="complaints"))
    with pytest.raises(DataError, match="not a number"):
        share_of_gdp("3T", year=2020)
    with pytest.raises(DataError, match="already in real 2024 US\\$"):
        to_real(to_real(forecast.series("ic3")))
    with pytest.raises(DataError, match="whole years"):
        to_real(pd.Series([1.0], index=[2020.5]))
