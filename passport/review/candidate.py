"""The candidate's side of decisions: the outcome in their language and the request for a
review (appeal), on the candidate's personal pages (passport/intake/portal.py)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from passport.cases.models import Case
from passport.errors import ServiceError
from passport.intake.portal import bp as candidate_bp
from passport.intake.portal import candidate_page, needs_consent
from passport.review import appeals, services
from passport.review.forms import AppealForm


def outcome(case: Case) -> dict[str, Any]:
    """What the candidate's page shows about the decision and a possible appeal."""
    closing = services.closing_decision(case)
    current = appeals.state(case)
    return {
        "close_label": services.close_reason_label(closing),
        "appeal_state": current,
        "appeal_form": AppealForm() if current.open else None,
    }


@candidate_bp.route("/candidate/appeal", methods=["GET", "POST"])
@candidate_page
@needs_consent
def appeal(case: Case):
    form = AppealForm()
    if form.validate_on_submit():
        try:
            appeals.submit(case, form.text.data)
        except ServiceError as exc:
            form.form_errors.append(str(exc.message))
        else:
            flash(_("Your request is sent. Another coordinator will look at your case."),
                  "success")
            return redirect(url_for("candidate.home"))
    return render_template("review/candidate_appeal.html", case=case, form=form,
                           state=appeals.state(case)), 422 if (form.errors
                                                                or form.form_errors) else 200
