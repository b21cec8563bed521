"""parse_money and format_money."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import forecast
from forecast.data.money import format_money, parse_money
from forecast.errors import DataError, MoneyError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$2.1 trillion", 2.1e12),
        ("445bn", 445e9),
        ("1.2 billion", 1.2e9),
        ("US$ 600 billion", 600e9),
        ("US$600bn", 600e9),
        ("USD 600 billion", 600e9),
        ("600 billion USD", 600e9),
        ("3 trillion dollars", 3e12),
        ("3T", 3e12),
        ("$3 tn", 3e12),
        ("600m", 600e6),
        ("$4.88 million", 4.88e6),
        ("$4.88M", 4.88e6),
        ("2,500,000", 2.5e6),
        ("$2,500,000", 2.5e6),
        ("1.5e9", 1.5e9),
        ("$1.5e9", 1.5e9),
        ("$5B", 5e9),
        ("13.8 Trillion", 13.8e12),
        ("  $ 445  bn ", 445e9),
        ("250k", 250e3),
        ("0", 0.0),
        ("$.5bn", 0.5e9),
    ],
)
def test_parse_money(text, expected):
    assert parse_money(text) == pytest.approx(expected, rel=1e-12)


def test_numbers_pass_through():
    assert parse_money(3e12) == 3e12
    assert parse_money(445) == 445.0
    assert forecast.parse_money("3T") == 3e12


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3 lakh", "unknown or ambiguous unit 'lakh'"),
        ("2 crore", "unknown or ambiguous unit 'crore'"),
        ("1 milliard", "unknown or ambiguous unit 'milliard'"),
        ("5 G", "unknown or ambiguous unit 'g'"),
        ("3 bn euros", "another currency \\(EUR\\)"),
        ("€3bn", "another currency \\(EUR\\)"),
        ("£400m", "another currency \\(GBP\\)"),
        ("EUR 5bn", "another currency \\(EUR\\)"),
        ("A$ 2bn", "another currency \\(AUD\\)"),
        ("5 billion rubles", "another currency \\(RUB\\)"),
        ("$445-600bn", "a range"),
        ("445 to 600 bn", "a range"),
        ("over $1bn", "not an amount of money"),
        ("-5bn", "negative"),
        ("abc", "not an amount of money"),
        ("", "empty"),
        ("$", "not an amount of money"),
        ("1.2.3bn", "not an amount of money"),
    ],
)
def test_parse_money_errors_name_the_text(text, message):
    with pytest.raises(MoneyError, match=message) as info:
        parse_money(text)
    if text.strip():
        assert repr(text) in str(info.value)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, DataError)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0])
def test_parse_money_rejects_bad_numbers(value):
    with pytest.raises(MoneyError):
        parse_money(value)


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (16.6e9, None, "$16.6bn"),
        (3e12, None, "$3.0T"),
        (525e6, None, "$525m"),
        (525_441_110, None, "$525m"),
        (445e9, None, "$445bn"),
        (2.1e12, None, "$2.1T"),
        (23.82e12, None, "$23.8T"),
        (1.0707e9, None, "$1.1bn"),
        (4.88e6, None, "$4.9m"),
        (4.88e6, 2, "$4.88m"),
        (1.4507e9, 3, "$1.451bn"),
        (16.6e9, 0, "$17bn"),
        (999.96e6, None, "$1.0bn"),
        (19_372, None, "$19,372"),
        (0, None, "$0"),
        (-3e9, None, "-$3.0bn"),
        (float("nan"), None, "n/a"),
        (None, None, "n/a"),
    ],
)
def test_format_money(value, digits, expected):
    assert format_money(value, digits=digits) == expected


@pytest.mark.parametrize("value", [17.8e6, 1.07e9, 16.6e9, 3e12, 445e9, 600e6])
def test_round_trip(value):
    text = format_money(value, digits=3)
    assert parse_money(text) == pytest.approx(value, rel=1e-3)
    assert math.isclose(parse_money(format_money(value)), value, rel_tol=0.05)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.floats(min_value=1e6, max_value=1e14, allow_nan=False, allow_infinity=False))
def test_format_then_parse_round_trips(value):
    assert parse_money(format_money(value, digits=6)) == pytest.approx(value, rel=1e-5)
    short = format_money(value)
    assert parse_money(short) == pytest.approx(value, rel=0.05)
    assert short.startswith("$") and short[-1] in "Tnm"
