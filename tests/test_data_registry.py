"""The bundled datasets: schema, types, units, keys, sources, loading API."""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.data import registry
from forecast.data.registry import DATASETS, MEASURES, data_dir, datasets, load, series

NAMES = list(DATASETS)
URL = re.compile(r"^https?://[^\s|]+$")


def _urls(cell: str) -> list[str]:
    return [u.strip() for u in cell.split("|")]


# ---------------------------------------------------------------- files


@pytest.mark.parametrize("name", NAMES)
def test_file_is_utf8_csv_with_one_header_and_expected_columns(name):
    path = data_dir() / DATASETS[name].filename
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    rows = list(csv.reader(raw.decode("utf-8").splitlines()))
    assert rows[0] == list(DATASETS[name].dtypes)
    assert all(len(r) == len(rows[0]) for r in rows[1:]), "every row has every column"
    assert len(rows) - 1 == len(load(name))


@pytest.mark.parametrize("name", NAMES)
def test_types(name):
    frame = load(name)
    for col, dtype in DATASETS[name].dtypes.items():
        if dtype == "Int64":
            assert str(frame[col].dtype) == "Int64", col
        elif dtype == "float64":
            assert frame[col].dtype == np.float64, col
        else:
            assert pd.api.types.is_string_dtype(frame[col]), col


@pytest.mark.parametrize("name", NAMES)
def test_unique_keys(name):
    frame = load(name)
    key = list(DATASETS[name].key)
    dup = frame[frame.duplicated(key, keep=False)]
    assert dup.empty, dup[key]


@pytest.mark.parametrize("name", NAMES)
def test_every_row_has_a_source_url_and_a_confidence(name):
    frame = load(name)
    url_cols = [c for c in frame.columns if c.endswith("source_url")]
    assert url_cols
    for col in url_cols:
        for i, cell in frame[col].items():
            assert isinstance(cell, str), (name, col, i)
            for u in _urls(cell):
                assert URL.match(u), (name, col, i, u)
    assert set(frame["confidence"]) <= {"high", "medium"}


@pytest.mark.parametrize("name", NAMES)
def test_money_columns_are_positive_or_missing(name):
    frame = load(name)
    for col in frame.columns:
        if col.endswith("_usd") or col.endswith("_usd_bn"):
            vals = frame[col].dropna()
            assert (vals >= 0).all(), col
            assert np.isfinite(vals).all(), col


# ---------------------------------------------------------------- global estimates


def test_global_estimates_schema_and_vocabulary():
    g = load("global_estimates")
    assert len(g) == 47
    assert set(g["kind"]) == {"estimate", "forecast"}
    assert set(g["measure"]) <= set(MEASURES)
    assert g["id"].str.match(r"^[a-z0-9-]+$").all()
    # single-year figures: target = first = last; multi-year totals: target empty, first < last
    single = g["target_year"].notna()
    assert (g.loc[single, "first_year"] == g.loc[single, "target_year"]).all()
    assert (g.loc[single, "last_year"] == g.loc[single, "target_year"]).all()
    multi = g[~single]
    assert (multi["first_year"] < multi["last_year"]).all()
    assert set(multi["measure"]) <= {"cumulative_total", "no_headline_figure"}


def test_kind_follows_the_years():
    """forecast when the period ends after the publication year, estimate when before;
    a figure for the publication year itself is decided per row and the note says why."""
    g = load("global_estimates")
    after = g["last_year"] > g["published_year"]
    before = g["last_year"] < g["published_year"]
    same = g["last_year"] == g["published_year"]
    assert (g.loc[after, "kind"] == "forecast").all()
    assert (g.loc[before, "kind"] == "estimate").all()
    assert same.sum() == 7
    for _, row in g[same].iterrows():
        assert "Same year as" in row["note"] and f"kind = {row['kind']}" in row["note"], row["id"]


def test_ranges_are_ordered():
    g = load("global_estimates")
    lo, pt, hi = g["low_usd_bn"], g["point_usd_bn"], g["high_usd_bn"]
    assert ((lo <= pt) | lo.isna() | pt.isna()).all()
    assert ((pt <= hi) | pt.isna() | hi.isna()).all()
    assert ((lo < hi) | lo.isna() | hi.isna()).all()
    # every row with a global figure has a point or a range; the others say why not
    has = pt.notna() | (lo.notna() & hi.notna())
    assert set(g.loc[~has, "measure"]) == {"per_breach_cost", "no_headline_figure"}


def test_publisher_groups():
    g = load("global_estimates").set_index("id")
    assert g.loc["mcafee-2009", "publisher"] == "McAfee"
    assert (g.loc[g.index.str.startswith("csis-mcafee"), "publisher"] == "CSIS/McAfee").all()
    assert set(g.loc[g.index.str.startswith("statista"), "publisher"]) == {"Statista"}
    assert (g["publisher"] == "Statista").sum() == 10
    assert (g["publisher"] == "Cybersecurity Ventures").sum() == 6
    assert {"Juniper Research", "McKinsey/WEF", "Russian MFA"} <= set(g["publisher"])


def test_likely_origins_point_at_rows_and_are_marked_as_inference():
    g = load("global_estimates").set_index("id")
    ids = set(g.index)
    for rid, cell in g["likely_origin"].dropna().items():
        for origin in cell.split(";"):
            assert (origin in ids or origin == "unnamed-sources") and origin != rid, (rid, origin)
        assert "inference" in g.loc[rid, "note"] or "same publisher" in g.loc[rid, "note"], rid
    # the 2018 Russian MFA statement traced as in SOURCES.md
    assert g.loc["russian-mfa-2018-2019", "likely_origin"] == "juniper-2015"
    assert g.loc["russian-mfa-2018-2020", "likely_origin"] == "mckinsey-wef-2014"
    assert g.loc["russian-mfa-2018-2016", "likely_origin"] == "csis-mcafee-2014"
    assert g.loc["russian-mfa-2018-2019", ["point_usd_bn", "target_year"]].tolist() == [2000.0, 2019]
    assert g.loc["russian-mfa-2018-2020", ["point_usd_bn", "target_year"]].tolist() == [3000.0, 2020]
    # the origins are what they are said to be
    assert g.loc["juniper-2015", "point_usd_bn"] == 2100.0 and g.loc["juniper-2015", "target_year"] == 2019
    assert g.loc["mckinsey-wef-2014", "measure"] == "scenario_impact"
    assert g.loc["csis-mcafee-2014", "point_usd_bn"] == 445.0
    # Cybersecurity Ventures' $3T for 2015 is the WEF's figure, borrowed; the Russian $2.5T/2019 and $8T/2022
    # relay Sberbank's figures; WEF/Marsh's $1T relays unnamed sources
    assert g.loc["cv-2016-2015", "likely_origin"] == "mckinsey-wef-2014"
    assert g.loc["russian-mfa-2020-2019", "likely_origin"] == "sberbank-2019-2019"
    assert g.loc["russian-government-2019", "likely_origin"] == "sberbank-2019-2019"
    assert g.loc["russian-mfa-2020-2022", "likely_origin"] == "sberbank-2019"
    assert g.loc["sberbank-2019-2019", ["point_usd_bn", "target_year", "source_url"]].tolist() == [
        2500.0, 2019, "https://tass.com/economy/1064627"]
    assert g.loc["sberbank-2019", "low_usd_bn"] == 8000.0
    assert g.loc["wef-marsh-2018", "likely_origin"] == "unnamed-sources"


def test_headline_figures_from_sources():
    g = load("global_estimates").set_index("id")
    assert g.loc["csis-mcafee-2014", ["low_usd_bn", "point_usd_bn", "high_usd_bn"]].tolist() == [375.0, 445.0, 575.0]
    assert g.loc["csis-mcafee-2018", ["low_usd_bn", "high_usd_bn"]].tolist() == [445.0, 608.0]
    assert "2016" in g.loc["csis-mcafee-2018", "note"] and "$345-445bn" in g.loc["csis-mcafee-2018", "note"]
    assert g.loc["statista-2024-2028", "point_usd_bn"] == 13820.0
    assert "28 Feb 2024" in g.loc["statista-2024-2028", "publication"]
    assert g.loc["cv-2020-2025", "point_usd_bn"] == 10500.0
    # CV's 2025 figure is its 2021 figure compounded at the stated 15%/yr
    assert g.loc["cv-2020-2021", "point_usd_bn"] * 1.15 ** 4 == pytest.approx(10500, rel=0.01)
    assert g.loc["juniper-2017", "measure"] == "cumulative_total"
    assert (g.loc["juniper-2017", "first_year"], g.loc["juniper-2017", "last_year"]) == (2017, 2022)
    assert g.loc["bromium-2018", "measure"] == "criminal_revenue"
    assert g.loc["rand-2018", "measure"] == "direct_gdp_cost"


def test_measures_are_documented():
    readme = (registry.data_dir() / "README.md").read_text(encoding="utf-8")
    for m, meaning in MEASURES.items():
        assert meaning and "\n" not in meaning
        assert f"`{m}`" in readme, m


# ---------------------------------------------------------------- IC3 and macro


def test_ic3_years_and_the_2010_gap():
    ic3 = load("ic3")
    assert ic3["year"].tolist() == list(range(2001, 2025))
    assert ic3["complaints"].notna().all()
    assert ic3["losses_usd"].isna().tolist() == [y == 2010 for y in range(2001, 2025)]
    revised = ic3.dropna(subset=["revised_losses_usd"]).set_index("year")["revised_losses_usd"]
    assert revised.to_dict() == {2012: 581_000_000.0, 2016: 1_450_700_000.0}


def test_ic3_units_are_full_dollars():
    ic3 = load("ic3").set_index("year")
    assert ic3.loc[2001, "losses_usd"] == 17_800_000
    assert ic3.loc[2024, "losses_usd"] == 16_600_000_000
    assert ic3["losses_usd"].dropna().between(1e7, 1e11).all()


def test_macro_units():
    m = load("macro").set_index("year")
    assert m.index.tolist() == list(range(2000, 2025))
    assert m["world_gdp_usd_bn"].between(30_000, 120_000).all()  # US$ bn, i.e. $30T-$120T
    assert m["us_cpi_u"].is_monotonic_increasing is False  # 2009 deflation is kept, not smoothed
    assert m.loc[2024, "us_cpi_u"] == 313.689
    assert m["us_cpi_u"].between(150, 350).all()


def test_state_table_regions():
    s = load("ic3_by_state")
    assert set(s["region_type"]) == {"state", "district", "territory"}
    per_year = s[s.region_type == "state"].groupby("year").size()
    assert (per_year == 50).all()


# ---------------------------------------------------------------- API


def test_datasets_listing():
    d = datasets()
    assert list(d.columns) == ["name", "description", "rows", "years"]
    assert set(d["name"]) == set(NAMES)
    assert {"global_estimates", "ic3", "ic3_by_crime_type", "ic3_by_state", "macro"} <= set(d["name"])
    assert all("\n" not in s and len(s) < 150 for s in d["description"])
    assert d.set_index("name").loc["ic3", "years"] == "2001-2024"
    assert forecast.datasets is datasets or forecast.datasets.__name__ == "datasets"


def test_load_returns_copies():
    a = load("ic3")
    a.loc[0, "complaints"] = -1
    assert load("ic3").loc[0, "complaints"] == 49711


def test_unknown_dataset_lists_names():
    with pytest.raises(forecast.DataError, match="unknown dataset 'nope'.*global_estimates.*macro"):
        load("nope")
    with pytest.raises(forecast.DataError, match="unknown dataset"):
        series("nope")


def _check_annual(y: pd.Series, unit: str) -> None:
    assert isinstance(y.index, pd.PeriodIndex)
    assert y.index.freqstr == "Y-DEC"
    assert y.index.name == "year"
    assert y.dtype == np.float64
    assert y.index.is_monotonic_increasing and y.index.is_unique
    assert y.attrs["unit"] == unit
    assert y.attrs["name"] and y.attrs["source"]


def test_series_ic3_first_reported_and_revised():
    y = series("ic3")
    _check_annual(y, "USD")
    years = [p.year for p in y.index]
    assert years == [yr for yr in range(2001, 2025) if yr != 2010]
    assert y.attrs["gaps"] == [2010]
    assert y["2016"] == 1.33e9 and y["2012"] == 525_441_110
    r = series("ic3", revised=True)
    _check_annual(r, "USD")
    assert r["2016"] == 1_450_700_000 and r["2012"] == 581_000_000
    assert (r.drop([pd.Period("2012", "Y"), pd.Period("2016", "Y")]) == y.drop([pd.Period("2012", "Y"), pd.Period("2016", "Y")])).all()


def test_series_ic3_complaints():
    c = series("ic3", column="complaints")
    _check_annual(c, "complaints")
    assert len(c) == 24 and c["2010"] == 303_809


def test_series_by_crime_type_sums_canonical_labels():
    bec = series("ic3_by_crime_type", crime_type="BEC")
    _check_annual(bec, "USD")
    assert [p.year for p in bec.index] == list(range(2015, 2025))
    assert bec["2015"] == 246_226_016  # "Business Email Compromise"
    assert bec["2021"] == 2_395_953_296  # "BEC/EAC"
    malware = series("ic3_by_crime_type", crime_type="Malware")
    full = load("ic3_by_crime_type")
    m2015 = full[(full.year == 2015) & full.crime_type.isin(["Malware/Scareware", "Virus"])]["losses_usd"].sum()
    assert malware["2015"] == m2015 == 2_912_628 + 1_230_812
    spoof = series("ic3_by_crime_type", crime_type="Spoofing")
    assert [p.year for p in spoof.index] == list(range(2018, 2023))
    with pytest.raises(forecast.DataError, match="no canonical_type 'Bitcoin'.*BEC"):
        series("ic3_by_crime_type", crime_type="Bitcoin")
    with pytest.raises(forecast.DataError, match="crime_type="):
        series("ic3_by_crime_type")


def test_series_by_state():
    ca = series("ic3_by_state", state="California")
    _check_annual(ca, "USD")
    assert len(ca) == 10
    s = load("ic3_by_state")
    assert ca["2024"] == s[(s.year == 2024) & (s.state == "California")]["losses_usd"].item()
    comp = series("ic3_by_state", state="California", column="complaints")
    assert comp.attrs["unit"] == "complaints"
    pr = series("ic3_by_state", state="Puerto Rico")
    assert pr.index[0].year == 2016  # territories from 2016
    with pytest.raises(forecast.DataError, match="no state 'Atlantis'"):
        series("ic3_by_state", state="Atlantis")


def test_series_macro():
    gdp = series("world_gdp")
    _check_annual(gdp, "USD")
    assert gdp["2023"] == pytest.approx(105_435.0e9)
    cpi = series("us_cpi")
    _check_annual(cpi, "index 1982-84=100")
    assert cpi["2024"] == 313.689 and len(cpi) == 25


def test_series_without_a_single_series():
    with pytest.raises(forecast.DataError, match="load\\('global_estimates'\\)"):
        series("global_estimates")
    with pytest.raises(forecast.DataError, match="world_gdp"):
        series("macro")
    with pytest.raises(forecast.DataError, match="column 'victims'"):
        series("ic3", column="victims")


@pytest.mark.parametrize("name", NAMES)
def test_every_url_has_a_well_formed_host(name):
    # e.g. "https://ojp.gov./ncjrs/..." (a trailing dot) once slipped through the pattern above
    from urllib.parse import urlsplit

    frame = load(name)
    host = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
    for col in [c for c in frame.columns if c.endswith("source_url")]:
        for i, cell in frame[col].dropna().items():
            for u in _urls(cell):
                parts = urlsplit(u)
                assert host.match(parts.hostname or ""), (name, col, i, u)


IC3_TABLES = ["ic3", "ic3_by_crime_type", "ic3_crime_type_headlines", "ic3_by_state"]


@pytest.mark.parametrize("name", IC3_TABLES)
def test_every_ic3_row_names_the_fbi_annual_report_of_its_year(name):
    # the primary source is the FBI's own annual report of the row's year; source_url keeps
    # the copy (press release, coverage, transcription) the figure was read from
    frame = load(name)
    assert list(frame.columns).index("primary_source") == list(frame.columns).index("source_url") - 1
    for i, row in frame.iterrows():
        year = int(row["year"])
        primary = row["primary_source"]
        assert isinstance(primary, str), (name, i)
        if year >= 2005:
            assert primary.startswith(f"FBI IC3 {year} Internet Crime Report"), (name, i, primary)
        else:  # the IFCC / early IC3 reports had other titles
            assert re.match(rf"^(IFCC|IC3) {year} Internet Fraud", primary), (name, i, primary)
        assert row["source_url"] != primary


def test_state_and_crime_type_rows_name_their_table():
    assert load("ic3_by_state")["primary_source"].str.endswith("by state").all()
    assert load("ic3_by_crime_type")["primary_source"].str.contains("crime types").all()
