"""Property-based tests: any positive series (gaps, extreme magnitudes) gives a sane forecast or a typed error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forecast
from forecast.errors import ForecastError
from forecast.intervals import validate_frame

MODELS = ["linear", "exponential", "quadratic", "drift", "ets", "ets_damped", "arima"]


@st.composite
def positive_series(draw, min_len: int = 5, max_len: int = 20):
    n = draw(st.integers(min_len, max_len))
    years = sorted(draw(st.lists(st.integers(1980, 2040), min_size=n, max_size=n, unique=True)))
    scale = draw(st.sampled_from(["tiny", "huge", "mixed", "smooth"]))
    if scale == "smooth":  # a growth curve with small noise around a random magnitude
        start = draw(st.floats(-6.9, 29.9))
        rate = draw(st.floats(-0.5, 0.8))
        noise = draw(st.lists(st.floats(-0.3, 0.3), min_size=n, max_size=n))
        logs = [start + rate * (yr - years[0]) + e for yr, e in zip(years, noise)]
    else:
        lo, hi = {"tiny": (-6.9, -2.0), "huge": (25.0, 29.9), "mixed": (-6.9, 29.9)}[scale]
        logs = draw(st.lists(st.floats(lo, hi), min_size=n, max_size=n))
    return pd.Series(np.exp(np.asarray(logs, dtype=float)), index=years)


@pytest.mark.parametrize("name", MODELS)
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(y=positive_series())
def test_forecast_is_finite_and_nested_or_typed_error(name, y):
    try:
        res = forecast.fit(y, model=name, **({"n_draws": 500} if name in ("ets", "ets_damped", "arima") else {}))
        frame = res.forecast(horizon=4)
        paths = res.simulate(horizon=4, n=20, seed=0)
    except ForecastError:
        return
    validate_frame(frame)  # finite, positive, lower_95 <= lower_80 <= median <= upper_80 <= upper_95
    assert np.isfinite(paths.to_numpy()).all()
    assert res.params["estimate"][res.params["identified"]].map(np.isfinite).all()
