"""Every write of the Postfach: sending, replying, reading, deleting after the retention period.

Other apps (casework, applications) send through :func:`send_message`. The e-mail notice is a
task enqueued with the message, so a message that is rolled back is never announced; the
notice says only that there is a new message, never what it is about or who sent it.
"""

from __future__ import annotations

import datetime
import hashlib
import mimetypes
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.core.validators import URLValidator
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from amtshilfe.accounts.models import BusinessAccount, User
from amtshilfe.core import audit
from amtshilfe.organisations.models import Authority, Organisation
from amtshilfe.postbox import retention, selectors, tasks
from amtshilfe.postbox.errors import AttachmentRejected, InvalidMessage, ReplyNotAllowed
from amtshilfe.postbox.models import ATTACHMENT_FOLDER, Attachment, Direction, Kind, Message

SUBJECT_MAX = 200
TEXT_MAX = 20_000
REPLY_MAX = 10_000
CASE_REFERENCE_MAX = 100
CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*$")

#: What an account holder may attach to a reply: type → how such a file begins.
REPLY_FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
DEFAULT_REPLY_MAX_BYTES = 10 * 1024 * 1024

#: The audit trail is the authorities' record of staff work, read by their admins: what an
#: account holder did is recorded as done by "the account holder", never by name or address.
#: The message id leads to the mailbox for those who may know it.
_BY_ACCOUNT_HOLDER = {"by": "account_holder"}


@dataclass(frozen=True)
class NewAttachment:
    """A file to attach: ``ContentFile(b"…")`` or an uploaded file."""

    filename: str
    content: File[Any]
    content_type: str = ""  # guessed from the file name when empty


def reply_max_bytes() -> int:
    return int(getattr(settings, "POSTBOX_REPLY_MAX_BYTES", DEFAULT_REPLY_MAX_BYTES))


def send_message(
    *,
    sender: Organisation,
    authority: Authority | None = None,
    to_user: User | None = None,
    to_business: BusinessAccount | None = None,
    subject: str,
    text: str,
    kind: str,
    case_reference: str = "",
    case_url: str = "",
    replies_allowed: bool = False,
    attachments: Sequence[NewAttachment] = (),
    actor: Any = None,
) -> Message:
    """Deliver a message from an authority to one mailbox and announce it by e-mail.

    The calling service decides whether its actor may send (it owns the use case); ``actor``
    is recorded as the sender in the audit trail.
    """
    subject, text = subject.strip(), text.strip()
    _check_new_message(
        sender=sender,
        authority=authority,
        to_user=to_user,
        to_business=to_business,
        subject=subject,
        text=text,
        kind=kind,
        case_reference=case_reference,
        case_url=case_url,
    )
    now = timezone.now()
    with _removing_files_on_error() as stored, transaction.atomic():
        message = Message.objects.create(
            organisation=sender,
            authority=authority,
            user=to_user,
            business=to_business,
            direction=Direction.TO_ACCOUNT,
            sent_by=actor if getattr(actor, "is_authenticated", False) else None,
            kind=kind,
            subject=subject,
            text=text,
            case_reference=case_reference.strip(),
            case_url=case_url.strip(),
            replies_allowed=replies_allowed,
            created_at=now,
            delete_after=retention.delete_after(kind, sent_on=timezone.localdate(now)),
        )
        for item in attachments:
            stored.append(_store(message, item, content_type=_content_type(item)))
        audit.record(
            actor=actor,
            action="postbox.message.sent",
            obj=message,
            organisation=sender,
            changes={
                "kind": kind,
                "mailbox": "user" if to_user is not None else "business",
                "attachments": len(stored),
                "replies_allowed": replies_allowed,
            },
        )
        _enqueue_with_transaction(tasks.send_new_message_notice, message_id=message.pk)
    return message


def reply(
    *, reader: Any, message: Message, text: str, attachments: Sequence[NewAttachment] = ()
) -> Message:
    """The account holder's answer to a message whose sender accepts replies."""
    # Checked again here, not only in the view: the service is the rule.
    original = selectors.message_for_reader(reader=reader, message_id=message.pk)
    if not selectors.may_reply(original):
        raise ReplyNotAllowed()
    text = text.strip()
    if not text:
        raise InvalidMessage(_("Please write your reply."))
    if len(text) > REPLY_MAX:
        raise InvalidMessage(_("Your reply is too long."))
    checked = [(item, _check_reply_file(item)) for item in attachments]
    with _removing_files_on_error() as stored, transaction.atomic():
        answer = Message.objects.create(
            organisation_id=original.organisation_id,
            authority_id=original.authority_id,
            user_id=original.user_id,
            business_id=original.business_id,
            direction=Direction.TO_AUTHORITY,
            in_reply_to=original,
            sent_by=reader,
            kind=Kind.REPLY,
            subject=original.subject,
            text=text,
            case_reference=original.case_reference,
            case_url=original.case_url,
            delete_after=original.delete_after,
        )
        for item, content_type in checked:
            stored.append(_store(answer, item, content_type=content_type))
        audit.record(
            actor=None,  # the trail never names account holders (see _BY_ACCOUNT_HOLDER)
            action="postbox.reply.sent",
            obj=answer,
            organisation=original.organisation_id,
            changes={**_BY_ACCOUNT_HOLDER, "in_reply_to": original.pk, "attachments": len(stored)},
        )
    return answer


def mark_read(*, reader: Any, message: Message) -> bool:
    """Record the first opening of a message by someone who may read it; True the first time."""
    if message.read_at is not None:
        return False
    with transaction.atomic():
        now = timezone.now()
        changed = (
            selectors.visible_messages(reader)
            .filter(pk=message.pk, direction=Direction.TO_ACCOUNT, read_at__isnull=True)
            .update(read_at=now)
        )
        if not changed:
            return False
        message.read_at = now
        # Only the fact and time: for a Bescheid the authority may need the day of retrieval.
        audit.record(
            actor=None,
            action="postbox.message.read",
            obj=message,
            organisation=message.organisation_id,
            changes=_BY_ACCOUNT_HOLDER,
        )
    return True


def purge_expired(*, today: datetime.date | None = None, batch_size: int = 500) -> int:
    """Delete messages past their ``delete_after`` day with their replies and files."""
    today = today or timezone.localdate()
    expired = Message.objects.with_scopes_disabled().filter(
        delete_after__lt=today, in_reply_to__isnull=True
    )
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(expired.order_by("pk")[:batch_size])
            if not batch:
                return deleted
            for message in batch:
                audit.record(
                    actor=None,
                    action="postbox.message.deleted",
                    obj=message,
                    organisation=message.organisation_id,
                    changes={"reason": "retention", "delete_after": message.delete_after},
                )
            _, per_model = expired.filter(pk__in=[m.pk for m in batch]).delete()
            deleted += per_model.get(Message._meta.label, 0)


def sweep_orphan_files(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete stored attachment files that no row refers to (left by rolled-back sends)."""
    storage: Storage = Attachment._meta.get_field("file").storage
    try:
        _, names = storage.listdir(ATTACHMENT_FOLDER)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    swept = 0
    for chunk in _chunks([f"{ATTACHMENT_FOLDER}/{n}" for n in names], 500):
        known = set(Attachment.objects.filter(file__in=chunk).values_list("file", flat=True))
        for name in chunk:
            if name not in known and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                swept += 1
    return swept


# --- helpers ----------------------------------------------------------------------------------


def _check_new_message(
    *,
    sender: Organisation,
    authority: Authority | None,
    to_user: User | None,
    to_business: BusinessAccount | None,
    subject: str,
    text: str,
    kind: str,
    case_reference: str,
    case_url: str,
) -> None:
    """Messages come from code, not from a form: a mistake is the caller's, said plainly."""
    problems = []
    if (to_user is None) == (to_business is None):
        problems.append("exactly one of to_user and to_business is required")
    if kind not in retention.SENDABLE_KINDS:
        problems.append(f"kind must be one of {sorted(retention.SENDABLE_KINDS)}, not {kind!r}")
    if not subject or len(subject) > SUBJECT_MAX:
        problems.append(f"subject must have 1 to {SUBJECT_MAX} characters")
    if not text or len(text) > TEXT_MAX:
        problems.append(f"text must have 1 to {TEXT_MAX} characters")
    if len(case_reference.strip()) > CASE_REFERENCE_MAX:
        problems.append(f"case_reference must have at most {CASE_REFERENCE_MAX} characters")
    if not sender.is_active:
        problems.append("the sender organisation is not active")
    if authority is not None and authority.organisation_id != sender.pk:
        problems.append("the authority does not belong to the sender organisation")
    if case_url.strip() and not _is_safe_link(case_url.strip()):
        problems.append("case_url must be an http(s) address or a path on this site")
    if problems:
        raise InvalidMessage("; ".join(problems))


def _is_safe_link(url: str) -> bool:
    if len(url) > Message._meta.get_field("case_url").max_length:  # type: ignore[operator]
        return False
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return True
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True


def _clean_filename(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/"))
    base = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C"
    )
    base = base.strip().strip(".") or "attachment"
    if len(base) > 200:
        stem, ext = os.path.splitext(base)
        base = stem[: 200 - len(ext[:20])] + ext[:20]
    return base


def _content_type(item: NewAttachment) -> str:
    declared = (item.content_type or "").split(";")[0].strip().lower()
    if CONTENT_TYPE.match(declared):
        return declared
    guessed, _encoding = mimetypes.guess_type(_clean_filename(item.filename))
    return guessed or "application/octet-stream"


def _check_reply_file(item: NewAttachment) -> str:
    """An account holder's file: PDF, PNG or JPEG by name *and* content, within the size limit."""
    extension = os.path.splitext(_clean_filename(item.filename))[1].lower()
    if extension not in REPLY_FILE_TYPES:
        raise AttachmentRejected(_("Please attach a PDF, PNG or JPEG file."))
    content_type, signatures = REPLY_FILE_TYPES[extension]
    size = item.content.size
    if not size:
        raise AttachmentRejected(_("The file is empty."))
    if size > reply_max_bytes():
        limit = filesizeformat(reply_max_bytes())
        raise AttachmentRejected(gettext("The file is larger than %(limit)s.") % {"limit": limit})
    item.content.seek(0)
    head = item.content.read(16)
    item.content.seek(0)
    if not any(head.startswith(s) for s in signatures):
        raise AttachmentRejected(
            _("The file's content does not match its type (PDF, PNG or JPEG).")
        )
    return content_type


def _store(message: Message, item: NewAttachment, *, content_type: str) -> Attachment:
    digest = hashlib.sha256()
    size = 0
    item.content.seek(0)
    for chunk in item.content.chunks():
        digest.update(chunk)
        size += len(chunk)
    item.content.seek(0)
    attachment = Attachment(
        message=message,
        filename=_clean_filename(item.filename),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )
    attachment.file.save(attachment.filename, item.content, save=False)
    try:
        attachment.save()
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@contextmanager
def _removing_files_on_error() -> Iterator[list[Attachment]]:
    """Collects the attachments stored inside a transaction; deletes their files if it fails."""
    stored: list[Attachment] = []
    try:
        yield stored
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise


def _enqueue_with_transaction(task: Task[Any, Any], **kwargs: Any) -> None:
    """Enqueue so that the task exists only if the surrounding transaction commits.

    The database backend writes the task row inside this transaction, so message and task
    commit together and nothing is lost between them; any other backend would run or hand on
    the task at once, so it gets it only after the commit.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, **kwargs))


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
