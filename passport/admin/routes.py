"""Administration: users, centres and schemes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from passport.access import requires
from passport.admin.forms import ROLE_LABELS, UserForm
from passport.auth import services as auth_services
from passport.auth.models import Role, User
from passport.db import session
from passport.errors import ServiceError
from passport.org.models import Centre, Scheme

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@requires(Role.ADMINISTRATOR)
def users():
    rows = session.scalars(select(User).order_by(User.name)).all()
    return render_template("admin/users.html", users=rows, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Role.ADMINISTRATOR)
def new_user():
    form = UserForm()
    centres = session.scalars(select(Centre).order_by(Centre.name)).all()
    schemes = session.scalars(select(Scheme).order_by(Scheme.code)).all()
    form.centre.choices = [(0, "—")] + [(c.id, c.name) for c in centres]
    form.schemes.choices = [(s.id, f"{s.code} – {s.name}") for s in schemes]
    if form.validate_on_submit():
        try:
            auth_services.create_user(
                form.email.data,
                form.name.data,
                [Role(r) for r in form.roles.data],
                form.password.data,
                centre=session.get(Centre, form.centre.data) if form.centre.data else None,
                schemes=[s for s in schemes if s.id in (form.schemes.data or [])],
                actor=current_user,
            )
        except ServiceError as exc:
            form.password.errors = [*form.password.errors, str(exc.message)]
        else:
            flash(_("User %(email)s created.", email=form.email.data), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form), 422 if form.errors else 200


@bp.get("/translations")
@requires(Role.ADMINISTRATOR)
def translations():
    from passport.i18n import CANDIDATE_LOCALES, STAFF_LOCALES
    from passport.translate import catalogue_status

    statuses = [catalogue_status(code) for code in CANDIDATE_LOCALES if code != "en"]
    return render_template(
        "admin/translations.html", statuses=statuses, staff_locales=STAFF_LOCALES
    )


@bp.get("/organisation")
@requires(Role.ADMINISTRATOR)
def organisation():
    centres = session.scalars(select(Centre).order_by(Centre.name)).all()
    schemes = session.scalars(select(Scheme).order_by(Scheme.code)).all()
    from passport.privacy.forms import RetentionForm

    retention_forms = {
        s.id: RetentionForm(prefix=f"scheme{s.id}", formdata=None,
                            data={"months": s.retention_months})
        for s in schemes
    }
    return render_template("admin/organisation.html", centres=centres, schemes=schemes,
                           retention_forms=retention_forms)
