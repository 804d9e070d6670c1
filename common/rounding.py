"""DfE publication conventions: round half away from zero, and symbols for missing figures."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NOT_APPLICABLE = "z"  # e.g. a zero denominator
UNAVAILABLE = "x"  # e.g. the council sent no return for the month
CONFIDENTIAL = "c"  # suppressed by disclosure control (publish.disclosure)
LOW = "low"  # rounds to zero but is not zero
LOW_RELIABILITY = "u"  # published figure judged unreliable (e.g. inconsistent components)
SYMBOLS = frozenset({CONFIDENTIAL, UNAVAILABLE, NOT_APPLICABLE, LOW, LOW_RELIABILITY})


def round_half_away(value: float, places: int = 1) -> Decimal:
    """0.05 -> 0.1 and -0.05 -> -0.1 (Python's round() would give banker's rounding)."""
    quantum = Decimal(1).scaleb(-places)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def publish_figure(value: float | None, places: int = 1, missing: str = NOT_APPLICABLE) -> str:
    # math.isnan, not isinstance(value, float): numpy's float32 NaN is not a Python float.
    if value is None or math.isnan(value):
        return missing
    return str(round_half_away(value, places))


def rounds_to_zero(value: float, places: int = 1) -> bool:
    """True when ``value`` is not zero but would be published as zero (DfE symbol ``low``)."""
    return value != 0 and round_half_away(value, places) == 0
