"""Case pages: the dashboard list, a new case, the case page, screening and assignment."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask_babel import gettext as _
from flask_login import current_user, login_required, user_logged_in, user_logged_out

from passport import audit
from passport.access import Need, load_case, may, requires, visible_cases
from passport.auth.models import Role, User
from passport.cases import search, services, workflow
from passport.cases.forms import AssignmentForm, CaseForm, ScreeningForm
from passport.cases.history import history as readable_history
from passport.db import session, utcnow
from passport.errors import ServiceError
from passport.i18n import country_choices
from passport.intake.forms import PROTECTION_LABELS
from passport.intake.services import summary as intake_summary
from passport.interviews.services import current_assessment
from passport.org.models import Scheme
from passport.passports.services import passports_of_case
from passport.review.appeals import appeals_of_case
from passport.review.services import decisions_of_case
from passport.training import certification
from passport.training.forms import ObserverForm

bp = Blueprint("cases", __name__)


# The text searched for (a name, a passport number) is personal data: it travels in a POST and
# is kept in the signed session cookie, never in a URL (nor so in a log line or the history).
SEARCH_KEY = "case_search"


@user_logged_in.connect
@user_logged_out.connect
def _forget_search(_app: object, **_extra: object) -> None:
    """The next person at this browser does not inherit the last search."""
    cookie_session.pop(SEARCH_KEY, None)


def _list_params(status: str, country: str, searching: bool, after: str | None = None) -> dict:
    return {k: v for k, v in {"status": status, "country": country,
                              "search": "1" if searching else "", "after": after}.items() if v}


@bp.route("/", methods=["GET", "POST"])
@login_required
def dashboard():
    if current_user.roles == {Role.ADMINISTRATOR}:
        return redirect(url_for("admin.users"))
    source = request.form if request.method == "POST" else request.args
    status = source.get("status") or ""
    if status not in {s.value for s in workflow.CaseStatus}:
        status = ""
    country = (source.get("country") or "").upper()
    countries = country_choices()
    if country not in {code for code, _name in countries}:
        country = ""
    if request.method == "POST":
        text = (request.form.get("q") or "").strip()[:200]
        if text:
            cookie_session[SEARCH_KEY] = text
        else:
            cookie_session.pop(SEARCH_KEY, None)
        return redirect(url_for("cases.dashboard", **_list_params(status, country, bool(text))))
    searching = request.args.get("search") == "1" and bool(cookie_session.get(SEARCH_KEY))
    filters = search.Filters(
        text=cookie_session.get(SEARCH_KEY, "") if searching else "",
        country=country,
        status=status,
    )
    after = (request.args.get("after") or "")[:80] or None
    found = services.find_cases(visible_cases(current_user), filters, after)
    return render_template(
        "cases/list.html",
        found=found,
        cases=found.cases,
        filters=filters,
        first_url=url_for("cases.dashboard", **_list_params(status, country, searching))
        if after else None,
        next_url=url_for("cases.dashboard",
                         **_list_params(status, country, searching, found.next_cursor))
        if found.next_cursor else None,
        count_cap=search.COUNT_CAP,
        countries=countries,
        status=status,
        statuses=workflow.STATUS_LABELS,
    )


@bp.route("/cases/new", methods=["GET", "POST"])
@requires(Role.COORDINATOR)
def new_case():
    form = CaseForm()
    form.fill_choices()
    form.scheme.choices = [(s.id, f"{s.code} – {s.name}") for s in current_user.coordinated_schemes]
    countries = [("", "—"), *country_choices()]
    for field in (form.nationality, form.country_of_origin, form.host_country,
                  form.qualification_country):
        field.choices = countries
    if form.validate_on_submit():
        scheme = session.get(Scheme, form.scheme.data)
        data = services.CandidateData(
            given_name=form.given_name.data,
            family_name=form.family_name.data,
            native_name=form.native_name.data or "",
            birth_date=form.birth_date.data,
            nationality=form.nationality.data,
            country_of_origin=form.country_of_origin.data,
            host_country=form.host_country.data,
            email=form.email.data or "",
            phone=form.phone.data or "",
            preferred_language=form.preferred_language.data,
            protection_status=form.protection_status.data or "",
            preferred_languages=" ".join(form.preferred_languages.data or []),
            timezone=form.timezone.data or "",
            photo=form.photo_data,
            photo_type=form.photo_type,
        )
        try:
            case = services.create_case(current_user, scheme, data, form.qualification_country.data)
        except ServiceError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("Case %(ref)s created.", ref=case.reference), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/new.html", form=form), 422 if form.errors else 200


@bp.get("/cases/<int:case_id>")
@login_required
def detail(case_id: int):
    case = load_case(case_id, Need.VIEW)
    history = readable_history(audit.case_history(case.id))
    return render_template(
        "cases/detail.html",
        case=case,
        history=history,
        assessment=current_assessment(case),
        decisions=decisions_of_case(case),
        passports=passports_of_case(case),
        appeals=appeals_of_case(case),
        today=utcnow().date(),
        intake=intake_summary(case),
        protection_labels=PROTECTION_LABELS,
        can_read_application=may(current_user, Need.APPLICATION, case),
        screening_form=ScreeningForm(),
        can_manage=may(current_user, Need.MANAGE, case),
        can_assess=may(current_user, Need.ASSESS, case),
        can_decide=may(current_user, Need.DECIDE, case),
        allowed=workflow.allowed_actions(case.status),
        status_label=workflow.STATUS_LABELS[workflow.CaseStatus(case.status)],
    )


@bp.post("/cases/<int:case_id>/screening")
@login_required
def screen(case_id: int):
    case = load_case(case_id, Need.MANAGE)
    form = ScreeningForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("cases.detail", case_id=case.id))
    try:
        eligible = form.decision.data == "eligible"
        services.screen(current_user, case, eligible, form.reason.data or "")
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("Screening decision recorded."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/evaluators", methods=["GET", "POST"])
@login_required
def assign(case_id: int):
    case = load_case(case_id, Need.MANAGE)
    form = AssignmentForm()
    evaluators = services.eligible_evaluators()
    # Each name shows the person's certification for the case's scheme on the interview date.
    on_date = services.gate_date(case)
    found = certification.statuses([u.id for u in evaluators], [case.scheme], on_date)
    choices = [(0, "—")] + [
        (u.id, f"{u.name} ({u.centre.name if u.centre else _('no centre')}) · "
               f"{found[(u.id, case.scheme_id)].label}")
        for u in evaluators
    ]
    form.first.choices = form.second.choices = choices
    observer_form = ObserverForm(prefix="observer")
    observer_form.observer.choices = [(0, "—")] + [
        (u.id, f"{u.name} · {found[(u.id, case.scheme_id)].label}")
        for u in evaluators
        if not case.is_assigned(u)
    ]
    if request.method == "GET" and case.evaluators:
        form.first.data = case.evaluators[0].id
        if len(case.evaluators) > 1:
            form.second.data = case.evaluators[1].id
    if form.validate_on_submit():
        first, second = session.get(User, form.first.data), session.get(User, form.second.data)
        if first is None or second is None:
            abort(400)
        try:
            services.assign_evaluators(current_user, case, first, second)
        except ServiceError as exc:
            form.second.errors = [*form.second.errors, str(exc.message)]
        else:
            flash(_("Evaluators assigned."), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    status = 422 if form.errors else 200
    return render_template(
        "cases/assign.html", case=case, form=form, observer_form=observer_form,
        can_observe=case.status in services.OBSERVER_STEPS,
    ), status


@bp.post("/cases/<int:case_id>/observers")
@login_required
def add_observer(case_id: int):
    case = load_case(case_id, Need.MANAGE)
    form = ObserverForm(prefix="observer")
    form.observer.choices = [(u.id, u.name) for u in services.eligible_evaluators()]
    if not form.validate_on_submit():
        flash(_("Choose the evaluator who will observe."), "error")
    else:
        try:
            services.add_observer(current_user, case, session.get(User, form.observer.data))
        except ServiceError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("Observer added."), "success")
    return redirect(url_for("cases.assign", case_id=case.id))


@bp.post("/cases/<int:case_id>/observers/<int:user_id>/remove")
@login_required
def remove_observer(case_id: int, user_id: int):
    case = load_case(case_id, Need.MANAGE)
    person = session.get(User, user_id) or abort(404)
    try:
        services.remove_observer(current_user, case, person)
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("Observer removed."), "success")
    return redirect(url_for("cases.assign", case_id=case.id))
