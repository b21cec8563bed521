"""Cross-checks between figures: the data reproduces totals its sources state."""

from __future__ import annotations

import pandas as pd
import pytest

from forecast.data.registry import load, series
from forecast.data.scale import share_of_gdp

# IC3's own five-year totals (US$ bn) quoted in its reports, rounded as stated
IC3_FIVE_YEAR_TOTALS = {
    (2013, 2017): "5.52",
    (2014, 2018): "7.45",
    (2016, 2020): "13.3",
    (2019, 2023): "37.4",
    (2020, 2024): "50.5",
}


@pytest.mark.parametrize(("period", "stated"), IC3_FIVE_YEAR_TOTALS.items())
def test_ic3_five_year_totals(period, stated):
    """The table, with revised values where they exist, rounds to IC3's stated totals.

    (The 2015 figure, ~$1.07bn, is itself inferred from two of these totals, so
    for 2013-17 and 2014-18 this is a consistency check rather than an
    independent one; the 2016-20, 2019-23 and 2020-24 totals are independent.)
    """
    y = series("ic3", revised=True)
    first, last = period
    total_bn = sum(y[str(yr)] for yr in range(first, last + 1)) / 1e9
    decimals = len(stated.split(".")[1])
    assert f"{total_bn:.{decimals}f}" == stated, (period, total_bn)


def test_ic3_five_year_totals_fail_with_first_reported_2016():
    """The 2016 revision matters: without it 2016-20 would not reproduce $13.3bn."""
    y = series("ic3")
    total = sum(y[str(yr)] for yr in range(2016, 2021)) / 1e9
    assert f"{total:.1f}" != "13.3"


def test_ic3_complaints_2020_2024_total():
    c = series("ic3", column="complaints")
    total = sum(c[str(yr)] for yr in range(2020, 2025))
    assert total == 4_180_060
    assert f"{total / 1e6:.1f}" == "4.2"  # IC3: 4.2 million complaints in five years


# share of the national total covered by the state and crime-type tables (SOURCES.md section 9)
PARTS = {
    2015: (0.899, 1.240), 2016: (1.104, 1.596), 2017: (1.272, 1.758), 2018: (2.416, 3.416),
    2019: (3.081, 4.384), 2020: (3.779, 5.046), 2021: (6.117, 7.810), 2022: (9.516, 10.931),
    2023: (10.924, 12.347), 2024: (13.658, 16.088),
}


@pytest.mark.parametrize(("year", "sums"), PARTS.items())
def test_state_and_type_sums(year, sums):
    states = load("ic3_by_state")
    types = load("ic3_by_crime_type")
    s = states.loc[states.year == year, "losses_usd"].sum() / 1e9
    t = types.loc[types.year == year, "losses_usd"].sum() / 1e9
    assert (round(s, 3), round(t, 3)) == sums
    national = series("ic3")[str(year)] / 1e9
    assert 0.80 < s / national < 0.93  # states cover only complaints that gave a US state
    assert 0.95 < t / national < 1.30  # one complaint may have several crime types


# partial headline file vs the full tables: known differences
# (year, canonical type) -> why the headline differs by more than 1%
HEADLINE_LOWER_BOUNDS = {
    (2018, "BEC"): "'over $1.2 billion' vs $1,297,803,489 in the table",
    (2019, "BEC"): "'$1.7 billion' vs $1,776,549,688 in the table",
    (2022, "BEC"): "'over $2.7 billion' vs $2,742,354,049",
    (2023, "BEC"): "'over $2.9 billion' vs $2,946,830,270",
}
HEADLINE_TO_CANONICAL = {
    "Business email compromise / email account compromise (BEC/EAC)": "BEC",
    "Confidence fraud / romance": "Romance",
    "Non-payment / non-delivery": "Non-Payment/Non-Delivery",
    "Investment": "Investment",
    "Personal data breach": "Personal Data Breach",
    "Ransomware": "Ransomware",
    "Tech support": "Tech Support",
    "Extortion": "Extortion",
    "Real estate / rental": "Real estate",
    "Identity theft": "Identity Theft",
}


def test_headlines_agree_with_full_tables():
    """Press headlines (rounded) agree with the full report tables within 1%, except
    four BEC figures quoted as rounded-down lower bounds ("over $X"), which lie
    2-8% below the table; complaint counts are equal except 2024 ransomware
    ("more than 3,100" vs 3,156)."""
    full = load("ic3_by_crime_type")
    heads = load("ic3_crime_type_headlines")
    seen_exceptions = set()
    for _, h in heads.iterrows():
        canon = HEADLINE_TO_CANONICAL[h.crime_type]
        rows = full[(full.year == h.year) & (full.canonical_type == canon)]
        assert len(rows) == 1, (h.year, canon)
        table = rows.iloc[0]
        rel = h.losses_usd / table.losses_usd - 1
        if (h.year, canon) in HEADLINE_LOWER_BOUNDS:
            seen_exceptions.add((h.year, canon))
            assert -0.08 < rel < -0.01, (h.year, canon, rel)
        else:
            assert abs(rel) < 0.01, (h.year, canon, rel)
        if pd.notna(h.complaints):
            if (h.year, canon) == (2024, "Ransomware"):
                assert h.complaints <= table.victims
            else:
                assert h.complaints == table.victims, (h.year, canon)
    assert seen_exceptions == set(HEADLINE_LOWER_BOUNDS)


def test_canonical_mapping_covers_label_changes():
    full = load("ic3_by_crime_type")
    canon = full.groupby("canonical_type")["crime_type"].agg(lambda s: set(s))
    assert canon["BEC"] == {"Business Email Compromise", "BEC/EAC", "BEC"}
    assert canon["Romance"] == {"Confidence Fraud/Romance", "Confidence/Romance"}
    assert canon["Phishing"] == {"Phishing/Vishing/Smishing/Pharming", "Phishing", "Phishing/Spoofing"}
    assert canon["Data breach (business)"] == {"Corporate Data Breach", "Data Breach"}
    assert canon["Harassment/threats"] == {
        "Harassment/Threats of Violence", "Terrorism", "Terrorism/Threats of Violence",
        "Harassment/Stalking", "Threats of Violence"}
    # every canonical type that lasts is present once a year at most per label
    assert not full.duplicated(["year", "crime_type"]).any()
    # BEC is reported every year 2015-2024 under one of its labels
    assert sorted(full.loc[full.canonical_type == "BEC", "year"].tolist()) == list(range(2015, 2025))


def test_csis_share_of_gdp_is_what_csis_says():
    """CSIS 2018: 'almost $600bn, 0.8% of global GDP' for 2017; CSIS 2014: 0.5-0.8%
    for $445bn (2013). The bundled GDP gives 0.74% and 0.57%."""
    g = load("global_estimates").set_index("id")
    share_2017 = share_of_gdp(g.loc["csis-mcafee-2018", "high_usd_bn"] * 1e9, year=2017)
    assert 0.007 < share_2017 < 0.0085
    share_2013 = share_of_gdp(g.loc["csis-mcafee-2014", "point_usd_bn"] * 1e9, year=2013)
    assert 0.005 <= share_2013 <= 0.008


def test_cpi_growth_is_plausible():
    cpi = series("us_cpi")
    growth = cpi.pct_change().dropna()
    assert growth.between(-0.01, 0.09).all()  # 2009: -0.4%, 2022: +8.0%
    assert growth["2022"] == pytest.approx(292.655 / 270.970 - 1)
    gdp = series("world_gdp")
    assert gdp.pct_change().dropna().between(-0.07, 0.14).all()
