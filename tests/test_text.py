"""One wording of numbers everywhere: results, the command line and the report say the same thing."""

from __future__ import annotations

import pytest

from forecast import text
from forecast.published import _format
from forecast.report.sections.common import fmt_percentile, fmt_share


@pytest.mark.parametrize("p, label, phrase", [
    (99.92, "above 99.9th", "above the 99.9th percentile"),
    (99.999, "above 99.9th", "above the 99.9th percentile"),
    (99.9, "99.9th", "at the 99.9th percentile"),
    (99.4, "99.4th", "at the 99.4th percentile"),
    (73.5, "74th", "at the 74th percentile"),
    (2.0, "2nd", "at the 2nd percentile"),
    (11.2, "11th", "at the 11th percentile"),
    (0.5, "0.5th", "at the 0.5th percentile"),
    (0.1, "0.1st", "at the 0.1st percentile"),
    (0.05, "below 0.1st", "below the 0.1st percentile"),
])
def test_percentile_worded_once(p, label, phrase):
    assert text.percentile_label(p) == label == fmt_percentile(p)
    assert text.percentile(p) == phrase == _format.percentile(p)


@pytest.mark.parametrize("n, expected", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
                                         (13, "13th"), (21, "21st"), (22, "22nd"), (23, "23rd"), (101, "101st"),
                                         (111, "111th"), (112, "112th"), (113, "113th")])
def test_ordinal_suffixes(n, expected):
    assert text.ordinal(n) == expected


def test_growth_ratio_share_and_money():
    assert text.growth(0.1406) == _format.rate(0.1406) == "+14.1%/yr"
    assert text.ratio(619.6) == _format.ratio(619.6) == "620"
    assert text.share(0.0116) == fmt_share(0.0116) == "1.2%"
    assert text.money(1.66e10) == _format.money(1.66e10) == "$16.6bn"
    assert text.money(float("nan")) == text.percentile_label(None) == "n/a"
