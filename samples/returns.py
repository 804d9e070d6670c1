"""Sample monthly returns: realistic, deterministic files for the demo and the test fixtures.

A council's return for a month is its tables (:func:`return_frames`, built by
samples.establishment, agency, pay and workforce on the council structure of samples.councils);
:func:`generate_returns` writes every council's returns into its folder of the bucket, as the
council sends them (samples.return_files).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from common.members import members_by_code
from ingest.return_contract import (
    AGENCY_ASSIGNMENTS,
    ESTABLISHMENT,
    PAY_SCALES,
    RETURN_TABLES,
    WORKFORCE,
)
from samples.agency import agency_assignments_frame
from samples.councils import council_profile
from samples.establishment import establishment_frame
from samples.pay import pay_scales_frame
from samples.return_files import ReturnFormat, return_filename, write_return
from samples.workforce import workforce_frame


def return_frames(
    council_code: str,
    period: str,
    seed: int = 42,
    tables: Iterable[str] = tuple(RETURN_TABLES),
) -> dict[str, pd.DataFrame]:
    """The requested tables of one council's return for one month, in template order."""
    wanted = set(tables)
    builders = {
        ESTABLISHMENT.name: establishment_frame,
        AGENCY_ASSIGNMENTS.name: agency_assignments_frame,
        PAY_SCALES.name: pay_scales_frame,
        WORKFORCE.name: workforce_frame,
    }
    unknown = wanted - set(builders)
    if unknown:
        raise ValueError(f"not a return table: {', '.join(sorted(unknown))}")
    return {
        name: build(council_code, period, seed)
        for name, build in builders.items()
        if name in wanted
    }


def generate_returns(
    bucket_dir: Path,
    periods: list[str],
    seed: int = 42,
    councils: list[str] | None = None,
    tables: Iterable[str] = tuple(RETURN_TABLES),
) -> list[Path]:
    """Write every council's return for every period into its folder of the bucket: one
    workbook with a sheet per table, or one CSV file per table, as the council sends them."""
    members = members_by_code()
    council_codes = list(members) if councils is None else councils
    tables = tuple(tables)
    paths = []
    for council_code in council_codes:
        slug = members[council_code].council_slug
        fmt: ReturnFormat = "xlsx" if council_profile(council_code).sends_excel else "csv"
        for period in periods:
            frames = return_frames(council_code, period, seed, tables)
            folder = Path(bucket_dir) / slug
            if fmt == "xlsx":
                path = folder / return_filename(slug, period, fmt)
                paths.append(write_return(frames, path, fmt))
                continue
            for name, frame in frames.items():
                path = folder / return_filename(slug, period, fmt, name)
                paths.append(write_return(frame, path, fmt, name))
    return paths
