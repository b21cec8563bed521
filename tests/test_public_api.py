"""The public names of ``forecast``: what they are, what they return, whatever was imported first."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import forecast
from forecast import _LAZY

ROOT = Path(__file__).resolve().parents[1]
MODULES = ("plots", "report")  # forecast.report is also callable: forecast.report("out.pdf", ...)
FUNCTIONS = sorted(n for n, m in _LAZY.items() if n not in MODULES)
ERRORS = ["ClaimError", "DataError", "ModelError", "MoneyError", "ReportError"]


def test_every_submodule_import_leaves_the_public_names_bound_to_their_modules():
    for mod in pkgutil.walk_packages(forecast.__path__, "forecast."):
        if mod.name.endswith("__main__"):
            continue
        importlib.import_module(mod.name)
    assert sorted(forecast.__all__) == sorted([*ERRORS, "ForecastError", "__version__", *_LAZY])
    for name in FUNCTIONS:
        obj = getattr(forecast, name)
        # the very function of the module that defines it, not a shadow left by a submodule import
        assert obj is getattr(importlib.import_module(_LAZY[name]), name)
        assert inspect.isfunction(obj) and obj.__module__.startswith(_LAZY[name])
    assert forecast.plots is importlib.import_module("forecast.plots")
    assert forecast.report is importlib.import_module("forecast.report") and callable(forecast.report)
    doc = inspect.getdoc(forecast.report.report) or ""
    assert "Parameters" in doc and ">>>" in doc
    for name in ERRORS:
        assert issubclass(getattr(forecast, name), forecast.ForecastError)
    assert issubclass(forecast.ForecastError, Exception)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_functions_document_parameters_and_an_example(name):
    doc = inspect.getdoc(getattr(forecast, name)) or ""
    assert "Examples" in doc and ">>>" in doc, f"{name}: no example"
    if inspect.signature(getattr(forecast, name)).parameters:
        assert "Parameters" in doc, f"{name}: parameters not documented"


def test_version_is_the_package_version():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert forecast.__version__ == meta["project"]["version"]


def test_catalogue_functions_return_their_documented_content():
    models = forecast.models()
    assert list(models.columns) == ["model", "description", "min_obs", "consecutive"]
    assert {"exponential", "logistic", "drift", "ets", "arima", "auto"} <= set(models["model"])
    assert (models["min_obs"] >= 3).all() and models["description"].str.len().gt(10).all()
    sets = forecast.datasets()
    assert set(sets["name"]) == {"global_estimates", "ic3", "ic3_by_crime_type", "ic3_crime_type_headlines",
                                 "ic3_by_state", "macro"}
    assert sets.set_index("name").loc["ic3", "years"] == "2001-2024"
    claims = forecast.claims()
    assert {"russian-mfa-2018-2019", "russian-mfa-2018-2020"} <= set(claims["id"])
    row = claims.set_index("id").loc["russian-mfa-2018-2019"]
    assert row["value_usd"] == 2e12 and row["target_year"] == 2019


def test_money_and_data_functions_give_known_values():
    assert forecast.parse_money("$2.1 trillion") == 2.1e12
    assert forecast.format_money(16.6e9) == "$16.6bn"
    y = forecast.series("ic3")
    assert y.attrs["unit"] == "USD" and y[pd.Period("2024", "Y")] == 16.6e9
    # CPI-U: 2024 dollars are 2024 dollars; world GDP 2024 is $111.33T in the bundled data
    assert forecast.to_real(1e9, year=2024, base_year=2024) == pytest.approx(1e9)
    assert forecast.share_of_gdp(111.33e9, year=2024) == pytest.approx(1e-3, rel=1e-3)


def test_import_forecast_is_light():
    code = ("import sys, forecast; heavy = [m for m in ('pandas', 'statsmodels', 'matplotlib', 'scipy', 'typst') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_unknown_model_option_is_a_model_error():
    y = pd.Series([1.0, 1.5, 2.2, 3.1, 4.0, 5.8], index=range(2015, 2021))
    with pytest.raises(forecast.ModelError, match="model 'drift' has no option 'foo'"):
        forecast.fit(y, model="drift", foo=1)
