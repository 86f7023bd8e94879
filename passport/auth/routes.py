"""Login (password, then the second factor), logout, account settings and the interface
language. Idle sessions end after PASSPORT_IDLE_MINUTES; a password change or "log out other
sessions" ends every other session of the user (User.session_version, checked on each request
by the user loader in passport.access)."""

from __future__ import annotations

import hashlib
import time
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from passport import db
from passport.auth import services, twofactor
from passport.auth.forms import (
    CodeForm,
    ConfirmPasswordForm,
    EnrolForm,
    LoginForm,
    PasswordForm,
)
from passport.auth.models import User
from passport.errors import ServiceError
from passport.extensions import limiter
from passport.i18n import CANDIDATE_LOCALES, LOCALE_COOKIE, STAFF_LOCALES
from passport.views_errors import wants_json

bp = Blueprint("auth", __name__)

PENDING = "pending_login"
PENDING_SECONDS = 600  # the second step must follow the password within ten minutes
SEEN = "seen"

# Pages a logged-in coordinator or administrator without a second factor may still open.
_ENROLMENT_ENDPOINTS = {"auth.two_factor", "auth.logout", "auth.set_language", "static"}


def _safe_next(target: str | None) -> str:
    # Only local paths: an absolute URL in ?next= would be an open redirect.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("cases.dashboard")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """Rate-limit key for a login attempt: the account name typed (known or not alike), or the
    pending user of the second step."""
    pending = session.get(PENDING) or {}
    if request.endpoint != "auth.login" and pending.get("user"):
        return f"user:{pending['user']}"
    email = services.normalise_email(request.form.get("email", ""))[:254]
    # Hashed, so that no address lands in the limiter's store or its log lines.
    return "email:" + hashlib.sha256(email.encode()).hexdigest()[:24]


def _failed(response: Response) -> bool:
    return response.status_code == 401


login_limits = [
    limiter.limit(_login_limit, methods=["POST"]),
    limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed,
                  scope="login-account"),
]


def _limited(view: Any) -> Any:
    for decorate in login_limits:
        view = decorate(view)
    return view


def _start_session(user: User, target: str) -> Response:
    session.pop(PENDING, None)
    services.register_success(user)
    login_user(user)
    session[SEEN] = int(time.time())
    return redirect(_safe_next(target))


def _pending_user() -> User | None:
    """The user who gave the right password and now owes the second step, if still valid."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, pending.get("user"))
    if (user is None or user.session_version != pending.get("v") or not user.active
            or services.is_locked(user)):
        session.pop(PENDING, None)
        return None
    return user


def _not_right(form: FlaskForm) -> tuple[str, int]:
    # Two sentences, the first one the long-standing (translated) message.
    flash(_("The email or password is not right.") + " "
          + _("After several failed attempts the account is paused for a while; then wait and "
              "try again."), "error")
    return render_template("auth/login.html", form=form), 401


@bp.route("/login", methods=["GET", "POST"])
@_limited
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            return _not_right(form)
        target = request.args.get("next")
        if not user.has_totp and not user.needs_totp:
            return _start_session(user, target)
        session[PENDING] = {"user": user.id, "v": user.session_version,
                            "at": int(time.time()), "next": _safe_next(target)}
        if user.has_totp:
            return redirect(url_for("auth.second_step"))
        return redirect(url_for("auth.setup"))
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@_limited
def second_step():
    user = _pending_user()
    if user is None or not user.has_totp:
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        verdict = twofactor.verify(user, form.code.data)
        if verdict is twofactor.Verdict.ACCEPTED:
            left = twofactor.unused_recovery_codes(user)
            response = _start_session(user, session[PENDING]["next"])
            if left < 3:
                flash(ngettext("You have %(num)d unused recovery code left. Make new ones on "
                               "your account page.",
                               "You have %(num)d unused recovery codes left. Make new ones on "
                               "your account page.", left), "warning")
            return response
        services.register_failure(user)
        if verdict is twofactor.Verdict.USED:
            message = _("This code has been used already. Wait for the next code in your "
                        "app and type that one.")
        else:
            message = _("This code is not right. Check that the phone's clock is right, or "
                        "use a recovery code.")
        form.code.errors = [*form.code.errors, message]
        return render_template("auth/code.html", form=form), 401
    return render_template("auth/code.html", form=form)


def _enrol_page(user: User, form: FlaskForm, action: str, status: int = 200):
    secret = twofactor.start_enrolment(user)
    response = Response(render_template(
        "auth/enrol.html", form=form, action=action, key=twofactor.grouped(secret),
        qr=twofactor.qr_data_uri(twofactor.provisioning_uri(user, secret)),
        required=user.needs_totp,
    ), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _code_refused(user: User, form: FlaskForm, action: str):
    """The enrolment page again, the wrong code's message next to the field."""
    form.code.errors = [*form.code.errors, _("This code is not right. Type the code the app "
                                             "shows now.")]
    return _enrol_page(user, form, action, 400)


def _codes_page(codes: list[str], target: str):
    response = Response(render_template("auth/recovery_codes.html", codes=codes,
                                        target=target))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login/setup", methods=["GET", "POST"])
@_limited
def setup():
    """Forced enrolment: a coordinator or administrator without a second factor sets it up
    before the first session starts."""
    user = _pending_user()
    if user is None or user.has_totp:
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = EnrolForm()
    if form.validate_on_submit():
        codes = twofactor.confirm_enrolment(user, form.code.data)
        if codes is not None:
            target = session[PENDING]["next"]
            _start_session(user, target)
            return _codes_page(codes, _safe_next(target))
        services.register_failure(user)
        return _code_refused(user, form, url_for("auth.setup"))
    return _enrol_page(user, form, url_for("auth.setup"))


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.pop(SEEN, None)
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except ServiceError as exc:
            form.new.errors = [*form.new.errors, str(exc.message)]
        else:
            # The user object, not the current_user proxy: Flask-Login would keep the proxy
            # as the user and resolve it to itself forever (RecursionError).
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other sessions have been logged out."), "info")
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html", form=form, plain=FlaskForm(),
        recovery_left=twofactor.unused_recovery_codes(current_user)
        if current_user.has_totp else 0,
        disable_form=ConfirmPasswordForm(prefix="disable"),
    )


@bp.post("/account/sessions")
@login_required
def end_other_sessions():
    form = FlaskForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        services.end_other_sessions(user)
        login_user(user)
        flash(_("Your other sessions have been logged out."), "info")
    return redirect(url_for("auth.account"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up the second factor from the account page (optional for evaluators, and where a
    coordinator or administrator has none yet)."""
    user = current_user._get_current_object()
    if user.has_totp:
        return redirect(url_for("auth.account"))
    form = EnrolForm()
    if form.validate_on_submit():
        codes = twofactor.confirm_enrolment(user, form.code.data)
        if codes is not None:
            return _codes_page(codes, url_for("auth.account"))
        return _code_refused(user, form, url_for("auth.two_factor"))
    return _enrol_page(user, form, url_for("auth.two_factor"))


@bp.post("/account/two-factor/recovery-codes")
@login_required
def recovery_codes():
    user = current_user._get_current_object()
    if not FlaskForm().validate_on_submit() or not user.has_totp:
        return redirect(url_for("auth.account"))
    return _codes_page(twofactor.new_recovery_codes(user), url_for("auth.account"))


@bp.post("/account/two-factor/disable")
@login_required
def disable_two_factor():
    user = current_user._get_current_object()
    form = ConfirmPasswordForm(prefix="disable")
    if user.needs_totp:
        flash(_("Coordinators and administrators must keep the second factor."), "error")
    elif form.validate_on_submit() and services.check_password(user, form.password.data):
        twofactor.disable(user)
        flash(_("The second factor is turned off."), "info")
    else:
        flash(_("The password is not right; the second factor stays on."), "error")
    return redirect(url_for("auth.account"))


@bp.before_app_request
def _session_rules():
    """End idle sessions; send coordinators and administrators without a second factor to
    enrolment before anything else."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    seen = session.get(SEEN)
    if not isinstance(seen, int):
        seen = session[SEEN] = now
    if now - seen > current_app.config["IDLE_MINUTES"] * 60:
        logout_user()
        session.pop(SEEN, None)
        if wants_json():
            return jsonify(error=_("Your session has ended. Log in again.")), 401
        flash(_("You were logged out after a time without activity. Please log in again."),
              "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")
                                if request.method == "GET" else None))
    if now - seen >= 30:  # don't rewrite the cookie on every request
        session[SEEN] = now
    if (current_user.needs_totp and not current_user.has_totp
            and request.endpoint not in _ENROLMENT_ENDPOINTS):
        if wants_json():
            return jsonify(error=_("Set up the second factor first.")), 403
        return redirect(url_for("auth.two_factor"))
    return None


@bp.post("/language")
def set_language():
    """Remember the chosen language: on the profile for staff, in a cookie for everyone."""

    locale = request.form.get("locale", "")
    target = _safe_next(request.form.get("next"))
    if locale not in CANDIDATE_LOCALES:
        return redirect(target)
    if current_user.is_authenticated and locale in STAFF_LOCALES:
        services.set_locale(current_user, locale)
    response = redirect(target)
    response.set_cookie(
        LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
