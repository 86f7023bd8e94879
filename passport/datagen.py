"""Synthetic data at scale: `flask --app passport generate-data --cases N [--seed S]`.

For benchmarks and for trying the pages with a realistic amount of data: centres, schemes,
coordinators and evaluators (with training records, so they are certified), candidates named in
Latin, Arabic, Persian, Cyrillic and Ethiopic scripts, cases at every step of the path with
their assignments, interviews (held and upcoming), assessments, review decisions, signed
passports (numbers from passport/passports/numbering.py) and audit entries.

Rows go in with SQLAlchemy Core executemany in batches, not through the service functions:
100,000 cases take a few minutes, not hours. The data obeys the rules the services enforce
(two evaluators from two centres, an approver who is not on the case, passport numbers per
scheme and year). Every generated account has the password `DATAGEN_PASSWORD`.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.exc import DBAPIError

from passport.cases.search import fold, terms
from passport.cases.workflow import CaseStatus as S
from passport.db import session, utcnow

DATAGEN_PASSWORD = "datagen-passport-2026"  # noqa: S105  (synthetic accounts only)
BATCH = 5000

# (Latin spelling, own script) pairs per script; family names likewise.
ARABIC_GIVEN = [
    ("Amina", "أمينة"), ("Mohammed", "محمد"), ("Ahmad", "أحمد"), ("Fatima", "فاطمة"),
    ("Omar", "عمر"), ("Layla", "ليلى"), ("Khaled", "خالد"), ("Nour", "نور"), ("Yusuf", "يوسف"),
    ("Rania", "رانيا"), ("Hassan", "حسن"), ("Mariam", "مريم"), ("Ali", "علي"), ("Huda", "هدى"),
    ("Samir", "سمير"), ("Salma", "سلمى"), ("Tariq", "طارق"), ("Dana", "دانة"), ("Bilal", "بلال"),
    ("Zainab", "زينب"), ("Karim", "كريم"), ("Reem", "ريم"), ("Ibrahim", "إبراهيم"),
    ("Aisha", "عائشة"), ("Majid", "ماجد"), ("Lina", "لينا"), ("Walid", "وليد"), ("Hiba", "هبة"),
]
ARABIC_FAMILY = [
    ("Haddad", "حداد"), ("Mansour", "منصور"), ("Khalil", "خليل"), ("Aziz", "عزيز"),
    ("Saleh", "صالح"), ("Al-Hassan", "الحسن"), ("Darwish", "درويش"), ("Najjar", "النجار"),
    ("Haddadin", "حدادين"), ("Shami", "الشامي"), ("Qasim", "قاسم"), ("Hamdan", "حمدان"),
    ("Jaber", "جابر"), ("Nasser", "ناصر"), ("Ibrahim", "إبراهيم"), ("Youssef", "يوسف"),
    ("Abboud", "عبود"), ("Sabbagh", "صباغ"), ("Kanaan", "كنعان"), ("Masri", "المصري"),
    ("Tamimi", "التميمي"), ("Zoubi", "الزعبي"), ("Bakri", "البكري"), ("Halabi", "الحلبي"),
    ("Othman", "عثمان"), ("Farouk", "فاروق"), ("Rahman", "رحمن"), ("Sayed", "السيد"),
]
PERSIAN_GIVEN = [
    ("Fatemeh", "فاطمه"), ("Ahmad", "احمد"), ("Zahra", "زهرا"), ("Mohammad", "محمد"),
    ("Maryam", "مریم"), ("Reza", "رضا"), ("Shirin", "شیرین"), ("Hossein", "حسین"),
    ("Parisa", "پریسا"), ("Mehdi", "مهدی"), ("Nasrin", "نسرین"), ("Ali", "علی"),
    ("Sara", "سارا"), ("Farid", "فرید"), ("Leila", "لیلا"), ("Jamshid", "جمشید"),
    ("Roya", "رویا"), ("Karim", "کریم"), ("Setareh", "ستاره"), ("Omid", "امید"),
]
PERSIAN_FAMILY = [
    ("Rahimi", "رحیمی"), ("Noori", "نوری"), ("Ahmadi", "احمدی"), ("Hosseini", "حسینی"),
    ("Karimi", "کریمی"), ("Mohammadi", "محمدی"), ("Rezaei", "رضایی"), ("Sadeghi", "صادقی"),
    ("Jafari", "جعفری"), ("Hashemi", "هاشمی"), ("Azizi", "عزیزی"), ("Rostami", "رستمی"),
    ("Haidari", "حیدری"), ("Sultani", "سلطانی"), ("Popal", "پوپل"), ("Wardak", "وردک"),
    ("Barakzai", "بارکزی"), ("Nazari", "نظری"), ("Safi", "صافی"), ("Amiri", "امیری"),
]
CYRILLIC_GIVEN = [
    ("Olena", "Олена"), ("Mariia", "Марія"), ("Andrii", "Андрій"), ("Oleksandr", "Олександр"),
    ("Iryna", "Ірина"), ("Dmytro", "Дмитро"), ("Yuliia", "Юлія"), ("Serhii", "Сергій"),
    ("Nataliia", "Наталія"), ("Bohdan", "Богдан"), ("Kateryna", "Катерина"), ("Taras", "Тарас"),
    ("Oksana", "Оксана"), ("Yurii", "Юрій"), ("Anastasiia", "Анастасія"), ("Vasyl", "Василь"),
    ("Halyna", "Галина"), ("Mykola", "Микола"), ("Svitlana", "Світлана"), ("Ihor", "Ігор"),
]
CYRILLIC_FAMILY = [
    ("Kovalenko", "Коваленко"), ("Shevchenko", "Шевченко"), ("Bondarenko", "Бондаренко"),
    ("Tkachenko", "Ткаченко"), ("Kravchenko", "Кравченко"), ("Melnyk", "Мельник"),
    ("Oliinyk", "Олійник"), ("Lysenko", "Лисенко"), ("Moroz", "Мороз"), ("Savchenko", "Савченко"),
    ("Rudenko", "Руденко"), ("Petrenko", "Петренко"), ("Pavlenko", "Павленко"),
    ("Kuzmenko", "Кузьменко"), ("Marchenko", "Марченко"), ("Polishchuk", "Поліщук"),
    ("Hnatiuk", "Гнатюк"), ("Ivanenko", "Іваненко"), ("Zaiets", "Заєць"),
    ("Kovalchuk", "Ковальчук"),
]
ETHIOPIC_GIVEN = [
    ("Yonas", "ዮናስ"), ("Dawit", "ዳዊት"), ("Selam", "ሰላም"), ("Hiwet", "ሕይወት"),
    ("Tesfay", "ተስፋይ"), ("Senait", "ሰናይት"), ("Filmon", "ፍሊሞን"), ("Helen", "ሄለን"),
    ("Mehari", "መሓሪ"), ("Saba", "ሳባ"), ("Yohannes", "ዮሃንስ"), ("Rahel", "ራሔል"),
    ("Berhane", "ብርሃነ"), ("Tsega", "ጸጋ"), ("Abraham", "ኣብርሃም"), ("Luwam", "ሉዋም"),
]
ETHIOPIC_FAMILY = [
    ("Tesfay", "ተስፋይ"), ("Kahsay", "ካሕሳይ"), ("Ghebremedhin", "ገብረመድህን"),
    ("Tekle", "ተኽለ"), ("Haile", "ሃይለ"), ("Gebremariam", "ገብረማርያም"), ("Berhe", "በርሀ"),
    ("Weldu", "ወልዱ"), ("Asmerom", "ኣስመሮም"), ("Mebrahtu", "መብራህቱ"), ("Habte", "ሃብተ"),
    ("Okbazghi", "ዖቕባዝጊ"), ("Kidane", "ኪዳነ"), ("Negash", "ነጋሽ"), ("Zerai", "ዘርኣይ"),
    ("Tewolde", "ተወልደ"),
]
LATIN_GIVEN = [
    ("José", ""), ("María", ""), ("Çağlar", ""), ("Ayşe", ""), ("Zoë", ""), ("Björn", ""),
    ("Andrés", ""), ("Lucía", ""), ("Ömer", ""), ("Gülşen", ""), ("Renée", ""), ("Jesús", ""),
    ("Nuñez", ""), ("Élodie", ""), ("Şükrü", ""), ("Dóra", ""),
]
LATIN_FAMILY = [
    ("Muñoz", ""), ("García", ""), ("Öztürk", ""), ("Yılmaz", ""), ("Pérez", ""),
    ("Şahin", ""), ("Gómez", ""), ("Çelik", ""), ("Hernández", ""), ("Doğan", ""),
    ("Rodríguez", ""), ("Kılıç", ""), ("Martínez", ""), ("Aydın", ""), ("Sánchez", ""),
    ("Ramírez", ""),
]
SCRIPTS = {
    "arabic": (ARABIC_GIVEN, ARABIC_FAMILY, "ar"),
    "persian": (PERSIAN_GIVEN, PERSIAN_FAMILY, "fa"),
    "cyrillic": (CYRILLIC_GIVEN, CYRILLIC_FAMILY, "uk"),
    "ethiopic": (ETHIOPIC_GIVEN, ETHIOPIC_FAMILY, "ti"),
    "latin": (LATIN_GIVEN, LATIN_FAMILY, "es"),
}
# Nationality, its script, and its share of the candidates (percent).
COUNTRIES = [
    ("SY", "arabic", 24), ("AF", "persian", 14), ("UA", "cyrillic", 16), ("ER", "ethiopic", 9),
    ("IQ", "arabic", 8), ("IR", "persian", 5), ("ET", "ethiopic", 4), ("SD", "arabic", 4),
    ("YE", "arabic", 3), ("TR", "latin", 3), ("VE", "latin", 3), ("CO", "latin", 2),
    ("PS", "arabic", 3), ("LY", "arabic", 2),
]
HOSTS = ["NO", "IT", "GR", "DE", "FR", "GB", "NL", "SE", "CA", "ZM"]
# Step of the case and its share (percent): most of a mature network's cases are done.
STATUSES = [
    (S.DRAFT, 3), (S.QUESTIONNAIRE_SENT, 5), (S.SUBMITTED, 5), (S.SCREENING, 2),
    (S.INELIGIBLE, 5), (S.ELIGIBLE, 4), (S.EVALUATORS_ASSIGNED, 5),
    (S.INTERVIEW_SCHEDULED, 6), (S.INTERVIEWED, 3), (S.ASSESSMENT_SUBMITTED, 6),
    (S.RETURNED, 2), (S.APPROVED, 1), (S.PASSPORT_ISSUED, 48), (S.CLOSED, 5),
]
# The actions that led to each step, in order (audit trail).
PATH = [
    (S.QUESTIONNAIRE_SENT, "case.send_questionnaire"),
    (S.SUBMITTED, "case.submit_questionnaire"),
    (S.ELIGIBLE, "case.mark_eligible"),
    (S.EVALUATORS_ASSIGNED, "case.assign_evaluators"),
    (S.INTERVIEW_SCHEDULED, "case.schedule_interview"),
    (S.INTERVIEWED, "case.record_interview"),
    (S.ASSESSMENT_SUBMITTED, "case.submit_assessment"),
    (S.APPROVED, "case.approve"),
    (S.PASSPORT_ISSUED, "case.issue_passport"),
]
ORDER = [s for s, _ in PATH]
ASSIGNED = {S.EVALUATORS_ASSIGNED, S.INTERVIEW_SCHEDULED, S.INTERVIEWED,
            S.ASSESSMENT_SUBMITTED, S.RETURNED, S.APPROVED, S.PASSPORT_ISSUED, S.CLOSED}
INTERVIEWED = {S.INTERVIEWED, S.ASSESSMENT_SUBMITTED, S.RETURNED, S.APPROVED,
               S.PASSPORT_ISSUED, S.CLOSED}
ASSESSED = {S.ASSESSMENT_SUBMITTED, S.RETURNED, S.APPROVED, S.PASSPORT_ISSUED, S.CLOSED}
ENDINGS = {S.SCREENING: "case.start_screening", S.INELIGIBLE: "case.mark_ineligible",
           S.RETURNED: "case.return_assessment", S.CLOSED: "case.close_no_passport"}
SCHEMES = [
    ("EQPR", "European Qualifications Passport for Refugees", "Council of Europe", 5, 40),
    ("UQP", "UNESCO Qualifications Passport", "UNESCO", 5, 25),
    ("NOKUT", "NOKUT Qualifications Passport", "NOKUT", 3, 15),
    ("CIMEA", "Academic Passport for Refugees (Italy)", "CIMEA", 5, 12),
    ("ZAQA", "Qualifications Passport Zambia", "ZAQA", 5, 8),
]
CENTRES = [("NOKUT", "NO"), ("CIMEA", "IT"), ("DOATAP", "GR"), ("KMK ZAB", "DE"),
           ("ENIC-NARIC France", "FR"), ("UK ENIC", "GB"), ("Nuffic", "NL"), ("UHR", "SE"),
           ("CICIC", "CA"), ("ZAQA", "ZM")]
LEVELS = ["bachelor", "master", "upper_secondary", "vocational", "short_cycle", "doctorate"]
FIELDS = [("Civil engineering", "Bachelor of Civil Engineering"),
          ("Pharmacy", "Master of Pharmacy"), ("Nursing", "Bachelor of Nursing"),
          ("Law", "Bachelor of Law"), ("Computer science", "Bachelor of Computer Science"),
          ("Medicine", "Doctor of Medicine"), ("Teacher education", "Bachelor of Education"),
          ("Economics", "Master of Economics")]


class NotEmpty(Exception):
    """The database already holds cases: refused unless forced."""


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]], n: int) -> list[Any]:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=n)


def _insert(table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert in batches: COPY on PostgreSQL (several times faster than executemany there),
    executemany elsewhere. Returns the number of rows."""
    write = _copy if session.get_bind().dialect.name == "postgresql" else _executemany
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            write(table, batch)
            count += len(batch)
            batch = []
    if batch:
        write(table, batch)
        count += len(batch)
    return count


def _executemany(table: Table, batch: list[dict[str, Any]]) -> None:
    session.execute(table.insert(), batch)


def _copy(table: Table, batch: list[dict[str, Any]]) -> None:
    from psycopg.types.json import Jsonb

    given = list(batch[0])
    # Columns the rows leave out but whose default lives in Python (Core would fill them in).
    defaults = {c.name: c.default for c in table.columns
                if c.name not in given and c.default is not None and c.server_default is None}
    names = given + list(defaults)
    json_columns = {c.name for c in table.columns if c.type._type_affinity.__name__ == "JSON"}

    def value(name: str, row: dict[str, Any]) -> Any:
        if name in defaults:
            default = defaults[name]
            return default.arg(None) if default.is_callable else default.arg
        v = row[name]
        if name in json_columns and v is not None:
            return Jsonb(v)
        return str(v) if isinstance(v, str) else v  # StrEnum members as plain text

    cursor = session.connection().connection.dbapi_connection.cursor()
    columns = ", ".join(f'"{n}"' for n in names)
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in batch:
            copy.write_row([value(n, row) for n in names])


def _next_id(table: Table) -> int:
    return (session.scalar(select(func.max(table.c.id))) or 0) + 1


def _fix_sequences(tables: list[Table]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
        ))


def generate(n_cases: int, seed: int = 1, *, force: bool = False,
             echo: Callable[[str], None] = print) -> dict[str, int]:
    """Fill the database with `n_cases` cases and everything around them; commit."""
    from passport.audit import AuditEntry
    from passport.auth.models import Role, User, UserRole
    from passport.auth.services import hash_password
    from passport.cases.models import Assignment, Candidate, CandidateNameTerm, Case
    from passport.interviews.models import (
        Assessment,
        Interview,
        InterviewParticipant,
        InterviewStatus,
    )
    from passport.org.models import Centre, Scheme, scheme_coordinators
    from passport.passports import signing
    from passport.passports.models import Passport, PassportCounter
    from passport.passports.numbering import format_number
    from passport.passports.services import add_years
    from passport.review.models import ReviewDecision
    from passport.training.models import Course, SchemeCourse, TrainingRecord

    if session.scalar(select(func.count()).select_from(Case)) and not force:
        raise NotEmpty("The database already holds cases; use --force to add more anyway.")
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    started = datetime.now(UTC)
    run = f"{seed}x{session.scalar(select(func.count()).select_from(User)) or 0}"
    counts: dict[str, int] = {}

    # --- organisation ---------------------------------------------------------------------
    existing = {s.code: s for s in session.scalars(select(Scheme))}
    schemes = []
    for code, name, body, years, share in SCHEMES:
        scheme = existing.get(code) or Scheme(code=code, name=name, issuing_body=body,
                                              validity_years=years)
        session.add(scheme)
        schemes.append((scheme, share))
    centre_names = {c.name for c in session.scalars(select(Centre))}
    centres = [Centre(name=name if name not in centre_names else f"{name} {run}", country=cc)
               for name, cc in CENTRES]
    session.add_all(centres)
    course = Course(code=f"GEN-{run}", title="Interview methodology (generated)",
                    kind="methodology")
    session.add(course)
    session.flush()
    for scheme, _share in schemes:
        if scheme.code not in existing:
            session.add(SchemeCourse(scheme_id=scheme.id, course_id=course.id, required=True))

    password = hash_password(DATAGEN_PASSWORD)
    # An evaluator handles a dozen cases a year: the network grows by adding evaluators, so
    # each one's list of cases stays about the same length whatever the size.
    n_evaluators = max(20, n_cases // 50)
    user_id = _next_id(User.__table__)
    record_id = _next_id(TrainingRecord.__table__)
    users, roles, coordinating, records = [], [], [], []
    evaluators: list[tuple[int, int]] = []  # (user id, centre index)
    coordinators: dict[int, list[int]] = {}  # scheme id -> coordinator ids

    def add_user(email: str, name: str, role: Role, centre: int | None) -> int:
        nonlocal user_id
        uid = user_id
        user_id += 1
        users.append({"id": uid, "email": email, "name": name, "password_hash": password,
                      "active": True, "centre_id": centres[centre].id if centre is not None
                      else None, "locale": None, "timezone": "Europe/Oslo",
                      "session_version": 1, "created_at": now - timedelta(days=1500)})
        roles.append({"user_id": uid, "role": role.value})
        return uid

    add_user(f"admin.{run}@datagen.example.org", "Generated Administrator",
             Role.ADMINISTRATOR, None)
    for index, (scheme, _share) in enumerate(schemes):
        ids = [add_user(f"coordinator{index}-{k}.{run}@datagen.example.org",
                        f"Coordinator {scheme.code} {k + 1}", Role.COORDINATOR, index % 3)
               for k in range(2)]
        coordinators[scheme.id] = ids
        coordinating += [{"scheme_id": scheme.id, "user_id": uid} for uid in ids]
    for k in range(n_evaluators):
        given, family = rng.choice(LATIN_GIVEN)[0], rng.choice(LATIN_FAMILY)[0]
        centre = k % len(centres)
        uid = add_user(f"evaluator{k}.{run}@datagen.example.org", f"{given} {family} ({k})",
                       Role.EVALUATOR, centre)
        evaluators.append((uid, centre))
        rid = record_id + len(records)
        records.append({"id": rid, "root_id": rid, "user_id": uid, "course_id": course.id,
                        "completed_on": date(2024, 1, 15), "passed": True})
    counts["users"] = _insert(User.__table__, users)
    _insert(UserRole.__table__, roles)
    _insert(scheme_coordinators, coordinating)
    _insert(TrainingRecord.__table__, records)
    by_centre: dict[int, list[int]] = {}
    for uid, centre in evaluators:
        by_centre.setdefault(centre, []).append(uid)
    centre_keys = sorted(by_centre)

    # --- candidates and cases -------------------------------------------------------------
    key = signing.active_key() or signing.generate_key(commit=False)
    private = signing._private(key.key_id)
    candidate_id = _next_id(Candidate.__table__)
    case_id = _next_id(Case.__table__)
    interview_id = _next_id(Interview.__table__)
    assessment_id = _next_id(Assessment.__table__)
    passport_id = _next_id(Passport.__table__)
    serials: dict[tuple[int, int], int] = {
        (c.scheme_id, c.year): c.last for c in session.scalars(select(PassportCounter))
    }
    scheme_list = [s for s, _ in schemes]
    scheme_weights = [share for _, share in schemes]
    nationalities = _weighted(rng, [((cc, script), w) for cc, script, w in COUNTRIES], n_cases)
    steps = _weighted(rng, STATUSES, n_cases)
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "candidates", "terms", "cases", "assignments", "interviews", "participants",
        "assessments", "decisions", "passports", "audit")}

    def audit(at: datetime, actor: int | None, action: str, cid: int, before: str | None,
              after: str | None, entity: str = "cases", entity_id: int | None = None,
              reason: str = "") -> None:
        rows["audit"].append({
            "at": at, "actor_id": actor, "action": action, "entity_type": entity,
            "entity_id": entity_id or cid, "case_id": cid,
            "before": {"status": before} if before else None,
            "after": {"status": after} if after else None, "reason": reason})

    span = 4 * 365 * 86400
    for i in range(n_cases):
        (nationality, script), step = nationalities[i], steps[i]
        given_pool, family_pool, language = SCRIPTS[script]
        given, given_native = rng.choice(given_pool)
        family, family_native = rng.choice(family_pool)
        native = f"{given_native} {family_native}".strip()
        search = fold(f"{given} {family} {native}")[:700]
        created = now - timedelta(seconds=rng.randrange(30 * 86400, span))
        scheme = rng.choices(scheme_list, weights=scheme_weights)[0]
        coordinator = rng.choice(coordinators[scheme.id])
        cand, cid = candidate_id + i, case_id + i
        rows["candidates"].append({
            "id": cand, "given_name": given, "family_name": family, "native_name": native,
            "birth_date": f"{rng.randint(1960, 2004)}-{rng.randint(1, 12):02d}",
            "nationality": nationality, "country_of_origin": nationality,
            "host_country": rng.choice(HOSTS), "email": f"candidate{cid}@example.org",
            "phone": "", "preferred_language": language, "protection_status": "refugee",
            "preferred_languages": f"{language} en", "timezone": "Europe/Oslo",
            "photo_type": "", "created_at": created, "search_key": search})
        rows["terms"] += [{"term": t, "candidate_id": cand} for t in terms(search)]
        audit(created, coordinator, "case.created", cid, None, S.DRAFT)

        # Walk the path up to the step, a few days per action.
        at = created
        status_before = S.DRAFT
        if step in (S.INELIGIBLE, S.SCREENING):
            stop = S.SUBMITTED
        elif step in (S.RETURNED, S.CLOSED):
            stop = S.ASSESSMENT_SUBMITTED
        else:
            stop = step
        reached = ORDER[: ORDER.index(stop) + 1] if stop in ORDER else []
        first = second = None
        if step in ASSIGNED:
            c1, c2 = rng.sample(centre_keys, 2)
            first, second = rng.choice(by_centre[c1]), rng.choice(by_centre[c2])
        for target, action in PATH:
            if target not in reached:
                continue
            at = min(at + timedelta(days=rng.uniform(1, 20)), now - timedelta(hours=1))
            actor = first if action in ("case.submit_assessment", "case.record_interview") \
                else None if action == "case.submit_questionnaire" else coordinator
            audit(at, actor, action, cid, status_before, target)
            status_before = target
            if target == S.EVALUATORS_ASSIGNED:
                for uid in (first, second):
                    rows["assignments"].append({
                        "case_id": cid, "user_id": uid, "role": "evaluator",
                        "assigned_by_id": coordinator, "assigned_at": at})
            if target == S.INTERVIEW_SCHEDULED:
                upcoming = step == S.INTERVIEW_SCHEDULED
                starts = (now + timedelta(hours=rng.randrange(2, 60 * 24))) if upcoming \
                    else at + timedelta(days=7)
                rows["interviews"].append({
                    "id": interview_id, "case_id": cid,
                    "starts_at": starts.replace(minute=0, second=0), "duration_minutes": 60,
                    "mode": "video", "video_link": "", "language": language,
                    "interpreter": "", "accommodations": "",
                    "status": InterviewStatus.SCHEDULED if upcoming else InterviewStatus.HELD,
                    "created_at": at})
                # Booked or held, the two evaluators lead it (their /interviews lists it).
                rows["participants"] += [
                    {"interview_id": interview_id, "user_id": uid, "role": "lead"}
                    for uid in (first, second)]
                interview_id += 1
            if target == S.ASSESSMENT_SUBMITTED:
                field, title = rng.choice(FIELDS)
                rows["assessments"].append({
                    "id": assessment_id, "case_id": cid, "round": 1,
                    "level": rng.choice(LEVELS), "qualification_title": title,
                    "field_of_study": field, "institution": "University of Damascus",
                    "completed": True, "years_completed": 4,
                    "summary": "The candidate described the curriculum and the final project.",
                    "submitted_by_id": first, "submitted_at": at, "updated_by_id": first,
                    "updated_at": at})
                assessment_id += 1
            if target == S.APPROVED:
                rows["decisions"].append({
                    "case_id": cid, "assessment_id": assessment_id - 1, "decision": "approved",
                    "comment": "Consistent and well documented.",
                    "decided_by_id": coordinator, "decided_at": at})
            if target == S.PASSPORT_ISSUED:
                issued = at.date()
                serial = serials.get((scheme.id, issued.year), 0) + 1
                serials[(scheme.id, issued.year)] = serial
                number = format_number(scheme.code, issued.year, serial)
                public_id = base64.urlsafe_b64encode(rng.randbytes(18)).decode("ascii")
                valid_until = add_years(issued, scheme.validity_years)
                snapshot = {
                    "scheme": {"code": scheme.code, "name": scheme.name,
                               "issuing_body": scheme.issuing_body},
                    "holder": {"given_name": given, "family_name": family,
                               "native_name": native, "birth_date": "1990",
                               "nationality": nationality},
                    "number": number, "issued_on": issued.isoformat(),
                    "valid_until": valid_until.isoformat(),
                }
                signature = base64.urlsafe_b64encode(
                    private.sign(signing.canonical(snapshot))).rstrip(b"=").decode("ascii")
                rows["passports"].append({
                    "id": passport_id, "number": number, "public_id": public_id,
                    "case_id": cid, "scheme_id": scheme.id, "status": "valid",
                    "issued_on": issued, "valid_until": valid_until, "snapshot": snapshot,
                    "pdf_sha256": "", "approved_by_id": coordinator, "supersedes_id": None,
                    "revoked_reason": "", "revoked_at": None, "created_at": at,
                    "second_language": language, "signing_key_id": key.key_id,
                    "signature": signature})
                audit(at, coordinator, "passport.issued", cid, None, None, "passports",
                      passport_id)
                passport_id += 1
        if step in (S.INELIGIBLE, S.RETURNED, S.CLOSED, S.SCREENING):
            at = min(at + timedelta(days=rng.uniform(1, 20)), now - timedelta(hours=1))
            reason = "" if step == S.SCREENING else "Generated reason."
            audit(at, coordinator, ENDINGS[step], cid, status_before, step, reason=reason)
            if step in (S.RETURNED, S.CLOSED):
                rows["decisions"].append({
                    "case_id": cid, "assessment_id": assessment_id - 1,
                    "decision": "returned" if step == S.RETURNED else "closed",
                    "comment": reason, "decided_by_id": coordinator, "decided_at": at})
        rows["cases"].append({
            "id": cid, "candidate_id": cand, "scheme_id": scheme.id, "status": step,
            "qualification_country": nationality if rng.random() < 0.9 else rng.choice(HOSTS),
            "closed_reason": "Generated reason." if step in (S.INELIGIBLE, S.CLOSED) else "",
            "version": 1 + len(reached), "created_by_id": coordinator, "created_at": created,
            "updated_at": at})
    echo(f"built {n_cases} cases in memory ({(datetime.now(UTC) - started).seconds} s)")

    if session.get_bind().dialect.name == "postgresql":
        # The rows are consistent by construction: skip the per-row foreign key triggers
        # for this transaction where the role may (a superuser); otherwise just go on.
        try:
            with session.begin_nested():
                session.execute(text("SET LOCAL session_replication_role = replica"))
        except DBAPIError:
            pass
    tables = [
        ("candidates", Candidate.__table__), ("terms", CandidateNameTerm.__table__),
        ("cases", Case.__table__), ("assignments", Assignment.__table__),
        ("interviews", Interview.__table__), ("participants", InterviewParticipant.__table__),
        ("assessments", Assessment.__table__), ("decisions", ReviewDecision.__table__),
        ("passports", Passport.__table__), ("audit", AuditEntry.__table__),
    ]
    for name, table in tables:
        counts[name] = _insert(table, rows.pop(name))
        echo(f"  {name}: {counts[name]} rows ({(datetime.now(UTC) - started).seconds} s)")
    for (scheme_id, year), last in serials.items():
        session.merge(PassportCounter(scheme_id=scheme_id, year=year, last=last))
    _fix_sequences([User.__table__, Candidate.__table__, Case.__table__,
                    Interview.__table__, Assessment.__table__, Passport.__table__,
                    Assignment.__table__, InterviewParticipant.__table__,
                    ReviewDecision.__table__, AuditEntry.__table__,
                    TrainingRecord.__table__])
    session.commit()
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # What autovacuum does to a database in use: statistics for the planner, and the
        # visibility map, without which index-only scans still read every table row.
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        session.connection().exec_driver_sql("ANALYZE")  # fresh statistics for the planner
        session.commit()
    counts["seconds"] = (datetime.now(UTC) - started).seconds
    return counts
