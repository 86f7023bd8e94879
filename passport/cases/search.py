"""Finding cases: by a name in any script, by passport number or case reference, by country.

Names are compared folded (`fold`): decomposed (NFKD), combining marks dropped (é → e,
أ → ا, й → и, Arabic short vowels), case-folded, and the letters Arabic and Persian write
differently unified (ی/ى → ي, ک → ك, ة → ه, tatweel dropped). The folded names are kept on
the candidate (`search_key`) and word by word in `candidate_name_terms`; a session hook below
keeps both up to date whenever a candidate is saved, whichever service saves it.

- Every word typed begins a word of the names: a range scan of the terms' B-tree index, on
  every database.
- When that finds nothing, on PostgreSQL with pg_trgm (migration 0009 installs it where it
  can), every word typed (three letters or more) inside a word of the names ("rahman" finds
  Abdulrahman), through a trigram GIN index. Only then: for a common name the trigram index
  hands back thousands of rows to check one by one (15 ms for a family name one candidate in
  28 bears, at 100,000 cases), where the terms' index answers in a fraction of that.

The list is ordered by last change (newest first) and paged by keyset (`Cursor`): the next page
starts after the last row shown, so a deep page costs what the first one does. A search for one
word of a name (and perhaps a few letters more: "Al-Hassan") is ordered by the names instead
(`NameCursor`), the order of their index: a common family name then costs what a rare one does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, event, func, intersect, or_, select, text, tuple_
from sqlalchemy.orm import Session, aliased

from passport.cases.models import Candidate, CandidateNameTerm, Case, case_reference
from passport.db import session
from passport.org.models import Scheme
from passport.passports.models import Passport

PAGE_SIZE = 50
# The list says "more than 200 cases" rather than counting every row of a large result: the
# count then costs the same whatever the size of the database.
COUNT_CAP = 200
MAX_WORDS = 6
TERM_LENGTH = 100
# A name search whose people are at most this many lists them by number to the database.
_LISTED_PEOPLE = 500
# Sorts after every character: the upper bound of a prefix range.
_LAST = "\U0010ffff"

_LETTERS = str.maketrans({
    "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i",
    "ß": "ss",
    "\u0640": None,  # Arabic tatweel (kashida): stretches a word, no letter
    "\u0649": "\u064a",  # alef maksura → yeh
    "\u06cc": "\u064a",  # Persian yeh → Arabic yeh
    "\u06a9": "\u0643",  # Persian keheh → Arabic kaf
    "\u0629": "\u0647",  # teh marbuta → heh
    "\u06c0": "\u0647",  # heh with yeh above → heh
    "\u200c": " ",  # zero-width non-joiner (Persian) separates word parts
})
_WORD = re.compile(r"\w+")


def fold(value: str) -> str:
    """A name as search compares it: words of folded letters, one space between them."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(_WORD.findall(bare.casefold().translate(_LETTERS)))


def search_key(candidate: Candidate) -> str:
    return fold(f"{candidate.given_name or ''} {candidate.family_name or ''} "
                f"{candidate.native_name or ''}")[:700]


def terms(key: str) -> list[str]:
    return sorted({word[:TERM_LENGTH] for word in key.split()})


@event.listens_for(Session, "before_flush")
def _keep_search_keys(sess: Session, _context: Any, _instances: Any) -> None:
    """Fold the names of every candidate about to be saved and refresh their terms."""
    from sqlalchemy import delete

    for obj in [*sess.new, *sess.dirty]:
        if not isinstance(obj, Candidate):
            continue
        key = search_key(obj)
        if obj in sess.new:
            obj.search_key = key
            obj.name_terms.add_all([CandidateNameTerm(term=t) for t in terms(key)])
        elif key != obj.search_key:
            obj.search_key = key
            sess.execute(delete(CandidateNameTerm).where(CandidateNameTerm.candidate_id == obj.id))
            for term in terms(key):
                sess.add(CandidateNameTerm(candidate_id=obj.id, term=term))


# --- what the person asked for ---------------------------------------------------------------

_CASE_REFERENCE = re.compile(r"^C-?0*(\d{1,9})$", re.IGNORECASE)
_NUMBER_TAIL = re.compile(r"^(\d{4})(\d{5,})([0-9A-Z])$")


def compact_number(value: str) -> str:
    """A passport number as typed, reduced to its letters and digits in capitals."""
    return re.sub(r"[\s\-–—_./]+", "", value or "").upper()


def passport_numbers(value: str, scheme_codes: list[str]) -> list[str]:
    """The passport numbers `value` could be: "eqpr 2026 00042 7", "EQPR2026000427" and
    "EQPR-2026-00042-7" all name EQPR-2026-00042-7."""
    compact = compact_number(value)
    if not compact.isalnum() or not any(ch.isdigit() for ch in compact):
        return []
    found = []
    for code in sorted(scheme_codes, key=len, reverse=True):
        if compact.startswith(code.upper()):
            match = _NUMBER_TAIL.match(compact[len(code):])
            if match:
                year, serial, check = match.groups()
                found.append(f"{code.upper()}-{year}-{serial}-{check}")
    return found


def looks_like_number(value: str) -> bool:
    compact = compact_number(value)
    return compact.isalnum() and sum(ch.isdigit() for ch in compact) >= 9


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the case last shown (its last change and id)."""

    updated_at: datetime
    case_id: int

    def encode(self) -> str:
        return f"{self.updated_at.isoformat()}_{self.case_id}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        if not value or "_" not in value or len(value) > 80:
            return None
        stamp, _, case_id = value.rpartition("_")
        try:
            at = datetime.fromisoformat(stamp)
            return cls(at, int(case_id)) if at.tzinfo is not None else None
        except ValueError:
            return None


@dataclass(frozen=True)
class Filters:
    text: str = ""
    country: str = ""
    status: str = ""

    @property
    def active(self) -> bool:
        return bool(self.text or self.country or self.status)


def trigram_search_available() -> bool:
    """Whether the candidates' search key has a trigram index (PostgreSQL with pg_trgm)."""
    known = current_app.extensions.get("passport.trigram")
    if known is None:
        bind = session.get_bind()
        known = bind.dialect.name == "postgresql" and bool(session.scalar(text(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_candidates_search_key' "
            "AND indexdef LIKE '%gin_trgm_ops%'"
        )))
        current_app.extensions["passport.trigram"] = known
    return known


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _name_condition(words: list[str], inside_words: bool = False) -> Any:
    conditions = []
    substring = [w for w in words if inside_words and len(w) >= 3]
    if substring:
        # Materialized: the matching candidates first (trigram index), then their cases. Left
        # to itself PostgreSQL walks all cases newest first and tests each candidate's name.
        matching = select(Candidate.id).where(
            *[Candidate.search_key.like(f"%{_escape_like(w)}%", escape="\\")
              for w in substring]
        ).cte("matching_candidates").prefix_with("MATERIALIZED")
        conditions.append(Case.candidate_id.in_(select(matching.c.id)))
    rest = [w for w in words if w not in substring]
    # Words of one or two letters ("al" of Al-Hassan begins 15,000 names) are checked on the
    # people the longer words found, not gathered as a range of their own.
    longer = [w for w in rest if len(w) >= 3] or rest
    for word in rest:
        if word not in longer:
            short = aliased(CandidateNameTerm)
            conditions.append(select(short.candidate_id).where(
                short.candidate_id == Case.candidate_id, _in_range(short.term, word)
            ).exists())
    prefixes = [
        select(CandidateNameTerm.candidate_id).where(_in_range(CandidateNameTerm.term, word))
        for word in longer
    ]
    if len(prefixes) == 1:
        conditions.append(Case.candidate_id.in_(prefixes[0]))
    elif prefixes:
        # One set of candidates having every word (INTERSECT of the index ranges), not one
        # IN list per word: for "Nour Rahman" the database then looks up the cases of the 20
        # people called so, not of the 1,500 called Nour.
        both = intersect(*prefixes)
        if session.get_bind().dialect.name == "postgresql":
            # Asked first, on its own: PostgreSQL cannot tell how few people an INTERSECT
            # leaves, and for "Mohammed Bakri" (62 people out of 1,555 and 1,597) read all
            # 40,000 cases of the scheme to join them (12 ms, not 1). SQLite looks the few up.
            people = list(session.scalars(
                select(both.subquery().c[0]).limit(_LISTED_PEOPLE + 1)))
            if len(people) <= _LISTED_PEOPLE:
                both = people
        conditions.append(Case.candidate_id.in_(both))
    return and_(*conditions)


def name_words(value: str) -> list[str]:
    """The folded words of a name search; none when `value` is a case reference or a passport
    number."""
    value = value.strip()
    if _CASE_REFERENCE.match(value) or looks_like_number(value):
        return []
    return fold(value).split()[:MAX_WORDS]


def _text_condition(value: str, inside_words: bool = False) -> Any:
    value = value.strip()
    reference = _CASE_REFERENCE.match(value)
    if reference:
        return Case.id == int(reference.group(1))
    if looks_like_number(value):
        codes = list(session.scalars(select(Scheme.code)))
        numbers = passport_numbers(value, codes)
        return Case.id.in_(select(Passport.case_id).where(Passport.number.in_(numbers))) \
            if numbers else Case.id.is_(None)
    words = name_words(value)
    if not words:
        return None
    return _name_condition(words, inside_words)


def filtered(query: Select, filters: Filters, inside_words: bool = False) -> Select:
    if filters.status:
        query = query.where(Case.status == filters.status)
    if filters.country:
        # A join, not a subquery: a common nationality is a quarter of all candidates, and
        # the list should stop after a page of matches (walking the cases in their order and
        # looking each candidate up), not collect every candidate of that country first.
        query = query.join(Candidate, Candidate.id == Case.candidate_id).where(or_(
            Case.qualification_country == filters.country,
            Candidate.nationality == filters.country,
        ))
    if filters.text:
        condition = _text_condition(filters.text, inside_words)
        if condition is not None:
            query = query.where(condition)
    return query


@dataclass(frozen=True, slots=True)
class ListedCase:
    """What a row of the list shows: plain values, not the case with its candidate and scheme
    (building those objects for a full page took about a millisecond)."""

    id: int
    status: str
    qualification_country: str
    updated_at: datetime
    candidate_name: str
    native_name: str
    scheme_code: str

    @property
    def reference(self) -> str:
        return case_reference(self.id)


@dataclass
class Page:
    cases: list[ListedCase]
    total: int  # capped at COUNT_CAP + 1: "more than COUNT_CAP"
    next_cursor: str | None
    # No name begins with the words typed: these are the names that hold them inside a word.
    inside_words: bool = False
    by_name: bool = False  # in the order of the names, not of the last change

    @property
    def more_than_cap(self) -> bool:
        return self.total > COUNT_CAP


_LISTED = (Case.id, Case.status, Case.qualification_country, Case.updated_at,
           Candidate.given_name, Candidate.family_name, Candidate.native_name, Scheme.code)


def page_of(query: Select, filters: Filters, after: str | None) -> Page:
    """One page of `query` (already limited to what the user may see) after the cursor
    `after`: for one word (and perhaps one- or two-letter words besides), the cases of the
    people with a name that begins with it, in the order of those names; else newest change
    first. For a name no name begins with, on PostgreSQL, the names that hold it inside a
    word."""
    words = name_words(filters.text) if filters.text else []
    longer = [w for w in words if len(w) >= 3]
    if len(words) == 1 or len(longer) == 1:
        # One word, or one word and a few letters ("Al-Hassan": "al hassan").
        driver = longer[0] if longer else words[0]
        page = _page_by_name(query, filters, driver, [w for w in words if w != driver],
                             NameCursor.decode(after))
    else:
        # No words (a case reference, a passport number, no text), or several: the people
        # having all of several words are few, found at once from the index (INTERSECT).
        page = _page_by_change(query, filters, Cursor.decode(after))
    if words and page.total == 0 and trigram_search_available() \
            and any(len(w) >= 3 for w in words):
        page = _page_by_change(query, filters, Cursor.decode(after), inside_words=True)
        page.inside_words = True
    return page


@dataclass(frozen=True)
class NameCursor:
    """Where the next page of a name search starts: after this case of this candidate. The
    word of the name it was listed under is looked up again, not carried in the address."""

    candidate_id: int
    case_id: int

    def encode(self) -> str:
        return f"n{self.candidate_id}_{self.case_id}"

    @classmethod
    def decode(cls, value: str | None) -> NameCursor | None:
        match = re.fullmatch(r"n(\d{1,12})_(\d{1,12})", value or "")
        return cls(int(match.group(1)), int(match.group(2))) if match else None


def _in_range(term: Any, word: str) -> Any:
    return and_(term >= word, term < word + _LAST)


def _page_by_name(query: Select, filters: Filters, word: str, others: list[str],
                  cursor: NameCursor | None) -> Page:
    """The people with a name that begins with `word` and has words beginning with each of
    `others` too: in the order of the name index (the word of the name it begins, then the
    candidate, then the case), so that the database walks the index and stops after a page: a
    family name that 3,000 people bear costs what a rare one does. Ordered by last change, it
    had to gather and sort all 3,000 (the page grew from 11 to 20 ms between 1,000 and 100,000
    cases on SQLite, from 28 to 45 on PostgreSQL)."""
    matched = aliased(CandidateNameTerm, name="matched")
    earlier = aliased(CandidateNameTerm, name="earlier")
    query = filtered(query, replace(filters, text="")).join(
        matched, matched.candidate_id == Case.candidate_id
    ).where(
        _in_range(matched.term, word),
        # Listed once, under the first word of the name that matches ("Nour Nouri").
        ~select(earlier.candidate_id).where(
            earlier.candidate_id == matched.candidate_id,
            earlier.term >= word, earlier.term < matched.term,
        ).exists(),
    )
    for other in others:
        also = aliased(CandidateNameTerm)
        # A scalar subquery (LIMIT 1), not EXISTS: PostgreSQL turns an EXISTS into a join and
        # then reads every name beginning with "al" to hash them (9 ms for "Al-Hassan"), where
        # asking row by row while walking stops with the page (under 2).
        query = query.where(select(also.candidate_id).where(
            also.candidate_id == matched.candidate_id, _in_range(also.term, other)
        ).limit(1).scalar_subquery().is_not(None))
    in_order = query.with_only_columns(Case.id, matched.term, matched.candidate_id).order_by(
        matched.term, matched.candidate_id, Case.id)
    start = None
    if cursor is not None:
        start = session.scalar(select(func.min(CandidateNameTerm.term)).where(
            CandidateNameTerm.candidate_id == cursor.candidate_id,
            _in_range(CandidateNameTerm.term, word)))
    # No start: the first page (or the name was changed since: start again).
    found, total = _window(query, in_order, None if start is None else (
        tuple_(matched.term, matched.candidate_id, Case.id)
        > tuple_(start, cursor.candidate_id, cursor.case_id)))
    rows = _listed([case_id for case_id, _term, _candidate in found])
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        case_id, _term, candidate_id = found[PAGE_SIZE - 1]
        next_cursor = NameCursor(candidate_id, case_id).encode()
    return Page(rows, total, next_cursor, by_name=True)


def _page_by_change(query: Select, filters: Filters, cursor: Cursor | None,
                    inside_words: bool = False) -> Page:
    query = filtered(query, filters, inside_words)
    # Two steps: the ids of the page (narrow rows, often straight from an index), then those
    # cases with their candidate and scheme. Sorting a few hundred matches of a common name
    # as bare (updated_at, id) pairs costs far less than sorting them as joined rows.
    in_order = query.with_only_columns(Case.id).order_by(Case.updated_at.desc(), Case.id.desc())
    found, total = _window(query, in_order, None if cursor is None else (
        tuple_(Case.updated_at, Case.id) < tuple_(cursor.updated_at, cursor.case_id)))
    rows = _listed([case_id for (case_id,) in found])
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_cursor = Cursor(rows[-1].updated_at, rows[-1].id).encode()
    return Page(rows, total, next_cursor)


def _window(query: Select, in_order: Select, after: Any) -> tuple[list[Any], int]:
    """Up to a page and one rows of `in_order` (its first column a case id) after the keyset
    condition `after`, and the count of `query`'s rows capped at COUNT_CAP + 1. The first page
    and its count come from one query: a name search then gathers the matching candidates
    once, not once to count and again to sort."""
    if after is None:
        found = session.execute(in_order.limit(COUNT_CAP + 1)).all()
        return found[:PAGE_SIZE + 1], len(found)
    counted = query.with_only_columns(Case.id).order_by(None).limit(COUNT_CAP + 1)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    return session.execute(in_order.where(after).limit(PAGE_SIZE + 1)).all(), total


def _listed(ids: list[int]) -> list[ListedCase]:
    """The rows of these cases, in the order given."""
    if not ids:
        return []
    loaded = {row[0]: ListedCase(
        id=row[0], status=row[1], qualification_country=row[2], updated_at=row[3],
        candidate_name=f"{row[4]} {row[5]}".strip(), native_name=row[6], scheme_code=row[7],
    ) for row in session.execute(
        select(*_LISTED)
        .join(Candidate, Candidate.id == Case.candidate_id)
        .join(Scheme, Scheme.id == Case.scheme_id)
        .where(Case.id.in_(ids))
    )}
    return [loaded[i] for i in ids if i in loaded]
