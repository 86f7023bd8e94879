"""The case list's search: names in any script without caring for accents or letter variants,
passport numbers however they are typed, countries; only cases the person may see; a keyset
page after another; the text searched for never in a URL. And the generator behind the
benchmarks, and the query counts of the main pages (no N+1)."""

from __future__ import annotations

import re

import pytest

from passport.cases.search import PAGE_SIZE, fold, passport_numbers
from passport.db import session
from tests.conftest import csrf_token, login, post_form
from tests.query_count import queries_of

CASE_LINK = re.compile(r'href="/cases/(\d+)"')


def search(client, text: str = "", **filters):
    token = csrf_token(client, "/")
    response = client.post("/", data={"q": text, "csrf_token": token, **filters})
    assert response.status_code == 302
    location = response.headers["Location"]
    return location, client.get(location)


def found_ids(response) -> list[int]:
    return [int(i) for i in CASE_LINK.findall(response.get_data(as_text=True))]


@pytest.mark.parametrize(("typed", "stored"), [
    ("José Muñoz", "jose munoz"),
    ("ÇAĞLAR Öztürk", "caglar ozturk"),
    ("أَمِينَة", "امينه"),  # short vowels dropped, hamza on alef dropped, teh marbuta as heh
    ("أمينة", "امينه"),
    ("علی", "علي"),  # Persian yeh and Arabic yeh are the same letter to a searcher
    ("کریمی", "كريمي"),
    ("Олена Ковалёва", "олена ковалева"),
    ("ዮናስ ተስፋይ", "ዮናስ ተስፋይ"),
    ("Al-Hassan", "al hassan"),
    ("Søren Bjørn", "soren bjorn"),
])
def test_names_are_folded_for_search(typed, stored):
    assert fold(typed) == stored


def test_passport_numbers_are_read_however_they_are_typed():
    codes = ["EQPR", "UQP"]
    for typed in ("EQPR-2026-00042-7", "eqpr 2026 00042 7", "EQPR2026000427", "eqpr-2026 00042-7"):
        assert passport_numbers(typed, codes) == ["EQPR-2026-00042-7"]
    assert passport_numbers("Amina", codes) == []


@pytest.fixture()
def people(world):
    w = world
    cases = {
        "amina": w.new_case(),  # Amina Haddad, أمينة حداد, SY
        "olena": w.new_case(given_name="Olena", family_name="Kovalenko",
                            native_name="Олена Коваленко", nationality="UA",
                            country_of_origin="UA"),
        "yonas": w.new_case(given_name="Yonas", family_name="Tesfay", native_name="ዮናስ ተስፋይ",
                            nationality="ER", country_of_origin="ER"),
        "jose": w.new_case(given_name="José", family_name="Muñoz", native_name="",
                           nationality="VE", country_of_origin="VE"),
        "ahmad": w.new_case(given_name="Ahmad", family_name="Rahimi", native_name="احمد رحیمی",
                            nationality="AF", country_of_origin="AF"),
        # another scheme's case, which the EQPR coordinator may not see
        "hidden": w.new_case(scheme=w.uqp, coordinator=w.other_coordinator,
                             given_name="Amina", family_name="Hidden"),
    }
    session.commit()
    return {k: c.id for k, c in cases.items()}


@pytest.mark.parametrize(("typed", "expected"), [
    ("munoz", {"jose"}),
    ("MUÑOZ", {"jose"}),
    ("jos", {"jose"}),
    ("amina", {"amina"}),
    ("Amina Haddad", {"amina"}),
    ("haddad amina", {"amina"}),
    ("امينة", {"amina"}),  # typed without the hamza
    ("حداد", {"amina"}),
    ("Олена", {"olena"}),
    ("коваленко", {"olena"}),
    ("ዮናስ", {"yonas"}),
    ("رحيمي", {"ahmad"}),  # Arabic yeh finds the Persian spelling
    ("kova", {"olena"}),
    ("nobody", set()),
])
def test_search_by_name_in_any_script(client, world, people, typed, expected):
    login(client, "coord@test.org")
    location, response = search(client, typed)
    assert response.status_code == 200
    assert set(found_ids(response)) == {people[k] for k in expected}
    # the text searched for (personal data) is not in the address
    assert typed.lower() not in location.lower() and "q=" not in location


def test_the_search_is_forgotten_at_log_out(client, world, people):
    login(client, "coord@test.org")
    _location, response = search(client, "amina")
    assert found_ids(response) == [people["amina"]]
    post_form(client, "/logout", {}, form_page="/")
    login(client, "coord@test.org")
    page = client.get("/?search=1")
    assert "amina" not in page.get_data(as_text=True).lower().split("<tbody>")[0]
    assert len(found_ids(page)) == 5


def test_search_shows_only_the_cases_the_person_may_see(app, client, world, people):
    login(client, "coord2@test.org")
    _location, response = search(client, "amina")
    assert found_ids(response) == [people["hidden"]]
    evaluator = app.test_client()
    login(evaluator, "ev1@test.org")
    _location, response = search(evaluator, "amina")
    assert found_ids(response) == []


def test_search_by_passport_number_and_by_case_reference(client, world, people):
    case, passport = world.issued_case(given_name="Lina", family_name="Mansour")
    session.commit()
    login(client, "coord@test.org")
    typed = passport.number.lower().replace("-", " ")
    _location, response = search(client, typed)
    assert found_ids(response) == [case.id]
    _location, response = search(client, passport.number.replace("-", ""))
    assert found_ids(response) == [case.id]
    _location, response = search(client, case.reference)
    assert found_ids(response) == [case.id]
    _location, response = search(client, "EQPR-2026-99999-0")
    assert found_ids(response) == []


def test_search_by_country_of_nationality_or_qualification(client, world, people):
    login(client, "coord@test.org")
    response = client.get("/?country=UA")
    assert set(found_ids(response)) == {people["olena"]}
    # every World case's highest qualification is from SY, whatever the nationality
    response = client.get("/?country=SY")
    assert set(found_ids(response)) == {v for k, v in people.items() if k != "hidden"}
    assert found_ids(client.get("/?country=NO")) == []
    _location, response = search(client, "amina", country="UA")
    assert found_ids(response) == []


def test_letters_inside_a_word_are_found_when_no_name_begins_with_them(client, world, people):
    """Word beginnings first, on every database; on PostgreSQL (pg_trgm) a search no name
    begins with then looks inside the words ("rahman" in Abdulrahman)."""
    from passport.cases.search import trigram_search_available

    abdul = world.new_case(given_name="Samir", family_name="Abdulrahman",
                           native_name="سمير عبدالرحمن")
    session.commit()
    login(client, "coord@test.org")
    _location, response = search(client, "abdul")
    assert found_ids(response) == [abdul.id]
    assert "inside a word" not in response.get_data(as_text=True)
    _location, response = search(client, "rahman")
    html = response.get_data(as_text=True)
    if trigram_search_available():
        assert found_ids(response) == [abdul.id]
        assert "these names hold it inside a word" in html
    else:
        assert found_ids(response) == []
        assert "No case matches this search." in html
    # a word that begins Ahmad's family name (Rahimi) is not looked for inside other names
    _location, response = search(client, "rahim")
    assert found_ids(response) == [people["ahmad"]]
    assert "inside a word" not in response.get_data(as_text=True)


def test_a_changed_name_is_found_under_the_new_name_only(client, world, people):
    from passport.cases.models import Case

    case = session.get(Case, people["olena"])
    case.candidate.family_name = "Ševčenko"
    session.commit()
    login(client, "coord@test.org")
    assert found_ids(search(client, "sevcenko")[1]) == [case.id]
    assert found_ids(search(client, "kovalenko")[1]) == []
    assert found_ids(search(client, "коваленко")[1]) == [case.id]  # still her native name
    case.candidate.native_name = "Олена Шевченко"
    session.commit()
    assert found_ids(search(client, "коваленко")[1]) == []
    assert found_ids(search(client, "шевченко")[1]) == [case.id]


def test_keyset_pages_follow_each_other_without_gaps_or_repeats(app, client, world):
    from passport import datagen

    datagen.generate(PAGE_SIZE + 12, seed=3, echo=lambda _line: None)
    from sqlalchemy import select

    from passport.auth.models import User
    from passport.org.models import Scheme, scheme_coordinators

    eqpr = session.scalar(select(Scheme).where(Scheme.code == "EQPR"))
    coordinator = session.scalar(
        select(User).join(scheme_coordinators, scheme_coordinators.c.user_id == User.id)
        .where(scheme_coordinators.c.scheme_id == eqpr.id, User.email.like("%datagen%"))
        .limit(1))
    email = coordinator.email
    session.commit()
    login(client, email, datagen.DATAGEN_PASSWORD)
    seen, path, pages = [], "/", 0
    while path:
        html = client.get(path).get_data(as_text=True)
        seen += [int(i) for i in CASE_LINK.findall(html)]
        pages += 1
        more = re.search(r'href="([^"]*after=[^"]+)" rel="next"', html)
        path = more.group(1).replace("&amp;", "&") if more else None
    from passport.cases.models import Case

    expected = list(session.scalars(
        select(Case.id).where(Case.scheme_id == eqpr.id)
        .order_by(Case.updated_at.desc(), Case.id.desc())))
    assert seen == expected
    assert pages == -(-len(expected) // PAGE_SIZE)


def test_a_one_word_search_pages_through_the_names_in_order_without_gaps_or_repeats(
        client, world, people):
    """One word, many people: the pages follow the names' order (the word the name begins
    with, then the person, then the case), each case once, on as many pages as it takes."""
    from passport.cases.models import Case

    made = [world.new_case(given_name=given, family_name=family, native_name="")
            for given, family in [("Omar", "Haddadi"), ("Haddad", "Haddadin")]
            + [("Rami", "Haddad")] * (PAGE_SIZE + 3)]
    session.commit()
    login(client, "coord@test.org")
    seen, location, pages = [], None, 0
    _location, response = search(client, "HADDAD")
    while True:
        html = response.get_data(as_text=True)
        pages += 1
        seen += found_ids(response)
        more = re.search(r'href="([^"]*after=[^"]+)" rel="next"', html)
        if not more:
            break
        location = more.group(1).replace("&amp;", "&")
        assert "haddad" not in location.lower()  # the cursor names no one
        response = client.get(location)
    assert "in the order of the names" in html
    # Everyone under the word "haddad" (in the order they were registered), the
    # Haddad Haddadin once among them; then the names under "haddadi".
    haddad = sorted([people["amina"], made[1].id, *[c.id for c in made[2:]]],
                    key=lambda i: (session.get(Case, i).candidate_id, i))
    assert seen == [*haddad, made[0].id]
    assert pages == 2


def test_a_name_with_a_short_particle_needs_both_words(client, world, people):
    """"Al-Hassan" is the word "hassan" walked in name order and "al" checked on each."""
    al_hassan = world.new_case(given_name="Omar", family_name="Al-Hassan", native_name="")
    hassan = world.new_case(given_name="Hassan", family_name="Yilmaz", native_name="")
    alia_hassan = world.new_case(given_name="Alia", family_name="Hassan", native_name="")
    session.commit()
    login(client, "coord@test.org")
    assert set(found_ids(search(client, "Al-Hassan")[1])) == {al_hassan.id, alia_hassan.id}
    assert set(found_ids(search(client, "hassan")[1])) == {al_hassan.id, hassan.id,
                                                            alia_hassan.id}
    assert found_ids(search(client, "al hassan yil")[1]) == []
    assert found_ids(search(client, "hassan yil")[1]) == [hassan.id]


def test_generate_data_fills_an_empty_database_and_refuses_a_full_one(runner):
    from sqlalchemy import func, select

    from passport.cases.models import Candidate, CandidateNameTerm, Case
    from passport.passports.models import Passport

    result = runner.invoke(args=["generate-data", "--cases", "120", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count()).select_from(Case)) == 120
    statuses = set(session.scalars(select(Case.status).distinct()))
    assert {"draft", "interview_scheduled", "assessment_submitted", "passport_issued"} <= statuses
    assert session.scalar(select(func.count()).select_from(Passport)) > 20
    scripts = "".join(session.scalars(select(Candidate.native_name)))
    for letter in ("\u0627", "\u0430", "\u12A0"):  # Arabic alef, Cyrillic a, Ethiopic a
        assert any(ord(ch) // 0x80 == ord(letter) // 0x80 for ch in scripts), letter
    assert session.scalar(select(func.count()).select_from(CandidateNameTerm)) > 240
    # Booked interviews have their two evaluators (whose /interviews lists them).
    from passport.interviews.models import Interview, InterviewParticipant

    booked = session.scalars(select(Interview.id).where(Interview.status == "scheduled")).all()
    assert booked
    leads = session.execute(
        select(InterviewParticipant.interview_id, func.count())
        .where(InterviewParticipant.interview_id.in_(booked))
        .group_by(InterviewParticipant.interview_id)).all()
    assert sorted(n for _, n in leads) == [2] * len(booked)

    again = runner.invoke(args=["generate-data", "--cases", "10"])
    assert again.exit_code != 0 and "--force" in again.output
    forced = runner.invoke(args=["generate-data", "--cases", "10", "--force"])
    assert forced.exit_code == 0, forced.output
    assert session.scalar(select(func.count()).select_from(Case)) == 130


def test_a_generated_passport_verifies(client, runner):
    from sqlalchemy import select

    from passport.passports.models import Passport

    assert runner.invoke(args=["generate-data", "--cases", "40"]).exit_code == 0
    passport = session.scalar(select(Passport).limit(1))
    page = client.get(f"/verify/{passport.public_id}").get_data(as_text=True)
    assert passport.number in page


# --- no N+1: the same number of statements whatever the number of rows ---------------------

def _statement_counts(app, client, case_id: int) -> dict[str, int]:
    token = csrf_token(client, "/")
    counts = {
        "list": queries_of(app, lambda: client.get("/")).count,
        "queue": queries_of(app, lambda: client.get("/?status=assessment_submitted")).count,
        "country": queries_of(app, lambda: client.get("/?country=SY")).count,
        "case page": queries_of(app, lambda: client.get(f"/cases/{case_id}")).count,
    }
    client.post("/", data={"q": "haddad", "csrf_token": token})
    counts["search"] = queries_of(app, lambda: client.get("/?search=1")).count
    return counts


def test_main_pages_run_a_fixed_number_of_queries_whatever_the_rows(app, client, world):
    from passport.cases.services import assign_evaluators, screen
    from passport.interviews.services import save_assessment
    from tests.conftest import assessment_data, hold_interview

    def add_cases(n: int) -> None:
        for i in range(n):
            case = world.new_case()
            screen(world.coordinator, case, eligible=True)
            if i % 2:
                assign_evaluators(world.coordinator, case, world.ev1, world.ev2)
                hold_interview(case)
                save_assessment(world.ev1, case, assessment_data(), submit=True)
        session.commit()

    case, _passport = world.issued_case()
    add_cases(9)
    login(client, "coord@test.org")
    _statement_counts(app, client, case.id)  # once per process: e.g. is pg_trgm there?
    few = _statement_counts(app, client, case.id)
    add_cases(50)
    many = _statement_counts(app, client, case.id)
    assert many == few, (few, many)
    # and the list itself stays small: the user, their roles and schemes, a count, the page
    assert few["list"] <= 8, few
