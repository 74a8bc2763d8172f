"""Consents to linked portals, and how the person logged in for a pending authorization code.

The clients themselves (portals) are django-oauth-toolkit's ``Application`` rows; the codes,
tokens and ID tokens are DOT's models too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from amtshilfe.core.trust import TrustLevel


class PortalConsent(models.Model):
    """A person let a portal receive some of their data (DSGVO Art. 6 (1) a, 7).

    Every consent stays as a row: the account's log of consents given to portals. A consent is
    *active* until the person withdraws it or gives a newer one to the same portal (it is then
    ``replaced``); at most one consent per person and portal is active.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="portal_consents",
        verbose_name=_("account"),
    )
    application = models.ForeignKey(
        oauth2_settings.APPLICATION_MODEL,
        # The log outlives a portal the operators remove; its name is kept below.
        on_delete=models.SET_NULL,
        null=True,
        related_name="amtshilfe_consents",
        verbose_name=_("portal"),
    )
    portal_name = models.CharField(_("name of the portal"), max_length=255)
    scopes = models.JSONField(_("scopes"), default=list)
    claims = models.JSONField(
        _("data released"), default=list, help_text=_("Names of the OpenID Connect claims.")
    )
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    replaced_at = models.DateTimeField(
        _("replaced"),
        null=True,
        blank=True,
        help_text=_("When the person gave a newer consent to the same portal."),
    )

    class Meta:
        verbose_name = _("consent to a portal")
        verbose_name_plural = _("consents to portals")
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application"],
                condition=Q(withdrawn_at__isnull=True, replaced_at__isnull=True),
                name="portal_consent_one_active",
            ),
        ]
        indexes = [models.Index(fields=["user", "-given_at"], name="portal_consent_user_given")]

    def __str__(self) -> str:
        # No personal data: this text goes into the audit trail and admin breadcrumbs.
        return f"Consent #{self.pk}"

    @property
    def is_active(self) -> bool:
        return (
            self.withdrawn_at is None
            and self.replaced_at is None
            and self.application_id is not None
        )

    def covers(self, scopes: list[str] | tuple[str, ...] | set[str]) -> bool:
        return self.is_active and set(scopes) <= set(self.scopes)


class GrantAuthentication(models.Model):
    """``acr``/``amr``/``auth_time`` of the login an authorization code was issued to.

    Lives and dies with DOT's Grant (the code): deleted with it when the portal exchanges
    the code or the code expires.
    """

    grant = models.OneToOneField(
        oauth2_settings.GRANT_MODEL,
        on_delete=models.CASCADE,
        related_name="amtshilfe_authentication",
    )
    acr = models.CharField(max_length=16, choices=TrustLevel.choices)
    amr = models.JSONField(default=list)
    auth_time = models.BigIntegerField()

    class Meta:
        verbose_name = _("login behind an authorization code")
        verbose_name_plural = _("logins behind authorization codes")

    def __str__(self) -> str:
        return f"Login of grant #{self.grant_id}"
