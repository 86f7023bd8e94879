"""Imports every model so that SQLAlchemy and Alembic see the whole schema."""

from passport.audit import AuditEntry, CaseAccess
from passport.auth.models import Role, User, UserRole
from passport.cases.models import Assignment, Candidate, Case
from passport.interviews.models import Assessment, Interview, InterviewParticipant
from passport.org.models import Centre, Scheme, scheme_coordinators
from passport.passports.models import Passport, PassportCounter, PassportFile, SigningKey
from passport.review.models import ReviewDecision
from passport.training.models import (
    Course,
    EvaluatorCountry,
    EvaluatorLanguage,
    SchemeCourse,
    TrainingEvidence,
    TrainingRecord,
)

__all__ = [
    "Assessment",
    "Assignment",
    "AuditEntry",
    "Candidate",
    "Case",
    "CaseAccess",
    "Centre",
    "Course",
    "EvaluatorCountry",
    "EvaluatorLanguage",
    "Interview",
    "InterviewParticipant",
    "Passport",
    "PassportCounter",
    "PassportFile",
    "ReviewDecision",
    "Role",
    "Scheme",
    "SchemeCourse",
    "SigningKey",
    "TrainingEvidence",
    "TrainingRecord",
    "User",
    "UserRole",
    "scheme_coordinators",
]
