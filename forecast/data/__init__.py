"""Sourced datasets, a user's own series, money strings and scale helpers.

Public functions (also available from the top-level package):

- :func:`~forecast.data.registry.datasets`, :func:`~forecast.data.registry.load`,
  :func:`~forecast.data.registry.series`: the bundled, sourced datasets;
- :func:`~forecast.data.userfile.read_series`: a user's CSV file as an annual series;
- :func:`~forecast.data.money.parse_money`, :func:`~forecast.data.money.format_money`;
- :func:`~forecast.data.scale.to_real`, :func:`~forecast.data.scale.share_of_gdp`.

This layer imports nothing from models, plots or the report.
"""

from __future__ import annotations

from forecast.data.money import format_money, parse_money
from forecast.data.registry import MEASURES, datasets, load, series
from forecast.data.scale import share_of_gdp, to_real
from forecast.data.userfile import read_series

__all__ = [
    "MEASURES",
    "datasets",
    "format_money",
    "load",
    "parse_money",
    "read_series",
    "series",
    "share_of_gdp",
    "to_real",
]
