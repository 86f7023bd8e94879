"""Messages about decisions: to the candidate in their language, to evaluators in theirs.

Each function runs inside the caller's transaction (mail.send stores the message in the outbox),
so a decision that is refused sends nothing.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from passport import mail
from passport.auth.models import User
from passport.cases.models import Case
from passport.intake.services import message_locale


def _render(template: str, **context: Any) -> str:
    return current_app.jinja_env.get_template(f"review/mail/{template}").render(**context)


def _to_candidate(case: Case, template: str, subject: Any, **context: Any) -> None:
    candidate = case.candidate
    to = candidate.email or candidate.phone
    if not to:
        return
    with force_locale(message_locale(candidate)):
        body = _render(template, name=candidate.given_name, scheme=case.scheme.name,
                       portal_url=f"{current_app.config['BASE_URL']}/candidate", **context)
        mail.send(to, str(subject), body, case_id=case.id)


def passport_issued(case: Case, passport: Any, *, reissued: bool = False) -> None:
    _to_candidate(case, "passport_issued.txt",
                  _l("Your qualifications passport is ready") if not reissued
                  else _l("A new version of your qualifications passport"),
                  passport=passport, reissued=reissued)


def closed(case: Case, reason_label: Any, comment: str) -> None:
    _to_candidate(case, "closed.txt", _l("Decision on your application"),
                  reason_label=reason_label, comment=comment)


def passport_revoked(case: Case, passport: Any) -> None:
    _to_candidate(case, "revoked.txt", _l("Your qualifications passport is no longer valid"),
                  passport=passport)


def appeal_decided(case: Case, appeal: Any) -> None:
    _to_candidate(case, "appeal_decided.txt",
                  _l("Decision on your request for a review"),
                  appeal=appeal)


def returned(case: Case, comment: str, round_no: int, by: User) -> None:
    """Each evaluator of the case, in their own interface language."""
    url = f"{current_app.config['BASE_URL']}/cases/{case.id}/assessment"
    for evaluator in case.evaluators:
        with force_locale(evaluator.locale or "en"):
            body = _render("returned.txt", name=evaluator.name, reference=case.reference,
                           comment=comment, round=round_no, by=by.name, url=url)
            mail.send(evaluator.email,
                      _("Assessment %(ref)s returned to you", ref=case.reference),
                      body, case_id=case.id)
