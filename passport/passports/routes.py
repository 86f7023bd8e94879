"""Downloading a passport (staff) and the public verification pages (anyone with the QR code).

The public pages are rate-limited per client, show only what a verifier needs to match the
document to its holder, and answer every unknown or malformed identifier with the same page.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from passport.access import Need, load_case
from passport.db import session
from passport.extensions import limiter
from passport.passports import services, signing
from passport.passports.forms import UploadForm
from passport.passports.models import Passport

bp = Blueprint("passports", __name__)


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


@bp.get("/passports/<int:passport_id>.pdf")
@login_required
def download(passport_id: int):
    passport = session.get(Passport, passport_id)
    if passport is None:
        abort(404)
    load_case(passport.case_id, Need.VIEW)
    if passport.snapshot.get("erased"):
        abort(410)
    data = services.render_pdf(passport)
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="passport-{passport.number}.pdf"',
            "Cache-Control": "no-store",
        },
    )


def _facts(passport: Passport) -> dict:
    """Everything the public page may show about a passport, and nothing more."""
    successor = services.successor_of(passport)
    return {
        "passport": passport,
        "status": passport.effective_status(date.today()),
        "successor": successor,
        "signature_ok": signing.verify(
            passport.snapshot, passport.signing_key_id, passport.signature
        ),
    }


def _read_upload(form: UploadForm) -> bytes | None:
    upload = form.document.data
    data = upload.read(services.MAX_UPLOAD + 1)
    if len(data) > services.MAX_UPLOAD:
        form.document.errors.append(_l("The file is larger than 10 MB; no passport is that big."))
        return None
    if not data:
        form.document.errors.append(_l("The file is empty."))
        return None
    return data


def _checked(form: UploadForm, check: services.UploadCheck) -> services.UploadCheck | None:
    if check.verdict == "not_pdf":
        form.document.errors.append(_l("This file is not a PDF. Choose the passport's PDF file."))
        return None
    return check


def _not_found():
    response = render_template("passports/verify.html", passport=None, form=UploadForm(),
                               not_found=True)
    return response, 404


@bp.route("/verify/<public_id>", methods=["GET", "POST"])
@limiter.limit(_verify_limit)
def verify(public_id: str):
    passport = services.find_by_public_id(public_id)
    if passport is None:
        return _not_found()
    form = UploadForm()
    check = None
    if form.validate_on_submit():
        data = _read_upload(form)
        if data is not None:
            check = _checked(form, services.check_upload(data, expected=passport))
    return render_template("passports/verify.html", form=form, check=check, **_facts(passport))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_verify_limit)
def verify_upload():
    form = UploadForm()
    check = None
    facts: dict = {}
    if form.validate_on_submit():
        data = _read_upload(form)
        if data is not None:
            check = _checked(form, services.check_upload(data))
            if check is not None and check.passport is not None:
                facts = _facts(check.passport)
    return render_template("passports/verify_upload.html", form=form, check=check, **facts)


@bp.get("/verify/keys")
@limiter.limit(_verify_limit)
def public_keys():
    """The public keys that sign passports (current and retired), for checking offline."""
    keys = signing.all_keys()
    lines = []
    for key in keys:
        state = "retired" if key.retired_at else "active"
        lines.append(f"# {key.key_id} ({key.algorithm}, {state})\n{signing.public_key_pem(key)}")
    return Response("\n".join(lines), mimetype="text/plain")
