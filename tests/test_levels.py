"""Interval levels given as fractions (0.8 for 80) are refused everywhere, with "did you mean 80?"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.cli import main
from forecast.errors import ForecastError
from forecast.intervals import Predictive, check_levels, year_index

Y = pd.Series(np.exp(np.linspace(0.0, 2.0, 12) + 0.1 * np.sin(np.arange(12))), index=range(2010, 2022))


@pytest.mark.parametrize(("levels", "meant"), [((0.8, 0.95), "80"), ((0.5,), "50"), ((80, 0.95), "95"),
                                              (("0.9",), "90")])
def test_fractions_are_refused_with_the_percent_meant(levels, meant):
    with pytest.raises(ForecastError, match=rf"at or below 1: levels are in percent; did you mean {meant}\?"):
        check_levels(levels)


def test_a_level_of_one_is_refused_and_percent_levels_pass():
    with pytest.raises(ForecastError, match="at or below 1"):
        check_levels([1])
    assert check_levels([95, 80, 1.5, 99.5]) == (1.5, 80, 95, 99.5)
    for bad in (80, "80,95", [True]):
        with pytest.raises(ForecastError):
            check_levels(bad)


ENTRY_POINTS = {
    "FitResult.forecast": lambda: forecast.fit(Y, model="exponential").forecast(horizon=2, levels=(0.8, 0.95)),
    "FitResult.plot": lambda: forecast.fit(Y, model="exponential").plot(horizon=2, levels=(0.8,)),
    "Predictive.to_frame": lambda: Predictive(year_index([2030]), loc=np.array([0.0]),
                                              scale=np.array([1.0])).to_frame(levels=(0.8,)),
    "auto": lambda: forecast.fit(Y, model="auto", candidates=["drift", "exponential"]).forecast(
        horizon=2, levels=[0.95]),
    "backtest": lambda: forecast.backtest(Y, models=["drift"], horizon=1, levels=(0.8, 0.95)),
    "fit_publishers": lambda: forecast.fit_publishers().forecast(until=2030, levels=(0.8, 0.95)),
    "fit_panel": lambda: forecast.fit_panel("ic3_by_state", model="drift").forecast(horizon=1, levels=(0.8, 0.95)),
    "backtest_panel": lambda: forecast.backtest_panel("ic3_by_state", model="drift", origins=[2023], horizon=1,
                                                      levels=(0.9,)),
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_every_python_entry_point_refuses_fractions(entry):
    """The frame a fraction would have produced is a 0.8% interval labelled lower_0.8: never returned."""
    with pytest.raises(ForecastError, match="did you mean"):
        ENTRY_POINTS[entry]()


@pytest.mark.parametrize("command", ["predict", "backtest", "panel"])
def test_command_line_refuses_fractions(capsys, command):
    source = ["--dataset", "ic3_by_state"] if command == "panel" else ["--dataset", "ic3"]
    code = main([command, *source, "--levels", "0.8,0.95", "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "interval level 0.8" in err and "did you mean 80?" in err
