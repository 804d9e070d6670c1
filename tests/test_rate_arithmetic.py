"""The one Python copy of the dbt macros' rate arithmetic (publish.extracts.indicators): the
column form the dashboard uses gives, row by row, what the one-figure form the extracts use
gives. (Both are checked against the marts themselves in test_publish.py and test_dashboard.py.)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from common.reference import dbt_project_var
from common.rounding import publish_figure
from publish.extracts.indicators import (
    BY_NAME,
    RATE_DECIMAL_PLACES,
    RATES,
    RATES_BY_SOURCE,
    mart_rates,
    rate_value,
    rate_values,
)

# Mart count columns, with a missing figure (None, NaN, NA), zeros and more agency cover than
# vacancies among the rows.
COUNTS = pd.DataFrame(
    {
        "establishment_fte": [10.0, 8.0, 0.0, 5.0, 6.0],
        "permanent_fte": [7.5, 0.0, 0.0, None, 4.0],
        "agency_fte": [1.5, 2.0, 0.0, 1.0, 1.0],
        "agency_vacancy_fte": [1.0, 2.5, 0.0, 1.0, 0.5],
        "vacancy_fte": [2.5, 2.0, 0.0, 1.0, float("nan")],
        "leavers_fte_12_months": [1.2, 0.0, 0.0, 0.5, None],
        "cases_held": [60, 0, 0, 12, 30],
        "case_holder_fte": [6.0, 0.0, 0.0, 2.0, 3.0],
    }
).astype({"vacancy_fte": "Float64"})


def _figures(row: pd.Series) -> dict[str, float | None]:
    counts = {i.name: i.source for i in BY_NAME.values() if i.kind == "count"}
    return {name: row.get(source) for name, source in counts.items() if source in row}


@pytest.mark.parametrize("rate", RATES, ids=lambda r: r.name)
def test_the_column_form_gives_the_one_figure_form_row_by_row(rate):
    counts = {n: COUNTS[BY_NAME[n].source] for n in (rate.numerator, *rate.denominator)}
    values, flags = rate_values(rate, counts)
    for index, row in COUNTS.iterrows():
        value, flag = rate_value(rate, _figures(row))
        assert flags[index] == flag, (rate.name, index)
        assert (value is None and math.isnan(values[index])) or values[index] == value


def test_flags_say_why_there_is_no_figure():
    vacancy = BY_NAME["vacancy_rate_fte"]
    assert rate_value(vacancy, {"vacancy_fte": 1.0, "inpost_fte": 3.0}) == (25.0, None)
    assert rate_value(vacancy, {"vacancy_fte": 1.0, "inpost_fte": None}) == (None, "x")
    assert rate_value(vacancy, {"vacancy_fte": 0.0, "inpost_fte": 0.0}) == (None, "z")
    cover = BY_NAME["vacancy_agency_cover_rate_fte"]
    assert rate_value(cover, {"agency_cover_fte": 3.0, "vacancy_fte": 2.0}) == (150.0, "u")


def test_mart_rates_are_null_wherever_a_figure_is_flagged():
    rated = mart_rates(COUNTS, list(RATES_BY_SOURCE))
    for column, rate in RATES_BY_SOURCE.items():
        counts = {n: COUNTS[BY_NAME[n].source] for n in (rate.numerator, *rate.denominator)}
        values, flags = rate_values(rate, counts)
        expected = np.where(pd.isna(flags), values, np.nan)
        np.testing.assert_array_equal(rated[column].to_numpy(), expected, err_msg=column)
    assert rated["vacancy_cover_rate"].isna().tolist() == [False, True, True, False, True]
    assert list(rated.columns[: len(COUNTS.columns)]) == list(COUNTS.columns)


def test_a_rate_is_the_exact_figure_so_publication_rounds_it_half_away_from_zero():
    """0.6 / (0.6 + 2.6) is 18.75% exactly: floating point gives 18.749999999999996, which
    would publish as 18.7; held to RATE_DECIMAL_PLACES, as the marts hold a rate, it is 18.75
    and publishes as 18.8. Parts that float sums add up to a hair over the whole still give
    exactly 100."""
    agency = BY_NAME["agency_rate_fte"]
    assert 100 * (0.6 / (0.6 + 2.6)) == 18.749999999999996  # the noise this guards against
    value, flag = rate_value(agency, {"agency_fte": 0.6, "inpost_fte": 2.6})
    assert (value, flag) == (18.75, None)
    assert publish_figure(value) == "18.8"
    cover = BY_NAME["agency_cover_rate_fte"]
    assert 0.1 + 0.2 != 0.3
    value, _ = rate_value(cover, {"agency_cover_fte": 0.3, "agency_fte": 0.1 + 0.2})
    assert value == 100.0
    assert RATE_DECIMAL_PLACES == dbt_project_var("rate_decimal_places") == 12
