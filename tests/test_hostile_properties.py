"""Property-based attacks (hypothesis): arbitrary data posted to every form and JSON endpoint of
the app, found in its URL map, by a person allowed to use it.

Whatever is posted: never a server error; input that is refused changes nothing; whatever was
accepted is shown back escaped, and every page still opens afterwards.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.access_matrix import MATRIX
from tests.hostile_helpers import STAFF_EMAILS, full_case, staff, state_snapshot
from tests.intake_helpers import consent, invited, open_link
from tests.test_access_matrix import PARAMETERS, routes, session_csrf_token

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "6"))  # more: a deeper search, by hand
MARKER = "<script>alert(1)</script>"
NASTY = [
    MARKER, "\u202eevil\u202c", "\u200f\u0627\u0644\u0627\u0633\u0645\u200e", "e\u0301\u0301\u0301",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\x00", "a\x00b", "A" * 70_000,
    "\ufeff", "{{ 7*7 }}", "'; DROP TABLE cases; --", "", " ", "-1", "0",
    "99999999999999999999999", "1e309", "NaN", "true", "[]", "../../etc/passwd",
    "\r\n\r\n", "\u0663\u0664", "2026-02-30", "1991-13", "ar", "SY", "bachelor", "y",
]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)
# Who posts to an endpoint: the first of these the access matrix lets in.
POSTERS = ("coordinator", "evaluator_on_case", "candidate", "administrator", "anonymous")
# Statuses that refuse the input: the request must leave the database as it was.
REFUSED = {400, 401, 403, 404, 405, 409, 413, 415, 422, 429}
# Login bookkeeping (failed attempts, lockouts) may change on a refused login.
BOOKKEEPING = {"auth.login"}
LOGS = ("case_access_log",)
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')


def form_fields(client, url: str) -> list[str]:
    page = client.get(url)
    if page.status_code != 200 or page.mimetype != "text/html":
        return []
    return sorted(set(FIELD.findall(page.get_data(as_text=True))) - {"csrf_token"})


GENERIC_FIELDS = ["comment", "reason", "eligible", "observer", "locale", "next", "agree",
                  "action", "kind", "description", "method", "code", "year", "month", "day",
                  "first", "second", "file", "document"]


def payloads(fields: list[str]):
    form = st.fixed_dictionaries(
        {}, optional={name: st.one_of(VALUES, st.lists(VALUES, max_size=3)) for name in fields}
    )
    extra = st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda k: k != "csrf_token"),
                            VALUES, max_size=2)
    return st.one_of(
        st.tuples(st.just("form"), st.tuples(form, extra).map(lambda t: {**t[1], **t[0]})),
        st.tuples(st.just("json"), JSON),
    )


def attack(client, csrf: str, url: str, endpoint: str, fields: list[str]):
    """A hypothesis test posting to one endpoint."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(payload=payloads(fields))
    def run(payload):
        kind, data = payload
        before = state_snapshot(ignore=LOGS)
        if kind == "form":
            response = client.post(url, data={**data, "csrf_token": csrf})
        else:
            response = client.post(url, json=data, headers={"X-CSRFToken": csrf})
        assert response.status_code < 500, (endpoint, kind, response.status_code)
        if response.status_code in REFUSED and endpoint not in BOOKKEEPING:
            assert state_snapshot(ignore=LOGS) == before, (endpoint, response.status_code)
        if response.mimetype == "text/html":
            assert MARKER not in response.get_data(as_text=True), endpoint

    return run


def test_arbitrary_posts_to_every_endpoint(app, world):
    full = full_case(app, world)
    # Cases at the steps where their forms still take input.
    fresh = {
        "interviews.assessment": world.assigned_case(given_name="Yonas").id,
        "review.approve": world.submitted_case(given_name="Olena").id,
        "review.return_assessment": world.submitted_case(given_name="Dawit").id,
        "cases.screen": world.new_case(given_name="Samir").id,
        "cases.assign": world.new_case(given_name="Lina").id,
    }
    open_case, token = invited(world, email="hamid@example.org", given_name="Hamid")
    candidate = app.test_client()
    open_link(candidate, token)
    consent(candidate)
    clients = {role: staff(app, email) for role, email in STAFF_EMAILS.items()
               if role in POSTERS}
    clients["candidate"] = candidate
    clients["anonymous"] = app.test_client()
    tokens = {role: session_csrf_token(client) for role, client in clients.items()}

    tried = []
    for endpoint, method, rule in routes(app):
        entry = MATRIX[endpoint]
        if method == "GET" or entry.get("last"):
            continue
        role = next((r for r in POSTERS if entry[method][r] == "ok"), None)
        if role is None:
            continue
        client, csrf = clients[role], tokens[role]
        values = {name: PARAMETERS[entry.get("params", {}).get(name, name)](world, full)
                  for name in rule.arguments}
        if "case_id" in values:
            values["case_id"] = fresh.get(endpoint, full.case.id)
        url = rule.build(values, append_unknown=False)[1]
        fields = form_fields(client, url) if "GET" in (rule.methods or ()) else []
        fields = fields or GENERIC_FIELDS
        tried.append(endpoint)

        attack(client, csrf, url, endpoint, fields)()
    assert len(tried) > 30, tried

    # Whatever was stored shows on every page, as text.
    case_ids = {full.case.id, open_case.id, *fresh.values()}
    for role, client in clients.items():
        for endpoint, method, rule in routes(app):
            entry = MATRIX[endpoint]
            if method != "GET" or entry.get("last") or entry[method][role] != "ok":
                continue
            values = {name: PARAMETERS[entry.get("params", {}).get(name, name)](world, full)
                      for name in rule.arguments}
            ids = sorted(case_ids) if "case_id" in values else [None]
            for case_id in ids:
                if case_id is not None:
                    values["case_id"] = case_id
                url = rule.build(values, append_unknown=False)[1]
                response = client.get(url)
                assert response.status_code < 500, (role, url)
                if response.mimetype == "text/html":
                    assert MARKER not in response.get_data(as_text=True), (role, url)
