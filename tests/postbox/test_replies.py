"""Replies: only where the sender allows them, only by those who may read the message; an
account holder may attach a PDF, PNG or JPEG file that really is one."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from amtshilfe.core.models import AuditEntry
from amtshilfe.postbox import services
from amtshilfe.postbox.errors import AttachmentRejected, MessageNotFound, ReplyNotAllowed
from amtshilfe.postbox.models import Direction, Kind, Message
from tests.postbox.conftest import PDF, pdf, send, stored_files

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def de(msgid: str) -> str:
    with translation.override("de"):
        return translation.gettext(msgid)


def replies_to(message: Message) -> list[Message]:
    return list(Message.objects.with_scopes_disabled().filter(in_reply_to=message))


def post_reply(client, message: Message, text: str = "Anbei der Nachweis.", **files):
    return client.post(reverse("postbox:reply", args=[message.pk]), {"text": text, **files})


def test_a_citizen_answers_a_request_for_documents(client, world):
    message = send(world, kind=Kind.REQUEST, replies_allowed=True)
    client.force_login(world.citizen)
    response = post_reply(client, message, attachment=SimpleUploadedFile("Nachweis.pdf", PDF))
    assert response.status_code == 302
    assert response["Location"] == reverse("postbox:message", args=[message.pk]) + "#replies"
    [answer] = replies_to(message)
    assert answer.direction == Direction.TO_AUTHORITY and answer.kind == Kind.REPLY
    assert answer.text == "Anbei der Nachweis." and answer.sent_by == world.citizen
    assert answer.user == world.citizen and answer.organisation == world.town
    assert answer.delete_after == message.delete_after
    assert answer.attachments.get().content_type == "application/pdf"
    page = client.get(response["Location"]).content.decode()
    assert "Anbei der Nachweis." in page and "Nachweis.pdf" in page
    entry = AuditEntry.objects.with_scopes_disabled().get(action="postbox.reply.sent")
    assert entry.organisation == world.town and entry.actor is None
    assert entry.changes == {"by": "account_holder", "in_reply_to": message.pk, "attachments": 1}
    assert world.citizen.email not in f"{entry.actor_label} {entry.object_label}"


def test_a_postfach_reader_of_a_business_answers_for_it(client, world):
    message = send(world, to_business=world.business, replies_allowed=True)
    client.force_login(world.clerk_of_business)
    assert post_reply(client, message).status_code == 302
    [answer] = replies_to(message)
    assert answer.business == world.business and answer.sent_by == world.clerk_of_business
    client.force_login(world.owner)
    page = client.get(reverse("postbox:message", args=[message.pk])).content.decode()
    assert "Anbei der Nachweis." in page and "Paul Postfach" in page


def test_no_reply_where_the_sender_does_not_allow_it(client, world):
    message = send(world, replies_allowed=False)
    client.force_login(world.citizen)
    page = client.get(reverse("postbox:message", args=[message.pk])).content.decode()
    assert reverse("postbox:reply", args=[message.pk]) not in page
    assert post_reply(client, message).status_code == 403
    assert replies_to(message) == []
    with pytest.raises(ReplyNotAllowed):
        services.reply(reader=world.citizen, message=message, text="Trotzdem")


@pytest.mark.parametrize("reader", ["plain_member", "stranger"])
def test_who_may_not_read_may_not_answer(client, world, reader):
    message = send(world, to_business=world.business, replies_allowed=True)
    client.force_login(getattr(world, reader))
    assert post_reply(client, message).status_code == 404
    with pytest.raises(MessageNotFound):
        services.reply(reader=getattr(world, reader), message=message, text="Hallo")
    assert replies_to(message) == []


def test_a_reply_cannot_itself_be_answered(world):
    message = send(world, replies_allowed=True)
    answer = services.reply(reader=world.citizen, message=message, text="Erste Antwort")
    with pytest.raises(MessageNotFound):  # replies are shown under their message only
        services.reply(reader=world.citizen, message=answer, text="Zweite")


def test_the_reply_form_is_only_sent_by_post(client, world):
    message = send(world, replies_allowed=True)
    client.force_login(world.citizen)
    assert client.get(reverse("postbox:reply", args=[message.pk])).status_code == 405


def test_an_empty_reply_shows_the_error_summary_and_the_field_error(client, world):
    message = send(world, replies_allowed=True)
    client.force_login(world.citizen)
    response = post_reply(client, message, text="   ")
    assert response.status_code == 200
    page = response.content.decode()
    problem = de("Please write your reply.")
    assert 'id="error-summary"' in page
    assert f'<a class="kern-link" href="#id_text">{de("Your reply")}: {problem}</a>' in page
    assert 'id="id_text_error"' in page and 'aria-invalid="true"' in page
    assert "kern-form-input__input--error" in page
    assert replies_to(message) == []


@pytest.mark.parametrize(
    ("upload", "problem"),
    [
        (
            SimpleUploadedFile("Nachweis.pdf", PNG),
            "The file's content does not match its type (PDF, PNG or JPEG).",
        ),
        (SimpleUploadedFile("Nachweis.exe", PDF), "Please attach a PDF, PNG or JPEG file."),
        (SimpleUploadedFile("leer.pdf", b""), "The submitted file is empty."),
    ],
)
def test_a_reply_file_must_be_what_it_claims(client, world, media, upload, problem):
    message = send(world, replies_allowed=True)
    client.force_login(world.citizen)
    response = post_reply(client, message, attachment=upload)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_attachment_error"' in page
    assert de(problem).split("(")[0] in page.replace("&#x27;", "'")
    assert replies_to(message) == []
    assert stored_files(media) == []


def test_a_reply_file_above_the_limit_is_refused(world, settings):
    settings.POSTBOX_REPLY_MAX_BYTES = 16
    message = send(world, replies_allowed=True)
    with translation.override("en"), pytest.raises(AttachmentRejected, match="larger than"):
        services.reply(reader=world.citizen, message=message, text="Hier", attachments=[pdf()])


def test_a_png_photo_of_a_document_is_accepted(world):
    message = send(world, replies_allowed=True)
    image = services.NewAttachment(filename="Foto.PNG", content=SimpleUploadedFile("x", PNG))
    answer = services.reply(reader=world.citizen, message=message, text="Foto", attachments=[image])
    assert answer.attachments.get().content_type == "image/png"
