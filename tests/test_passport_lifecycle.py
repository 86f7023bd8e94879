"""The passport's life: reissue (supersede), revoke, expiry by date and by command, appeals
within the window, and exactly one passport when two coordinators approve at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from passport.db import session, utcnow
from passport.errors import InvalidTransition, PermissionRefused, RuleViolation
from passport.passports import lifecycle
from passport.passports.models import Passport
from passport.review import appeals
from passport.review import services as review
from passport.review.models import Appeal, ReviewDecision
from tests.conftest import PG_URL, login, post_form
from tests.intake_helpers import consent, invited, open_link, post
from tests.review_helpers import second_coordinator

# --- reissue and supersede ---------------------------------------------------------------------


def test_reissue_supersedes_and_the_old_page_names_the_successor(app, world, client):
    case, old = world.issued_case()
    login(client, world.coordinator.email)
    response = post_form(client, f"/passports/{old.id}/reissue",
                         {"reason": "Correct the institution's name.", "language": "uk"})
    assert response.status_code == 302
    session.refresh(old)
    new = session.scalar(select(Passport).where(Passport.supersedes_id == old.id))
    assert old.status == "superseded" and new.status == "valid"
    assert new.number != old.number and new.second_language == "uk"
    assert new.reissue_reason == "Correct the institution's name."
    session.refresh(case)
    assert case.status == "passport_issued"
    page = client.get(f"/verify/{old.public_id}").get_data(as_text=True)
    assert "Superseded by a newer passport" in page and new.number in page
    assert "Valid" in client.get(f"/verify/{new.public_id}").get_data(as_text=True)
    detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"a new one supersedes {old.number}" in detail
    # The superseded passport cannot be reissued or revoked again.
    with pytest.raises(InvalidTransition):
        lifecycle.reissue(world.coordinator, old, "again")
    with pytest.raises(InvalidTransition):
        lifecycle.revoke(world.coordinator, old, "again")
    session.rollback()


def test_reissue_without_a_reason_changes_nothing(app, world, client):
    case, old = world.issued_case()
    login(client, world.coordinator.email)
    response = post_form(client, f"/passports/{old.id}/reissue", {"reason": "", "language": "en"})
    assert response.status_code == 422
    assert session.scalar(select(func.count()).select_from(Passport)) == 1
    with pytest.raises(RuleViolation):
        lifecycle.reissue(world.coordinator, old, "  ")
    session.rollback()


def test_evaluator_coordinator_cannot_reissue_or_revoke(app, world):
    from passport.auth.models import Role
    from passport.auth.services import create_user
    from tests.conftest import PASSWORD

    both = create_user("both@test.org", "Bea Both", [Role.COORDINATOR, Role.EVALUATOR],
                       PASSWORD, centre=world.doatap, schemes=[world.eqpr])
    world.certify(both)
    case, passport = world.issued_case(first=both, second=world.ev2)
    with pytest.raises(PermissionRefused):
        lifecycle.revoke(both, passport, "fraud")
    with pytest.raises(PermissionRefused):
        lifecycle.reissue(both, passport, "fix")
    session.rollback()


# --- revoke ------------------------------------------------------------------------------------


def test_revoke_shows_revoked_with_date_and_never_the_reason(app, world, client):
    case, passport = world.issued_case()
    login(client, world.coordinator.email)
    response = post_form(client, f"/passports/{passport.id}/revoke", {"reason": ""})
    assert response.status_code == 422
    session.refresh(passport)
    assert passport.status == "valid"
    response = post_form(client, f"/passports/{passport.id}/revoke",
                         {"reason": "Forged diploma discovered (sensitive)."})
    assert response.status_code == 302
    session.refresh(passport)
    session.refresh(case)
    assert passport.status == "revoked" and passport.revoked_at is not None
    assert case.status == "closed"
    public = app.test_client().get(f"/verify/{passport.public_id}").get_data(as_text=True)
    assert "Revoked" in public and "Revoked on" in public
    assert "Forged" not in public
    detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"revoked passport {passport.number}" in detail


# --- expiry ------------------------------------------------------------------------------------


def test_expiry_by_date_and_the_idempotent_command(app, world, runner):
    case, passport = world.issued_case()
    _case2, current = world.issued_case(given_name="Still")
    yesterday = utcnow().date() - timedelta(days=1)
    session.execute(update(Passport).where(Passport.id == passport.id)
                    .values(valid_until=yesterday))
    session.commit()
    verifier = app.test_client()
    page = verifier.get(f"/verify/{passport.public_id}").get_data(as_text=True)
    assert "Expired" in page  # by date, before the command ran
    first = runner.invoke(args=["expire-passports"])
    assert first.exit_code == 0, first.output
    assert "1 passport(s) expired" in first.output and passport.number in first.output
    second = runner.invoke(args=["expire-passports"])
    assert "0 passport(s) expired" in second.output
    session.refresh(passport)
    session.refresh(current)
    assert passport.status == "expired" and current.status == "valid"
    assert "Expired" in verifier.get(f"/verify/{passport.public_id}").get_data(as_text=True)
    from passport.audit import case_history

    assert [e.action for e in case_history(case.id)].count("passport.expired") == 1


# --- appeals -----------------------------------------------------------------------------------


def _decision_time(case, when):
    session.execute(update(ReviewDecision).where(ReviewDecision.case_id == case.id)
                    .values(decided_at=when))
    session.commit()


def test_appeal_goes_to_another_coordinator_and_its_outcome_is_recorded(app, world):
    other = second_coordinator(world)
    case = world.submitted_case()
    review.close_without_passport(world.coordinator, case, "not_enough_evidence", "Too thin.")
    appeal = appeals.submit(case, "I have my transcript now.")
    assert appeal.assigned_to_id == other.id
    with pytest.raises(PermissionRefused) as refused:
        appeals.decide(world.coordinator, appeal, "upheld", "Stands.")
    assert "another coordinator" in str(refused.value.message)
    session.rollback()
    with pytest.raises(RuleViolation):
        appeals.decide(other, appeal, "granted", "")
    session.rollback()
    appeals.decide(other, appeal, "granted", "The transcript is new evidence.")
    session.refresh(case)
    assert case.status == "returned"
    with pytest.raises(InvalidTransition):
        appeals.decide(other, appeal, "upheld", "again")
    session.rollback()
    assert appeals.pending_for(other) == []


def test_appeal_after_the_window_is_refused(app, world):
    second_coordinator(world)
    case, _passport = world.issued_case()
    _decision_time(case, utcnow() - timedelta(days=22))
    with pytest.raises(RuleViolation) as refused:
        appeals.submit(case, "Please look again.")
    assert "The time to ask for a review ended" in str(refused.value.message)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Appeal)) == 0
    _decision_time(case, utcnow() - timedelta(days=20))
    appeals.submit(case, "Please look again.")
    with pytest.raises(RuleViolation):  # once per decision
        appeals.submit(case, "And again.")
    session.rollback()


def test_appeal_window_is_configurable(app, world):
    app.config["APPEAL_DAYS"] = 3
    case, _passport = world.issued_case()
    _decision_time(case, utcnow() - timedelta(days=4))
    assert appeals.state(case).open is False
    with pytest.raises(RuleViolation):
        appeals.submit(case, "late")
    session.rollback()


def test_granted_appeal_on_a_passport_leads_to_a_new_passport_superseding_it(app, world):
    from passport.interviews.services import save_assessment
    from tests.conftest import assessment_data

    other = second_coordinator(world)
    case, old = world.issued_case()
    appeal = appeals.submit(case, "My degree was five years.")
    appeals.decide(other, appeal, "granted", "Look at the years again.")
    save_assessment(world.ev1, case, assessment_data(years_completed=5), submit=True)
    new = review.approve(other, case, "Five years confirmed.")
    session.refresh(old)
    assert old.status == "superseded" and new.supersedes_id == old.id
    assert new.snapshot["highest_qualification"]["years_completed"] == 5


def test_candidate_sees_the_reason_in_their_language_and_appeals_from_their_page(
        app, world, client):
    second_coordinator(world)
    case = assessed_through_the_portal(world, client)
    review.close_without_passport(world.coordinator, case, "not_completed",
                                  "The final year was not completed.")
    page = client.get("/candidate").get_data(as_text=True)
    assert "Your case is closed without a passport." in page
    assert "The studies were not completed to a level the passport can describe." in page
    assert "The final year was not completed." in page
    assert "Ask for a review" in page
    empty = post(client, "/candidate/appeal", {"text": ""})
    assert empty.status_code == 422
    response = post(client, "/candidate/appeal", {"text": "I finished the final year."})
    assert response.status_code == 302
    page = client.get("/candidate").get_data(as_text=True)
    assert "Another coordinator is looking at your case." in page
    # The page in French: the fixed reason is translated (the coordinator's words are not).
    from flask_babel import force_locale, gettext

    with force_locale("fr"):
        french = gettext("Your case is closed without a passport.")
    client.post("/candidate/language", data={"locale": "fr",
                                             "csrf_token": _token(client)})
    assert french in client.get("/candidate").get_data(as_text=True)


def assessed_through_the_portal(world, client):
    """A case whose candidate, logged in on `client`, applied through their personal page,
    and whose assessment the evaluators then submitted for review."""
    from passport.cases import services as cases
    from passport.interviews.services import save_assessment
    from tests.conftest import assessment_data, hold_interview
    from tests.test_intake_candidate import COMPLETE

    case, token = invited(world)
    open_link(client, token)
    consent(client)
    post(client, "/candidate/questionnaire", {**COMPLETE, "action": "submit"})
    session.refresh(case)
    cases.screen(world.coordinator, case, eligible=True)
    cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev2)
    hold_interview(case, candidate_agreed=True)
    save_assessment(world.ev1, case, assessment_data(), submit=True)
    return case


def _token(client):
    import re

    page = client.get("/candidate").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_candidate_appeal_after_the_window_gets_a_clear_message(app, world, client):
    case = assessed_through_the_portal(world, client)
    review.close_without_passport(world.coordinator, case, "other", "No.")
    _decision_time(case, utcnow() - timedelta(days=30))
    page = client.get("/candidate").get_data(as_text=True)
    assert "The time to ask for a review of the decision ended on" in page
    assert "Ask for a review</a>" not in page
    from passport.mail.models import OutboxMessage  # noqa: F401

    response = client.post("/candidate/appeal", data={"text": "late", "csrf_token":
                                                      _token(client)})
    assert response.status_code == 422
    assert "The time to ask for a review ended" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Appeal)) == 0


# --- the race ----------------------------------------------------------------------------------


@pytest.mark.skipif(not PG_URL, reason="SQLite serialises writers; the race needs PostgreSQL")
def test_two_coordinators_approving_at_once_give_exactly_one_passport(app, world):
    """Two threads, each with its own application context and database connection, approve
    the same case at the same moment: one passport, one approval, the other told why."""
    import contextvars

    from passport.cases.models import Case
    from passport.errors import ServiceError

    other = second_coordinator(world)
    case = world.submitted_case()
    case_id, ids = case.id, [world.coordinator.id, other.id]
    session.commit()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def decide(user_id):
        from passport.auth.models import User

        with app.app_context():
            actor = session.get(User, user_id)
            target = session.get(Case, case_id)
            barrier.wait()
            try:
                review.approve(actor, target, "at once")
                results.append("approved")
            except ServiceError as exc:
                session.rollback()
                results.append(type(exc).__name__)

    threads = [threading.Thread(target=contextvars.Context().run, args=(decide, uid))
               for uid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["ConcurrentChange", "approved"] or sorted(results) == [
        "InvalidTransition", "approved"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Passport)
                          .where(Passport.case_id == case_id)) == 1
    assert session.scalar(select(func.count()).select_from(ReviewDecision)
                          .where(ReviewDecision.case_id == case_id)) == 1
