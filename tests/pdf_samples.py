"""Snapshots for PDF tests and the benchmark: a typical case and a long one."""

from __future__ import annotations

import copy
from typing import Any

BASE: dict[str, Any] = {
    "number": "EQPR-2026-00042-7",
    "issued_on": "2026-03-17",
    "valid_until": "2031-03-17",
    "verify_url": "https://passport.test/verify/q7Hc2VbX9kLmN3pR5sTu8wYz",
    "scheme": {"code": "EQPR", "name": "European Qualifications Passport for Refugees",
               "issuing_body": "Council of Europe"},
    "holder": {"given_name": "Amina", "family_name": "Haddad", "native_name": "أمينة حداد",
               "birth_date": "1991-03", "nationality": "SY"},
    "highest_qualification": {
        "level": "bachelor", "title": "Bachelor of Civil Engineering",
        "field": "Civil engineering", "institution": "University of Damascus (جامعة دمشق)",
        "country": "SY", "years_from": "2010", "years_to": "2014",
        "nominal_duration_years": 4, "instruction_language": "ar",
        "completed": True, "years_completed": 4,
    },
    "other_qualifications": [
        {"title": "Structural design with Eurocode 2", "awarding_body": "Syrian Engineers "
         "Association", "ects": 6, "level": "EQF 6", "assessment_type": "Written exam",
         "date": "2015-06", "learning_outcomes": "Designs reinforced concrete beams and slabs."},
    ],
    "work_experience": [
        {"employer": "Damascus Water Authority", "position": "Site engineer", "country": "SY",
         "from": "2014-09", "to": "2019-12",
         "tasks": "Supervised construction of water mains; checked contractors' work."},
    ],
    "languages": [
        {"code": "ar", "listening": "C2", "reading": "C2", "writing": "C2",
         "spoken_production": "C2", "spoken_interaction": "C2", "basis": "interview"},
        {"code": "en", "listening": "B2", "reading": "B2", "writing": "B1",
         "spoken_production": "B1", "spoken_interaction": "B2", "basis": "certificate"},
        {"code": "nb", "listening": "A2", "reading": "below_a1", "writing": None,
         "spoken_production": "not_assessed", "spoken_interaction": "A1",
         "basis": "self_declared"},
    ],
    "documents": [
        {"title": "Bachelor diploma (copy)", "issuer": "University of Damascus",
         "date": "2014-07-01", "seen": "copy"},
        {"title": "Transcript of records", "issuer": "University of Damascus", "date": "2014",
         "seen": "original"},
    ],
    "summary": (
        "The candidate described the curriculum, the final project and the practical training "
        "in detail and consistently with the documents available. The evaluators find that the "
        "candidate holds a completed four-year bachelor's degree (ECTS 180 equivalent)."
    ),
    "evaluators": [
        {"name": "Ingrid Haugen", "centre": "NOKUT", "country": "NO"},
        {"name": "Giulia Romano", "centre": "CIMEA", "country": "IT"},
    ],
    "approved_by": "Kari Nordmann",
}

ARABIC_SUMMARY = (
    "درس المرشح الهندسة المدنية في جامعة دمشق من 2010 إلى 2014 وأكمل ECTS 180 "
    "مع مشروع تخرج عن الجسور الخرسانية."
)


def typical() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def long_case(n: int = 6) -> dict[str, Any]:
    """Many entries, long names and long institution names in several scripts."""
    snap = typical()
    snap["holder"]["given_name"] = "Mohammed Abdulrahman Abdulkarim Mustafa Al-Hashimi"
    snap["holder"]["native_name"] = "محمد عبد الرحمن عبد الكريم مصطفى الهاشمي"
    snap["highest_qualification"]["institution"] = (
        "Higher Institute of Applied Sciences and Technology, Faculty of Civil and "
        "Environmental Engineering, Department of Structural Engineering "
        "(المعهد العالي للعلوم التطبيقية والتكنولوجيا، كلية الهندسة المدنية والبيئية)"
    )
    snap["other_qualifications"] = [
        {"title": f"Short course {i}: Навчальний курс з проєктування мостів № {i}",
         "awarding_body": "Київський національний університет будівництва і архітектури",
         "ects": 5 + i, "date": f"201{i % 10}-0{1 + i % 9}",
         "learning_outcomes": "Applies load models to bridge decks; " * 3}
        for i in range(n)
    ]
    snap["work_experience"] = [
        {"employer": f"ኣስመራ ዩኒቨርሲቲ ክፍሊ ምህንድስና {i}", "position": "Lecturer and site engineer",
         "country": "ER", "from": f"20{10 + i}", "to": f"20{11 + i}",
         "tasks": "Taught structural analysis and supervised student projects. " * 3}
        for i in range(n)
    ]
    snap["summary"] = (BASE["summary"] + " ") * 4 + "\n" + ARABIC_SUMMARY
    return snap
