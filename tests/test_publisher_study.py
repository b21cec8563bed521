"""The calibration study of the multi-publisher model (benchmarks/publisher_study.py), small and seeded."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.published._simulate import STUDY_DESIGNS, STUDY_TARGET_YEARS, study_data, study_replication


def test_study_data_follow_the_design():
    df, new = study_data("specific", 3)
    assert df.groupby("publisher").size().to_dict() == {"O1": 1, "O2": 1, "O3": 1, "R": 4, "S": 5}
    r = df[df["publisher"] == "R"]
    # the reference publisher's ranges are 90% intervals of sd 0.2 around its figures
    sd = (np.log(r["high_usd_bn"]) - np.log(r["low_usd_bn"])) / (2 * 1.6448536269514722)
    np.testing.assert_allclose(sd, 0.2)
    assert df.loc[df["publisher"] != "R", "low_usd_bn"].isna().all()
    assert new.shape == (len(STUDY_TARGET_YEARS),) and set(STUDY_DESIGNS) == {
        "common_unequal", "common_equal", "specific", "specific_bundled_ranges"}


@pytest.mark.slow
def test_new_reference_figures_are_covered_on_a_small_replication_count():
    """30 replications of the publisher-specific design: the 95% interval of a new reference figure covers
    at least 85% (nominal 95; the Monte Carlo sd of 30 replications is about 4 points) and the 80% interval
    between 60% and 97%; the old method's mean interval score is larger."""
    rows = [study_replication("specific", seed, methods=("old", "new")) for seed in range(30)]
    import pandas as pd

    raw = pd.concat(rows, ignore_index=True)
    assert (raw["error"] == "").all()
    new = raw[raw["method"] == "new"]
    assert new["inside_95"].mean() >= 0.85
    assert 0.60 <= new["inside_80"].mean() <= 0.97
    old = raw[raw["method"] == "old"]
    assert new["score_95"].mean() < old["score_95"].mean()
