"""The state machine, driven from its one table: every action from every status is allowed
exactly when the table says so, and a refused action changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from passport.cases import workflow
from passport.cases.models import Case
from passport.cases.workflow import ACTIONS, CaseStatus
from passport.db import session
from passport.errors import InvalidTransition, RuleViolation


def _force(case, status):
    session.execute(update(Case).where(Case.id == case.id).values(status=status))
    session.commit()
    session.refresh(case)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_from_every_status(app, world, action):
    case = world.new_case()
    spec = ACTIONS[action]
    for status in CaseStatus:
        _force(case, status)
        version = case.version
        if status in spec.sources:
            workflow.apply(case, action, world.coordinator, reason="because")
            session.commit()
            assert case.status == spec.target, (action, status)
            assert case.version == version + 1
        else:
            with pytest.raises(InvalidTransition):
                workflow.apply(case, action, world.coordinator, reason="because")
            session.rollback()
            session.refresh(case)
            assert case.status == status, (action, status)
            assert case.version == version


@pytest.mark.parametrize("action", sorted(a for a, s in ACTIONS.items() if s.needs_reason))
def test_actions_that_need_a_reason_refuse_without_one(app, world, action):
    case = world.new_case()
    source = sorted(ACTIONS[action].sources)[0]
    _force(case, source)
    with pytest.raises(RuleViolation):
        workflow.apply(case, action, world.coordinator, reason="   ")
    session.rollback()
    session.refresh(case)
    assert case.status == source


def test_the_review_actions_are_in_the_table():
    for name in ("approve", "return_assessment", "close_no_passport", "issue_passport",
                 "reissue_passport", "revoke_passport", "reopen_on_appeal"):
        assert name in ACTIONS
    assert workflow.allowed_actions(CaseStatus.ASSESSMENT_SUBMITTED) >= {
        "approve", "return_assessment", "close_no_passport"}
    assert "approve" not in workflow.allowed_actions(CaseStatus.PASSPORT_ISSUED)
