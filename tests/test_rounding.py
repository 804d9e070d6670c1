"""DfE publication rounding (half away from zero) and symbols for missing figures."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from common.rounding import NOT_APPLICABLE, UNAVAILABLE, publish_figure, round_half_away


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.05, "0.1"),
        (-0.05, "-0.1"),
        (0.15, "0.2"),  # 0.15 is 0.1499999... in binary: must still round up
        (2.25, "2.3"),
        (2.35, "2.4"),
        (1.45, "1.5"),
        (-2.25, "-2.3"),
        (0.04, "0.0"),
        (12.0, "12.0"),
        (7, "7.0"),
        (33.333333, "33.3"),
    ],
)
def test_round_half_away_from_zero(value, expected):
    assert round_half_away(value) == Decimal(expected)
    assert publish_figure(value) == expected


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [(2.5, 0, "3"), (3.5, 0, "4"), (-2.5, 0, "-3"), (1.005, 2, "1.01")],
)
def test_other_numbers_of_places(value, places, expected):
    assert publish_figure(value, places) == expected


@pytest.mark.parametrize(
    "value",
    [np.float64(0.15), np.float32(0.15), np.float64(0.05), np.int64(0)],
    ids=["float64-0.15", "float32-0.15", "float64-0.05", "int64-0"],
)
def test_numpy_numbers_round_like_python_floats(value):
    assert publish_figure(value) == publish_figure(float(value))


def test_numpy_float_ties_round_away_from_zero():
    assert publish_figure(np.float64(2.25)) == "2.3"
    assert publish_figure(np.float64(-0.05)) == "-0.1"
    assert publish_figure(np.float32(0.25)) == "0.3"


@pytest.mark.parametrize(
    "value",
    [None, math.nan, float("nan"), np.nan, np.float64("nan"), np.float32("nan")],
    ids=["None", "math.nan", "float-nan", "np.nan", "float64-nan", "float32-nan"],
)
def test_missing_is_not_applicable_by_default(value):
    assert publish_figure(value) == NOT_APPLICABLE == "z"


def test_missing_symbol_can_be_unavailable():
    assert publish_figure(None, 1, UNAVAILABLE) == "x"
    assert publish_figure(math.nan, 1, UNAVAILABLE) == "x"
    assert publish_figure(0.0, 1, UNAVAILABLE) == "0.0"
