"""The public names of ``forecast`` stay what they are, whatever was imported first."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pandas as pd
import pytest

import forecast


def test_every_submodule_import_leaves_the_public_functions_callable():
    for mod in pkgutil.walk_packages(forecast.__path__, "forecast."):
        if mod.name.endswith("__main__"):
            continue
        importlib.import_module(mod.name)
    assert isinstance(forecast.models(), pd.DataFrame)
    assert isinstance(forecast.claims(), pd.DataFrame)
    for name in forecast.__all__:
        assert getattr(forecast, name) is not None


def test_import_forecast_is_light():
    code = ("import sys, forecast; heavy = [m for m in ('pandas', 'statsmodels', 'matplotlib', 'scipy', 'typst') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_unknown_model_option_is_a_model_error():
    y = pd.Series([1.0, 1.5, 2.2, 3.1, 4.0, 5.8], index=range(2015, 2021))
    with pytest.raises(forecast.ModelError, match="model 'drift' has no option 'foo'"):
        forecast.fit(y, model="drift", foo=1)
