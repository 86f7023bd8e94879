"""Imports every model so that SQLAlchemy and Alembic see the whole schema."""

from passport.audit import AuditEntry, CaseAccess
from passport.auth.models import Role, User, UserRole
from passport.cases.models import Assignment, Candidate, Case
from passport.intake.models import CandidateLink, Consent, Evidence, Questionnaire
from passport.interviews.models import Assessment, Interview
from passport.mail.models import OutboxAttachment, OutboxMessage
from passport.org.models import Centre, Scheme, scheme_coordinators
from passport.passports.models import Passport, PassportCounter
from passport.review.models import ReviewDecision

__all__ = [
    "Assessment",
    "Assignment",
    "AuditEntry",
    "Candidate",
    "CandidateLink",
    "Case",
    "CaseAccess",
    "Centre",
    "Consent",
    "Evidence",
    "Interview",
    "OutboxAttachment",
    "OutboxMessage",
    "Passport",
    "PassportCounter",
    "Questionnaire",
    "ReviewDecision",
    "Role",
    "Scheme",
    "User",
    "UserRole",
    "scheme_coordinators",
]
