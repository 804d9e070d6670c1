"""DfE publication conventions: round half away from zero, and symbols for missing figures."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NOT_APPLICABLE = "z"  # e.g. a zero denominator
UNAVAILABLE = "x"  # e.g. the council sent no return for the month


def round_half_away(value: float, places: int = 1) -> Decimal:
    """0.05 -> 0.1 and -0.05 -> -0.1 (Python's round() would give banker's rounding)."""
    quantum = Decimal(1).scaleb(-places)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def publish_figure(value: float | None, places: int = 1, missing: str = NOT_APPLICABLE) -> str:
    # math.isnan, not isinstance(value, float): numpy's float32 NaN is not a Python float.
    if value is None or math.isnan(value):
        return missing
    return str(round_half_away(value, places))
