"""Imports every model so that SQLAlchemy and Alembic see the whole schema."""

from passport.audit import AuditEntry, CaseAccess
from passport.auth.models import Role, User, UserRole
from passport.cases.models import Assignment, Candidate, Case
from passport.intake.models import CandidateLink, Consent, Evidence, Questionnaire
from passport.interviews.models import (
    Assessment,
    EvaluatorConclusion,
    Interview,
    InterviewParticipant,
)
from passport.mail.models import OutboxAttachment, OutboxMessage
from passport.org.models import Centre, Scheme, scheme_coordinators
from passport.passports.models import Passport, PassportCounter, PassportFile, SigningKey
from passport.review.models import Appeal, ReviewDecision
from passport.training.models import (
    Course,
    EvaluatorCountry,
    EvaluatorLanguage,
    SchemeCourse,
    TrainingEvidence,
    TrainingRecord,
)

__all__ = [
    "Appeal",
    "Assessment",
    "Assignment",
    "AuditEntry",
    "Candidate",
    "CandidateLink",
    "Case",
    "CaseAccess",
    "Centre",
    "Consent",
    "Course",
    "EvaluatorCountry",
    "EvaluatorLanguage",
    "EvaluatorConclusion",
    "Evidence",
    "Interview",
    "InterviewParticipant",
    "OutboxAttachment",
    "OutboxMessage",
    "Passport",
    "PassportCounter",
    "PassportFile",
    "Questionnaire",
    "ReviewDecision",
    "Role",
    "Scheme",
    "scheme_coordinators",
    "SchemeCourse",
    "SigningKey",
    "TrainingEvidence",
    "TrainingRecord",
    "User",
    "UserRole",
]
