"""Training pages: overview, evaluator page, courses, scheme requirements, records, CSV."""

from __future__ import annotations

import io
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from passport.access import manages_scheme_settings, may_see_training_of, requires
from passport.auth.models import Role, User
from passport.db import session, utcnow
from passport.errors import ServiceError
from passport.i18n import country_choices
from passport.org.models import Centre, Scheme
from passport.training import certification, csv_io, services
from passport.training.certification import STATE_LABELS, State
from passport.training.forms import (
    KIND_LABELS,
    LEVEL_LABELS,
    REQUIREMENT_LABELS,
    CorrectionForm,
    CourseForm,
    ImportForm,
    ProfileForm,
    RecordForm,
    SchemeTrainingForm,
    language_choices,
    language_label,
    timezone_choices,
)
from passport.training.models import Course, CourseKind, TrainingRecord

bp = Blueprint("training", __name__, url_prefix="/training")
MANAGERS = (Role.ADMINISTRATOR, Role.COORDINATOR)


@bp.app_context_processor
def _labels() -> dict:
    return {
        "course_kind_labels": KIND_LABELS,
        "language_level_labels": LEVEL_LABELS,
        "certification_labels": STATE_LABELS,
        "language_label": language_label,
    }


def _today() -> date:
    return utcnow().date()


def _pages(total: int) -> int:
    return max(1, -(-total // services.PAGE_SIZE))


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int) or None


def _show_problem(form, exc: ServiceError) -> None:
    """Put a service's refusal next to the field it is about, else at the top of the page."""
    field = getattr(exc, "field", None)
    if field and field in form:
        form[field].errors = [*form[field].errors, str(exc.message)]
    else:
        flash(str(exc.message), "error")


def _upload(storage, limit: int) -> services.Upload | None:
    if storage is None or not getattr(storage, "filename", ""):
        return None
    # One byte over the limit is enough to know it is too big.
    return services.Upload(storage.filename, storage.read(limit + 1))


def _load_evaluator(user_id: int) -> User:
    person = session.get(User, user_id)
    if person is None or not person.has_role(Role.EVALUATOR):
        abort(404)
    if not may_see_training_of(current_user, person):
        abort(404)
    return person


def _on_date() -> date:
    """The day the overview is for: ?on=YYYY-MM-DD (e.g. the day of a session), else today."""
    try:
        return date.fromisoformat(request.args.get("on", ""))
    except ValueError:
        return _today()


def _filters() -> dict:
    state = request.args.get("status") or None
    if state not in set(State):
        state = None
    return {"centre_id": _int_arg("centre"), "scheme_id": _int_arg("scheme"), "state": state}


# --- Overview ---------------------------------------------------------------------------------


@bp.get("/")
@login_required
def overview():
    if not (current_user.roles & set(MANAGERS)):
        if current_user.has_role(Role.EVALUATOR):
            return redirect(url_for("training.evaluator", user_id=current_user.id))
        abort(403)
    today = _on_date()
    filters = _filters()
    rows = services.overview(today, **filters)
    page = request.args.get("page", 1, type=int) or 1
    shown = rows[(page - 1) * services.PAGE_SIZE: page * services.PAGE_SIZE]
    return render_template(
        "training/overview.html",
        rows=shown,
        total=len(rows),
        page=page,
        pages=_pages(len(rows)),
        lapsing=services.lapsing_soon(today),
        warning_days=certification.EXPIRY_WARNING_DAYS,
        centres=session.scalars(select(Centre).order_by(Centre.name)).all(),
        schemes=session.scalars(select(Scheme).order_by(Scheme.code)).all(),
        filters=filters,
        today=today,
        is_today=today == _today(),
    )


@bp.get("/overview.csv")
@requires(*MANAGERS)
def overview_csv():
    today = _on_date()
    rows = services.overview(today, **_filters())
    return _csv(csv_io.overview_csv(rows, today), f"certification-{today.isoformat()}.csv")


@bp.get("/records.csv")
@requires(*MANAGERS)
def records_csv():
    query = services.records_query(
        course_id=_int_arg("course"), centre_id=_int_arg("centre"), user_id=_int_arg("evaluator")
    )
    records = session.scalars(query).unique().all()
    return _csv(csv_io.records_csv(records), f"training-records-{_today().isoformat()}.csv")


def _csv(text: str, filename: str) -> Response:
    return Response(
        "\ufeff" + text,  # the BOM makes spreadsheet programs read UTF-8 correctly
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


# --- Evaluators -------------------------------------------------------------------------------


@bp.get("/me")
@login_required
def me():
    return redirect(url_for("training.evaluator", user_id=current_user.id))


@bp.get("/evaluators/<int:user_id>")
@login_required
def evaluator(user_id: int):
    person = _load_evaluator(user_id)
    today = _today()
    schemes = session.scalars(select(Scheme).order_by(Scheme.code)).all()
    found = certification.statuses([person.id], schemes, today)
    records = services.current_records(person)
    return render_template(
        "training/evaluator.html",
        person=person,
        profile=services.profile_of(person),
        expertise=certification.expertise([person.id], today)[person.id],
        statuses=[(s, found[(person.id, s.id)]) for s in schemes],
        records=records,
        history=services.version_counts(records),
        expires_on=certification.expires_on,
        can_manage=bool(current_user.roles & set(MANAGERS)),
        today=today,
    )


@bp.route("/evaluators/<int:user_id>/profile", methods=["GET", "POST"])
@requires(*MANAGERS)
def profile(user_id: int):
    person = _load_evaluator(user_id)
    current = services.profile_of(person)
    form = ProfileForm()
    if request.method == "GET":
        form.centre.data = current.centre_id
        form.timezone.data = current.timezone
        form.countries.data = list(current.countries)
        while len(form.languages.entries):
            form.languages.pop_entry()
        for code, level in current.languages:
            form.languages.append_entry({"language": code, "level": level})
    # Room for new languages below the ones already listed.
    while sum(1 for e in form.languages.entries if not e.form.language.data) < 2:
        form.languages.append_entry()
    form.centre.choices = [(0, "—")] + [
        (c.id, c.name) for c in session.scalars(select(Centre).order_by(Centre.name))
    ]
    form.timezone.choices = timezone_choices()
    form.countries.choices = country_choices()
    languages = [("", "—"), *language_choices()]
    for entry in form.languages.entries:
        entry.form.language.choices = languages
    if form.validate_on_submit():
        rows = []
        for entry in form.languages.entries:
            code, level = entry.form.language.data, entry.form.level.data
            if code and not level:
                entry.form.level.errors = [_("Give a level for this language.")]
            elif code:
                rows.append((code, level))
        if not any(e.form.level.errors for e in form.languages.entries):
            try:
                services.update_profile(
                    current_user, person,
                    services.Profile(form.centre.data or None, form.timezone.data,
                                     tuple(rows), tuple(form.countries.data or ())),
                )
            except ServiceError as exc:
                _show_problem(form, exc)
            else:
                flash(_("The profile of %(name)s is saved.", name=person.name), "success")
                return redirect(url_for("training.evaluator", user_id=person.id))
    has_errors = bool(form.errors) or any(e.form.level.errors for e in form.languages.entries)
    return render_template("training/profile_form.html", form=form, person=person), (
        422 if has_errors else 200
    )


# --- Records ----------------------------------------------------------------------------------


def _course_choices(include: Course | None = None) -> list[tuple[int, str]]:
    courses = session.scalars(select(Course).order_by(Course.title)).all()
    def label(c: Course) -> str:
        if c.assessed:
            return _("%(title)s (%(code)s) · score 0–%(max)d, pass mark %(mark)d",
                     title=c.title, code=c.code, max=c.max_score, mark=c.pass_mark)
        return f"{c.title} ({c.code})"

    return [(0, "—")] + [(c.id, label(c)) for c in courses if c.active or c == include]


@bp.route("/evaluators/<int:user_id>/records/new", methods=["GET", "POST"])
@requires(*MANAGERS)
def new_record(user_id: int):
    person = _load_evaluator(user_id)
    form = RecordForm()
    form.course.choices = _course_choices()
    limit = services.evidence_max_bytes()
    form.evidence.description = _("Optional. At most %(mb).1f MB.", mb=limit / 1048576)
    if request.method == "GET" and request.args.get("course", type=int):
        form.course.data = request.args.get("course", type=int)
    if form.validate_on_submit():
        course = session.get(Course, form.course.data)
        if course is None:
            form.course.errors = [_("Choose a course.")]
        else:
            try:
                services.add_record(
                    current_user, person, course, form.completed_on.data, form.score.data,
                    form.provider.data or "", _upload(form.evidence.data, limit),
                )
            except ServiceError as exc:
                _show_problem(form, exc)
            else:
                flash(_("Training record added."), "success")
                return redirect(url_for("training.evaluator", user_id=person.id))
    return render_template("training/record_form.html", form=form, person=person,
                           record=None), 422 if form.errors else 200


def _load_record(record_id: int) -> TrainingRecord:
    record = session.get(TrainingRecord, record_id)
    if record is None or not may_see_training_of(current_user, record.user):
        abort(404)
    return record


@bp.route("/records/<int:record_id>/correct", methods=["GET", "POST"])
@requires(*MANAGERS)
def correct_record(record_id: int):
    record = _load_record(record_id)
    if not record.current:
        flash(_("That version has been corrected since; this is the current one."), "info")
        current = session.scalar(
            select(TrainingRecord).where(
                TrainingRecord.root_id == record.root_id,
                TrainingRecord.superseded_by_id.is_(None),
            )
        )
        return redirect(url_for("training.correct_record", record_id=current.id))
    form = CorrectionForm(obj=record if request.method == "GET" else None)
    limit = services.evidence_max_bytes()
    if form.validate_on_submit():
        try:
            services.correct_record(
                current_user, record, form.completed_on.data, form.score.data,
                form.provider.data or "", form.reason.data or "",
                withdraw=form.withdraw.data, evidence=_upload(form.evidence.data, limit),
            )
        except ServiceError as exc:
            _show_problem(form, exc)
        else:
            flash(_("The correction is saved; the earlier version stays in the history."),
                  "success")
            return redirect(url_for("training.evaluator", user_id=record.user_id))
    if request.method == "GET":
        form.reason.data = ""
    return render_template("training/record_form.html", form=form, person=record.user,
                           record=record,
                           versions=services.record_versions(record)), (
        422 if form.errors else 200
    )


@bp.get("/records/<int:record_id>/certificate")
@login_required
def evidence(record_id: int):
    record = _load_record(record_id)
    if record.evidence_id is None:
        abort(404)
    stored = services.evidence_content(record.evidence_id)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
    response = send_file(
        io.BytesIO(stored.content),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=f"certificate-{record.root_id}.{extension[stored.content_type]}",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- Courses ----------------------------------------------------------------------------------


@bp.get("/courses")
@requires(*MANAGERS)
def courses():
    rows = session.scalars(select(Course).order_by(Course.active.desc(), Course.title)).all()
    return render_template("training/courses.html", courses=rows)


def _course_form(course: Course | None) -> CourseForm:
    form = CourseForm(obj=course if request.method == "GET" else None)
    if request.method == "GET" and course is not None:
        form.renews.data = course.renews_id or 0
    form.country.choices = [("", "—"), *country_choices()]
    others = session.scalars(
        select(Course).where(Course.kind != CourseKind.REFRESHER).order_by(Course.title)
    ).all()
    form.renews.choices = [(0, "—")] + [
        (c.id, f"{c.title} ({c.code})") for c in others if course is None or c.id != course.id
    ]
    return form


def _course_data(form: CourseForm) -> services.CourseData:
    return services.CourseData(
        code=form.code.data or "", title=form.title.data or "", kind=form.kind.data,
        description=form.description.data or "", country=form.country.data or None,
        renews_id=form.renews.data or None, validity_months=form.validity_months.data,
        max_score=form.max_score.data, pass_mark=form.pass_mark.data,
        active=bool(form.active.data),
    )


@bp.route("/courses/new", methods=["GET", "POST"])
@requires(*MANAGERS)
def new_course():
    form = _course_form(None)
    if form.validate_on_submit():
        try:
            course = services.create_course(current_user, _course_data(form))
        except ServiceError as exc:
            _show_problem(form, exc)
        else:
            flash(_("Course %(code)s created.", code=course.code), "success")
            return redirect(url_for("training.course", course_id=course.id))
    return render_template("training/course_form.html", form=form, course=None), (
        422 if form.errors else 200
    )


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@requires(*MANAGERS)
def edit_course(course_id: int):
    course = session.get(Course, course_id) or abort(404)
    form = _course_form(course)
    if form.validate_on_submit():
        try:
            services.update_course(current_user, course, _course_data(form))
        except ServiceError as exc:
            _show_problem(form, exc)
        else:
            flash(_("Course %(code)s saved.", code=course.code), "success")
            return redirect(url_for("training.course", course_id=course.id))
    return render_template("training/course_form.html", form=form, course=course), (
        422 if form.errors else 200
    )


@bp.get("/courses/<int:course_id>")
@requires(*MANAGERS)
def course(course_id: int):
    course = session.get(Course, course_id) or abort(404)
    page = request.args.get("page", 1, type=int) or 1
    records, total = services.course_participants(course, page)
    schemes = session.scalars(select(Scheme).order_by(Scheme.code)).all()
    uses = []
    for scheme in schemes:
        role = services.scheme_courses(scheme).get(course.id)
        if role is not None:
            uses.append((scheme, role))
    return render_template(
        "training/course.html",
        course=course,
        records=records,
        total=total,
        page=page,
        pages=_pages(total),
        uses=uses,
        expires_on=certification.expires_on,
        today=_today(),
    )


# --- Schemes ----------------------------------------------------------------------------------


@bp.get("/schemes")
@requires(*MANAGERS)
def schemes():
    rows = []
    courses = {c.id: c for c in session.scalars(select(Course).order_by(Course.title))}
    for scheme in session.scalars(select(Scheme).order_by(Scheme.code)):
        links = services.scheme_courses(scheme)
        rows.append((
            scheme,
            [courses[i] for i in links if links[i]],
            [courses[i] for i in links if not links[i]],
            manages_scheme_settings(current_user, scheme),
        ))
    return render_template("training/schemes.html", rows=rows)


@bp.route("/schemes/<int:scheme_id>", methods=["GET", "POST"])
@requires(*MANAGERS)
def scheme(scheme_id: int):
    scheme = session.get(Scheme, scheme_id) or abort(404)
    if not manages_scheme_settings(current_user, scheme):
        abort(403)
    courses = session.scalars(select(Course).order_by(Course.title)).all()
    links = services.scheme_courses(scheme)
    form = SchemeTrainingForm(obj=scheme if request.method == "GET" else None)
    choices = {c.id: request.form.get(f"course-{c.id}", "") for c in courses}
    if request.method == "GET":
        choices = {
            c.id: ("required" if links[c.id] else "recommended") if c.id in links else ""
            for c in courses
        }
    if form.validate_on_submit():
        try:
            services.update_scheme_training(
                current_user, scheme, form.observed_interviews_required.data, choices
            )
        except ServiceError as exc:
            _show_problem(form, exc)
        else:
            flash(_("The training settings of %(scheme)s are saved.", scheme=scheme.code),
                  "success")
            return redirect(url_for("training.schemes"))
    return render_template(
        "training/scheme_form.html", form=form, scheme=scheme, courses=courses,
        choices=choices, requirement_labels=REQUIREMENT_LABELS,
    ), 422 if form.errors else 200


# --- Import -----------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@requires(*MANAGERS)
def import_records():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        dry_run = "import" not in request.form
        content = form.file.data.read(csv_io.MAX_IMPORT_BYTES + 1)
        try:
            result = csv_io.import_records(current_user, content, dry_run=dry_run)
        except ServiceError as exc:
            _show_problem(form, exc)
        else:
            if result.imported:
                flash(ngettext("%(num)d training record imported.",
                               "%(num)d training records imported.", result.imported),
                      "success")
                return redirect(url_for("training.overview"))
    status = 422 if form.errors or (result is not None and not result.clean) else 200
    return render_template("training/import.html", form=form, result=result), status
