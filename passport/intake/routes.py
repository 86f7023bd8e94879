"""Staff side of intake: inviting the candidate, their link, their details, and reading what
they sent (questionnaire and documents)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from passport.access import Need, load_case
from passport.errors import ServiceError
from passport.intake import questionnaire as qn
from passport.intake import services
from passport.intake.forms import EVIDENCE_KIND_LABELS, ActionForm, CandidateDetailsForm
from passport.mail.models import MessageStatus
from passport.mail.services import latest_message

bp = Blueprint("intake", __name__)


def _back(case_id: int):
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="intake"), code=303)


def _link_action(case_id: int, action, done: str, *, sends: bool = True):  # noqa: ANN001
    case = load_case(case_id, Need.MANAGE)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(current_user, case)
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(done, "success")
        if sends:
            _delivery_notice(case.id)
    return _back(case.id)


def _delivery_notice(case_id: int) -> None:
    message = latest_message(case_id)
    if message is None or message.status == MessageStatus.SENT:
        return
    if message.status == MessageStatus.FAILED:
        flash(_("The mail server did not take the message; see the outbox."), "error")
    else:
        flash(_("No email was sent: the message is in the outbox, to be passed on."), "info")


@bp.post("/cases/<int:case_id>/invite")
@login_required
def invite(case_id: int):
    return _link_action(case_id, services.invite, _("The questionnaire invitation is sent."))


@bp.post("/cases/<int:case_id>/link/reissue")
@login_required
def reissue(case_id: int):
    return _link_action(
        case_id, services.reissue_link, _("A new link is sent; the old one no longer works.")
    )


@bp.post("/cases/<int:case_id>/link/revoke")
@login_required
def revoke(case_id: int):
    return _link_action(
        case_id, services.revoke_link,
        _("The link is revoked: it no longer opens the candidate's page."), sends=False,
    )


@bp.route("/cases/<int:case_id>/candidate", methods=["GET", "POST"])
@login_required
def candidate_details(case_id: int):
    case = load_case(case_id, Need.MANAGE)
    candidate = case.candidate
    form = CandidateDetailsForm(obj=candidate if request.method == "GET" else None)
    form.fill_choices()
    if request.method == "GET":
        form.preferred_languages.data = candidate.language_list
    if form.validate_on_submit():
        details = services.CandidateDetails(
            email=form.email.data or "",
            phone=form.phone.data or "",
            preferred_language=form.preferred_language.data,
            preferred_languages=form.preferred_languages.data or [],
            protection_status=form.protection_status.data or "",
            timezone=form.timezone.data or "",
            photo=form.photo_data,
            remove_photo=form.remove_photo.data,
        )
        try:
            services.update_candidate(current_user, case, details)
        except services.FieldProblem as exc:
            getattr(form, exc.field).errors = [str(exc.message)]
        except ServiceError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("The candidate's details are saved."), "success")
            return redirect(url_for("cases.detail", case_id=case.id), code=303)
    return render_template(
        "intake/candidate_form.html", case=case, form=form
    ), 422 if form.errors else 200


@bp.get("/cases/<int:case_id>/photo")
@login_required
def photo(case_id: int):
    case = load_case(case_id, Need.VIEW)
    candidate = case.candidate
    if candidate.photo_type not in {"image/png", "image/jpeg"}:
        abort(404)
    return Response(
        candidate.photo,
        mimetype=candidate.photo_type,
        headers={
            # Shown in an <img> on the case page; opened on its own, it is downloaded.
            "Content-Disposition": 'attachment; filename="candidate-photo.'
            + ("png" if candidate.photo_type == "image/png" else "jpg") + '"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/cases/<int:case_id>/questionnaire")
@login_required
def questionnaire(case_id: int):
    case = load_case(case_id, Need.APPLICATION)
    return render_template(
        "intake/questionnaire_view.html",
        case=case,
        record=services.questionnaire_of(case.id),
        sections=qn.SECTIONS,
        evidence=services.evidence_of(case.id),
        kinds=EVIDENCE_KIND_LABELS,
    )


@bp.get("/cases/<int:case_id>/evidence/<int:evidence_id>")
@login_required
def evidence(case_id: int, evidence_id: int):
    case = load_case(case_id, Need.APPLICATION)
    try:
        document = services.open_evidence(current_user, case, evidence_id)
    except ServiceError:
        abort(404)
    return Response(
        document.data,
        mimetype=document.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.download_name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
