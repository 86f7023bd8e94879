"""CSV import of a cohort (dry run, then real run; nothing saved while any row is bad) and
CSV export of records and of the certification overview."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from passport.db import session
from passport.errors import RuleViolation
from passport.training import csv_io
from passport.training import services as training
from passport.training.models import TrainingRecord
from tests.conftest import csrf_token, login
from tests.training_helpers import course

TODAY = date(2026, 6, 1)

MIXED = """email,course_code,completed_on,score,provider
ev1@test.org,EXAM,2026-05-20,35,Council of Europe
ev2@test.org,EXAM,2026-07-01,30,Council of Europe
ev3@test.org,EXAM,2026-05-20,41,Council of Europe
ev3@test.org,NOPE,2026-05-20,30,Council of Europe
nobody@test.org,EXAM,2026-05-20,30,Council of Europe
EV2@test.org,exam,2026-05-20,,
ev1@test.org,EXAM,2026-05-20,36,Council of Europe
ev4@test.org,EXAM,20.05.2026,abc,
"""

CLEAN = """email,course_code,completed_on,score,provider
ev1@test.org,EXAM,2026-05-20,35,Council of Europe
ev2@test.org,EXAM,2026-05-20,20,Council of Europe
"""


def _records():
    return session.scalar(select(func.count()).select_from(TrainingRecord))


@pytest.fixture()
def exam(world):
    return course(world, "EXAM", title="Assessed methodology", max_score=40, pass_mark=24,
                  validity_months=24)


def test_import_reports_every_bad_row_by_line_and_imports_nothing(world, exam):
    before = _records()
    for dry_run in (True, False):
        result = csv_io.import_records(world.coordinator, MIXED.encode(), dry_run=dry_run,
                                       today=TODAY)
        assert not result.clean and result.imported == 0
        assert dict(result.problems) == {
            3: "The completion date 2026-07-01 is in the future.",
            4: "The score 41 is outside the range of “\u2068Assessed methodology\u2069” (0 to 40).",
            5: "There is no course with the code NOPE.",
            6: "No evaluator has the email nobody@test.org.",
            7: "Give the score: “\u2068Assessed methodology\u2069” is assessed (0 to 40).",
            8: "The same completion is already on line 2.",
            9: "Write the completion date as YYYY-MM-DD. The score abc is not a whole number.",
        }
        assert [row.line for row in result.rows] == [2]
        assert _records() == before


def test_import_of_a_clean_file(world, exam):
    before = _records()
    result = csv_io.import_records(world.coordinator, CLEAN.encode(), dry_run=True, today=TODAY)
    assert result.clean and len(result.rows) == 2 and _records() == before

    result = csv_io.import_records(world.coordinator, CLEAN.encode(), dry_run=False,
                                   today=TODAY)
    assert result.imported == 2 and _records() == before + 2
    ev2 = session.scalar(select(TrainingRecord).where(
        TrainingRecord.user_id == world.ev2.id, TrainingRecord.course_id == exam.id))
    assert (ev2.score, ev2.passed, ev2.recorded_by_id) == (20, False, world.coordinator.id)

    # Importing the same file twice records nothing twice.
    again = csv_io.import_records(world.coordinator, CLEAN.encode(), dry_run=False,
                                  today=TODAY)
    assert again.problems == [(2, "This completion is already recorded."),
                              (3, "This completion is already recorded.")]
    assert _records() == before + 2


def test_import_reads_spreadsheet_csv_and_refuses_unreadable_files(world, exam):
    semicolons = "\ufeffEmail;Course;Completed on;Score\r\nev1@test.org;EXAM;2026-05-20;30\r\n"
    result = csv_io.import_records(world.admin, semicolons.encode(), dry_run=True, today=TODAY)
    assert result.clean and len(result.rows) == 1
    for content, message in (
        (b"", "The file is empty."),
        (b"email;name\nev1@test.org;x\n", "missing: course_code, completed_on"),
        (b"email,course_code,completed_on\n", "no rows"),
        ("email,course_code,completed_on\n\xe9\n".encode("latin-1"), "not UTF-8"),
    ):
        with pytest.raises(RuleViolation, match=message):
            csv_io.import_records(world.admin, content, dry_run=True, today=TODAY)


def test_import_page(world, exam, client):
    login(client, "coord@test.org")

    def upload(text, button):
        return client.post("/training/import", data={
            "csrf_token": csrf_token(client, "/training/import"), button: "1",
            "file": (io.BytesIO(text.encode()), "cohort.csv"),
        }, content_type="multipart/form-data")

    before = _records()
    response = upload(MIXED.replace("2026-07-01", "2099-07-01"), "import")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "7 lines have problems; nothing was imported." in page
    assert "Line 5: There is no course with the code NOPE." in page
    assert _records() == before

    response = upload(CLEAN, "check")
    assert response.status_code == 200
    assert "The file is fine: 2 rows can be imported." in response.get_data(as_text=True)
    assert _records() == before

    response = upload(CLEAN, "import")
    assert response.status_code == 302 and _records() == before + 2


def test_exports(world, exam, client):
    training.add_record(world.admin, world.ev1, exam, date(2025, 3, 1), 30,
                        provider="=HYPERLINK(\"http://evil\")", today=TODAY)
    login(client, "coord@test.org")
    response = client.get("/training/records.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    exam_rows = [r for r in rows if r["course_code"] == "EXAM"]
    assert exam_rows == [{
        "evaluator_email": "ev1@test.org", "evaluator_name": "Ingrid Eval", "centre": "NOKUT",
        "course_code": "EXAM", "course_title": "Assessed methodology",
        "completed_on": "2025-03-01", "score": "30", "max_score": "40", "result": "passed",
        "expires_on": "2027-03-01", "provider": "'=HYPERLINK(\"http://evil\")",
        "version": "1", "withdrawn": "no", "recorded_by": "admin@test.org",
        "recorded_at": exam_rows[0]["recorded_at"],
    }]
    assert len(rows) == 9  # the World's 8 records and this one

    response = client.get(f"/training/overview.csv?scheme={world.eqpr.id}&on=2026-01-01")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["evaluator_email"], r["scheme"], r["status"], r["as_of"]) for r in rows] == [
        ("ev3@test.org", "EQPR", "certified", "2026-01-01"),
        ("ev2@test.org", "EQPR", "certified", "2026-01-01"),
        ("ev1@test.org", "EQPR", "certified", "2026-01-01"),
        ("ev4@test.org", "EQPR", "certified", "2026-01-01"),
    ]
