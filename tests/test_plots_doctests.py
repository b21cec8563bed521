"""The Examples sections of the chart modules' docstrings run and are right."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["forecast.plots.style", "forecast.plots.diagnostics"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
