"""The review queue, the coordinator's review page and decisions, passport reissue/revoke,
appeals, and the coordinators' dashboard."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from passport.access import Need, load_case, may, requires
from passport.auth.models import Role, User
from passport.db import session, utcnow
from passport.errors import ServiceError
from passport.intake import questionnaire as qn
from passport.intake.forms import EVIDENCE_KIND_LABELS
from passport.intake.services import evidence_of, questionnaire_of
from passport.interviews.conclusions import COMPARED, conclusions_of, differences
from passport.interviews.forms import LEVEL_LABELS
from passport.interviews.models import Interview, InterviewParticipant
from passport.interviews.services import current_assessment
from passport.passports import lifecycle
from passport.passports.models import Passport
from passport.passports.pdf_texts import PDF_LANGUAGES
from passport.passports.services import second_language
from passport.review import appeals, queue, services
from passport.review import dashboard as dash
from passport.review.forms import (
    CLOSE_CHOICES,
    AppealDecisionForm,
    ApproveForm,
    CloseForm,
    ReasonForm,
    ReissueForm,
    ReturnForm,
)
from passport.review.models import Appeal
from passport.review.preview import draft_pdf, page_count, page_image

bp = Blueprint("review", __name__)

from passport.review import candidate  # noqa: E402  (the candidate's appeal page)


@bp.app_template_global("review_outcome")
def _review_outcome(case):
    return candidate.outcome(case)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value and value > 0 else None


@bp.get("/review")
@requires(Role.COORDINATOR)
def review_queue():
    waiting = _int_arg("waiting")
    country = (request.args.get("country") or "").strip().upper()[:2] or None
    filters = queue.Filters(
        scheme=_int_arg("scheme"), centre=_int_arg("centre"), country=country,
        evaluator=_int_arg("evaluator"),
        evaluator_name=(request.args.get("evaluator_name") or "").strip()[:100] or None,
        waiting_days=waiting if waiting in queue.WAITING_CHOICES else None,
    )
    result = queue.review_queue(current_user, filters, request.args.get("page", 1, type=int))
    return render_template(
        "review/queue.html",
        result=result,
        filters=filters,
        choices=queue.filter_choices(current_user),
        evaluator=session.get(User, filters.evaluator) if filters.evaluator else None,
        waiting_choices=queue.WAITING_CHOICES,
        now=utcnow(),
        appeals=appeals.pending_for(current_user),
        schemes={s.id: s for s in current_user.coordinated_schemes},
    )


def _interviews(case_id: int) -> list[tuple[Interview, list[tuple[str, str]]]]:
    interviews = list(session.scalars(
        select(Interview).where(Interview.case_id == case_id).order_by(Interview.starts_at)
    ))
    people = session.execute(
        select(InterviewParticipant.interview_id, User.name, InterviewParticipant.role)
        .join(User, User.id == InterviewParticipant.user_id)
        .where(InterviewParticipant.interview_id.in_([i.id for i in interviews] or [0]))
        .order_by(InterviewParticipant.id)
    ).all()
    return [(i, [(p.name, p.role) for p in people if p.interview_id == i.id])
            for i in interviews]


def _render_review(case, status: int = 200, **forms):
    assessment = current_assessment(case)
    conclusions = conclusions_of(assessment) if assessment else []
    submitted = [c for c in conclusions if c.submitted_at is not None]
    differing = differences(submitted[0], submitted[1]) if len(submitted) >= 2 else []
    see_application = may(current_user, Need.APPLICATION, case)
    default_language = second_language(case.candidate)
    preview_language = request.args.get("lang")
    if preview_language not in PDF_LANGUAGES:
        preview_language = default_language
    return render_template(
        "review/review.html",
        case=case,
        assessment=assessment,
        conclusions=conclusions,
        differing=differing,
        compared=COMPARED,
        level_labels=LEVEL_LABELS,
        interviews=_interviews(case.id),
        see_application=see_application,
        record=questionnaire_of(case.id) if see_application else None,
        sections=qn.SECTIONS,
        evidence=evidence_of(case.id) if see_application else [],
        kinds=EVIDENCE_KIND_LABELS,
        decisions=services.decisions_of_case(case),
        rounds=services.return_rounds(case),
        approve_form=forms.get("approve_form") or ApproveForm().fill_choices(default_language),
        return_form=forms.get("return_form") or ReturnForm(),
        close_form=forms.get("close_form") or CloseForm(),
        preview_language=preview_language,
        preview_pages=page_count(draft_pdf(case, assessment, current_user, preview_language))
        if assessment else 0,
    ), status


@bp.get("/cases/<int:case_id>/review")
@login_required
def review(case_id: int):
    case = load_case(case_id, Need.DECIDE)
    return _render_review(case)


def _draft(case_id: int) -> tuple[object, bytes]:
    case = load_case(case_id, Need.DECIDE)
    assessment = current_assessment(case)
    if assessment is None:
        abort(404)
    language = request.args.get("lang")
    return case, draft_pdf(case, assessment, current_user,
                           language if language in PDF_LANGUAGES else None)


@bp.get("/cases/<int:case_id>/review/draft.pdf")
@login_required
def draft(case_id: int):
    case, data = _draft(case_id)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="draft-{case.reference}.pdf"',
        "Cache-Control": "no-store",
    })


@bp.get("/cases/<int:case_id>/review/draft-<int:page>.png")
@login_required
def draft_page(case_id: int, page: int):
    _case, data = _draft(case_id)
    image = page_image(data, page - 1)
    if image is None:
        abort(404)
    return Response(image, mimetype="image/png", headers={"Cache-Control": "no-store"})


def _decided(case_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.post("/cases/<int:case_id>/approve")
@login_required
def approve(case_id: int):
    case = load_case(case_id, Need.DECIDE)
    form = ApproveForm().fill_choices(second_language(case.candidate))
    if not form.validate_on_submit():
        return _render_review(case, 422, approve_form=form)
    try:
        passport = services.approve(
            current_user, case, form.comment.data or "", language=form.language.data or None,
            disagreement_decision=form.disagreement_decision.data or "",
        )
    except ServiceError as exc:
        form.form_errors.append(str(exc.message))
        flash(str(exc.message), "error")
        session.rollback()
        return _render_review(case, exc.status_code, approve_form=form)
    return _decided(case.id, _("Approved. Passport %(number)s is issued.",
                               number=passport.number))


@bp.post("/cases/<int:case_id>/return")
@login_required
def return_assessment(case_id: int):
    case = load_case(case_id, Need.DECIDE)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _render_review(case, 422, return_form=form)
    try:
        services.return_to_evaluators(current_user, case, form.comment.data)
    except ServiceError as exc:
        flash(str(exc.message), "error")
        session.rollback()
        return _render_review(case, exc.status_code, return_form=form)
    return _decided(case.id, _("The assessment is returned to the evaluators."))


@bp.post("/cases/<int:case_id>/close")
@login_required
def close(case_id: int):
    case = load_case(case_id, Need.DECIDE)
    form = CloseForm()
    if not form.validate_on_submit():
        return _render_review(case, 422, close_form=form)
    try:
        services.close_without_passport(current_user, case, form.reason_code.data,
                                        form.comment.data)
    except ServiceError as exc:
        flash(str(exc.message), "error")
        session.rollback()
        return _render_review(case, exc.status_code, close_form=form)
    return _decided(case.id, _("The case is closed without a passport."))


# --- the passport's life ---------------------------------------------------------------------


def _passport_and_case(passport_id: int):
    passport = session.get(Passport, passport_id)
    if passport is None:
        abort(404)
    return passport, load_case(passport.case_id, Need.DECIDE)


@bp.route("/passports/<int:passport_id>/reissue", methods=["GET", "POST"])
@login_required
def reissue(passport_id: int):
    passport, case = _passport_and_case(passport_id)
    form = ReissueForm().fill_choices(passport.second_language)
    if form.validate_on_submit():
        try:
            successor = lifecycle.reissue(current_user, passport, form.reason.data,
                                          form.language.data)
        except ServiceError as exc:
            session.rollback()
            form.form_errors.append(str(exc.message))
        else:
            return _decided(case.id, _("Passport %(new)s is issued; it supersedes %(old)s.",
                                       new=successor.number, old=passport.number))
    return render_template("review/passport_action.html", case=case, passport=passport,
                           form=form, action="reissue"), 422 if form.errors or \
        form.form_errors else 200


@bp.route("/passports/<int:passport_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(passport_id: int):
    passport, case = _passport_and_case(passport_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            lifecycle.revoke(current_user, passport, form.reason.data)
        except ServiceError as exc:
            session.rollback()
            form.form_errors.append(str(exc.message))
        else:
            return _decided(case.id, _("Passport %(number)s is revoked.",
                                       number=passport.number))
    return render_template("review/passport_action.html", case=case, passport=passport,
                           form=form, action="revoke"), 422 if form.errors or \
        form.form_errors else 200


# --- appeals ----------------------------------------------------------------------------------


@bp.route("/appeals/<int:appeal_id>", methods=["GET", "POST"])
@login_required
def appeal(appeal_id: int):
    item = session.get(Appeal, appeal_id)
    if item is None:
        abort(404)
    case = load_case(item.case_id, Need.MANAGE)
    form = AppealDecisionForm()
    if form.validate_on_submit():
        try:
            appeals.decide(current_user, item, form.outcome.data, form.text.data)
        except ServiceError as exc:
            session.rollback()
            form.form_errors.append(str(exc.message))
        else:
            return _decided(case.id, _("The appeal is decided."))
    return render_template(
        "review/appeal.html", case=case, appeal=item, form=form,
        may_decide=appeals.may_decide(current_user, item, case),
        close_labels=dict(CLOSE_CHOICES),
    ), 422 if form.errors or form.form_errors else 200


# --- dashboard --------------------------------------------------------------------------------


@bp.get("/dashboard")
@requires(Role.COORDINATOR)
def dashboard():
    return render_template("review/dashboard.html", charts=dash.build(current_user))


@bp.get("/dashboard/<name>.csv")
@requires(Role.COORDINATOR)
def dashboard_csv(name: str):
    charts = {c.name: c for c in dash.build(current_user)}
    chart = charts.get(name) or abort(404)
    return Response(chart.csv(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"',
    })
