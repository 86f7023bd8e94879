"""The coordinator's decision page for a submitted assessment."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from passport.access import Need, load_case
from passport.errors import ServiceError
from passport.interviews.services import current_assessment
from passport.review import services
from passport.review.forms import ApproveForm, ReturnForm

bp = Blueprint("review", __name__)


@bp.get("/cases/<int:case_id>/review")
@login_required
def review(case_id: int):
    case = load_case(case_id, Need.DECIDE)
    return render_template(
        "review/review.html",
        case=case,
        assessment=current_assessment(case),
        approve_form=ApproveForm(),
        return_form=ReturnForm(),
        decisions=services.decisions_of_case(case),
    )


@bp.post("/cases/<int:case_id>/approve")
@login_required
def approve(case_id: int):
    case = load_case(case_id, Need.DECIDE)
    form = ApproveForm()
    if not form.validate_on_submit():
        flash(_("The form was not accepted; please try again."), "error")
        return redirect(url_for("review.review", case_id=case.id))
    try:
        passport = services.approve(current_user, case, form.comment.data or "")
    except ServiceError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("cases.detail", case_id=case_id))
    flash(_("Approved. Passport %(number)s is issued.", number=passport.number), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.post("/cases/<int:case_id>/return")
@login_required
def return_assessment(case_id: int):
    case = load_case(case_id, Need.DECIDE)
    form = ReturnForm()
    if not form.validate_on_submit():
        return render_template(
            "review/review.html",
            case=case,
            assessment=current_assessment(case),
            approve_form=ApproveForm(),
            return_form=form,
            decisions=services.decisions_of_case(case),
        ), 422
    try:
        services.return_to_evaluators(current_user, case, form.comment.data)
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("The assessment is returned to the evaluators."), "success")
    return redirect(url_for("cases.detail", case_id=case_id))
