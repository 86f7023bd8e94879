"""Downloading what the system holds about a candidate, and the schemes' retention periods."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from passport.access import Need, load_case, requires
from passport.auth.models import Role
from passport.db import session
from passport.errors import ServiceError
from passport.org.models import Scheme
from passport.privacy import services
from passport.privacy.forms import RetentionForm

bp = Blueprint("privacy", __name__)


@bp.get("/cases/<int:case_id>/export")
@login_required
def export(case_id: int):
    case = load_case(case_id, Need.EXPORT)
    data = services.export_candidate(current_user, case)
    return Response(
        data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="personal-data-{case.reference}.zip"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/admin/export")
@requires(Role.ADMINISTRATOR)
def find_export():
    """Administrators give a case reference (C-000012 or 12) on the organisation page."""
    match = re.fullmatch(r"\s*(?:C-?)?0*(\d{1,9})\s*", request.args.get("case", ""), re.I)
    if match is None:
        flash(_("Give a case reference such as C-000012."), "error")
        return redirect(url_for("admin.organisation", _anchor="export"))
    return redirect(url_for("privacy.export", case_id=int(match.group(1))))


@bp.post("/admin/schemes/<int:scheme_id>/retention")
@requires(Role.ADMINISTRATOR)
def retention(scheme_id: int):
    scheme = session.get(Scheme, scheme_id) or abort(404)
    form = RetentionForm(prefix=f"scheme{scheme.id}")
    if not form.validate_on_submit():
        flash(_("Give a number of months from 1 to 600, or leave it empty."), "error")
    else:
        try:
            services.set_retention(current_user, scheme, form.months.data)
        except ServiceError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("The retention period of %(code)s is saved.", code=scheme.code), "success")
    return redirect(url_for("admin.organisation", _anchor=f"scheme-{scheme.id}"), code=303)
