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

from forecast.published.catalog import claims
from forecast.published.check import ClaimCheck, check_claim
from forecast.published.publishers import PublisherFit, fit_publishers
from forecast.published.scorecard import scorecard

__all__ = ["ClaimCheck", "PublisherFit", "check_claim", "claims", "fit_publishers", "scorecard"]
