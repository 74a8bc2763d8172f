"""The Postfach's pages: list, message, attachment download, reply. Login required; only the
mailbox's readers see a message (anyone else: 404, as for a missing one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amtshilfe.postbox import selectors, services
from amtshilfe.postbox.errors import AttachmentRejected, InvalidMessage, ReplyNotAllowed
from amtshilfe.postbox.forms import ReplyForm

if TYPE_CHECKING:
    from amtshilfe.postbox.models import Message

PAGE_SIZE = 25


def _inbox_url(business_id: int | None) -> str:
    url = reverse("postbox:inbox")
    return url if business_id is None else f"{url}?{urlencode({'postfach': business_id})}"


@login_required
@require_http_methods(["GET", "HEAD"])
def inbox(request: HttpRequest) -> HttpResponse:
    """One of the reader's mailboxes (``?postfach=`` chooses an organisation account's)."""
    mailboxes = selectors.mailboxes_of(request.user)
    mailbox = selectors.mailbox_for(mailboxes, request.GET.get("postfach", ""))
    page = Paginator(selectors.inbox(reader=request.user, mailbox=mailbox), PAGE_SIZE).get_page(
        request.GET.get("seite")
    )
    query = f"postfach={mailbox.key}&" if mailbox.key else ""
    return render(
        request,
        "postbox/inbox.html",
        {"mailboxes": mailboxes, "mailbox": mailbox, "page": page, "page_query": query},
    )


def _message_page(request: HttpRequest, message: Message, form: ReplyForm) -> HttpResponse:
    return render(
        request,
        "postbox/message.html",
        {
            "message": message,
            "form": form,
            "may_reply": selectors.may_reply(message),
            "back": _inbox_url(message.business_id),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def message(request: HttpRequest, message_id: int) -> HttpResponse:
    """A message with its attachments and replies; opening it marks it read."""
    found = selectors.message_for_reader(reader=request.user, message_id=message_id)
    services.mark_read(reader=request.user, message=found)
    return _message_page(request, found, ReplyForm())


@require_POST
@login_required
def reply(request: HttpRequest, message_id: int) -> HttpResponse:
    """Send a reply to a message whose sender accepts replies."""
    found = selectors.message_for_reader(reader=request.user, message_id=message_id)
    if not selectors.may_reply(found):
        raise ReplyNotAllowed()
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reply(
                reader=request.user,
                message=found,
                text=form.cleaned_data["text"],
                attachments=form.attachments(),
            )
        except AttachmentRejected as exc:
            form.add_error("attachment", str(exc.message))
        except InvalidMessage as exc:
            form.add_error("text", str(exc.message))
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect(reverse("postbox:message", args=[found.pk]) + "#replies")
    return _message_page(request, found, form)


@login_required
@require_http_methods(["GET", "HEAD"])
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Download an attachment: always as a file, never shown inline by the browser."""
    found = selectors.attachment_for_reader(reader=request.user, attachment_id=attachment_id)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.filename,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
