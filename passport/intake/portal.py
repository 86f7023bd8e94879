"""The candidate's pages, reached through their personal link.

The first request carries the token (`/c/<token>`); it is answered at once with a redirect to a
token-free page and the candidate is kept in the session from then on (their link's id, signed
by the app; the token itself is never stored in the session). Every page is answered with
`Referrer-Policy: no-referrer` and `Cache-Control: no-store` (phones are often shared). The
token never reaches a log line: the request log line of the first hop is redacted (see
`RedactCandidateTokens`).

The candidate's session is not a Flask-Login login: it sees one case, the case of the link, and
it ends when the link is revoked, replaced or expires, or after PASSPORT_SESSION_HOURS.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as browser
from flask_babel import format_date, format_datetime, format_time, get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from passport.cases.models import Case
from passport.db import session, utcnow
from passport.errors import ServiceError
from passport.i18n import (
    CANDIDATE_LOCALES,
    LOCALE_COOKIE,
    country_choices,
    language_choices,
    timezone_choices,
)
from passport.intake import questionnaire as qn
from passport.intake import services
from passport.intake.consent import CONSENT_VERSION, latest_consent
from passport.intake.forms import (
    EVIDENCE_KIND_LABELS,
    ActionForm,
    BirthDateForm,
    CodeForm,
    ConsentForm,
    EvidenceForm,
)
from passport.intake.models import CandidateLink, Questionnaire
from passport.passports.services import render_pdf

bp = Blueprint("candidate", __name__)

LINK_KEY = "candidate_link"
VERIFIED_KEY = "candidate_verified_at"
AUTOSAVE_MAX_BYTES = 256 * 1024


class RedactCandidateTokens(logging.Filter):
    """Cut personal-link tokens out of request log lines (werkzeug's and gunicorn's)."""

    PATTERN = re.compile(r"/c/[A-Za-z0-9_-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/c/" in message:
            record.msg, record.args = self.PATTERN.sub("/c/[redacted]", message), None
        return True


@bp.record_once
def _install_log_filter(_state: Any) -> None:
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactCandidateTokens) for f in logger.filters):
            logger.addFilter(RedactCandidateTokens())


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _candidate_context() -> dict[str, Any]:
    return {
        "interface_locales": CANDIDATE_LOCALES,
        "language_action": url_for("candidate.set_language"),
        "brand_url": url_for("candidate.home"),
    }


# --- the candidate's session ---------------------------------------------------------------


def _forget() -> None:
    browser.pop(LINK_KEY, None)
    browser.pop(VERIFIED_KEY, None)


def _session_link() -> CandidateLink | None:
    link_id = browser.get(LINK_KEY)
    if not isinstance(link_id, int):
        return None
    link = session.get(CandidateLink, link_id)
    if link is None or not link.usable(utcnow()):
        _forget()
        return None
    return link


def _verified() -> bool:
    verified_at = browser.get(VERIFIED_KEY)
    max_age = current_app.permanent_session_lifetime.total_seconds()
    return isinstance(verified_at, int) and time.time() - verified_at < max_age


def _use_candidate_preferences(case: Case) -> None:
    """Their language (unless they chose one on this device) and their time zone."""
    chosen_here = request.cookies.get(LOCALE_COOKIE) in CANDIDATE_LOCALES
    g.locale_override = None if chosen_here else services.message_locale(case.candidate)
    g.timezone_override = case.candidate.timezone or None
    refresh()


def candidate_page(view: Callable) -> Callable:
    """The view gets the case of the verified link as its first argument."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        link = _session_link()
        if link is None:
            return redirect(url_for("candidate.link_not_valid"))
        if not _verified():
            return redirect(url_for("candidate.verify"))
        case = session.get(Case, link.case_id)
        _use_candidate_preferences(case)
        return view(case, *args, **kwargs)

    return wrapped


def needs_consent(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(case: Case, *args: Any, **kwargs: Any) -> Any:
        consent = latest_consent(case.id)
        if consent is None or consent.withdrawn_at is not None:
            return redirect(url_for("candidate.consent"))
        return view(case, *args, **kwargs)

    return wrapped


# --- the link and the check that it is them ------------------------------------------------


@bp.get("/c/<token>")
def open_link(token: str):
    link = services.find_link(token)
    now = utcnow()
    if link is None or not link.usable(now):
        _forget()
        return redirect(url_for("candidate.link_not_valid"), code=303)
    if browser.get(LINK_KEY) != link.id:
        _forget()
        browser[LINK_KEY] = link.id
    browser.permanent = True
    target = "candidate.home" if _verified() else "candidate.verify"
    return redirect(url_for(target), code=303)


@bp.get("/candidate/link-not-valid")
def link_not_valid():
    # One page for expired, revoked and made-up links: it tells nobody whether a case exists.
    return render_template("candidate/link_not_valid.html"), 404


def _mask(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def _render_verify(link: CandidateLink, case: Case, status: int = 200, **forms: Any):
    birth_form = forms.get("birth_form") or BirthDateForm()
    birth_form.fill_choices()
    now = utcnow()
    code_pending = bool(link.code_expires_at and now < link.code_expires_at)
    return render_template(
        "candidate/verify.html",
        birth_form=birth_form,
        code_form=forms.get("code_form") or CodeForm(),
        send_form=ActionForm(),
        email_hint=_mask(case.candidate.email) if case.candidate.email else "",
        code_pending=code_pending,
        locked_until=link.locked_until if link.locked(now) else None,
    ), status


@bp.route("/candidate/verify", methods=["GET", "POST"])
def verify():
    link = _session_link()
    if link is None:
        return redirect(url_for("candidate.link_not_valid"))
    if _verified():
        return redirect(url_for("candidate.home"))
    case = session.get(Case, link.case_id)
    _use_candidate_preferences(case)
    if request.method == "GET":
        return _render_verify(link, case)

    method = request.form.get("method")
    birth_form, code_form = BirthDateForm(), CodeForm()
    birth_form.fill_choices()
    form = birth_form if method == "birth" else code_form
    if not form.validate_on_submit():
        return _render_verify(link, case, 422, birth_form=birth_form, code_form=code_form)
    try:
        if form is birth_form:
            ok = services.verify(link, birth=birth_form.parts())
        else:
            ok = services.verify(link, code=code_form.code.data)
    except services.LinkLocked:
        return _render_verify(link, case, 429)
    except services.LinkNotUsable:
        _forget()
        return redirect(url_for("candidate.link_not_valid"))
    if ok:
        browser[VERIFIED_KEY] = int(time.time())
        # A language chosen on this device before the check becomes the one of their record
        # (later messages are written in it).
        chosen = request.cookies.get(LOCALE_COOKIE)
        if chosen in CANDIDATE_LOCALES:
            services.set_language(case, chosen)
        return redirect(url_for("candidate.home"), code=303)
    if link.locked(utcnow()):
        return _render_verify(link, case, 429)
    message = (
        _l("This date of birth does not match our records.")
        if form is birth_form
        else _l("This code is not right, or it is too old. Ask for a new one if needed.")
    )
    field = birth_form.year if form is birth_form else code_form.code
    field.errors = [*field.errors, message]
    return _render_verify(link, case, 422, birth_form=birth_form, code_form=code_form)


@bp.post("/candidate/verify/code")
def send_code():
    link = _session_link()
    if link is None:
        return redirect(url_for("candidate.link_not_valid"))
    case = session.get(Case, link.case_id)
    _use_candidate_preferences(case)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.send_code(link)
    except services.LinkLocked:
        return _render_verify(link, case, 429)
    except services.LinkNotUsable:
        _forget()
        return redirect(url_for("candidate.link_not_valid"))
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("We have sent you a code. Type it below."), "success")
    return redirect(url_for("candidate.verify"), code=303)


@bp.post("/candidate/leave")
def leave():
    if ActionForm().validate_on_submit():
        _forget()
    return render_template("candidate/left.html")


@bp.post("/candidate/language")
def set_language():
    locale = request.form.get("locale", "")
    target = request.form.get("next", "")
    if not (target.startswith("/") and not target.startswith("//")) or target.startswith("/c/"):
        target = url_for("candidate.home")
    response = redirect(target)
    if locale in CANDIDATE_LOCALES:
        link = _session_link()
        if link is not None and _verified():
            services.set_language(session.get(Case, link.case_id), locale)
        response.set_cookie(
            LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


# --- the candidate's pages -----------------------------------------------------------------


def _when(moment: datetime) -> str:
    """"Thursday, 12 March 2026 at 10:00" in the candidate's language and time zone."""
    return _("%(date)s at %(time)s", date=format_date(moment, "full"),
             time=format_time(moment, "short"))


@bp.get("/candidate")
@candidate_page
def home(case: Case):
    consent = latest_consent(case.id)
    if consent is None:
        return redirect(url_for("candidate.consent"))
    record = services.questionnaire_of(case.id)
    interview = services.next_interview(case)
    return render_template(
        "candidate/home.html",
        case=case,
        consent=consent,
        questionnaire=record,
        evidence=services.evidence_of(case.id),
        interview=interview,
        interview_time=_when(interview.starts_at) if interview else "",
        passports=services.valid_passports(case),
        can_upload=case.status in services.UPLOAD_STATUSES,
        leave_form=ActionForm(),
    )


@bp.route("/candidate/consent", methods=["GET", "POST"])
@candidate_page
def consent(case: Case):
    form = ConsentForm()
    if form.validate_on_submit():
        services.give_consent(case, str(get_locale()))
        if services.questionnaire_open(case):
            flash(_("Thank you. You can now fill in the questionnaire."), "success")
            return redirect(url_for("candidate.questionnaire"), code=303)
        flash(_("Thank you. Your consent is recorded."), "success")
        return redirect(url_for("candidate.home"), code=303)
    return render_template(
        "candidate/consent.html",
        case=case,
        form=form,
        consent=latest_consent(case.id),
        consent_version=CONSENT_VERSION,
    ), 422 if form.errors else 200


@bp.route("/candidate/consent/withdraw", methods=["GET", "POST"])
@candidate_page
@needs_consent
def withdraw(case: Case):
    form = ActionForm()
    if form.validate_on_submit():
        services.withdraw_consent(case)
        flash(_("You have withdrawn your consent. We have stopped working on your case."), "info")
        return redirect(url_for("candidate.home"), code=303)
    return render_template("candidate/withdraw.html", case=case, form=form)


def _choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "country": country_choices(),
        "language": language_choices(),
        "timezone": timezone_choices(),
    }


def _render_questionnaire(
    case: Case, record: Questionnaire | None, data: dict[str, Any], errors: dict[str, Any],
    status: int = 200,
):
    extra = request.args.get("add", "")
    return render_template(
        "candidate/questionnaire.html",
        case=case,
        record=record,
        data=data,
        errors=errors,
        sections=qn.SECTIONS,
        choices=_choices(),
        add_to=extra if extra in qn.BY_NAME else "",
        form=ActionForm(),
    ), status


def _without_entry(formdata: MultiDict, section: str, index: str) -> MultiDict:
    prefix = f"{section}-{index}-"
    return MultiDict([(k, v) for k, v in formdata.items(multi=True) if not k.startswith(prefix)])


@bp.route("/candidate/questionnaire", methods=["GET", "POST"])
@candidate_page
@needs_consent
def questionnaire(case: Case):
    record = services.questionnaire_of(case.id)
    if not services.questionnaire_open(case):
        if request.method == "POST":
            flash(_("The questionnaire is sent and can no longer be changed."), "error")
            return redirect(url_for("candidate.questionnaire"), code=303)
        return render_template(
            "candidate/questionnaire_done.html", case=case, record=record,
            sections=qn.SECTIONS,
        )
    today = utcnow().date()
    if request.method == "GET":
        data = qn.normalise(record.data) if record else qn.empty()
        return _render_questionnaire(
            case, record, data, services.draft_problems(case, record, today)
        )

    if not ActionForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "save")
    formdata = request.form
    if action.startswith("remove:"):
        _verb, section, index = (action.split(":") + ["", ""])[:3]
        formdata = _without_entry(formdata, section, index)
    data = qn.parse(formdata)
    language = str(get_locale())
    try:
        if action == "submit":
            services.submit_questionnaire(case, data, language)
        else:
            services.save_draft(case, data, language)
    except services.QuestionnaireIncomplete as exc:  # the page lists the problems on top
        record = services.questionnaire_of(case.id)
        return _render_questionnaire(case, record, qn.normalise(data), exc.errors, 422)
    except ServiceError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("candidate.home"), code=303)
    if action == "submit":
        flash(_("Thank you! Your questionnaire has been sent."), "success")
        return redirect(url_for("candidate.home"), code=303)
    if action.startswith("add:"):
        section = action.split(":", 1)[1]
        if section in qn.BY_NAME:
            count = len(data[section])
            return redirect(
                url_for("candidate.questionnaire", add=section, _anchor=f"{section}-{count}"),
                code=303,
            )
    if action == "save":
        flash(_("Your answers are saved. You can come back and continue later."), "success")
    return redirect(url_for("candidate.questionnaire"), code=303)


@bp.post("/candidate/questionnaire/autosave")
@candidate_page
def autosave(case: Case):
    """Called by questionnaire.js every few seconds with the form's fields."""
    if (request.content_length or 0) > AUTOSAVE_MAX_BYTES:
        return jsonify(saved=False, message=_("The answers are too long to save.")), 413
    if not ActionForm().validate_on_submit():
        return jsonify(saved=False, message=_("Reload the page and try again.")), 400
    try:
        record = services.save_draft(case, qn.parse(request.form), str(get_locale()))
    except ServiceError as exc:
        return jsonify(saved=False, message=str(exc.message)), exc.status_code
    return jsonify(
        saved=True,
        message=_("Saved at %(time)s", time=format_datetime(record.updated_at, "HH:mm")),
    )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge):
    """An upload larger than a whole request may be (the CSRF check meets it before the view):
    on the documents page, say so next to the file field."""
    if request.endpoint == "candidate.documents":
        return _documents_too_large()
    return render_template("error.html", code=413, message=_("The upload is too large.")), 413


@candidate_page
def _documents_too_large(case: Case):
    form = EvidenceForm(formdata=None)
    form.file.errors = [_("The file is larger than %(mb)d MB. Take a photo with a lower "
                          "resolution, or send the pages one by one.",
                          mb=services.files.MAX_EVIDENCE_BYTES // (1024 * 1024))]
    return _render_documents(case, form, 413)


def _render_documents(case: Case, form: EvidenceForm, status: int):
    return render_template(
        "candidate/documents.html",
        case=case,
        form=form,
        remove_form=ActionForm(formdata=None),
        evidence=services.evidence_of(case.id),
        kinds=EVIDENCE_KIND_LABELS,
        can_upload=case.status in services.UPLOAD_STATUSES,
        can_remove=services.questionnaire_open(case),
    ), status


@bp.route("/candidate/documents", methods=["GET", "POST"])
@candidate_page
@needs_consent
def documents(case: Case):
    form = EvidenceForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.add_evidence(
                case, form.kind.data, form.description.data or "",
                upload.filename or "", upload.read(services.files.MAX_EVIDENCE_BYTES + 1),
            )
        except services.FieldProblem as exc:
            getattr(form, exc.field).errors = [str(exc.message)]
        except ServiceError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("Thank you. The document is added."), "success")
            return redirect(url_for("candidate.documents"), code=303)
    return _render_documents(case, form, 422 if form.errors else 200)


@bp.post("/candidate/documents/<int:evidence_id>/remove")
@candidate_page
@needs_consent
def remove_document(case: Case, evidence_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.delete_evidence(case, evidence_id)
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("The document is removed."), "info")
    return redirect(url_for("candidate.documents"), code=303)


@bp.get("/candidate/passport/<int:passport_id>.pdf")
@candidate_page
def passport_pdf(case: Case, passport_id: int):
    passport = services.candidate_passport(case, passport_id)
    if passport is None or passport.snapshot.get("erased"):
        abort(404)
    return Response(
        render_pdf(passport),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="passport-{passport.number}.pdf"',
            "X-Content-Type-Options": "nosniff",
        },
    )
