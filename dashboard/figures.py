"""Figures as published: rounded half away from zero, DfE symbols where there is none."""

from __future__ import annotations

import pandas as pd

from common.rounding import publish_figure


def figure(value, places: int = 1, missing: str = "z") -> str:
    """A figure as published: rounded half away from zero; DfE symbol when missing."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return missing
    return publish_figure(float(value), places, missing)


def rounded(frame: pd.DataFrame, places: int = 1) -> pd.DataFrame:
    """Float columns rounded as published (half away from zero), for tables and CSVs."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = [
                None if pd.isna(v) else float(publish_figure(float(v), places)) for v in out[column]
            ]
    return out
