"""Every read of the Postfach, in one place.

Who may read a mailbox is decided here and nowhere else: a person reads their own mailbox and
the mailboxes of the organisation accounts in which they hold a Postfach role
(``BusinessMember.POSTBOX_ROLES``). Anything else answers :class:`MessageNotFound`, exactly as
a message that does not exist, so that nobody learns which messages exist.

Staff reads (an organisation's sent and received messages) go through ``core.access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from amtshilfe.accounts.models import BusinessAccount, BusinessMember, User
from amtshilfe.core import access
from amtshilfe.organisations.models import Organisation
from amtshilfe.postbox.errors import MessageNotFound
from amtshilfe.postbox.models import Attachment, Direction, Message


@dataclass(frozen=True)
class Mailbox:
    """One Postfach a person may read: their own (``business`` is None) or a business's."""

    business: BusinessAccount | None = None
    unread: int = 0

    @property
    def key(self) -> str:
        """The value of the list page's ``postfach`` parameter ("" for the own mailbox)."""
        return "" if self.business is None else str(self.business.pk)

    @property
    def label(self) -> str:
        if self.business is None:
            return str(_("Your Postfach"))
        return str(_("Postfach of %(name)s") % {"name": self.business.name})


def _is_reader(reader: Any) -> bool:
    return bool(getattr(reader, "is_authenticated", False) and getattr(reader, "is_active", False))


def _all_messages() -> QuerySet[Message]:
    # The mailbox filter of the callers below is the scope here (not an organisation).
    return Message.objects.with_scopes_disabled().all()


def _readable_business_ids(reader: Any) -> QuerySet[BusinessMember, Any]:
    return BusinessMember.objects.filter(
        user_id=reader.pk, role__in=BusinessMember.POSTBOX_ROLES
    ).values("business_id")


def visible_messages(reader: Any) -> QuerySet[Message]:
    """All messages (both directions) in the mailboxes ``reader`` may read."""
    if not _is_reader(reader):
        return _all_messages().none()
    return _all_messages().filter(
        Q(user_id=reader.pk) | Q(business_id__in=_readable_business_ids(reader))
    )


def mailboxes_of(reader: Any) -> list[Mailbox]:
    """The reader's own mailbox first, then the businesses' by name, each with its unread count."""
    if not _is_reader(reader):
        return []
    unread: dict[int | None, int] = dict(
        visible_messages(reader)
        .filter(direction=Direction.TO_ACCOUNT, read_at__isnull=True)
        .order_by()
        .values_list("business_id")
        .annotate(n=Count("pk"))
        .values_list("business_id", "n")
    )
    businesses = BusinessAccount.objects.filter(pk__in=_readable_business_ids(reader)).order_by(
        "name", "pk"
    )
    return [
        Mailbox(business=None, unread=unread.get(None, 0)),
        *(Mailbox(business=b, unread=unread.get(b.pk, 0)) for b in businesses),
    ]


def mailbox_for(mailboxes: list[Mailbox], key: str) -> Mailbox:
    """The mailbox of the list page's ``postfach`` parameter, among those the reader may read."""
    for mailbox in mailboxes:
        if mailbox.key == key.strip():
            return mailbox
    raise MessageNotFound()


def inbox(*, reader: Any, mailbox: Mailbox) -> QuerySet[Message]:
    """Messages from authorities in one mailbox: unread first, then the newest first."""
    messages = visible_messages(reader).filter(direction=Direction.TO_ACCOUNT)
    if mailbox.business is None:
        messages = messages.filter(user_id=reader.pk)
    else:
        messages = messages.filter(business_id=mailbox.business.pk)
    return (
        messages.select_related("organisation", "authority")
        .annotate(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-unread", "-created_at", "-pk")
    )


def message_for_reader(*, reader: Any, message_id: int) -> Message:
    """A message from an authority with its attachments and replies, or MessageNotFound."""
    replies = (_all_messages().select_related("sent_by").prefetch_related("attachments")).order_by(
        "created_at", "pk"
    )
    message = (
        visible_messages(reader)
        .filter(pk=message_id, direction=Direction.TO_ACCOUNT)
        .select_related("organisation", "authority", "business")
        .prefetch_related("attachments", Prefetch("replies", queryset=replies))
        .first()
    )
    if message is None:
        raise MessageNotFound()
    return message


def attachment_for_reader(*, reader: Any, attachment_id: int) -> Attachment:
    """An attachment of a message the reader may read (also of a reply), or MessageNotFound."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, message__in=visible_messages(reader))
        .select_related("message")
        .first()
    )
    if attachment is None:
        raise MessageNotFound()
    return attachment


def may_reply(message: Message) -> bool:
    """Whether the sender accepts replies (the reader's right to read is checked already)."""
    return message.direction == Direction.TO_ACCOUNT and message.replies_allowed


def notice_recipients(message: Message) -> list[str]:
    """Whom to tell of a new message: the account, or each Postfach reader of the business."""
    people = User.objects.filter(is_active=True)
    if message.user_id is not None:
        people = people.filter(pk=message.user_id)
    else:
        people = people.filter(
            business_memberships__business_id=message.business_id,
            business_memberships__role__in=BusinessMember.POSTBOX_ROLES,
        )
    return list(people.order_by("email").values_list("email", flat=True).distinct())


def messages_of_organisation(
    *, actor: Any, organisation: Organisation, direction: str | None = None
) -> QuerySet[Message]:
    """What an organisation sent and received, for staff who process its work.

    CHANGE, not VIEW: the content is personal data of the casework; roles that only look on
    (mayor, consultant, reviewer) do not read citizens' mail.
    """
    messages = access.scoped(Message, actor, access.Action.CHANGE).filter(organisation=organisation)
    if direction is not None:
        messages = messages.filter(direction=direction)
    return messages.select_related("authority").order_by("-created_at", "-pk")


def messages_for_export(user: Any) -> QuerySet[Message]:
    """Everything of a person's data in the Postfach (GDPR Art. 15/20 export).

    Their own mailbox in both directions, and the replies they wrote into organisation
    accounts' mailboxes. The files are at ``attachment.file``.
    """
    return (
        _all_messages()
        .filter(Q(user_id=user.pk) | Q(sent_by_id=user.pk, direction=Direction.TO_AUTHORITY))
        .select_related("organisation", "authority")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def export_for(user: Any) -> dict[str, Any]:
    """The Postfach's part of a person's data export (registered with accounts.data_rights).

    The files themselves stay downloadable in the Postfach; the export names each with its
    size and SHA-256, so a download can be matched to it.
    """
    return {"messages": [export_record(m) for m in messages_for_export(user)]}


def export_record(message: Message) -> dict[str, Any]:
    """One message as plain data for an export (JSON-ready)."""
    return {
        "id": message.pk,
        "direction": message.direction,
        "kind": message.kind,
        "organisation": message.organisation.name,
        "authority": message.authority.name if message.authority else "",
        "in_reply_to": message.in_reply_to_id,
        "subject": message.subject,
        "text": message.text,
        "case_reference": message.case_reference,
        "case_url": message.case_url,
        "sent_at": message.created_at.isoformat(),
        "read_at": message.read_at.isoformat() if message.read_at else None,
        "delete_after": message.delete_after.isoformat(),
        "attachments": [
            {
                "id": a.pk,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in message.attachments.all()
        ],
    }
