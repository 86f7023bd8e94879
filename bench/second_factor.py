"""The second step of a coordinator's login, for the benchmarks (logins are not measured).

Coordinators and administrators must use a second factor (passport/auth/twofactor.py), and each
code is accepted once. A benchmark that logs a generated coordinator in calls `code_for` inside
an app context on the same database: a user without a second factor is enrolled with a fresh
secret (as at the first login), the record of the last code used is cleared (a benchmark logs
the same person in again within 30 seconds, which a person cannot), and the code the
authenticator app would show now is returned.
"""

from __future__ import annotations

import pyotp


def code_for(email: str) -> str | None:
    """The code to type at /login/code for `email` now; None if the user has no second step."""
    from sqlalchemy import update

    from passport.auth import twofactor
    from passport.auth.models import User
    from passport.auth.services import find_user
    from passport.db import session

    user = find_user(email)
    if user is None or not (user.has_totp or user.needs_totp):
        return None
    if not user.has_totp:
        secret = twofactor.start_enrolment(user)
        twofactor.confirm_enrolment(user, pyotp.TOTP(secret).now())
    secret = twofactor.secret_of(user)
    session.execute(update(User).where(User.id == user.id).values(totp_last_step=None))
    session.commit()
    return pyotp.TOTP(secret).now()
