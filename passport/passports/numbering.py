"""Passport numbers: readable, per scheme and year, with an ISO 7064 check character.

Example: EQPR-2026-00042-7. The check character (MOD 37-36) catches a mistyped or swapped
character when a verifier types the number in.
"""

from __future__ import annotations

import re

from sqlalchemy.dialects import postgresql, sqlite
from stdnum.iso7064 import mod_37_36

from passport.db import session
from passport.passports.models import PassportCounter

NUMBER = re.compile(r"^([A-Z0-9]{2,12})-(\d{4})-(\d{5,})-([0-9A-Z])$")


def _payload(code: str, year: int, serial: int) -> str:
    return f"{code}{year}{serial:05d}"


def format_number(code: str, year: int, serial: int) -> str:
    check = mod_37_36.calc_check_digit(_payload(code, year, serial))
    return f"{code}-{year}-{serial:05d}-{check}"


def is_valid_number(text: str) -> bool:
    match = NUMBER.match(text.strip().upper())
    if not match:
        return False
    code, year, serial, check = match.groups()
    return mod_37_36.is_valid(f"{code}{year}{serial}{check}")


def next_serial(scheme_id: int, year: int) -> int:
    """Take the next serial atomically (an upsert), so two issues at once never share one."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(PassportCounter)
        .values(scheme_id=scheme_id, year=year, last=1)
        .on_conflict_do_update(
            index_elements=["scheme_id", "year"], set_={"last": PassportCounter.last + 1}
        )
        .returning(PassportCounter.last)
    )
    return session.execute(stmt).scalar_one()
