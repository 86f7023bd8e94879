"""The evaluators' assessment page of a case."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from passport.access import Need, load_case
from passport.cases import workflow
from passport.errors import ServiceError
from passport.interviews import services
from passport.interviews.forms import AssessmentForm
from passport.review.services import decisions_of_case

bp = Blueprint("interviews", __name__)


@bp.route("/cases/<int:case_id>/assessment", methods=["GET", "POST"])
@login_required
def assessment(case_id: int):
    case = load_case(case_id, Need.ASSESS)
    existing = services.current_assessment(case)
    form = AssessmentForm(obj=existing if request.method == "GET" else None)
    editable = workflow.can(case, "submit_assessment")
    if request.method == "POST" and not editable:
        flash(_("The assessment can no longer be changed at this step of the case."), "error")
    elif form.validate_on_submit():
        values = {name: form[name].data for name in services.FIELDS}
        data = services.AssessmentData(
            **{k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
        )
        submit = "submit" in request.form
        try:
            services.save_assessment(current_user, case, data, submit=submit)
        except ServiceError as exc:
            flash(str(exc.message), "error")
        else:
            if submit:
                flash(_("The assessment is submitted for review."), "success")
                return redirect(url_for("cases.detail", case_id=case.id))
            flash(_("Draft saved."), "success")
            return redirect(url_for("interviews.assessment", case_id=case.id))
    returned = [d for d in decisions_of_case(case) if d.decision == "returned"]
    return render_template(
        "interviews/assessment.html",
        case=case,
        form=form,
        editable=editable,
        returned=returned,
    ), 422 if form.errors else 200
