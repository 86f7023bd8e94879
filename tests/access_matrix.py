"""Who may use which route: the expected outcome of every endpoint and method for every role.

tests/test_access_matrix.py walks `app.url_map` and fails for a route that has no entry here, so
a new route cannot be added without deciding who may use it. Adding a route is one line:

    "interviews.schedule": {"GET": CASE_MANAGE, "POST": CASE_MANAGE},

A row lists the outcome for each role, in the order of ROLES:

    anonymous, candidate (verified personal-link session), evaluator on the case,
    evaluator not on the case, coordinator of another scheme, coordinator of the case's
    scheme, administrator

Outcomes (see `classify` in the test):
    ok      served (2xx, or a redirect that is not to a login or a link page): allowed
    login   302 to /login?next=...           (staff pages, no staff login)
    link    redirect to /candidate/link-not-valid  (candidate pages, no candidate session)
    verify  redirect to /candidate/verify   (a personal link opened, its check not answered)
    403     the person may see the thing but not do this
    404     the person may not know the thing exists (cases of others)

Routes that change what later requests see (withdrawing consent, opening a link, logging out)
are marked with `"last": N` and run after the others, in the order of N.

URL parameters are filled from the test world by name (`case_id`, `passport_id`, ...: see
PARAMETERS in the test); an entry can name other values with `params`.
"""

from __future__ import annotations

ROLES = (
    "anonymous",
    "candidate",
    "evaluator_on_case",
    "evaluator_not_on_case",
    "coordinator_other_scheme",
    "coordinator",
    "administrator",
)


def row(spec: str) -> dict[str, str]:
    values = spec.split()
    assert len(values) == len(ROLES), spec
    return dict(zip(ROLES, values, strict=True))


#                    anon   cand   ev-on  ev-off coord2 coord  admin
PUBLIC = row(        "ok     ok     ok     ok     ok     ok     ok")
STAFF = row(         "login  login  ok     ok     ok     ok     ok")
ADMIN_ONLY = row(    "login  login  403    403    403    403    ok")
COORDINATOR = row(   "login  login  403    403    ok     ok     403")
MANAGERS = row(      "login  login  403    403    ok     ok     ok")
# A case: its evaluators and its scheme's coordinators see it; everybody else gets 404.
CASE_VIEW = row(     "login  login  ok     404    404    ok     404")
CASE_MANAGE = row(   "login  login  403    404    404    ok     404")
CASE_ASSESS = row(   "login  login  ok     404    404    403    404")
CASE_DECIDE = row(   "login  login  403    404    404    ok     404")
CASE_APPLICATION = CASE_VIEW
# The scheme's outbox: coordinators of the scheme and administrators.
SCHEME_MESSAGE = row("login  login  403    403    404    ok     ok")
# Training records of evaluator ev1 (the evaluator on the case): managers and ev1 themself.
OWN_TRAINING = row(  "login  login  ok     404    ok     ok     ok")
# Candidate pages: only the verified personal-link session of the case.
CANDIDATE = row(     "link   ok     link   link   link   link   link")
# A link's first hop: anyone holding the token reaches the check (the candidate is through).
LINK_HOP = row(      "verify ok     verify verify verify verify verify")
NOT_FOUND = row(     "404    404    404    404    404    404    404")


MATRIX: dict[str, dict] = {
    # --- public -------------------------------------------------------------------------------
    "static": {"GET": PUBLIC},
    "interface_font": {"GET": PUBLIC},
    "auth.login": {"GET": PUBLIC, "POST": PUBLIC},
    "auth.set_language": {"POST": PUBLIC},
    "passports.verify": {"GET": PUBLIC, "POST": PUBLIC},
    "passports.verify_upload": {"GET": PUBLIC, "POST": PUBLIC},
    "passports.public_keys": {"GET": PUBLIC},
    # --- staff, any role ----------------------------------------------------------------------
    "cases.dashboard": {"GET": STAFF, "POST": STAFF},  # POST: a search (kept out of the URL)
    "auth.account": {"GET": STAFF, "POST": STAFF},
    "auth.logout": {"POST": STAFF, "last": 3},
    # The second step of a login and the forced enrolment: without a login in progress they
    # send the visitor back to the login page (or home), so nobody is let in by them.
    "auth.second_step": {"GET": PUBLIC, "POST": PUBLIC},
    "auth.setup": {"GET": PUBLIC, "POST": PUBLIC},
    "auth.end_other_sessions": {"POST": STAFF},
    "auth.two_factor": {"GET": STAFF, "POST": STAFF},
    "auth.disable_two_factor": {"POST": STAFF},
    "auth.recovery_codes": {"POST": STAFF},
    "training.me": {"GET": STAFF},
    "training.overview": {"GET": STAFF},  # evaluators are sent to their own record
    # --- administration -----------------------------------------------------------------------
    "admin.users": {"GET": ADMIN_ONLY},
    "admin.new_user": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "admin.organisation": {"GET": ADMIN_ONLY},
    "admin.translations": {"GET": ADMIN_ONLY},
    # --- cases --------------------------------------------------------------------------------
    "cases.new_case": {"GET": COORDINATOR, "POST": COORDINATOR},
    "cases.detail": {"GET": CASE_VIEW},
    "cases.screen": {"POST": CASE_MANAGE},
    "cases.assign": {"GET": CASE_MANAGE, "POST": CASE_MANAGE},
    "cases.add_observer": {"POST": CASE_MANAGE},
    "cases.remove_observer": {"POST": CASE_MANAGE, "params": {"user_id": "observer"}},
    "interviews.assessment": {"GET": CASE_ASSESS, "POST": CASE_ASSESS},
    # --- interviews (passport/interviews): scheduling by the scheme's coordinators, the
    # workspace for the case's evaluators, held/not held by anyone who sees the case.
    "interviews.schedule": {"GET": CASE_MANAGE, "POST": CASE_MANAGE},
    "interviews.upcoming": {"GET": STAFF},
    "interviews.cancel": {"POST": CASE_MANAGE},
    "interviews.held": {"POST": CASE_VIEW},
    "interviews.not_held": {"GET": CASE_VIEW, "POST": CASE_VIEW},
    "interviews.workspace_page": {"GET": CASE_ASSESS},
    "interviews.workspace_save": {"POST": CASE_ASSESS},
    "interviews.workspace_token": {"GET": CASE_ASSESS},
    "interviews.conclusion": {"POST": CASE_ASSESS},
    "review.review": {"GET": CASE_DECIDE},
    "review.approve": {"POST": CASE_DECIDE},
    "review.return_assessment": {"POST": CASE_DECIDE},
    "passports.download": {"GET": CASE_VIEW},
    # --- review (passport/review) -------------------------------------------------------------
    "review.review_queue": {"GET": COORDINATOR},
    "review.dashboard": {"GET": COORDINATOR},
    "review.dashboard_csv": {"GET": COORDINATOR, "params": {"name": "chart"}},
    "review.draft": {"GET": CASE_DECIDE},
    "review.draft_page": {"GET": CASE_DECIDE},
    "review.close": {"POST": CASE_DECIDE},
    "review.reissue": {"GET": CASE_DECIDE, "POST": CASE_DECIDE},
    "review.revoke": {"GET": CASE_DECIDE, "POST": CASE_DECIDE},
    # An appeal: the scheme's coordinators (the one who decided may read it, not decide it).
    "review.appeal": {"GET": CASE_MANAGE, "POST": CASE_MANAGE},
    "candidate.appeal": {"GET": CANDIDATE, "POST": CANDIDATE},
    # --- intake, staff side -------------------------------------------------------------------
    "intake.invite": {"POST": CASE_MANAGE},
    "intake.reissue": {"POST": CASE_MANAGE, "last": 3},
    "intake.revoke": {"POST": CASE_MANAGE, "last": 3},
    "intake.candidate_details": {"GET": CASE_MANAGE, "POST": CASE_MANAGE},
    "intake.photo": {"GET": CASE_VIEW},
    "intake.questionnaire": {"GET": CASE_APPLICATION},
    "intake.evidence": {"GET": CASE_APPLICATION},
    # --- outbox -------------------------------------------------------------------------------
    "mail.outbox": {"GET": MANAGERS},
    "mail.message": {"GET": SCHEME_MESSAGE},
    "mail.retry": {"POST": SCHEME_MESSAGE},
    # --- the candidate's pages ----------------------------------------------------------------
    "candidate.open_link": {"GET": LINK_HOP, "last": 2},
    "candidate.link_not_valid": {"GET": NOT_FOUND},
    "candidate.verify": {"GET": CANDIDATE, "POST": CANDIDATE},
    # The code is sent and the check page shown again (a verified candidate too).
    "candidate.send_code": {"POST": row("link verify link link link link link")},
    "candidate.home": {"GET": CANDIDATE},
    "candidate.consent": {"GET": CANDIDATE, "POST": CANDIDATE},
    "candidate.withdraw": {"GET": CANDIDATE, "POST": CANDIDATE, "last": 1},
    "candidate.questionnaire": {"GET": CANDIDATE, "POST": CANDIDATE},
    "candidate.autosave": {"POST": CANDIDATE},
    "candidate.documents": {"GET": CANDIDATE, "POST": CANDIDATE},
    "candidate.remove_document": {"POST": CANDIDATE},
    "candidate.passport_pdf": {"GET": CANDIDATE},
    "candidate.set_language": {"POST": PUBLIC},
    "candidate.leave": {"POST": PUBLIC, "last": 3},
    # --- personal data (passport/privacy) -----------------------------------------------------
    # The scheme's coordinators and administrators; the case's evaluators may not.
    "privacy.export": {"GET": row("login login 403 404 404 ok ok")},
    "privacy.find_export": {"GET": ADMIN_ONLY},
    "privacy.retention": {"POST": ADMIN_ONLY, "params": {"scheme_id": "scheme_id"}},
    # --- training -----------------------------------------------------------------------------
    "training.overview_csv": {"GET": MANAGERS},
    "training.records_csv": {"GET": MANAGERS},
    "training.evaluator": {"GET": OWN_TRAINING},
    "training.profile": {"GET": MANAGERS, "POST": MANAGERS},
    "training.new_record": {"GET": MANAGERS, "POST": MANAGERS},
    "training.correct_record": {"GET": MANAGERS, "POST": MANAGERS},
    "training.evidence": {"GET": OWN_TRAINING},
    "training.courses": {"GET": MANAGERS},
    "training.course": {"GET": MANAGERS},
    "training.new_course": {"GET": MANAGERS, "POST": MANAGERS},
    "training.edit_course": {"GET": MANAGERS, "POST": MANAGERS},
    "training.schemes": {"GET": MANAGERS},
    # Scheme settings: the scheme's coordinators and administrators (EQPR here).
    "training.scheme": {
        "GET": row("login login 403 403 403 ok ok"),
        "POST": row("login login 403 403 403 ok ok"),
    },
    "training.import_records": {"GET": MANAGERS, "POST": MANAGERS},
}
