"""Coordinator review: the queue, the review page and its draft passport, decisions (approve,
return with rounds, close without a passport), four eyes, bad input, notifications, history."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import event, func, select

from passport.auth.models import Role
from passport.db import session
from passport.errors import InvalidTransition, PermissionRefused, RuleViolation
from passport.mail.models import OutboxMessage
from passport.passports.models import Passport
from passport.review import services as review
from passport.review.models import Decision, ReviewDecision
from tests.conftest import PASSWORD, login, post_form
from tests.review_helpers import case_with_conclusions


def _passports(case_id=None):
    query = select(func.count()).select_from(Passport)
    if case_id is not None:
        query = query.where(Passport.case_id == case_id)
    return session.scalar(query)


def _messages(case_id):
    return list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id)))


# --- the queue ---------------------------------------------------------------------------------


def test_queue_lists_submitted_cases_oldest_first_with_counts_and_flags(app, world, client):
    agreeing = world.submitted_case(given_name="Older")
    disagreeing = case_with_conclusions(world, "bachelor", "master", given_name="Newer")
    world.assigned_case(given_name="NotSubmitted")
    world.submitted_case(coordinator=world.other_coordinator, scheme=world.uqp,
                         given_name="OtherScheme")
    login(client, world.coordinator.email)
    page = client.get("/review").get_data(as_text=True)
    assert "2 assessments waiting" in page
    assert page.index("Older") < page.index("Newer")
    assert "NotSubmitted" not in page and "OtherScheme" not in page
    row = page[page.index(disagreeing.reference):]
    row = row[:row.index("</tr>")]
    assert "Disagree" in row
    row = page[page.index(agreeing.reference):]
    assert "Disagree" not in row[:row.index("</tr>")]


def test_queue_filters(app, world, client):
    world.submitted_case(given_name="Pair12")
    world.submitted_case(given_name="Pair13", first=world.ev1, second=world.ev3)
    login(client, world.coordinator.email)
    page = client.get(f"/review?evaluator={world.ev3.id}").get_data(as_text=True)
    assert "Pair13" in page and "Pair12" not in page and "1 assessment waiting" in page
    assert 'value="Eleni Eval"' in page  # the name box says whose cases these are
    # By part of the name, as a coordinator types it; wildcards are plain letters.
    page = client.get("/review?evaluator_name=eleni").get_data(as_text=True)
    assert "Pair13" in page and "Pair12" not in page and "1 assessment waiting" in page
    page = client.get("/review?evaluator_name=Eval").get_data(as_text=True)
    assert "Pair13" in page and "Pair12" in page
    # Each evaluator's name in a row leads to the queue of their cases.
    assert f'<a href="/review?evaluator={world.ev3.id}">Eleni Eval</a>' in page
    page = client.get("/review?evaluator_name=%25").get_data(as_text=True)
    assert "Nothing is waiting" in page
    page = client.get(f"/review?centre={world.doatap.id}").get_data(as_text=True)
    assert "Pair13" in page and "Pair12" not in page
    page = client.get("/review?country=SY").get_data(as_text=True)
    assert "Pair13" in page and "Pair12" in page
    page = client.get("/review?country=UA").get_data(as_text=True)
    assert "Nothing is waiting" in page
    page = client.get("/review?waiting=7").get_data(as_text=True)
    assert "Nothing is waiting" in page
    assert client.get("/review?scheme=abc&waiting=-1&page=99").status_code == 200


def test_queue_is_for_coordinators_only(app, world, client):
    login(client, world.ev1.email)
    assert client.get("/review").status_code == 403
    assert client.get("/dashboard").status_code == 403


def test_queue_costs_the_same_number_of_queries_for_3_or_12_cases(app, world, client):
    from passport.db import engine

    def count_queries():
        statements = []

        def listener(*_args, **_kwargs):
            statements.append(1)

        event.listen(engine(), "before_cursor_execute", listener)
        try:
            assert client.get("/review").status_code == 200
        finally:
            event.remove(engine(), "before_cursor_execute", listener)
        return len(statements)

    for _ in range(3):
        case_with_conclusions(world, "bachelor", "master")
    login(client, world.coordinator.email)
    few = count_queries()
    for _ in range(9):
        case_with_conclusions(world, "bachelor", "master")
    many = count_queries()
    assert many == few


# --- the review page and the draft passport ----------------------------------------------------


def test_review_page_shows_conclusions_side_by_side_and_the_draft(app, world, client):
    case = case_with_conclusions(world, "bachelor", "master")
    login(client, world.coordinator.email)
    page = client.get(f"/cases/{case.id}/review").get_data(as_text=True)
    assert "Ingrid Eval concludes bachelor." in page and "Giulia Eval concludes master." in page
    assert 'class="differs"' in page
    assert "The evaluators disagree" in page
    draft = client.get(f"/cases/{case.id}/review/draft.pdf?lang=ar")
    assert draft.status_code == 200
    assert draft.mimetype == "application/pdf"
    assert draft.headers["Content-Disposition"].startswith("inline")
    image = client.get(f"/cases/{case.id}/review/draft-1.png?lang=ar")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert f"/cases/{case.id}/review/draft-1.png" in page
    assert client.get(f"/cases/{case.id}/review/draft-99.png").status_code == 404
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(draft.data)).pages[0].extract_text()
    assert "DRAFT" in text
    assert "Bachelor of Civil Engineering" in text
    assert _passports() == 0  # a preview issues nothing


def test_evaluator_cannot_open_the_review_page_and_an_outsider_gets_404(app, world, client):
    case = world.submitted_case()
    login(client, world.ev1.email)
    assert client.get(f"/cases/{case.id}/review").status_code == 403
    assert client.get(f"/cases/{case.id}/review/draft.pdf").status_code == 403
    other = app.test_client()
    login(other, world.other_coordinator.email)
    assert other.get(f"/cases/{case.id}/review").status_code == 404


# --- decisions ---------------------------------------------------------------------------------


def test_approve_through_the_page_with_a_second_language(app, world, client):
    case = world.submitted_case(email="amina@example.org")
    login(client, world.coordinator.email)
    response = post_form(client, f"/cases/{case.id}/approve",
                         {"language": "fr", "comment": "Consistent."},
                         form_page=f"/cases/{case.id}/review")
    assert response.status_code == 302
    session.refresh(case)
    assert case.status == "passport_issued"
    passport = session.scalar(select(Passport).where(Passport.case_id == case.id))
    assert passport.second_language == "fr"
    [message] = [m for m in _messages(case.id) if passport.number in m.body]
    assert message.to == "amina@example.org"
    detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Kari Coord approved the assessment." in detail
    assert f"Passport {passport.number} was issued" in detail


def test_notification_is_in_the_candidates_language(app, world):
    case = world.submitted_case(email="amina@example.org")
    case.candidate.preferred_language = "fr"
    session.commit()
    passport = review.approve(world.coordinator, case, "ok")
    message = _messages(case.id)[-1]
    assert passport.number in message.body
    from flask_babel import force_locale, gettext

    with force_locale("fr"):
        expected = gettext("Your qualifications passport is ready")
    assert message.subject == expected


def test_disagreement_needs_a_written_decision(app, world, client):
    case = case_with_conclusions(world, "bachelor", "master")
    with pytest.raises(RuleViolation):
        review.approve(world.coordinator, case, "ok")
    session.rollback()
    login(client, world.coordinator.email)
    page = post_form(client, f"/cases/{case.id}/approve", {"language": "en"},
                     form_page=f"/cases/{case.id}/review")
    assert page.status_code == 409
    assert "write your decision on their disagreement" in page.get_data(as_text=True)
    session.refresh(case)
    assert case.status == "assessment_submitted" and _passports() == 0
    response = post_form(client, f"/cases/{case.id}/approve",
                         {"language": "en", "disagreement_decision":
                          "The transcript shows a four-year bachelor; master not completed."},
                         form_page=f"/cases/{case.id}/review")
    assert response.status_code == 302
    decision = session.scalar(select(ReviewDecision).where(ReviewDecision.case_id == case.id))
    assert decision.disagreement_decision.startswith("The transcript")
    detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "deciding the evaluators&#39; disagreement" in detail


def test_return_rounds_comments_reach_the_evaluators(app, world, client):
    from passport.interviews.services import save_assessment
    from tests.conftest import assessment_data

    case = world.submitted_case()
    review.return_to_evaluators(world.coordinator, case, "State the years of study.")
    assert case.status == "returned"
    # (the evaluators also had the interview's calendar invitations)
    mails = [m for m in _messages(case.id) if m.to in {world.ev1.email, world.ev2.email}
             and "State the years of study." in m.body]
    assert {m.to for m in mails} == {world.ev1.email, world.ev2.email}
    evaluator = app.test_client()
    login(evaluator, world.ev2.email)
    page = evaluator.get(f"/cases/{case.id}/assessment").get_data(as_text=True)
    assert "State the years of study." in page
    save_assessment(world.ev1, case, assessment_data(years_completed=5), submit=True)
    review.return_to_evaluators(world.coordinator, case, "And the institution's name.")
    save_assessment(world.ev1, case, assessment_data(institution="Aleppo University"),
                    submit=True)
    passport = review.approve(world.coordinator, case, "Now complete.")
    decisions = review.decisions_of_case(case)
    assert [(d.decision, d.round) for d in decisions] == [
        ("returned", 1), ("returned", 2), ("approved", 3)]
    assert review.return_rounds(case) == 2
    assert passport.snapshot["highest_qualification"]["institution"] == "Aleppo University"
    login(client, world.coordinator.email)
    detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "returned the assessment to the evaluators (round 2)" in detail
    assert "approved the assessment (round 3)" in detail


def test_close_without_a_passport_needs_a_reason(app, world, client):
    case = world.submitted_case()
    login(client, world.coordinator.email)
    page = post_form(client, f"/cases/{case.id}/close", {"reason_code": "", "comment": ""},
                     form_page=f"/cases/{case.id}/review")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "Choose a reason." in text
    session.refresh(case)
    assert case.status == "assessment_submitted"
    with pytest.raises(RuleViolation):
        review.close_without_passport(world.coordinator, case, "bogus", "text")
    session.rollback()
    response = post_form(client, f"/cases/{case.id}/close",
                         {"reason_code": "not_enough_evidence",
                          "comment": "The interview did not confirm the final year."},
                         form_page=f"/cases/{case.id}/review")
    assert response.status_code == 302
    session.refresh(case)
    assert case.status == "closed" and _passports() == 0
    detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "closed the case without a passport: The interview and the documents" in detail


def test_four_eyes_a_coordinator_who_evaluated_cannot_decide(app, world, client):
    from passport.auth.services import create_user

    both = create_user("both@test.org", "Bea Both", [Role.COORDINATOR, Role.EVALUATOR],
                       PASSWORD, centre=world.doatap, schemes=[world.eqpr])
    world.certify(both)
    case = world.submitted_case(first=both, second=world.ev2)
    with pytest.raises(PermissionRefused) as refused:
        review.approve(both, case, "mine")
    assert "another coordinator must decide" in str(refused.value.message)
    with pytest.raises(PermissionRefused):
        review.return_to_evaluators(both, case, "x")
    with pytest.raises(PermissionRefused):
        review.close_without_passport(both, case, "other", "x")
    session.rollback()
    login(client, both.email)
    response = post_form(client, f"/cases/{case.id}/approve", {"language": "en"},
                         form_page=f"/cases/{case.id}")
    assert response.status_code == 403
    assert "another coordinator must decide" in response.get_data(as_text=True)
    session.refresh(case)
    assert case.status == "assessment_submitted" and _passports() == 0


@pytest.mark.parametrize("step", ["assigned", "returned", "issued", "closed"])
def test_approve_when_not_in_review_is_refused_and_changes_nothing(app, world, client, step):
    if step == "assigned":
        case = world.assigned_case()
    else:
        case = world.submitted_case()
        if step == "returned":
            review.return_to_evaluators(world.coordinator, case, "again")
        elif step == "issued":
            review.approve(world.coordinator, case, "ok")
        else:
            review.close_without_passport(world.coordinator, case, "other", "no")
    status, version, count = case.status, case.version, _passports()
    with pytest.raises(InvalidTransition):
        review.approve(world.coordinator, case, "again")
    session.rollback()
    login(client, world.coordinator.email)
    response = post_form(client, f"/cases/{case.id}/approve", {"language": "en"},
                         form_page=f"/cases/{case.id}")
    assert response.status_code == 409
    assert "not waiting for a decision" in response.get_data(as_text=True)
    session.refresh(case)
    assert (case.status, case.version, _passports()) == (status, version, count)


def test_double_submit_gives_one_passport(app, world, client):
    case = world.submitted_case()
    login(client, world.coordinator.email)
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"',
                      client.get(f"/cases/{case.id}/review").get_data(as_text=True)).group(1)
    first = client.post(f"/cases/{case.id}/approve", data={"csrf_token": token,
                                                             "language": "en"})
    second = client.post(f"/cases/{case.id}/approve", data={"csrf_token": token,
                                                              "language": "en"})
    assert first.status_code == 302
    assert second.status_code == 409
    assert _passports(case.id) == 1
    assert session.scalar(select(func.count()).select_from(ReviewDecision).where(
        ReviewDecision.decision == Decision.APPROVED)) == 1


def test_bad_language_is_refused(app, world, client):
    case = world.submitted_case()
    login(client, world.coordinator.email)
    response = post_form(client, f"/cases/{case.id}/approve", {"language": "xx"},
                         form_page=f"/cases/{case.id}/review")
    assert response.status_code == 409
    assert "cannot be printed in this language" in response.get_data(as_text=True)
    session.refresh(case)
    assert case.status == "assessment_submitted"
    with pytest.raises(RuleViolation):
        review.approve(world.coordinator, case, language="xx")
    session.rollback()


def test_return_without_a_comment_is_refused(app, world, client):
    case = world.submitted_case()
    login(client, world.coordinator.email)
    response = post_form(client, f"/cases/{case.id}/return", {"comment": "  "},
                         form_page=f"/cases/{case.id}/review")
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    session.refresh(case)
    assert case.status == "assessment_submitted"


# --- dashboard ---------------------------------------------------------------------------------


def test_dashboard_draws_charts_with_tables_and_csv(app, world, client):
    world.submitted_case()
    world.issued_case(given_name="Issued")
    world.assigned_case()
    login(client, world.coordinator.email)
    response = client.get("/dashboard")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<svg") == 4
    assert "style=" not in page and "<script" not in page
    for name in ("cases-per-step", "waiting-per-step", "evaluator-load", "passports-per-month"):
        csv = client.get(f"/dashboard/{name}.csv")
        assert csv.status_code == 200 and csv.mimetype == "text/csv"
    cases_csv = client.get("/dashboard/cases-per-step.csv").get_data(as_text=True)
    assert "Passport issued,1" in cases_csv and "Assessment submitted,1" in cases_csv
    load = client.get("/dashboard/evaluator-load.csv").get_data(as_text=True)
    assert "Ingrid Eval,2,0" in load
    months = client.get("/dashboard/passports-per-month.csv").get_data(as_text=True)
    assert months.splitlines()[0] == "Month,EQPR"
    assert months.splitlines()[-1].endswith(",1")
    assert client.get("/dashboard/nothing.csv").status_code == 404
