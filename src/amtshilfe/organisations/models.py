"""Organisations (Gemeinden, Kreise, IT providers, the ministry), their authorities and staff."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from amtshilfe.core.access import DelegationScope, Role


class OrganisationKind(models.TextChoices):
    GEMEINDE = "gemeinde", _("Municipality")
    STADT = "stadt", _("Town")
    KREISFREIE_STADT = "kreisfreie_stadt", _("District-free city")
    KREIS = "kreis", _("District")
    IT_PROVIDER = "it_provider", _("IT service provider")
    MINISTRY = "ministry", _("Ministry")
    STATE_AUTHORITY = "state_authority", _("State authority")
    CONSULTANCY = "consultancy", _("Consultancy")


class Organisation(models.Model):
    """A tenant of the installation. Public master data: readable by anyone."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address on this portal"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    region = models.OneToOneField(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation",
        verbose_name=_("region"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("organisations:portal", kwargs={"slug": self.slug})


class Authority(models.Model):
    """An Organisationseinheit (e.g. "Ordnungsamt") with its contact data and opening hours."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="authorities"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=50, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="authority_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="hours_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Membership(models.Model):
    """A staff account's role in one organisation. Staff data: scoped."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["organisation", "role", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"


class DelegationAgreement(models.Model):
    """The delegating organisation lets the processing one do its work, for a period.

    Scope: all services, one OZG Leistungsbündel, or one service (LeiKa key).
    """

    delegating = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name=_("delegating organisation"),
    )
    processing = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="delegations_taken",
        verbose_name=_("processing organisation"),
    )
    scope = models.CharField(
        _("scope"),
        max_length=16,
        choices=[
            (DelegationScope.ALL.value, _("all services")),
            (DelegationScope.BUNDLE.value, _("one Leistungsbündel")),
            (DelegationScope.SERVICE.value, _("one service")),
        ],
    )
    scope_value = models.CharField(_("Leistungsbündel or LeiKa key"), max_length=64, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["delegating", "valid_from"]
        verbose_name = _("delegation agreement")
        verbose_name_plural = _("delegation agreements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(delegating=models.F("processing")), name="delegation_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(scope="all", scope_value="") | (~Q(scope="all") & ~Q(scope_value="")),
                name="delegation_scope_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegating} → {self.processing} ({self.scope} {self.scope_value})".strip()

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)
