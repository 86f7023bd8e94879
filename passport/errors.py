"""Errors that service functions raise; views turn them into a message for the user.

Messages are lazy gettext strings, so they are shown in the language of whoever reads them,
and services stay free of any request.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request that was refused; nothing was changed."""

    status_code = 400

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


class RuleViolation(ServiceError):
    """A domain rule (four eyes, two centres, ...) forbids this."""

    status_code = 409


class InvalidTransition(ServiceError):
    """The case is not at a step where this can happen."""

    status_code = 409


class ConcurrentChange(ServiceError):
    """Someone else changed the record first; the user should reload and look again."""

    status_code = 409


class PermissionRefused(ServiceError):
    status_code = 403
