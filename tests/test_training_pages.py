"""Training pages: overview (filters, pagination, lapsing soon), evaluator, courses, schemes;
who may see what; the demo data."""

from datetime import date

from passport.training import services as training
from passport.training.certification import State
from tests.conftest import login, post_form
from tests.training_helpers import course, evaluator


def _expiring_course(world):
    """EQPR also requires a 24-month refresher course; ev1 took it so it lapses on
    1 March 2026, ev2 so it lapses on 1 March 2027."""
    ethics = course(world, "ETH", "data_protection", title="Ethics", validity_months=24)
    training.update_scheme_training(world.admin, world.eqpr, 0, {
        world.methodology.id: "required", world.data_protection.id: "required",
        ethics.id: "required"})
    training.add_record(world.admin, world.ev1, ethics, date(2024, 3, 1))
    training.add_record(world.admin, world.ev2, ethics, date(2025, 3, 1))
    return ethics


def test_overview_lists_lapsing_certifications_and_filters(world, client):
    _expiring_course(world)
    login(client, "coord@test.org")
    page = client.get("/training/?on=2026-01-15").get_data(as_text=True)
    lapsing = page.split('id="lapsing-title"')[1].split("</section>")[0]
    assert "Ingrid Eval" in lapsing and "March 1, 2026" in lapsing
    assert "Giulia Eval" not in lapsing

    page = client.get(f"/training/?on=2026-03-02&scheme={world.eqpr.id}&status=expired")
    text = page.get_data(as_text=True)
    assert "1 evaluator and scheme" in text
    assert "“\u2068Ethics\u2069” expired on March 1, 2026" in text
    # Eleni (ev3) and Lars (ev4) never took the new course.
    page = client.get(f"/training/?on=2026-03-02&scheme={world.eqpr.id}&status=trainee")
    text = page.get_data(as_text=True)
    assert "2 evaluators and schemes" in text and "needs the course “\u2068Ethics\u2069”" in text
    page = client.get(f"/training/?centre={world.cimea.id}").get_data(as_text=True)
    assert "Giulia Eval" in page and "Ingrid Eval" not in page.split("<table>")[-1]


def test_overview_paginates(world, client):
    for n in range(20):
        evaluator(f"Zed Extra {n:02d}", world.doatap)
    login(client, "coord@test.org")
    first = client.get("/training/").get_data(as_text=True)
    assert "48 evaluators and schemes" in first and "Page 1 of 2" in first
    second = client.get("/training/?page=2").get_data(as_text=True)
    assert "Zed Extra 19" in second and "Zed Extra 19" not in first


def test_evaluators_see_their_own_status_and_what_they_still_need(world, client):
    _expiring_course(world)
    login(client, "ev3@test.org")
    response = client.get("/training/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/training/evaluators/{world.ev3.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Still needed:" in page and "needs the course “\u2068Ethics\u2069”" in page
    assert "Certified" in page  # for UQP
    assert "Add training record" not in page
    assert client.get(f"/training/evaluators/{world.ev1.id}").status_code == 404
    assert client.get("/training/courses").status_code == 403
    assert client.get("/training/records.csv").status_code == 403
    assert client.get(f"/training/evaluators/{world.ev3.id}/records/new").status_code == 403
    assert "My training" in page


def test_courses_and_course_page(world, client):
    login(client, "coord@test.org")
    response = post_form(client, "/training/courses/new", {
        "code": "meth", "title": "Duplicate", "kind": "methodology"})
    assert response.status_code == 422
    assert "Another course already has the code METH." in response.get_data(as_text=True)
    response = post_form(client, "/training/courses/new", {
        "code": "SY-EDU", "title": "Education system of Syria", "kind": "country_module",
        "max_score": "20", "pass_mark": "25"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="country-error"' in page
    response = post_form(client, "/training/courses/new", {
        "code": "SY-EDU", "title": "Education system of Syria", "kind": "country_module",
        "country": "SY", "max_score": "20", "pass_mark": "25"})
    assert "The pass mark must be between 0 and the maximum score (20)." in (
        response.get_data(as_text=True))
    response = post_form(client, "/training/courses/new", {
        "code": "SY-EDU", "title": "Education system of Syria", "kind": "country_module",
        "country": "SY", "validity_months": "36", "active": "y"})
    assert response.status_code == 302

    page = client.get(f"/training/courses/{world.methodology.id}").get_data(as_text=True)
    assert "4 completions recorded" in page
    for name in ("Ingrid Eval", "Giulia Eval", "Eleni Eval", "Lars Eval"):
        assert name in page
    assert "EQPR (required)" in page
    assert "Education system of Syria" in client.get("/training/courses").get_data(as_text=True)


def test_scheme_settings(world, client):
    login(client, "coord@test.org")  # coordinates EQPR only
    assert client.get(f"/training/schemes/{world.uqp.id}").status_code == 403
    url = f"/training/schemes/{world.eqpr.id}"
    response = post_form(client, url, {"observed_interviews_required": "-1",
                                       f"course-{world.methodology.id}": "required"})
    assert response.status_code == 422
    response = post_form(client, url, {"observed_interviews_required": "2",
                                       f"course-{world.methodology.id}": "required",
                                       f"course-{world.data_protection.id}": "recommended"})
    assert response.status_code == 302
    assert training.scheme_courses(world.eqpr) == {world.methodology.id: True,
                                                   world.data_protection.id: False}
    page = client.get("/training/schemes").get_data(as_text=True)
    assert "None: nobody can be certified for this scheme yet." not in page


def test_demo_data_has_evaluators_in_every_state(app, runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["demo-data"]).exit_code == 0  # twice changes nothing
    found = {(row.evaluator.email, row.scheme.code): row.status
             for row in training.overview(date.today())}
    states = {status.state for status in found.values()}
    assert {State.CERTIFIED, State.EXPIRING, State.EXPIRED, State.TRAINEE} <= states
    assert found[("evaluator4@example.org", "EQPR")].reason == "needs 1 more observed interview"
    assert found[("evaluator@example.org", "EQPR")].certified
    assert found[("evaluator2@example.org", "EQPR")].certified

