"""Columns the suites check that are not in the file itself: mapping look-ups and derived ratios.

They are computed here, in one place, and named ``check_*`` so nobody mistakes them for data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ingest.config import SEEDS_DIR
from ingest.tables import ReturnTable


def load_mapping_keys(seed: str, value_column: str) -> set[tuple[str, str]]:
    mapping = pd.read_csv(SEEDS_DIR / seed, dtype=str, keep_default_na=False)
    return set(zip(mapping["council_code"], mapping[value_column], strict=True))


def _is_mapped(frame: pd.DataFrame, column: str, keys: set[tuple[str, str]]) -> pd.Series:
    pairs = zip(frame["council_code"], frame[column], strict=True)
    return pd.Series([pair in keys for pair in pairs], index=frame.index, dtype=bool)


def add_check_columns(frame: pd.DataFrame, table: ReturnTable) -> pd.DataFrame:
    """Return ``frame`` with the ``check_*`` columns its table's suite expects."""
    if table.name != "establishment":
        return frame
    checked = frame.copy()
    checked["check_grade_is_mapped"] = _is_mapped(
        checked, "grade", load_mapping_keys("grade_role_map.csv", "local_grade")
    )
    checked["check_team_is_mapped"] = _is_mapped(
        checked, "team", load_mapping_keys("team_service_area_map.csv", "local_team")
    )
    expected_vacancy = (checked["establishment_fte"] - checked["permanent_fte"]).clip(lower=0)
    checked["check_vacancy_gap_fte"] = (checked["vacancy_fte"] - expected_vacancy).abs()
    holders = checked["case_holder_fte"].where(checked["case_holder_fte"] > 0)
    checked["check_caseload"] = (checked["cases_held"] / holders).replace([np.inf], np.nan)
    return checked
