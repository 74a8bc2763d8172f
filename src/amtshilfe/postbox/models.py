"""The Postfach: messages between authorities and account holders, and their attachments.

Every message lies in exactly one mailbox: a person's account (``user``) or an organisation
account (``business``). A message from an authority and the replies to it are rows of the
same table (``direction`` tells them apart), so a mailbox, an export and a deletion always
take a conversation whole.

Rows are scoped by the authority's ``organisation`` (django-scopes): staff reads go through
:func:`amtshilfe.core.access.scoped`. The account holder's reads go through
:mod:`amtshilfe.postbox.selectors`, which select by mailbox.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

#: Attachments are stored under this folder of the default storage, each under a random name.
ATTACHMENT_FOLDER = "postbox/attachments"

logger = logging.getLogger("amtshilfe.postbox")


class Kind(models.TextChoices):
    """Message types; each has a retention period (:mod:`amtshilfe.postbox.retention`)."""

    NOTICE = "notice", _("Notice (Bescheid)")
    REQUEST = "request", _("Request for documents")
    INFORMATION = "information", _("Information")
    REPLY = "reply", _("Reply")


class Direction(models.TextChoices):
    TO_ACCOUNT = "to_account", _("from the authority to the account")
    TO_AUTHORITY = "to_authority", _("from the account to the authority")


class Message(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="postbox_messages",
        verbose_name=_("organisation"),
        help_text=_("The authority's organisation: the sender, or the recipient of a reply."),
    )
    authority = models.ForeignKey(
        "organisations.Authority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="postbox_messages",
        verbose_name=_("authority"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="postbox_messages",
        verbose_name=_("account"),
    )
    business = models.ForeignKey(
        "accounts.BusinessAccount",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="postbox_messages",
        verbose_name=_("organisation account"),
    )
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction.choices, default=Direction.TO_ACCOUNT
    )
    in_reply_to = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    # Who sent it: the clerk (if the calling service named one) or the account holder who
    # replied. Kept only as long as that account exists.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    kind = models.CharField(_("type of message"), max_length=16, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    case_reference = models.CharField(_("case reference"), max_length=100, blank=True)
    case_url = models.CharField(_("link to the case"), max_length=500, blank=True)
    replies_allowed = models.BooleanField(_("replies allowed"), default=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    # The first time anyone who may read the mailbox opened the message; never reset (for a
    # Bescheid this is the retrieval, "Abruf", the authority may need to know of). One status
    # per message, shared by all readers of an organisation account's Postfach.
    read_at = models.DateTimeField(_("first read"), null=True, blank=True)
    delete_after = models.DateField(_("delete after"), db_index=True)
    notified_at = models.DateTimeField(_("e-mail notice sent"), null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Postfach message")
        verbose_name_plural = _("Postfach messages")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, business__isnull=True)
                | Q(user__isnull=True, business__isnull=False),
                name="postbox_message_one_mailbox",
            ),
            models.CheckConstraint(
                condition=Q(
                    direction=Direction.TO_AUTHORITY,
                    kind=Kind.REPLY,
                    in_reply_to__isnull=False,
                    replies_allowed=False,
                )
                | (Q(direction=Direction.TO_ACCOUNT) & ~Q(kind=Kind.REPLY)),
                name="postbox_message_reply_shape",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="postbox_user_created_idx"),
            models.Index(fields=["business", "-created_at"], name="postbox_business_created_idx"),
            models.Index(fields=["organisation", "-created_at"], name="postbox_org_created_idx"),
        ]

    def __str__(self) -> str:
        # Never the subject: this label ends up in the audit trail and in logs.
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def is_reply(self) -> bool:
        return self.direction == Direction.TO_AUTHORITY


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random, unguessable storage name; the original file name is kept in the row only."""
    return f"{ATTACHMENT_FOLDER}/{secrets.token_urlsafe(32)}"


class Attachment(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["message", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"attachment #{self.pk}"

    def delete_file_after_commit(self) -> None:
        """Remove the stored file once the deletion of this row is committed."""
        name = self.file.name
        storage = self.file.storage
        if name:
            transaction.on_commit(lambda: _delete_quietly(storage, name))


def _delete_quietly(storage: Any, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # the row is gone; purge_postbox sweeps the stray file later
        logger.warning("Could not delete attachment file %s", name, exc_info=True)
