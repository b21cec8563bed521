"""Every module's examples run and are right (the package-wide doctest run).

Examples that need a long fit, a PDF build or a Dask cluster carry
``# doctest: +SKIP``; each module with such lines is listed below with the
reason, so a skip is a decision, never a silent default. A module that gains a
skip without a reason here fails this test.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re

import pytest

import forecast

#: Modules whose examples include skipped lines, and why.
SKIP_REASONS = {
    "forecast": "the package docstring sketches a whole fit and forecast; each step runs in its own module",
    "forecast.cli": "main() prints to the terminal; the CLI tests run every command",
    "forecast.evaluate.auto": "auto on IC3 runs its whole backtest (seconds); tests/test_auto.py checks it",
    "forecast.families": "fit() of every family is run by the conformance test",
    "forecast.families._curve": "a logistic fit by maximum likelihood from several starts",
    "forecast.panel": "fits a panel of many series",
    "forecast.panel.backtest": "backtests a panel of many series",
    "forecast.panel.fit": "fits a panel of many series (and a Dask client)",
    "forecast.plots": "draws figures; the chart tests draw each",
    "forecast.plots.backtest": "draws a figure after a backtest",
    "forecast.plots.claim": "draws a figure after a claim check",
    "forecast.plots.compare": "draws a figure after auto's backtest",
    "forecast.plots.diagnostics": "draws a figure",
    "forecast.plots.fan": "draws a figure",
    "forecast.plots.publishers": "draws a figure after the multi-publisher fit",
    "forecast.plots.series": "draws a figure",
    "forecast.published._data": "reads and reshapes the whole global estimates table",
    "forecast.published._inclusion": "the inclusion rules over the whole global estimates table",
    "forecast.published.catalog": "the whole catalogue of claims",
    "forecast.published.check": "claim checks simulate paths of the multi-publisher model",
    "forecast.published.publishers": "the multi-publisher fit and its sensitivity table refit the model many times",
    "forecast.published.scorecard": "the scorecard checks every published forecast",
    "forecast.report": "builds the whole PDF report (seconds); tests/test_report.py builds and reads it",
}

#: Modules whose examples must run (at least one unskipped example each): the data layer, the panels, and the
#: chart helpers whose examples need no figure.
MUST_RUN = {
    "forecast.data.registry", "forecast.data.userfile", "forecast.data.money", "forecast.data.scale",
    "forecast.data._years",
    "forecast.panel.data", "forecast.panel.batch", "forecast.panel.chunk", "forecast.panel.reconcile",
    "forecast.panel.scale", "forecast.panel.fit", "forecast.panel.backtest", "forecast.panel.contributions",
    "forecast.plots.style", "forecast.plots.diagnostics",
}

MODULES = sorted(m.name for m in pkgutil.walk_packages(forecast.__path__, "forecast.")
                 if not m.name.endswith("__main__")) + ["forecast"]


def _skips(module) -> int:
    finder = doctest.DocTestFinder()
    return sum(1 for t in finder.find(module) for ex in t.examples if ex.options.get(doctest.SKIP))


@pytest.mark.parametrize("name", MODULES)
def test_module_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} failing example(s)"
    if name in MUST_RUN:
        assert result.attempted > 0, f"{name} has no example that runs"
    if _skips(module):
        assert name in SKIP_REASONS, f"{name} skips examples without a reason in SKIP_REASONS"


def test_skip_reasons_name_real_skips():
    for name in SKIP_REASONS:
        assert _skips(importlib.import_module(name)) > 0, f"{name} no longer skips anything: drop it from the list"


def test_every_public_function_has_a_running_example():
    """The public API's examples run unskipped (at least one line of each is executed)."""
    for name in ("backtest", "accuracy", "read_series", "parse_money", "format_money", "to_real", "share_of_gdp",
                 "datasets", "load", "series", "models"):
        tests = doctest.DocTestFinder().find(getattr(forecast, name), name)
        ran = [ex for t in tests for ex in t.examples if not ex.options.get(doctest.SKIP)]
        assert ran, f"forecast.{name}: no example that runs"
        assert not re.search(r"\bTODO\b", "".join(ex.source for ex in ran))


def test_must_run_names_real_modules():
    assert MUST_RUN <= set(MODULES), sorted(MUST_RUN - set(MODULES))
