"""Who reads a mailbox: its owner, and an organisation account's Postfach readers. Everyone
else gets 404, exactly as for a message that does not exist."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from amtshilfe.core.models import AuditEntry
from amtshilfe.postbox import selectors, services
from amtshilfe.postbox.errors import MessageNotFound
from amtshilfe.postbox.models import Kind, Message
from tests.postbox.conftest import send

pytestmark = pytest.mark.django_db


def de(msgid: str) -> str:
    with translation.override("de"):
        return translation.gettext(msgid)


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_the_citizen_reads_their_message(client, world):
    message = send(world)
    client.force_login(world.citizen)
    response = client.get(reverse("postbox:message", args=[message.pk]))
    assert response.status_code == 200
    page = main_of(response)
    assert "Bescheid über Ihre Hundesteuer 2026" in page
    assert "für Ihren Hund Bello setzen wir 96 Euro fest." in page
    assert "Ordnungsamt Musterstadt" in page and "HS-2026-0815" in page


@pytest.mark.parametrize("reader", ["owner", "clerk_of_business"])
def test_postfach_readers_of_a_business_read_its_messages(client, world, reader):
    message = send(world, to_business=world.business)
    client.force_login(getattr(world, reader))
    response = client.get(reverse("postbox:message", args=[message.pk]))
    assert response.status_code == 200
    assert "Bescheid über Ihre Hundesteuer 2026" in main_of(response)


@pytest.mark.parametrize(
    ("mailbox", "reader"),
    [
        ("business", "plain_member"),
        ("business", "stranger"),
        ("business", "citizen"),
        ("citizen", "stranger"),
        ("citizen", "owner"),
    ],
)
def test_anyone_else_gets_the_page_of_a_missing_message(client, world, mailbox, reader):
    target = {"to_business": world.business} if mailbox == "business" else {}
    message = send(world, **target)
    client.force_login(getattr(world, reader))
    foreign = client.get(reverse("postbox:message", args=[message.pk]))
    missing = client.get(reverse("postbox:message", args=[message.pk + 1000]))
    assert foreign.status_code == missing.status_code == 404
    assert main_of(foreign) == main_of(missing)
    assert "Hundesteuer" not in foreign.content.decode()
    assert Message.objects.with_scopes_disabled().get().read_at is None


def test_a_reader_who_lost_the_postfach_role_reads_no_more(client, world):
    message = send(world, to_business=world.business)
    world.business.members.filter(user=world.clerk_of_business).update(role="member")
    with pytest.raises(MessageNotFound):
        selectors.message_for_reader(reader=world.clerk_of_business, message_id=message.pk)


def test_an_inactive_account_reads_nothing(world):
    message = send(world)
    world.citizen.is_active = False
    assert not selectors.visible_messages(world.citizen).filter(pk=message.pk).exists()


@pytest.mark.parametrize("name", ["postbox:inbox", "postbox:message"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, name):
    message = send(world)
    url = reverse(name) if name == "postbox:inbox" else reverse(name, args=[message.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_opening_a_message_marks_it_read_once_for_all_readers_of_the_business(client, world):
    message = send(world, to_business=world.business)
    client.force_login(world.clerk_of_business)
    client.get(reverse("postbox:message", args=[message.pk]))
    message.refresh_from_db()
    first = message.read_at
    assert first is not None
    client.force_login(world.owner)
    client.get(reverse("postbox:message", args=[message.pk]))
    message.refresh_from_db()
    assert message.read_at == first  # the first retrieval stays recorded
    [entry] = AuditEntry.objects.with_scopes_disabled().filter(action="postbox.message.read")
    assert entry.organisation == world.town and entry.object_id == str(message.pk)
    assert entry.changes == {"by": "account_holder"}
    # The authorities' trail names no account holder and holds no content.
    assert entry.actor is None and entry.actor_label == ""
    assert "Hundesteuer" not in entry.object_label


def test_mark_read_refuses_a_reader_who_may_not_read_the_message(world):
    message = send(world)
    assert services.mark_read(reader=world.stranger, message=message) is False
    message.refresh_from_db()
    assert message.read_at is None
    assert services.mark_read(reader=world.citizen, message=message) is True
    assert services.mark_read(reader=world.citizen, message=message) is False


def test_the_list_shows_unread_messages_first_and_marks_them(client, world):
    send(world, subject="Ältere Nachforderung", kind=Kind.REQUEST)
    newer = send(world, subject="Neuere Information", kind=Kind.INFORMATION)
    services.mark_read(reader=world.citizen, message=newer)
    send(world, subject="Nachricht an die Bäckerei", to_business=world.business)
    client.force_login(world.citizen)
    page = main_of(client.get(reverse("postbox:inbox")))
    assert page.index("Ältere Nachforderung") < page.index("Neuere Information")
    assert "Nachricht an die Bäckerei" not in page
    badge = f'<span class="kern-label">{de("Unread")}</span>'
    assert page.count(badge) == 1
    assert page.count(f"({de('unread')})") == 1  # for screen readers, in the link
    assert str(Kind.REQUEST.label) in page or de(str(Kind.REQUEST.label)) in page
    assert "Stadt Musterstadt" in page


def test_a_business_reader_switches_between_their_mailboxes(client, world):
    send(world, subject="An die Bäckerei", to_business=world.business)
    send(world, subject="An Olga privat", to_user=world.owner)
    client.force_login(world.owner)
    own = main_of(client.get(reverse("postbox:inbox")))
    assert "An Olga privat" in own and "An die Bäckerei" not in own
    assert f"?postfach={world.business.pk}" in own and "Bäckerei Korn GmbH" in own
    business = main_of(client.get(reverse("postbox:inbox"), {"postfach": world.business.pk}))
    assert "An die Bäckerei" in business and "An Olga privat" not in business


@pytest.mark.parametrize("reader", ["plain_member", "stranger"])
def test_a_business_mailbox_is_missing_for_those_without_the_postfach_role(client, world, reader):
    client.force_login(getattr(world, reader))
    response = client.get(reverse("postbox:inbox"), {"postfach": world.business.pk})
    assert response.status_code == 404
    assert client.get(reverse("postbox:inbox"), {"postfach": "x"}).status_code == 404


def test_the_list_needs_the_same_few_queries_for_many_messages(
    client, world, django_assert_max_num_queries
):
    for number in range(30):
        send(world, subject=f"Nachricht {number}", to_business=world.business)
    client.force_login(world.owner)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("postbox:inbox"), {"postfach": world.business.pk})
    assert main_of(response).count("<h3") == 25  # one page
    with django_assert_max_num_queries(7):
        second = client.get(reverse("postbox:inbox"), {"postfach": world.business.pk, "seite": 2})
    assert main_of(second).count("<h3") == 5


def test_the_message_page_needs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    message = send(world, replies_allowed=True)
    for number in range(5):
        services.reply(reader=world.citizen, message=message, text=f"Rückmeldung Nr. {number}")
    client.force_login(world.citizen)
    client.get(reverse("postbox:message", args=[message.pk]))  # marks it read
    with django_assert_max_num_queries(7):
        response = client.get(reverse("postbox:message", args=[message.pk]))
    assert main_of(response).count("Rückmeldung Nr. ") == 5
