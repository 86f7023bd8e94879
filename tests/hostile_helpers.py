"""A case that went the whole way, with everything hanging off it, and the people around it.

Used by the access matrix, the hostile-input tests, the data export and retention tests: one
candidate who answered the questionnaire and sent a document, a photo, an observer, a submitted
assessment, a passport, a training record with a certificate and a message in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from tests.conftest import assessment_data, login
from tests.intake_helpers import consent, invited, open_link, post
from tests.test_intake_candidate import COMPLETE  # the intake tests' complete questionnaire

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")

STAFF_EMAILS = {
    "evaluator_on_case": "ev1@test.org",
    "evaluator_not_on_case": "ev3@test.org",
    "coordinator_other_scheme": "coord2@test.org",
    "coordinator": "coord@test.org",
    "administrator": "admin@test.org",
}


@dataclass
class FullCase:
    case: Any
    token: str
    candidate_client: FlaskClient
    passport: Any
    evidence: Any
    record: Any
    message: Any
    observer: Any
    appeal: Any = None


def full_case(app, world, **candidate) -> FullCase:
    """Build the case through the candidate's pages and the staff's service functions."""
    from passport.cases import services as cases
    from passport.db import session
    from passport.intake import services as intake
    from passport.intake.models import Evidence
    from passport.interviews.services import save_assessment
    from passport.mail.models import OutboxMessage
    from passport.review import services as review
    from passport.training import services as training
    from tests.conftest import hold_interview

    case, token = invited(world, **candidate)
    client = app.test_client()
    assert open_link(client, token).status_code == 303
    consent(client)
    intake.update_candidate(world.coordinator, case, intake.CandidateDetails(
        email="amina@example.org", preferred_language="en", photo=PNG))
    done = post(client, "/candidate/documents",
                {"kind": "diploma", "description": "My diploma",
                 "file": (_file(PDF), "diploma.pdf")},
                content_type="multipart/form-data")
    assert done.status_code == 303, done.get_data(as_text=True)[:2000]
    done = post(client, "/candidate/questionnaire", {**COMPLETE, "action": "submit"})
    assert done.status_code == 303
    session.refresh(case)
    cases.screen(world.coordinator, case, eligible=True)
    cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev2)
    cases.add_observer(world.coordinator, case, world.ev_same_centre)
    hold_interview(case, candidate_agreed=True)  # the candidate said "weekends"
    save_assessment(world.ev1, case, assessment_data(), submit=True)
    passport = review.approve(world.coordinator, case, "Well documented.")
    record = training.add_record(
        world.admin, world.ev1, world.methodology, date(2025, 2, 1),
        evidence=training.Upload("certificate.pdf", PDF),
    )
    evidence = session.scalar(select(Evidence).where(Evidence.case_id == case.id))
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
    from passport.review import appeals

    appeal = appeals.submit(case, "I studied five years, not four.")
    session.commit()
    return FullCase(case, token, client, passport, evidence, record, message,
                    world.ev_same_centre, appeal)


def _file(data: bytes):
    import io

    return io.BytesIO(data)


def staff(app, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def state_snapshot(ignore: tuple[str, ...] = ()) -> tuple:
    """Row counts of every table and each case's status and version: what a refused request
    must leave as it was. One query for all tables, so it is cheap enough to take often.
    `ignore`: tables a request may write to even when it refuses the input (the access log
    records that a permitted person opened the case, whatever they then sent)."""
    from passport.db import Base, session

    session.expire_all()
    names = [t.name for t in Base.metadata.sorted_tables if t.name not in ignore]
    query = " UNION ALL ".join(
        f"SELECT '{n}', COUNT(*) FROM \"{n}\"" for n in names  # noqa: S608 (our table names)
    )
    counts = tuple(session.execute(text(query)).all())
    from passport.cases.models import Case

    cases = tuple(session.execute(select(Case.id, Case.status, Case.version)
                                  .order_by(Case.id)).all())
    session.commit()
    return counts, cases


def count(model) -> int:
    from passport.db import session

    return session.scalar(select(func.count()).select_from(model))
