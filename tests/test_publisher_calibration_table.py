"""The measured coverage the report prints beside the nominal levels (forecast/published/calibration.csv)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.published._simulate import STUDY_DESIGNS, STUDY_TARGET_YEARS, study_replication
from forecast.published.calibration import COLUMNS, applies_to, coverage_range, measured_coverage

ROOT = Path(__file__).resolve().parents[1]


def _study():
    spec = importlib.util.spec_from_file_location("publisher_study", ROOT / "benchmarks" / "publisher_study.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("publisher_study", mod)
    spec.loader.exec_module(mod)
    return mod


def test_the_table_covers_every_design_year_and_level_with_binomial_standard_errors():
    t = measured_coverage()
    assert tuple(t.columns) == COLUMNS
    assert set(t["design"]) == set(STUDY_DESIGNS)
    assert set(t["year"]) == set(STUDY_TARGET_YEARS) and set(t["level"]) == {80, 95}
    assert len(t) == len(STUDY_DESIGNS) * len(STUDY_TARGET_YEARS) * 2
    p = t["coverage"] / 100
    np.testing.assert_allclose(t["se"], 100 * np.sqrt(p * (1 - p) / t["reps"]), atol=0.006)
    assert (t["method"] == "new").all() and (t["reps"] >= 1000).all()


def test_the_writer_counts_the_replications_inside():
    """calibration_table on a hand-made set of replications: coverage is the share inside, per level."""
    rows = []
    for seed in range(10):
        for year in STUDY_TARGET_YEARS:
            rows.append({"design": "specific", "seed": seed, "method": "new", "year": year, "df": 3.0, "error": "",
                         "inside_80": seed < 7, "inside_95": seed < 9, "score_95": 1.0})
    rows.append({**rows[0], "method": "old", "inside_80": False})
    t = _study().calibration_table(pd.DataFrame(rows))
    assert len(t) == 4
    got = t.set_index(["year", "level"])["coverage"]
    assert got[(2019, 80)] == pytest.approx(70.0) and got[(2029, 95)] == pytest.approx(90.0)
    assert set(t["horizon"]) == {"in the data window", "6 years after the data"}
    assert (t["seeds"] == "0-9").all()


def test_the_report_sentence_gives_the_range_of_the_table_and_only_for_the_measured_model():
    from forecast.report.sections.global_cost import _measured_coverage

    t = measured_coverage()
    text = _measured_coverage(forecast.fit_publishers())
    lo80, hi80 = t.loc[t["level"] == 80, "coverage"].agg(["min", "max"])
    lo95, hi95 = t.loc[t["level"] == 95, "coverage"].agg(["min", "max"])
    assert f"{lo80:.1f}–{hi80:.1f}% of replications at 80%" in text and f"{lo95:.1f}–{hi95:.1f}% at 95%" in text
    assert coverage_range(80)[2] == len(STUDY_DESIGNS) and f"{len(STUDY_DESIGNS)} designs" in text
    assert applies_to(forecast.fit_publishers())
    for other in ({"growth": "common"}, {"noise_pooling": "none"}, {"df": "residual"}):
        fit = forecast.fit_publishers(**other)
        assert not applies_to(fit) and _measured_coverage(fit) == ""
    with pytest.raises(ValueError, match="50%"):
        coverage_range(50)


@pytest.mark.slow
def test_the_stored_coverage_of_one_design_is_reproduced_exactly():
    """The 1000 replications of common_unequal (seeds 10000-10999) re-run with today's default give the stored
    coverage to the stored precision (the study is seeded; a change of the default model shows here)."""
    t = measured_coverage()
    stored = t[t["design"] == "common_unequal"]
    seeds = [int(s) for s in stored["seeds"].iloc[0].split("-")]
    raw = pd.concat([study_replication("common_unequal", s, methods=("new",)) for s in range(seeds[0], seeds[1] + 1)])
    assert (raw["error"] == "").all()
    for _, r in stored.iterrows():
        sub = raw[raw["year"] == r["year"]]
        assert 100 * sub[f"inside_{r['level']}"].mean() == pytest.approx(r["coverage"], abs=0.005)
