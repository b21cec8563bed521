"""One conformance test run over every registered model (a missing module fails, it is not skipped)."""

from __future__ import annotations

import importlib
import importlib.util

import numpy as np
import pandas as pd
import pytest

import forecast
import forecast.evaluate  # noqa: F401 - registers "auto"
from forecast.errors import ModelError
from forecast.intervals import validate_frame
from forecast.families import REGISTRY
from forecast.families.base import FitResult


# Every registered name is tested; none is skipped. A family whose module was renamed or removed
# must fail here, not disappear from the test run.
NAMES = list(REGISTRY)
DOCUMENTED = ["linear", "exponential", "quadratic", "logistic", "gompertz", "drift", "ets", "ets_damped", "arima",
              "auto"]


def test_every_documented_family_is_registered_and_its_module_imports():
    assert sorted(REGISTRY) == sorted(DOCUMENTED)
    for name, spec in REGISTRY.items():
        if isinstance(spec.target, str):
            module, _, attr = spec.target.partition(":")
            assert importlib.util.find_spec(module) is not None, f"{name}: module {module} not found"
        assert callable(spec.fitter()), f"{name}: {spec.target} is not callable"


@pytest.fixture(scope="module")
def series():
    # an S-shaped series (so that capacity models identify their ceiling) with 5% noise
    rng = np.random.default_rng(0)
    t = np.arange(16)
    y = pd.Series(1e9 / (1 + np.exp(-0.5 * (t - 9))) * np.exp(0.05 * rng.standard_normal(16)),
                  index=range(2006, 2022))
    y.attrs["unit"] = "USD"
    return y


@pytest.mark.parametrize("name", NAMES)
def test_model_conforms(name, series):
    res = forecast.fit(series, model=name)
    assert isinstance(res, FitResult)
    assert res.space in ("log", "level")
    assert list(res.params.columns) == ["estimate", "std_err", "identified"]
    assert isinstance(res.fitted, pd.Series) and isinstance(res.residuals, pd.Series)
    assert isinstance(res.notes, list) and all(isinstance(n, str) for n in res.notes)
    assert res.aicc is None or np.isfinite(res.aicc)
    assert res.unit == "USD" and res.last_year == 2021

    f = res.forecast(horizon=3)
    validate_frame(f)
    assert [p.year for p in f.index] == [2022, 2023, 2024]
    assert f.attrs["unit"] == "USD" and (f["model"] == res.model).all()
    g = res.forecast(until=2023, levels=(50, 90, 99))
    validate_frame(g)
    assert len(g) == 2 and "lower_99" in g.columns

    paths = res.simulate(horizon=3, n=64, seed=1)
    assert paths.shape == (3, 64)
    assert [p.year for p in paths.index] == [2022, 2023, 2024]
    assert np.isfinite(paths.to_numpy()).all() and (paths.to_numpy() >= 0).all()

    text = res.summary()
    assert isinstance(text, str) and res.model in text
    for pname, row in res.params.iterrows():
        assert str(pname) in text
        if not row["identified"]:
            assert "not identified" in text

    again = forecast.fit(series, model=name)
    pd.testing.assert_frame_equal(f, again.forecast(horizon=3))
    pd.testing.assert_frame_equal(paths, again.simulate(horizon=3, n=64, seed=1))


@pytest.mark.parametrize("name", NAMES)
def test_minimum_length(name, series):
    spec = REGISTRY[name]
    y = series.iloc[-spec.min_obs:]
    try:
        validate_frame(forecast.fit(y, model=name).forecast(horizon=2))
    except ModelError as err:  # allowed (e.g. a capacity not identified), but never the length message
        assert "at least" not in str(err)
    with pytest.raises(ModelError, match=f"at least {spec.min_obs}"):
        forecast.fit(series.iloc[-(spec.min_obs - 1):], model=name)


@pytest.mark.parametrize("module", ["forecast.families.trend", "forecast.families.drift", "forecast.families.ets",
                                    "forecast.families.arima"])
def test_docstring_examples(module):
    import doctest

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------------------------ one result protocol

@pytest.fixture(scope="module")
def publisher_fit():
    return forecast.fit_publishers()


def _results(series, publisher_fit):
    """One result of every type that forecasts: each registered family (auto included) and the multi-publisher fit."""
    out = {}
    for name in NAMES:
        try:
            out[name] = forecast.fit(series, model=name)
        except ModelError:  # a capacity not identified on this series: that family's own tests cover it
            continue
    out["publishers"] = publisher_fit
    return out


def test_every_result_type_follows_one_protocol(series, publisher_fit):
    """predictive_at (inside the data and after it), forecast, simulate and observations, the same for all."""
    results = _results(series, publisher_fit)
    assert {"exponential", "drift", "ets", "arima", "auto", "publishers"} <= set(results)
    for name, res in results.items():
        obs = res.observations()
        assert isinstance(obs, pd.Series) and isinstance(obs.index, pd.PeriodIndex), name
        first, last = int(res.first_year), int(res.last_year)
        # the multi-publisher fit's observations are the reference publisher's; its data may run later
        assert first <= int(obs.index[-1].year) <= last, name
        assert name == "publishers" or last == int(obs.index[-1].year), name
        inside = int(obs.index[-1].year)
        pred = res.predictive_at([inside, last + 1, last + 3])
        assert [p.year for p in pred.years] == [inside, last + 1, last + 3], name
        q = pred.quantiles([0.1, 0.5, 0.9])
        assert np.isfinite(q).all() and (q[0] <= q[1]).all() and (q[1] <= q[2]).all(), name
        f = res.forecast(horizon=3)
        validate_frame(f)
        future = res.predictive_at([last + 1, last + 2, last + 3])
        np.testing.assert_allclose(future.median(), f["median"].to_numpy(), rtol=1e-9, err_msg=name)
        paths = res.simulate(horizon=2, n=50, seed=3)
        assert paths.shape == (2, 50) and [p.year for p in paths.index] == [last + 1, last + 2], name
        pd.testing.assert_frame_equal(paths, res.simulate(horizon=2, n=50, seed=3))
