"""Domain errors shared by all apps: each carries a message fit to show a user."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every domain error; ``message`` is translated for the user."""

    default_message = _("The request could not be carried out.")

    def __init__(self, message: object | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class NotFound(DomainError):
    """The object does not exist *or* the actor may not see it: the two are never told apart."""

    default_message = _("The page or object you asked for does not exist.")


class PermissionDenied(DomainError):
    """The actor may see the object but not do this to it."""

    default_message = _("You are not allowed to do this.")


class AppendOnlyViolation(DomainError):
    default_message = _("Audit entries can never be changed or deleted.")
