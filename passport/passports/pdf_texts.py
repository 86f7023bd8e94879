"""The fixed texts of the passport PDF, as gettext message ids (domain `passport_pdf`).

The layout code never holds words: it asks `texts(lang)` for these by key. Translations live in
translations/<lang>/LC_MESSAGES/passport_pdf.po (compiled .mo beside them, committed), extracted
from this module with

    pybabel extract -k N_ -o translations/passport_pdf.pot passport/passports/pdf_texts.py
    pybabel update -D passport_pdf -i translations/passport_pdf.pot -d translations
    pybabel compile -D passport_pdf -d translations

A separate domain keeps the document's wording apart from the web interface's catalogue: the
passport's texts are reviewed like a legal document, and a change to them is a new version.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

DOMAIN = "passport_pdf"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "translations"
# Languages the passport can be printed in (besides English, always printed).
PDF_LANGUAGES = ("en", "fr", "nb", "nn", "ar", "fa", "uk", "ti")
RTL = {"ar", "fa"}


def N_(message: str) -> str:  # noqa: N802 - the usual gettext marker name
    """Mark a string for extraction; it is translated later, per document language."""
    return message


MESSAGES: dict[str, str] = {
    # Title block and running header
    "document": N_("Qualifications Passport"),
    "subtitle": N_("Assessment of qualifications held by a refugee"),
    "page_of": N_("Page %(page)s of %(pages)s"),
    # Parts and sections
    "part_a": N_("Part A: Assessment"),
    "part_b": N_("Part B: Explanatory information"),
    "part_c": N_("Part C: The way ahead"),
    "sec_document": N_("This document"),
    "sec_holder": N_("Holder"),
    "sec_highest": N_("Highest qualification"),
    "sec_other": N_("Other qualifications and short courses"),
    "sec_work": N_("Work experience"),
    "sec_languages": N_("Language skills"),
    "sec_documents": N_("Documents the assessment relied on"),
    "sec_summary": N_("Summary of the assessment"),
    "sec_assessed": N_("Assessed and approved by"),
    "sec_verify": N_("Authenticity"),
    # Labels
    "passport_number": N_("Passport number"),
    "date_of_issue": N_("Date of issue"),
    "valid_until": N_("Valid until"),
    "scheme": N_("Scheme"),
    "issuing_body": N_("Issuing body"),
    "name": N_("Name"),
    "native_name": N_("Name in own script"),
    "date_of_birth": N_("Date of birth"),
    "nationality": N_("Nationality"),
    "level": N_("Level"),
    "title": N_("Title"),
    "field": N_("Field of study"),
    "institution": N_("Institution"),
    "country": N_("Country"),
    "period": N_("Period"),
    "nominal_duration": N_("Nominal duration"),
    "completion": N_("Completion"),
    "instruction_language": N_("Language of instruction"),
    "awarding_body": N_("Awarding body"),
    "workload": N_("Workload"),
    "date": N_("Date"),
    "learning_outcomes": N_("Learning outcomes"),
    "assessment_type": N_("Type of assessment"),
    "employer": N_("Employer"),
    "position": N_("Position"),
    "main_tasks": N_("Main tasks"),
    "language": N_("Language"),
    "listening": N_("Listening"),
    "reading": N_("Reading"),
    "writing": N_("Writing"),
    "spoken_production": N_("Spoken production"),
    "spoken_interaction": N_("Spoken interaction"),
    "basis": N_("Basis"),
    "document_type": N_("Document"),
    "issuer": N_("Issued by"),
    "evaluator": N_("Evaluator"),
    "approved_by": N_("Approved by"),
    "verify_at": N_("Verify at"),
    "signature": N_("Digital signature"),
    "key": N_("Signing key"),
    # Values
    "completed": N_("Completed"),
    "not_completed": N_("Not completed"),
    "years_completed": N_("Years of study completed: %(years)s"),
    "years": N_("%(years)s years"),
    "ects": N_("%(credits)s ECTS credits"),
    "until_now": N_("to date"),
    "not_assessed": N_("Not assessed"),
    "none_recorded": N_("None recorded"),
    "below_a1": N_("Below A1"),
    "basis_interview": N_("Interview"),
    "basis_certificate": N_("Certificate"),
    "basis_self_declared": N_("Self-declared"),
    "original_seen": N_("Original seen"),
    "copy_seen": N_("Copy seen"),
    "level_upper_secondary": N_("Upper secondary education giving access to higher education"),
    "level_short_cycle": N_("Short-cycle higher education"),
    "level_bachelor": N_("Bachelor's degree"),
    "level_master": N_("Master's degree"),
    "level_doctorate": N_("Doctorate"),
    "level_vocational": N_("Vocational qualification"),
    "level_other": N_("Other qualification"),
    # Explanatory texts
    "what_it_is": N_(
        "This document describes the qualifications of its holder as assessed by trained "
        "credential evaluators in a structured interview and from the documents available."
    ),
    "what_it_is_not": N_(
        "It is not a formal recognition decision. It is meant to help the holder with "
        "admission to studies, with employment and with later recognition procedures."
    ),
    "about_scheme": N_(
        "It was issued under the scheme named above, by the issuing body named above, and is "
        "valid until the date shown."
    ),
    "way_ahead_intro": N_(
        "Advice from the evaluators on where the holder may go next for studies, work or "
        "authorisation to practise."
    ),
    "verify_text": N_(
        "Scan the QR code or open the address below to check that this passport is genuine and "
        "still valid. The verification page can also check an uploaded copy of this file."
    ),
    "signature_text": N_(
        "The content of this passport is signed with the issuing system's key (Ed25519). The "
        "verification page checks the signature."
    ),
}


def catalogue(lang: str) -> NullTranslations:
    return _catalogue(lang if lang in PDF_LANGUAGES else "en")


@lru_cache(maxsize=16)
def _catalogue(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [lang], domain=DOMAIN)


def texts(lang: str) -> dict[str, str]:
    """Every fixed text of the document in `lang` (English where a translation is missing)."""
    gettext = catalogue(lang).gettext
    return {key: gettext(msgid) for key, msgid in MESSAGES.items()}
