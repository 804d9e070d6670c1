"""Sample returns with the mistakes councils really make, for the demo and the tests."""

from __future__ import annotations

from pathlib import Path

from common.members import members_by_code
from samples.establishment import establishment_frame
from samples.return_files import write_return

DEMO_FAULTY_COUNCIL = "821"  # Luton sends CSV files
UNMAPPED_GRADE = "Grade 99 Social Worker (new)"


def write_demo_bad_file(bucket_dir: Path, period: str, seed: int = 42) -> Path:
    """A resubmission (version 2) of one council's return with an unmapped grade and a
    negative vacancy figure. It must be rejected, and the council's first version kept."""
    member = members_by_code()[DEMO_FAULTY_COUNCIL]
    frame = establishment_frame(member.council_code, period, seed=seed)
    frame.loc[0, "grade"] = UNMAPPED_GRADE
    frame.loc[1, "vacancy_fte"] = -2.0
    path = bucket_dir / member.council_slug / f"{member.council_slug}_{period}_establishment_v2.csv"
    return write_return(frame, path, "csv")
