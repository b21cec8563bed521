"""Publishers and claims: the multi-publisher model, claim checks and the scorecard.

- :func:`fit_publishers` fits the global cost of cybercrime across publishers
  (a latent growth curve, per-publisher offsets and noise) and shows which rows
  entered and why;
- :func:`check_claim` assesses a claim "X in year t" against any fit: its
  percentile, ratio to the median, implied growth, crossing year and likely
  origin;
- :func:`claims` lists every figure that was a forecast when published;
- :func:`scorecard` scores the forecasts whose year has passed.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from forecast.claims.catalog import claims
from forecast.claims.check import ClaimCheck, check_claim
from forecast.claims.publishers import PublisherFit, fit_publishers
from forecast.claims.scorecard import scorecard

__all__ = ["ClaimCheck", "PublisherFit", "check_claim", "claims", "fit_publishers", "scorecard"]


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`claims`.

    ``forecast.claims`` names both this subpackage and the public function
    :func:`forecast.claims.catalog.claims`; once the subpackage is imported,
    Python binds the package to ``forecast.claims``. Calling the package runs
    the function, so ``forecast.claims()`` works whatever was imported first.
    """

    def __call__(self, *args: Any, **kwargs: Any):
        return claims(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
