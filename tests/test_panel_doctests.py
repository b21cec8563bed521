"""The Examples sections of the panel modules' docstrings run and are right."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "forecast.panel.data",
    "forecast.panel.batch",
    "forecast.panel.chunk",
    "forecast.panel.reconcile",
    "forecast.panel.scale",
    "forecast.panel.fit",
    "forecast.panel.backtest",
    "forecast.panel.contributions",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
