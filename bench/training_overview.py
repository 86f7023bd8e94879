"""How long the certification overview takes for many evaluators.

Builds a throw-away SQLite database with N evaluators (4 records each, some observed
interviews) and two schemes, then times the batched `statuses()` that the overview page uses
against the baseline of calling `certification()` once per evaluator and scheme.

    .venv/bin/python bench/training_overview.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def main(n: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    from passport import create_app, migrate
    from passport.db import engine

    app = create_app({"ENVIRON": {
        "PASSPORT_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "PASSPORT_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
    }})
    with app.app_context(), app.test_request_context():
        migrate.upgrade(engine())
        from passport.auth.models import Role, User, UserRole
        from passport.cases.models import Candidate, Case
        from passport.db import session
        from passport.interviews.models import Interview, InterviewParticipant
        from passport.org.models import Centre, Scheme
        from passport.training.certification import certification, statuses
        from passport.training.models import Course, SchemeCourse, TrainingRecord

        centre = Centre(name="C", country="NO")
        schemes = [Scheme(code=c, name=c, issuing_body="x", observed_interviews_required=2)
                   for c in ("EQPR", "UQP")]
        courses = [Course(code=f"K{i}", title=f"Course {i}", kind="methodology",
                          validity_months=24) for i in range(4)]
        session.add_all([centre, *schemes, *courses])
        session.flush()
        for scheme in schemes:
            for c in courses[:3]:
                session.add(SchemeCourse(scheme_id=scheme.id, course_id=c.id, required=True))
        people = [User(email=f"e{i}@x.org", name=f"E {i}", password_hash="x", centre=centre,
                       role_rows=[UserRole(role=Role.EVALUATOR)]) for i in range(n)]
        session.add_all(people)
        session.flush()
        start = date(2024, 1, 1)
        for i, person in enumerate(people):
            for j, c in enumerate(courses):
                session.add(TrainingRecord(user_id=person.id, course_id=c.id,
                                           completed_on=start + timedelta(days=(i + j) % 400),
                                           passed=True))
        candidate = Candidate(given_name="A", family_name="B", birth_date="1990",
                              nationality="SY", country_of_origin="SY", host_country="NO")
        case = Case(candidate=candidate, scheme=schemes[0], qualification_country="SY")
        session.add(case)
        session.flush()
        for k in range(n // 2):
            interview = Interview(case_id=case.id, status="held",
                                  starts_at=datetime(2025, 1, 1, tzinfo=UTC))
            session.add(interview)
            session.flush()
            session.add(InterviewParticipant(interview_id=interview.id,
                                             user_id=people[k].id, role="observer"))
        session.commit()

        on = date(2025, 6, 1)
        ids = [p.id for p in people]
        t0 = time.perf_counter()
        batched = statuses(ids, schemes, on)
        t_batched = time.perf_counter() - t0
        t0 = time.perf_counter()
        single = {(p.id, s.id): certification(p, s, on) for p in people for s in schemes}
        t_single = time.perf_counter() - t0
        assert batched == single
        print(f"evaluators: {n}, schemes: 2, statuses: {len(batched)}")
        print(f"baseline, certification() per evaluator and scheme: {t_single * 1000:8.1f} ms")
        print(f"batched statuses() (overview page):                 {t_batched * 1000:8.1f} ms")
        print(f"ratio baseline / batched: {t_single / t_batched:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
