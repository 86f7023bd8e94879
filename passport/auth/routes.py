"""Login, logout, account settings and the interface language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from passport.auth import services
from passport.auth.forms import LoginForm, PasswordForm
from passport.errors import ServiceError
from passport.i18n import CANDIDATE_LOCALES, LOCALE_COOKIE, STAFF_LOCALES

bp = Blueprint("auth", __name__)


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


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("The email or password is not right."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
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
            login_user(current_user)  # keep this session; every other one has ended
            flash(_("Your password is changed. Other sessions have been logged out."), "info")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


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
        LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
    )
    return response
