"""DfE publication conventions: round half away from zero, and symbols for missing figures
(their legend, SYMBOL_MEANINGS, lives here and only here)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NOT_APPLICABLE = "z"
UNAVAILABLE = "x"
CONFIDENTIAL = "c"  # suppressed by disclosure control (publish.disclosure)
LOW = "low"
LOW_RELIABILITY = "u"
# The symbol legend, the one home of what each symbol means: every file that explains its
# symbols (workbook About sheets, the partner's data dictionary) writes it from here, once.
SYMBOL_MEANINGS: tuple[tuple[str, str], ...] = (
    (
        CONFIDENTIAL,
        "Suppressed (confidential): rests on fewer workers or agency assignments than the "
        "disclosure threshold, or would let such a figure be worked out",
    ),
    (
        UNAVAILABLE,
        "Unavailable: e.g. no return for the month, or not every month of a 12-month window",
    ),
    (NOT_APPLICABLE, "Not applicable: e.g. a zero denominator"),
    (LOW, "Rounds to zero but is not zero"),
    (LOW_RELIABILITY, "Low reliability: e.g. more agency cover than vacancies"),
)
SYMBOLS = frozenset(symbol for symbol, _ in SYMBOL_MEANINGS)


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
