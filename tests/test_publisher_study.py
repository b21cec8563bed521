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
        "common_unequal", "common_equal", "specific", "specific_bundled_ranges", "specific_mild", "specific_mid",
        "three_growths"}


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


@pytest.mark.parametrize("design", ["common_unequal", "specific_bundled_ranges", "three_growths"])
def test_oracle_is_weighted_least_squares_with_the_true_weights(design):
    """The study's `oracle` reference against statsmodels' WLS with the true noise and range variances as weights
    and the scale fixed at 1 (known variances): same point forecast, same predictive sd."""
    import statsmodels.api as sm

    from forecast.published._simulate import STUDY_RANGE_SD, _oracle_predictive

    spec = STUDY_DESIGNS[design]
    df, _ = study_data(design, 11)
    loc, scale, g_err, g_se = _oracle_predictive(df, design)
    # by hand: drop the one-figure publishers whose growth group has no publisher with two figures
    multi = {p for p, n in df.groupby("publisher")["target_year"].nunique().items() if n >= 2}
    rates = {spec["growth"][p] for p in multi}
    d = df[df["publisher"].map(lambda p: spec["growth"][p] in rates)]
    t = d["target_year"].to_numpy(dtype=float) - 2017.0
    X = {"level": np.ones(len(d))}
    for p in sorted(set(d["publisher"]) - {"R"}):
        X[f"offset {p}"] = (d["publisher"] == p).to_numpy(dtype=float)
    for g in sorted(rates, key=lambda g: g != spec["growth"]["R"]):
        X[f"growth {g:.3f}"] = t * (d["publisher"].map(spec["growth"]) == g).to_numpy()
    import pandas as pd

    X = pd.DataFrame(X)
    rs = ((np.log(d["high_usd_bn"]) - np.log(d["low_usd_bn"])) / 3.2897072539029444).fillna(0.0).to_numpy()
    w = 1.0 / (d["publisher"].map(spec["noise"]).to_numpy() ** 2 + rs**2)
    res = sm.WLS(np.log(d["point_usd_bn"].to_numpy() * 1e9), X, weights=w).fit()
    cov = res.cov_params(scale=1.0).to_numpy()
    tn = np.array(STUDY_TARGET_YEARS) - 2017.0
    Xn = np.zeros((len(tn), X.shape[1]))
    Xn[:, 0] = 1.0
    Xn[:, list(X.columns).index(f"growth {spec['growth']['R']:.3f}")] = tn
    range_var = (np.mean(np.square(spec["range_sd"])) if spec.get("range_sd")
                 else spec.get("ranges", STUDY_RANGE_SD)["R"] ** 2)
    np.testing.assert_allclose(loc, Xn @ res.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(scale**2, np.einsum("ij,jk,ik->i", Xn, cov, Xn) + spec["noise"]["R"] ** 2 + range_var,
                               rtol=1e-10)
    j = list(X.columns).index(f"growth {spec['growth']['R']:.3f}")
    assert g_err == pytest.approx(res.params.iloc[j] - spec["growth"]["R"], rel=1e-9)
    assert g_se == pytest.approx(np.sqrt(cov[j, j]), rel=1e-9)
