"""The audit trail of a case told as sentences a person can read, in their language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _

from passport.audit import AuditEntry
from passport.cases.workflow import STATUS_LABELS, CaseStatus


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    text: str
    reason: str


# Recorded for the passport's own trail; the case's "issue_passport" step already tells it.
HIDDEN = {"passport.issued", "passport.superseded", "passport.revoked"}


def _date(iso: str) -> str:
    return format_date(date.fromisoformat(iso), "long") if iso else ""


def _user_name(facts: dict) -> str:
    from passport.auth.models import User
    from passport.db import session

    user = session.get(User, facts.get("user_id") or 0)
    return user.name if user else _("someone")


def history(entries: list[AuditEntry]) -> list[HistoryLine]:
    return [describe(e) for e in entries if e.action not in HIDDEN]


def _intake_texts(who: str, after: dict) -> dict:
    from passport.i18n import language_name
    from passport.intake.forms import EVIDENCE_KIND_LABELS

    return {
        "case.send_questionnaire": lambda: _(
            "%(who)s sent the questionnaire to the candidate.", who=who
        ),
        "case.submit_questionnaire": lambda: _("The candidate submitted the questionnaire."),
        "candidate.invited": lambda: _(
            "A personal link was sent to the candidate, valid until %(date)s.",
            date=_date(after.get("expires", "")),
        ),
        "candidate.link_reissued": lambda: _(
            "%(who)s sent the candidate a new personal link, valid until %(date)s; the old one "
            "no longer works.",
            who=who, date=_date(after.get("expires", "")),
        ),
        "candidate.link_revoked": lambda: _(
            "%(who)s revoked the candidate's personal link.", who=who
        ),
        "candidate.verified": lambda: _("The candidate opened their personal page."),
        "candidate.link_locked": lambda: _(
            "The candidate's link was locked for a while after too many wrong attempts."
        ),
        "candidate.consent_given": lambda: _(
            "The candidate gave consent (text version %(version)s, in %(language)s).",
            version=after.get("version", ""), language=language_name(after.get("language")),
        ),
        "candidate.consent_withdrawn": lambda: _(
            "The candidate withdrew consent: processing of the case is stopped."
        ),
        "candidate.questionnaire_started": lambda: _("The candidate started the questionnaire."),
        "candidate.evidence_added": lambda: _(
            "The candidate added a document (%(kind)s).",
            kind=EVIDENCE_KIND_LABELS.get(after.get("kind"), after.get("kind", "")),
        ),
        "candidate.evidence_removed": lambda: _("The candidate removed a document."),
        "candidate.updated": lambda: _("%(who)s changed the candidate's details.", who=who),
    }


def _review_texts(who: str, after: dict) -> dict:
    """Decisions after review, the passport's life and appeals (passport/review)."""
    from passport.review.services import CLOSE_REASON_LABELS

    return {
        "case.close_no_passport": lambda: _(
            "%(who)s closed the case without a passport: %(label)s",
            who=who, label=CLOSE_REASON_LABELS.get(after.get("reason_code"), ""),
        ) if after.get("reason_code") else _(
            "%(who)s closed the case without a passport.", who=who
        ),
        "case.reissue_passport": lambda: _(
            "%(who)s reissued the passport: a new one supersedes %(number)s.",
            who=who, number=after.get("supersedes", ""),
        ),
        "case.revoke_passport": lambda: _(
            "%(who)s revoked passport %(number)s.", who=who, number=after.get("number", "")
        ),
        "case.reopen_on_appeal": lambda: _(
            "%(who)s granted the candidate's appeal: the case goes back to the evaluators.",
            who=who,
        ),
        "appeal.submitted": lambda: _(
            "The candidate asked for a review of the decision (appeal), assigned to %(name)s.",
            name=after.get("assigned_to") or _("any other coordinator"),
        ),
        "appeal.upheld": lambda: _(
            "%(who)s decided the appeal: the decision stands.", who=who
        ),
        "appeal.granted": lambda: _("%(who)s decided the appeal: granted.", who=who),
        "passport.expired": lambda: _(
            "Passport %(number)s expired at the end of its validity.",
            number=after.get("number", ""),
        ),
    }


def describe(entry: AuditEntry) -> HistoryLine:
    who = entry.actor.name if entry.actor else _("The system")
    after = entry.after or {}
    texts = {
        "case.created": lambda: _("%(who)s created the case.", who=who),
        "case.mark_eligible": lambda: _("%(who)s found the application eligible.", who=who),
        "case.mark_ineligible": lambda: _(
            "%(who)s found the application not eligible.", who=who
        ),
        "case.assign_evaluators": lambda: _(
            "%(who)s assigned the evaluators %(names)s.",
            who=who,
            names=_(" and ").join(after.get("evaluators", [])),
        ),
        "assessment.saved": lambda: _(
            "%(who)s saved the assessment (round %(round)s).", who=who, round=after.get("round")
        ),
        "case.submit_assessment": lambda: _(
            "%(who)s submitted the assessment for review.", who=who
        ),
        "case.return_assessment": lambda: _(
            "%(who)s returned the assessment to the evaluators.", who=who
        ) if after.get("round", 1) == 1 else _(
            "%(who)s returned the assessment to the evaluators (round %(round)s).",
            who=who, round=after.get("round"),
        ),
        "case.approve": lambda: (
            _("%(who)s approved the assessment, deciding the evaluators' disagreement.",
              who=who)
            if after.get("disagreement")
            else _("%(who)s approved the assessment.", who=who)
            if after.get("round", 1) == 1
            else _("%(who)s approved the assessment (round %(round)s).",
                   who=who, round=after.get("round"))
        ),
        "case.issue_passport": lambda: _(
            "Passport %(number)s was issued, valid until %(date)s.",
            number=after.get("number", ""),
            date=_date(after.get("valid_until", "")),
        ),
        "case.observer_added": lambda: _(
            "%(who)s added %(name)s as an observer.", who=who, name=_user_name(after)
        ),
        "case.observer_removed": lambda: _(
            "%(who)s removed the observer %(name)s.",
            who=who, name=_user_name(entry.before or {}),
        ),
        **_review_texts(who, after),
        **_intake_texts(who, after),
    }
    make = texts.get(entry.action)
    if make is not None:
        text = make()
    elif entry.action.startswith("case.") and "status" in after:
        text = _(
            "%(who)s moved the case to “%(status)s”.",
            who=who,
            status=STATUS_LABELS[CaseStatus(after["status"])],
        )
    else:
        text = _("%(who)s: %(action)s.", who=who, action=entry.action)
    return HistoryLine(at=entry.at, text=text, reason=entry.reason)
