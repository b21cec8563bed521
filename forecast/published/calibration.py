"""Measured coverage of the multi-publisher model's intervals, from its calibration study.

``benchmarks/publisher_study.py`` simulates datasets shaped like the bundled
global estimates under several designs (common or publisher-specific growth,
equal or unequal noise, ranges like CSIS/McAfee's) and records how often the
default model's 80% and 95% intervals for a new figure of the reference
publisher contain it, in the data window and six years after the data.
``calibration.csv`` beside this module holds that table for the default
model (written by ``publisher_study.py --write-calibration``); the slow test
``tests/test_publisher_calibration_table.py`` re-runs part of it. The report
and notebook 04 put it beside the nominal levels.
"""

from __future__ import annotations

import functools
import importlib.resources

import pandas as pd

COLUMNS = ("design", "year", "horizon", "level", "coverage", "se", "reps", "seeds", "method")


@functools.cache
def _table() -> pd.DataFrame:
    with importlib.resources.files("forecast.published").joinpath("calibration.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def measured_coverage() -> pd.DataFrame:
    """The calibration study's coverage of the default model's intervals, one row per design, year and level.

    Columns: ``design``, ``year`` (the target year of the simulated new
    figure), ``horizon`` (``"in the data window"`` or ``"6 years after the
    data"``), ``level`` (nominal, percent), ``coverage`` (percent of
    replications whose new figure fell inside), ``se`` (its Monte Carlo
    standard error), ``reps``, ``seeds``, ``method``.

    Examples
    --------
    >>> t = measured_coverage()
    >>> sorted(t["level"].unique().tolist())
    [80, 95]
    """
    return _table().copy()


def coverage_range(level: int) -> tuple[float, float, int, int]:
    """``(lowest, highest, designs, replications a design)`` of the measured coverage of the ``level``% intervals.

    Examples
    --------
    >>> lo, hi, designs, reps = coverage_range(95)
    >>> lo <= 95 <= hi, designs >= 4
    (True, True)
    """
    t = _table()
    sub = t[t["level"] == int(level)]
    if sub.empty:
        raise ValueError(f"no measured coverage for the {level}% intervals; levels: {sorted(t['level'].unique())}")
    return float(sub["coverage"].min()), float(sub["coverage"].max()), int(sub["design"].nunique()), int(sub["reps"].min())


#: the options of ``fit_publishers`` whose defaults the study measured
_MEASURED_OPTIONS = ("curve", "growth", "noise", "method", "df", "noise_pooling", "noise_pool_sd", "min_df",
                     "pool_at_bound")


def applies_to(fit) -> bool:
    """True when ``fit`` is a multi-publisher fit with the options the study measured (the defaults).

    Examples
    --------
    >>> from forecast.published.publishers import fit_publishers
    >>> applies_to(fit_publishers()), applies_to(fit_publishers(growth="common"))
    (True, False)
    """
    import inspect

    from forecast.published.publishers import _fit_publishers  # the implementation: same defaults (a test ties them)

    options = getattr(fit, "options", None)
    if not isinstance(options, dict):
        return False
    defaults = inspect.signature(_fit_publishers).parameters
    return all(options.get(k) == defaults[k].default for k in _MEASURED_OPTIONS)
