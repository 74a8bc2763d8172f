"""Domain errors of the Postfach."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from amtshilfe.core.errors import DomainError, NotFound, PermissionDenied


class MessageNotFound(NotFound):
    """Missing, or in a mailbox the reader may not open: the two answer alike."""

    default_message = _("There is no message at this address in your Postfach.")


class ReplyNotAllowed(PermissionDenied):
    default_message = _("The sender does not accept replies to this message.")


class InvalidMessage(DomainError):
    """A calling app asked to send a message that is not well-formed."""

    default_message = _("The message cannot be sent.")


class AttachmentRejected(DomainError):
    default_message = _("The file cannot be attached.")
