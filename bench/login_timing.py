"""Does a failed login take as long for an unknown address as for a known or locked account?

Production Argon2 parameters, the app through Flask's test client on a temporary SQLite
database. Prints the median time of 15 attempts of each kind and its ratio to the unknown-address
baseline measured in the same run.

    .venv/bin/python bench/login_timing.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from passport import create_app, migrate
from passport.auth.models import Role
from passport.auth.services import create_user, find_user
from passport.db import engine, session, utcnow

N = 15
PASSWORD = "correct-horse-battery-staple"


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    app = create_app({"ENVIRON": {
        "PASSPORT_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "PASSPORT_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_SIGNING_KEY_DIR": str(folder / "keys"),
        "PASSPORT_LOG_LEVEL": "ERROR",
        "PASSPORT_LOGIN_RATE_LIMIT": "10000 per minute",
        "PASSPORT_LOGIN_ACCOUNT_RATE_LIMIT": "10000 per minute",
    }, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        migrate.upgrade(engine())
        create_user("known@example.org", "Known Person", [Role.EVALUATOR], PASSWORD)
        create_user("locked@example.org", "Locked Person", [Role.EVALUATOR], PASSWORD)
        locked = find_user("locked@example.org")
        locked.locked_until = utcnow() + timedelta(days=1)
        session.commit()

    def timed(email: str, password: str, before=None) -> float:
        if before:
            with app.app_context():
                before()
        client = app.test_client()
        start = time.perf_counter()
        response = client.post("/login", data={"email": email, "password": password})
        elapsed = time.perf_counter() - start
        assert response.status_code == 401, response.status_code
        return elapsed * 1000

    def reset_known() -> None:
        user = find_user("known@example.org")
        user.failed_logins = 0
        session.commit()

    kinds = {
        "unknown address": ("nobody@example.org", "wrong-password-1", None),
        "known, wrong password": ("known@example.org", "wrong-password-1", reset_known),
        "locked, right password": ("locked@example.org", PASSWORD, None),
        "locked, wrong password": ("locked@example.org", "wrong-password-1", None),
    }
    timed("nobody@example.org", "warm-up-password")
    medians = {k: statistics.median(timed(*v) for _ in range(N)) for k, v in kinds.items()}
    base = medians["unknown address"]
    for kind, ms in medians.items():
        print(f"{kind:26} median {ms:7.1f} ms   ratio {ms / base:4.2f}")


if __name__ == "__main__":
    main()
