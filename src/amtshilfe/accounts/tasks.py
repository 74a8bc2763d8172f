"""E-mails about accounts, sent by the worker. Arguments are ids only, never personal data.

Links are built from ``SITE_URL``; the one-time tokens are made here, in the worker, so they
are never stored in a task row.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from amtshilfe.accounts.models import User
from amtshilfe.accounts.tokens import email_verification


def _url(name: str, **kwargs: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _send(user: User, template: str, context: dict[str, object]) -> None:
    # Bilingual mails (German first): the worker does not know the person's language.
    with translation.override("de"):
        context = {"user": user, "site_name": settings.SITE_NAME, **context}
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"accounts/email/{template}.txt", context)
    send_mail(subject, body, None, [user.email])


@task()
def send_verification(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=False).first()
    if user is None:
        return  # confirmed meanwhile
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = _url("accounts:confirm_email", uidb64=uid, token=email_verification.make_token(user))
    _send(user, "verify", {"link": link})


@task()
def send_already_registered(user_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    _send(
        user,
        "already_registered",
        {"login": _url("accounts:login"), "reset": _url("accounts:password_reset")},
    )


@task()
def send_password_reset(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = _url(
        "accounts:password_reset_confirm",
        uidb64=uid,
        token=default_token_generator.make_token(user),
    )
    _send(user, "password_reset", {"link": link})


@task()
def send_new_device_notice(user_id: int, device: str, when: str) -> None:
    """``device`` is a coarse label such as "Firefox on Android"; ``when`` an ISO time."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    _send(
        user, "new_device", {"device": device, "when": when, "security": _url("accounts:security")}
    )
