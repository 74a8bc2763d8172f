"""Attachment downloads: only for readers of the mailbox, always as a download, never sniffed."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from amtshilfe.postbox import services
from tests.postbox.conftest import PDF, pdf, send

pytestmark = pytest.mark.django_db


def download(client, attachment):
    response = client.get(reverse("postbox:attachment", args=[attachment.pk]))
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def test_the_owner_downloads_an_attachment_as_a_file(client, world):
    message = send(world, attachments=[pdf("Bescheid Hundesteuer.pdf")])
    client.force_login(world.citizen)
    response, body = download(client, message.attachments.get())
    assert response.status_code == 200
    assert body == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Bescheid Hundesteuer.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Length"] == str(len(PDF))


def test_a_non_ascii_file_name_is_encoded_for_the_header(client, world):
    message = send(world, attachments=[pdf("Gebührenbescheid Müller.pdf")])
    client.force_login(world.citizen)
    response, _ = download(client, message.attachments.get())
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "Geb%C3%BChrenbescheid%20M%C3%BCller.pdf" in disposition


def test_an_html_attachment_is_still_downloaded_not_shown(client, world):
    evil = services.NewAttachment(
        filename="info.html",
        content=ContentFile(b"<script>alert(1)</script>"),
    )
    message = send(world, attachments=[evil])
    client.force_login(world.citizen)
    response, _ = download(client, message.attachments.get())
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("reader", ["plain_member", "stranger", "citizen"])
def test_others_get_404_for_a_business_attachment(client, world, reader):
    message = send(world, to_business=world.business, attachments=[pdf()])
    client.force_login(getattr(world, reader))
    response, body = download(client, message.attachments.get())
    assert response.status_code == 404 and body == b""


def test_anonymous_visitors_are_sent_to_log_in_before_a_download(client, world):
    message = send(world, attachments=[pdf()])
    url = reverse("postbox:attachment", args=[message.attachments.get().pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_the_business_readers_download_a_replys_attachment(client, world):
    message = send(world, to_business=world.business, replies_allowed=True)
    answer = services.reply(
        reader=world.clerk_of_business, message=message, text="Anbei", attachments=[pdf()]
    )
    client.force_login(world.owner)
    response, body = download(client, answer.attachments.get())
    assert response.status_code == 200 and body == PDF
