"""Interview pages: scheduling, the list of upcoming interviews, the live workspace with
autosave, held / not held, each evaluator's conclusion, and the assessment page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from passport.access import Need, load_case, may
from passport.cases import workflow
from passport.cases.models import Case
from passport.db import session, utcnow
from passport.errors import ServiceError
from passport.i18n import country_choices, language_choices, language_name, timezone_choices
from passport.intake.questionnaire import AVAILABILITY
from passport.interviews import scheduling, services, workspace
from passport.interviews.conclusions import (
    ConclusionData,
    conclusions_of,
    disagreement,
    save_conclusion,
)
from passport.interviews.forms import (
    LEVEL_LABELS,
    AssessmentForm,
    CancelForm,
    ConclusionForm,
    HeldForm,
    NotHeldForm,
    ScheduleForm,
)
from passport.interviews.models import Interview, InterviewStatus, ParticipantRole
from passport.review.services import decisions_of_case
from passport.security import accepts_json

bp = Blueprint("interviews", __name__)


@bp.route("/cases/<int:case_id>/assessment", methods=["GET", "POST"])
@login_required
def assessment(case_id: int):
    case = load_case(case_id, Need.ASSESS)
    existing = services.current_assessment(case)
    form = AssessmentForm(obj=existing if request.method == "GET" else None)
    if request.method == "GET" and (existing is None or services.is_blank(existing)):
        # The first draft starts from what the evaluators wrote in the interview workspace
        # (also when a conclusion saved in the workspace already made the round's empty row).
        held = scheduling.current_interview(case)
        if held is not None:
            for name, value in workspace.assessment_draft(held).items():
                getattr(form, name).data = value
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


# --- scheduling --------------------------------------------------------------------------------


def _interview_of(interview_id: int, need: Need, *, log: bool = True
                  ) -> tuple[Interview, Case]:
    """The interview and its case, for a person who has `need` on the case (else 404/403)."""
    interview = session.get(Interview, interview_id) or abort(404)
    return interview, load_case(interview.case_id, need, log=log)


def schedule_form(case: Case, interview: Interview | None = None) -> ScheduleForm:
    form = ScheduleForm(prefix="interview")
    form.timezone.choices = timezone_choices()
    form.language.choices = language_choices()
    form.mode.choices = [(str(k), str(v)) for k, v in scheduling.MODE_LABELS.items()]
    form.observers.choices = [(u.id, u.name) for u in case.observers]
    if request.method == "GET" or not form.is_submitted():
        form.timezone.data = (interview.entered_timezone if interview
                              else current_user.timezone) or "UTC"
        if interview is not None:
            tz = scheduling.zone(form.timezone.data)
            form.start.data = interview.starts_at.astimezone(tz).replace(tzinfo=None)
            form.duration.data = interview.duration_minutes
            form.mode.data = interview.mode
            form.video_link.data = interview.video_link
            form.language.data = interview.language
            form.interpreter.data = interview.interpreter
            form.accommodations.data = interview.accommodations
            form.observers.data = [p.user_id for p in scheduling.participants(interview)
                                   if p.role == ParticipantRole.OBSERVER]
        else:
            langs = case.candidate.language_list
            form.language.data = langs[0] if langs else "en"
            form.observers.data = [u.id for u in case.observers]
            needs = scheduling._needs(case)
            if needs.get("accessibility"):
                form.accommodations.data = needs["accessibility"]
            if needs.get("interpreter"):
                form.interpreter.data = _("Interpreter for %(language)s",
                                          language=language_name(needs["interpreter"]))
    return form


def _schedule_data(form: ScheduleForm) -> scheduling.ScheduleData:
    return scheduling.ScheduleData(
        local_start=form.start.data, timezone=form.timezone.data,
        duration_minutes=form.duration.data, mode=form.mode.data,
        video_link=(form.video_link.data or "").strip(), language=form.language.data,
        interpreter=form.interpreter.data or "", accommodations=form.accommodations.data or "",
        observer_ids=list(form.observers.data or []),
        candidate_agreed=bool(form.candidate_agreed.data),
    )


def _refusal_to_form(form: ScheduleForm, exc: ServiceError) -> None:
    name = getattr(exc, "field", None)
    target = getattr(form, name, None) if name else None
    if target is None:
        target = form.start
    target.errors = [*(target.errors or []), str(exc.message)]


@bp.route("/cases/<int:case_id>/interview", methods=["GET", "POST"])
@login_required
def schedule(case_id: int):
    """Schedule the case's interview, or move the one that is scheduled."""
    case = load_case(case_id, Need.MANAGE)
    existing = scheduling.booked_interview(case)
    form = schedule_form(case, existing)
    if form.validate_on_submit():
        data = _schedule_data(form)
        found = scheduling.problems(data, now=utcnow())
        for name, message in found.items():
            getattr(form, name).errors = [*(getattr(form, name).errors or []), str(message)]
        if not found:
            try:
                if existing is None:
                    scheduling.schedule(current_user, case, data)
                else:
                    scheduling.reschedule(current_user, existing, data,
                                          reason=form.reason.data or "")
            except scheduling.FieldRefusal as exc:
                _refusal_to_form(form, exc)
            except ServiceError as exc:
                flash(str(exc.message), "error")
            else:
                flash(_("The interview is moved and the participants are told.") if existing
                      else _("The interview is scheduled and the invitations are sent."),
                      "success")
                return redirect(url_for("cases.detail", case_id=case.id))
    return render_template(
        "interviews/schedule.html", case=case, form=form, interview=existing,
        cancel_form=CancelForm(prefix="cancel"),
        candidate_tz=scheduling.candidate_timezone(case),
        needs=scheduling._needs(case), availability=AVAILABILITY,
    ), (422 if form.errors else 200)


@bp.post("/interviews/<int:interview_id>/cancel")
@login_required
def cancel(interview_id: int):
    interview, case = _interview_of(interview_id, Need.MANAGE)
    form = CancelForm(prefix="cancel")
    if not form.validate_on_submit():
        abort(400)
    try:
        scheduling.cancel(current_user, interview, form.reason.data or "")
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("The interview is cancelled and the participants are told."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.post("/interviews/<int:interview_id>/held")
@login_required
def held(interview_id: int):
    interview, case = _interview_of(interview_id, Need.VIEW)
    if not HeldForm().validate_on_submit():
        abort(400)
    try:
        scheduling.mark_held(current_user, interview)
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("The interview is recorded as held."), "success")
    return redirect(request.referrer if _same_site(request.referrer)
                    else url_for("cases.detail", case_id=case.id))


@bp.route("/interviews/<int:interview_id>/not-held", methods=["GET", "POST"])
@login_required
def not_held(interview_id: int):
    interview, case = _interview_of(interview_id, Need.VIEW)
    form = NotHeldForm()
    form.outcome.choices = [("", "—")] + [
        (str(k), str(v)) for k, v in scheduling.NOT_HELD_LABELS.items()]
    if form.validate_on_submit():
        try:
            scheduling.mark_not_held(current_user, interview, form.outcome.data,
                                     form.reason.data or "")
        except scheduling.FieldRefusal as exc:
            getattr(form, exc.field).errors = [str(exc.message)]
        except ServiceError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("The interview is recorded as not held; it can be scheduled again."),
                  "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("interviews/not_held.html", case=case, interview=interview,
                           form=form, when=scheduling.when(interview.starts_at,
                                                           current_user.timezone)), (
        422 if form.errors else 200)


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.get("/interviews")
@login_required
def upcoming():
    page = request.args.get("page", 1, type=int) or 1
    rows, total = scheduling.upcoming(current_user, page)
    cases = {c.id: c for c in session.scalars(
        select(Case).where(Case.id.in_({r.case_id for r in rows})))} if rows else {}
    return render_template(
        "interviews/list.html", interviews=rows, cases=cases, total=total, page=page,
        pages=max(1, -(-total // scheduling.PAGE_SIZE)), when=scheduling.when,
        modes=scheduling.MODE_LABELS,
    )


# --- the live workspace ------------------------------------------------------------------------


@bp.get("/interviews/<int:interview_id>/workspace")
@login_required
def workspace_page(interview_id: int):
    interview, case = _interview_of(interview_id, Need.ASSESS)
    from passport.intake import questionnaire as qn
    from passport.intake.forms import EVIDENCE_KIND_LABELS
    from passport.intake.services import evidence_of, questionnaire_of

    application = may(current_user, Need.APPLICATION, case)
    snap = workspace.snapshot(interview, current_user)
    assessment = services.current_assessment(case)
    mine = None
    conclusions = []
    differ: list[str] = []
    if assessment is not None:
        conclusions = conclusions_of(assessment)
        mine = next((c for c in conclusions if c.evaluator_id == current_user.id), None)
        differ = disagreement(assessment)
    conclusion_form = ConclusionForm(prefix="conclusion", obj=mine)
    return render_template(
        "interviews/workspace.html",
        case=case, interview=interview, snap=snap, sections=workspace.SECTIONS,
        closed=workspace.closed_reason(interview, case),
        record=questionnaire_of(case.id) if application else None,
        evidence=evidence_of(case.id) if application else [],
        kinds=EVIDENCE_KIND_LABELS, q_sections=qn.SECTIONS, application=application,
        when=scheduling.when(interview.starts_at, current_user.timezone),
        participants=scheduling.participants(interview),
        users={u.id: u for u in case.evaluators + case.observers},
        country_choices=country_choices(), language_choices=language_choices(),
        conclusion_form=conclusion_form, conclusions=conclusions, differ=differ,
        level_labels=LEVEL_LABELS, held_form=HeldForm(),
        private=workspace.PRIVATE, modes=scheduling.MODE_LABELS,
    )


@bp.post("/interviews/<int:interview_id>/workspace")
@accepts_json
@login_required
def workspace_save(interview_id: int):
    """Autosave: {"changes": [{"field", "value", "base"}]} -> what was saved (committed),
    conflicts (409, with both values) and problems per field (422). The access is on record
    through the save's own audit entry (workspace.saved), committed with the change."""
    interview, case = _interview_of(interview_id, Need.ASSESS, log=False)
    body = request.get_json(silent=True)
    changes = body.get("changes") if isinstance(body, dict) else None
    if not isinstance(changes, list) or not changes:
        return jsonify(error=_("Nothing to save.")), 400
    parsed = []
    for change in changes[: workspace.MAX_CHANGES]:
        if not isinstance(change, dict) or not isinstance(change.get("field"), str):
            return jsonify(error=_("Nothing to save.")), 400
        base = change.get("base", 0)
        parsed.append((change["field"], change.get("value"),
                       base if isinstance(base, int) else 0))
    try:
        result = workspace.save(current_user, interview, parsed)
    except workspace.WorkspaceClosed as exc:
        return jsonify(closed=True, error=str(exc.message)), 409
    except ServiceError as exc:
        return jsonify(error=str(exc.message)), exc.status_code
    status = 409 if result.conflicts else 422 if result.errors else 200
    return jsonify(saved=result.saved, conflicts=result.conflicts, errors=result.errors), status


@bp.get("/interviews/<int:interview_id>/workspace/token")
@login_required
def workspace_token(interview_id: int):
    """A fresh CSRF token for a workspace page left open longer than a token lives."""
    _interview_of(interview_id, Need.ASSESS, log=False)
    response = jsonify(token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/interviews/<int:interview_id>/conclusion")
@login_required
def conclusion(interview_id: int):
    interview, case = _interview_of(interview_id, Need.ASSESS)
    form = ConclusionForm(prefix="conclusion")
    target = url_for("interviews.workspace_page", interview_id=interview.id) + "#conclusion"
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            label = getattr(form, name).label.text if hasattr(form, name) else name
            for error in errors:
                flash(f"{label}: {error}", "error")
        return redirect(target)
    assessment = services.assessment_for_round(case)
    session.flush()
    data = ConclusionData(level=form.level.data, completed=bool(form.completed.data),
                          years_completed=form.years_completed.data,
                          conclusion=form.conclusion.data or "")
    try:
        save_conclusion(current_user, case, assessment, data, submit="submit" in request.form)
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("Your conclusion is saved."), "success")
    return redirect(target)


@bp.app_context_processor
def _interview_panel() -> dict:
    """`interview_panel(case)` for the case page's interview card (templates/interviews/
    _case_card.html): what the viewer may see and do about the case's interviews."""

    def panel(case: Case) -> dict:
        from passport.intake.questionnaire import AVAILABILITY

        current = scheduling.current_interview(case)
        can_manage = may(current_user, Need.MANAGE, case)
        can_assess = may(current_user, Need.ASSESS, case)
        form = None
        if can_manage and workflow.can(case, "schedule_interview") and (
                current is None or current.status != InterviewStatus.SCHEDULED):
            form = schedule_form(case)
        from passport.db import utcnow

        return {
            "interview": current,
            "past": [i for i in scheduling.interviews_of(case) if current is None
                     or i.id != current.id],
            "when": scheduling.when,
            "candidate_tz": scheduling.candidate_timezone(case),
            "needs": scheduling._needs(case) if can_manage else {},
            "availability": AVAILABILITY,
            "form": form,
            "can_manage": can_manage,
            "can_assess": can_assess,
            "started": current is not None and current.starts_at <= utcnow(),
            "held_form": HeldForm(),
            "modes": scheduling.MODE_LABELS,
            "not_held_labels": scheduling.NOT_HELD_LABELS,
            "participants": scheduling.participants(current) if current else [],
        }

    return {"interview_panel": panel}
