"""Downloading a passport (staff) and the public verification page (anyone with the QR code)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template
from flask_login import login_required

from passport.access import Need, load_case
from passport.db import session
from passport.passports import services
from passport.passports.models import Passport

bp = Blueprint("passports", __name__)


@bp.get("/passports/<int:passport_id>.pdf")
@login_required
def download(passport_id: int):
    passport = session.get(Passport, passport_id)
    if passport is None:
        abort(404)
    load_case(passport.case_id, Need.VIEW)
    data = services.render_pdf(passport)
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="passport-{passport.number}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/verify/<public_id>")
def verify(public_id: str):
    passport = services.find_by_public_id(public_id)
    if passport is None:
        return render_template("passports/verify.html", passport=None), 404
    return render_template(
        "passports/verify.html",
        passport=passport,
        status=passport.effective_status(date.today()),
    )
