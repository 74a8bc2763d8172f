"""Background tasks of the Postfach. Arguments are ids only, never personal data."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django_tasks import task

from amtshilfe.postbox import selectors
from amtshilfe.postbox.models import Direction, Message


def postbox_link(message: Message) -> str:
    """The absolute address of the mailbox the message lies in (never of the message itself)."""
    site = str(getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    link = site + reverse("postbox:inbox")
    if message.business_id is not None:
        link += "?" + urlencode({"postfach": message.business_id})
    return link


@task()
def send_new_message_notice(message_id: int) -> int:
    """Tell the mailbox's readers that a message came: no subject, text or sender, ever.

    Runs at least once; ``notified_at`` keeps a retried task from mailing twice. Returns the
    number of e-mails sent.
    """
    message = (
        Message.objects.with_scopes_disabled()
        .filter(pk=message_id, direction=Direction.TO_ACCOUNT, notified_at__isnull=True)
        .first()
    )
    if message is None:
        return 0  # deleted meanwhile, or announced already
    recipients = selectors.notice_recipients(message)
    # Bilingual (German first): the worker does not know the reader's language.
    with translation.override("de"):
        context = {"link": postbox_link(message), "site_name": settings.SITE_NAME}
        subject = render_to_string("postbox/email/new_message_subject.txt", context).strip()
        body = render_to_string("postbox/email/new_message.txt", context)
    for address in recipients:
        # One e-mail each: members of an organisation account do not see each other's address.
        send_mail(subject, body, None, [address])
    Message.objects.with_scopes_disabled().filter(pk=message.pk).update(notified_at=timezone.now())
    return len(recipients)
