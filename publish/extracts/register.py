"""Partners and the data-sharing register, read from the dbt seeds that are their one home.

``partners.csv``: who receives what (``partner``: the DfE-layout extract with disclosure
control; ``members``: the named members' benchmark) and in which outbox folder.
``data_sharing_register.csv``: which council has signed with which partner, and when.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from common.reference import in_force_on, read_rows, seed_path

EXTRACTS = ("partner", "members")
_OUTBOX = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Partner:
    partner_code: str
    partner_name: str
    outbox: str
    extract: str


@dataclass(frozen=True)
class Agreement:
    council_code: str
    partner_code: str
    signed_on: dt.date
    ended_on: dt.date | None

    def in_force_on(self, day: dt.date) -> bool:
        """Signed on or before ``day`` and not yet ended (ended_on is the first day without)."""
        return in_force_on(day, self.signed_on, self.ended_on, ends_exclusive=True)


def load_partners() -> tuple[Partner, ...]:
    partners = tuple(Partner(**row) for row in read_rows(seed_path("partners")))
    for partner in partners:
        if partner.extract not in EXTRACTS:
            raise ValueError(f"partner {partner.partner_code}: unknown extract {partner.extract}")
        if not _OUTBOX.match(partner.outbox):
            raise ValueError(
                f"partner {partner.partner_code}: outbox {partner.outbox!r} is not a "
                "plain folder name (lower case letters, digits, - and _)"
            )
    return partners


def load_register() -> tuple[Agreement, ...]:
    return tuple(
        Agreement(
            council_code=row["council_code"],
            partner_code=row["partner_code"],
            signed_on=dt.date.fromisoformat(row["signed_on"]),
            ended_on=dt.date.fromisoformat(row["ended_on"]) if row["ended_on"] else None,
        )
        for row in read_rows(seed_path("data_sharing_register"))
    )


def councils_sharing_with(
    partner_code: str, day: dt.date, register: tuple[Agreement, ...]
) -> set[str]:
    """Councils with an agreement with the partner in force on ``day`` (a month's last day)."""
    return {
        a.council_code for a in register if a.partner_code == partner_code and a.in_force_on(day)
    }
