"""Exception types for errors a user can cause.

Every message is one line naming the file, row, column or value at fault and
what is wrong with it. The command line prints the message and exits with
status 2; no traceback is shown for these errors.
"""

from __future__ import annotations


class ForecastError(Exception):
    """Base class of every error the package raises on purpose."""


class DataError(ForecastError, ValueError):
    """Bad input data: a file, row, column or value that cannot be used.

    Examples
    --------
    >>> raise DataError("losses.csv, line 4, column 'value': 'abc' is not a number")
    Traceback (most recent call last):
    ...
    forecast.errors.DataError: losses.csv, line 4, column 'value': 'abc' is not a number
    """


class MoneyError(DataError):
    """A money string whose amount or unit cannot be read without guessing."""


class ModelError(ForecastError, ValueError):
    """A model that cannot be fitted to the series given (too short, gaps, ...)."""


class ClaimError(ForecastError, ValueError):
    """A claim that cannot be checked (unknown publisher, year out of range, ...)."""


class ReportError(ForecastError):
    """A report that cannot be written (bad output path, bad arguments)."""
